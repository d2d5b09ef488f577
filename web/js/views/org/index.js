// views/org/index.js – the organiser's registration, assignment and links sections, mounted from
// views/organiser.js: a table of contents, then the day, the briefs, the rooms, the import, the
// assignment, links and join sheets, the day's report, the sprints of the server, and personal data.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { orgOf } from '../../org-state.js';
import { batched } from '../common.js';
import { mountAssign } from './assign.js';
import { mountBriefs } from './briefs.js';
import { mountEvent } from './event.js';
import { mountImport } from './import.js';
import { mountPeople } from './people.js';
import { mountRooms } from './rooms.js';
import { mountReport } from './report.js';
import { mountSheets } from './sheets.js';
import { mountSprints } from './sprints.js';

/** Events of state.js that change what these sections show. */
const SESSION_EVENTS = new Set(['sprint.created', 'programme.set', 'challenge.set', 'room.created', 'team.created', 'team.moved', 'team.code', 'links.set', 'member.joined', 'sprint.archived', 'sprint.published']);

/**
 * A table of contents of every section on the page (h2 with an id from common.js's section()),
 * built once the page's other parts have mounted. A link moves focus to its heading; the
 * fragment stays the router's.
 * @param {HTMLElement} root the page (main)
 * @param {HTMLElement} before the element the contents go in front of
 * @returns {HTMLElement}
 */
function mountToc(root, before) {
  const list = h('ul', { class: 'sp-org-toc__list' });
  const toc = h('nav', { class: 'sp-org-toc', 'aria-labelledby': 'sp-org-toc-title' }, h('h2', { class: 'sp-org-toc__title', id: 'sp-org-toc-title', text: t('org.toc') }), list);
  before.before(toc);
  queueMicrotask(() => {
    const headings = [...root.querySelectorAll('h2.sp-section-title[id^="sp-section-"]')].filter((el) => !el.closest('dialog'));
    list.replaceChildren(
      ...headings.map(({ id, textContent }) => {
        const a = h('a', { class: 'sp-link', href: `#${id}`, text: textContent });
        a.addEventListener('click', (e) => {
          e.preventDefault();
          // Looked up now: a section that redraws has a new heading with the same id.
          const heading = document.getElementById(id);
          if (!heading) return;
          heading.setAttribute('tabindex', '-1');
          heading.scrollIntoView({ block: 'start' });
          heading.focus({ preventScroll: true });
        });
        return h('li', {}, a);
      }),
    );
  });
  return toc;
}

/**
 * Mounts the organiser's sections.
 * @param {object} o
 * @param {import('../../session.js').Session} o.session the organiser's session
 * @param {string} o.token the organiser's link token (for the HTTP API)
 * @param {HTMLElement} o.container where the sections go (appended)
 * @param {HTMLElement} o.live polite live region of the page
 * @param {HTMLElement} [o.tocBefore] where the page's table of contents goes (in front of it)
 * @returns {{unmount: () => void}}
 */
export function mountOrgSections({ session, token, container, live, tocBefore }) {
  const org = orgOf(session);
  const env = { session, org, token, live };
  const parts = [mountEvent(env), mountBriefs(env), mountRooms(env), mountImport(env), mountAssign(env), mountSheets(env), mountReport(env), mountSprints(env), mountPeople(env)];

  const box = h('div', { class: 'sp-org' }, parts.map((p) => p.el));
  container.append(box);
  const toc = mountToc(container, tocBefore ?? box);

  let pending = [];
  const flush = batched(() => {
    const evs = pending;
    pending = [];
    for (const p of parts) {
      // A section whose refresh takes no event redraws as a whole: once is enough.
      if (p.refresh.length === 0) p.refresh();
      else for (const ev of evs) p.refresh(ev);
    }
  });
  const queue = (ev) => {
    // Many events after a (re)connect: one full refresh instead of one per event.
    if (pending.length > 20) pending = [null];
    else if (!pending.includes(null)) pending.push(ev);
    flush();
  };
  const offs = [
    session.on('change', (ev) => {
      if (!ev || SESSION_EVENTS.has(ev.type)) queue(ev);
    }),
    org.on('change', (ev) => queue(ev)),
  ];
  for (const p of parts) p.refresh(null);
  return {
    unmount() {
      for (const off of offs) off();
      box.remove();
      toc.remove();
    },
  };
}
