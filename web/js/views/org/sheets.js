// views/org/sheets.js – links and codes: every role's link, each team's join code and join
// address (the one the QR code on its sheet opens), and the printable join sheets
// (GET /api/sheets.pdf, fetched with the organiser's token and offered as a download).

import { h, rerender } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { teamPeople } from '../../org-state.js';
import { section } from '../common.js';
import { copyButton, pdfButton, run, statusLine } from './kit.js';
import { currentRoom, roleUrl } from './rooms.js';

/**
 * The address a join sheet's QR code opens for a code.
 * @param {string} code
 * @returns {string}
 */
export function joinUrl(code) {
  return `${location.origin}/#/join/${encodeURIComponent(code)}`;
}

/**
 * Mounts the links-and-codes section.
 * @param {{session: object, org: object, token: string, live: HTMLElement}} env
 * @returns {{el: HTMLElement, refresh: (ev: object|null) => void}}
 */
export function mountSheets({ session, org, token, live }) {
  const linksBox = h('div', {});
  const codesBox = h('div', {});
  const { button: print, status } = pdfButton({
    token,
    path: '/api/sheets.pdf',
    label: t('org.sheets.print'),
    making: t('org.sheets.making'),
    ready: t('org.sheets.ready'),
    file: t('org.sheets.file'),
  });
  print.classList.add('js-org-print');
  const { button: door, status: doorStatus } = pdfButton({
    token,
    path: '/api/doorlist.pdf',
    label: t('org.sheets.door'),
    making: t('org.sheets.doorMaking'),
    ready: t('org.sheets.doorReady'),
    file: t('org.sheets.doorFile'),
  });
  door.classList.add('js-org-door');
  const walkins = h('input', { class: 'sp-checkbox js-org-walkins', type: 'checkbox', id: 'sp-org-walkins', 'aria-describedby': 'sp-org-walkins-hint' });
  walkins.checked = org.state.walkins !== false;
  const walkinsStatus = statusLine();
  walkins.addEventListener('change', async () => {
    const res = await run(session, 'join.walkins', { allowed: walkins.checked });
    if (res.ok) walkinsStatus.ok(t(walkins.checked ? 'org.sheets.walkinsOn' : 'org.sheets.walkinsOff'));
    else {
      walkins.checked = !walkins.checked;
      walkinsStatus.fail(res.message);
    }
  });

  function links() {
    const rows = [];
    const add = (label, url, key) =>
      rows.push(
        h('dt', { class: 'sp-links__label', text: label }),
        h('dd', { class: 'sp-links__value' }, h('a', { class: 'sp-link sp-org-url', href: url, dataset: { focusKey: `org-link-${key}` }, text: url }), ' ', copyButton(url, t('org.sheets.linkFor', { what: label }), live, `link-${key}`)),
      );
    add(t('org.sheets.role.organiser'), roleUrl('organiser', token), 'organiser');
    for (const link of session.state.links) {
      if (link.role === 'organiser') continue;
      if (link.role === 'facilitator') {
        const room = currentRoom(session, org, link.room);
        add(t('org.sheets.role.facilitator', { room: pick(room.name) || link.room }), roleUrl('facilitator', link.token), `fac-${link.room}`);
      } else if (link.role === 'screen' && link.room) {
        const room = currentRoom(session, org, link.room);
        add(t('org.sheets.role.screenRoom', { room: pick(room.name) || link.room }), roleUrl('screen', link.token), `screen-${link.room}`);
      } else add(t(`org.sheets.role.${link.role}`), roleUrl(link.role, link.token), link.role);
    }
    return h('dl', { class: 'sp-links js-org-links' }, rows);
  }

  function codes() {
    const assigned = org.state.placement.size > 0;
    const rows = [];
    for (const team of session.state.teams.values()) {
      const code = session.state.codes.get(team.id);
      if (!code) continue;
      const room = currentRoom(session, org, team.room);
      const url = joinUrl(code);
      rows.push(
        h(
          'tr',
          {},
          h('td', { class: 'sp-org-codes__team', text: pick(team.name) }),
          h('td', { text: pick(room.name) }),
          h('td', {}, h('code', { class: 'sp-code js-org-code', dataset: { team: team.id }, text: code })),
          h('td', { class: 'sp-table__number', text: assigned ? String(teamPeople(org.state, team.id).length) : '–' }),
          h('td', {}, h('a', { class: 'sp-link sp-org-url', href: url, dataset: { focusKey: `org-join-${team.id}` }, text: url }), ' ', copyButton(url, t('org.sheets.joinFor', { team: pick(team.name) }), live, `join-${team.id}`)),
        ),
      );
    }
    if (!rows.length) return h('p', { text: t('org.sheets.noCodes') });
    return h(
      'div',
      { class: 'sp-org-scroll', role: 'region', tabindex: '0', 'aria-labelledby': 'sp-org-codes-caption' },
      h(
        'table',
        { class: 'sp-table sp-org-codes' },
        h('caption', { id: 'sp-org-codes-caption', text: t('org.sheets.codesCaption') }),
        h('thead', {}, h('tr', {}, ['team', 'room', 'code', 'planned', 'join'].map((c) => h('th', { scope: 'col', class: c === 'planned' ? 'sp-table__number' : null, text: t(`org.sheets.col.${c}`) })))),
        h('tbody', {}, rows),
      ),
    );
  }

  function draw() {
    rerender(linksBox, () => [links()]);
    rerender(codesBox, () => [codes()]);
    walkins.checked = org.state.walkins !== false;
  }
  draw();

  const el = section('org-sheets', t('org.sheets.title'), [
    h('p', { class: 'sp-section-intro', text: t('org.sheets.intro') }),
    h('h3', { class: 'sp-org-subtitle', text: t('org.sheets.links') }),
    linksBox,
    h('h3', { class: 'sp-org-subtitle', text: t('org.sheets.codes') }),
    codesBox,
    h('p', { class: 'sp-field__hint', id: 'sp-org-print-hint', text: t('org.sheets.printHint') }),
    h('p', { class: 'sp-actions' }, print),
    status.el,
    h(
      'div',
      { class: 'sp-field sp-org-check' },
      walkins,
      ' ',
      h('label', { for: 'sp-org-walkins', text: t('org.sheets.walkins') }),
      h('p', { class: 'sp-field__hint', id: 'sp-org-walkins-hint', text: t('org.sheets.walkinsHint') }),
    ),
    walkinsStatus.el,
    h('p', { class: 'sp-field__hint', id: 'sp-org-door-hint', text: t('org.sheets.doorHint') }),
    h('p', { class: 'sp-actions' }, door),
    doorStatus.el,
  ]);
  print.setAttribute('aria-describedby', 'sp-org-print-hint');
  door.setAttribute('aria-describedby', 'sp-org-door-hint');
  return { el, refresh: draw };
}
