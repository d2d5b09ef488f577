// views/bank.js – the idea bank: what earlier sprints shared, searchable in Dutch. Two routes:
// `#/o/TOKEN/bank` and `#/f/TOKEN/bank` for the organiser and facilitators (GET /api/bank with
// their token; filters sprint, challenge, kind, chosen, won; each hit links to its team's page in
// that sprint's report), and `#/bank`, the public page (GET /api/public/bank, no token, no links
// to report pages: those need a staff link). HTTP only – no WebSocket session is opened.

import { announce, append, h } from '../dom.js';
import { errorText, formatDate, pick, t } from '../i18n.js';
import { BANK_KINDS, BANK_PAGE, bankSearchPath, outcome, reportRoute, reportTarget, snippetParts, sprintList } from '../bank.js';
import { showBadLink } from './common.js';

/** A body class of its own: a reading page. */
export const BODY = 'bank';

/**
 * GET with the staff token (if any) as bearer token; never sends cookies.
 * @param {string|null} token
 * @param {string} path
 * @returns {Promise<Response>}
 */
export function getJson(token, path) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  return fetch(path, { headers, cache: 'no-store', credentials: 'omit' });
}

/** The error body of a refused answer ({code, nl, en}), or null. */
export async function errorBody(res) {
  try {
    const body = await res.json();
    return body && typeof body === 'object' ? body : null;
  } catch {
    return null;
  }
}

/**
 * One hit: the kind and team as its heading, the snippet with the matched words marked, where
 * it came from, what became of it, and (for staff) a link to the team's page.
 * @param {object} e a bank entry with `snippet`
 * @param {{role: string, token: string}|null} link the staff link, null on the public page
 * @param {number} n position, for unique ids
 * @returns {HTMLElement}
 */
export function hitItem(e, link, n) {
  const titleId = `sp-bank-hit-${n}`;
  const snippet = h('p', { class: 'sp-bank-hit__text js-bank-snippet' }, snippetParts(e.snippet, e.text).map((p) => (p.mark ? h('mark', { class: 'sp-bank-hit__mark', text: p.text }) : p.text)));
  const where = [pick(e.sprint_title) || e.sprint, e.date ? formatDate(e.date) : '', pick(e.challenge_title)].filter(Boolean).join(' · ');
  const out = outcome(e);
  const counted = Number.isFinite(e.count) && e.count > 0 && e.kind !== 'jury' ? t(`bank.count.${BANK_KINDS.includes(e.kind) ? e.kind : 'idee'}`, { count: e.count }) : '';
  const orgs = Array.isArray(e.orgs) ? e.orgs.filter((o) => typeof o === 'string' && o) : [];
  const target = link ? reportTarget(e.url) : null;
  const kind = BANK_KINDS.includes(e.kind) ? t(`bank.kind.${e.kind}`) : String(e.kind ?? '');
  const won = out.key === 'bank.outcome.won' || out.key === 'bank.outcome.juryWon';
  return h(
    'li',
    { class: 'sp-bank-hit js-bank-hit', dataset: { kind: String(e.kind ?? ''), sprint: String(e.sprint ?? '') } },
    h('article', { 'aria-labelledby': titleId },
      h('h3', { class: 'sp-bank-hit__title', id: titleId }, h('span', { class: 'sp-bank-hit__kind', text: kind }), ' ', pick(e.team_name) || e.team || ''),
      snippet,
      h('p', { class: 'sp-bank-hit__where', text: where }),
      h('p', { class: 'sp-bank-hit__outcome js-bank-outcome' },
        h('span', { class: `sp-bank-badge${won ? ' sp-bank-badge--won' : out.key === 'bank.outcome.chosen' ? ' sp-bank-badge--chosen' : ''}`, text: t(out.key, out.params) }),
        counted ? ` ${counted}` : ''),
      orgs.length ? h('p', { class: 'sp-bank-hit__orgs', text: t('bank.orgs', { list: orgs.join(', ') }) }) : null,
      target
        ? h('p', {}, h('a', { class: 'sp-link js-bank-report', href: reportRoute(link.role, link.token, target) }, t('bank.teamPage'), h('span', { class: 'sp-visually-hidden', text: ` ${pick(e.team_name) || e.team}, ${pick(e.sprint_title) || e.sprint}` })))
        : null,
    ),
  );
}

function select(id, label, options) {
  const el = h('select', { class: 'sp-input sp-bank-select', id }, options.map(([value, text]) => h('option', { value, text })));
  return { el, group: h('div', { class: 'sp-field' }, h('label', { class: 'sp-field__label', for: id, text: label }), el) };
}

/**
 * Mounts the bank search (staff route) or the public page.
 * @param {object} ctx app context (see app.js); route {name: 'bank', role: 'o'|'f'|null, token}
 * @returns {{unmount: () => void}}
 */
export function mount(ctx) {
  ctx.dropSession();
  const { main } = ctx;
  const { role, token } = ctx.route;
  const open = !token;
  const link = open ? null : { role, token };
  const base = open ? '/api/public/bank' : '/api/bank';
  ctx.setTitle(t(open ? 'bank.public.title' : 'bank.title'));

  const heading = h('h1', { class: 'sp-heading', tabindex: '-1', text: t(open ? 'bank.public.heading' : 'bank.heading') });
  const intro = h('p', { class: 'sp-lead', text: t(open ? 'bank.public.intro' : 'bank.intro') });
  const back = open ? null : h('p', {}, h('a', { class: 'sp-link js-bank-back', href: `#/${role}/${encodeURIComponent(token)}`, text: t(role === 'o' ? 'bank.backOrganiser' : 'bank.backConsole') }));
  const live = h('div', { class: 'sp-visually-hidden', 'aria-live': 'polite' });

  const q = h('input', { class: 'sp-input sp-bank-q js-bank-q', id: 'sp-bank-q', type: 'search', name: 'q', maxlength: '200', autocomplete: 'off', 'aria-describedby': 'sp-bank-q-hint' });
  const qGroup = h('div', { class: 'sp-field' },
    h('label', { class: 'sp-field__label', for: 'sp-bank-q', text: t('bank.q.label') }),
    h('p', { class: 'sp-field__hint', id: 'sp-bank-q-hint', text: t('bank.q.hint') }),
    q);
  const any = t('bank.filter.any');
  const sprintSel = select('sp-bank-sprint', t('bank.filter.sprint'), [['', any]]);
  const challengeSel = select('sp-bank-challenge', t('bank.filter.challenge'), [['', any]]);
  const kindSel = select('sp-bank-kind', t('bank.filter.kind'), [['', any], ...BANK_KINDS.map((k) => [k, t(`bank.kind.${k}`)])]);
  const yesNo = [['', any], ['1', t('bank.filter.yes')], ['0', t('bank.filter.no')]];
  const chosenSel = select('sp-bank-chosen', t('bank.filter.chosen'), yesNo);
  const wonSel = select('sp-bank-won', t('bank.filter.won'), yesNo);
  const filters = open
    ? null
    : h('fieldset', { class: 'sp-bank-filters' }, h('legend', { class: 'sp-field__label', text: t('bank.filter.legend') }),
      h('div', { class: 'sp-org-row' }, sprintSel.group, challengeSel.group, kindSel.group, chosenSel.group, wonSel.group));
  const form = h('form', { class: 'sp-form sp-bank-form js-bank-form', role: 'search', 'aria-label': t('bank.form'), novalidate: true },
    qGroup, filters, h('p', { class: 'sp-actions' }, h('button', { class: 'sp-button', type: 'submit', text: t('bank.search') })));

  const status = h('p', { class: 'sp-bank-status js-bank-status', role: 'status' });
  const error = h('div', { class: 'sp-alert js-bank-error', role: 'alert' });
  const list = h('ol', { class: 'sp-bank-hits js-bank-hits' });
  const more = h('button', { class: 'sp-button sp-button--secondary js-bank-more', type: 'button', hidden: true, text: t('bank.more') });
  const results = h('section', { class: 'sp-bank-results', 'aria-labelledby': 'sp-bank-results-title' },
    h('h2', { class: 'sp-section-title', id: 'sp-bank-results-title', text: t('bank.results') }), status, list, h('p', { class: 'sp-actions' }, more));
  const noBank = h('p', { class: 'sp-notice js-bank-none', hidden: true, text: t('bank.public.none') });
  append(main, [heading, intro, back, noBank, form, error, results, live]);

  // Sprints and challenges for the filters: the organiser's list of sprints, and what the hits
  // show (a facilitator may not list the sprints; challenge ids are per sprint).
  const sprints = new Map();
  const challenges = new Map();
  function fillFilters() {
    const keep = [sprintSel.el.value, challengeSel.el.value];
    sprintSel.el.replaceChildren(h('option', { value: '', text: any }), ...[...sprints].map(([id, label]) => h('option', { value: id, text: label })));
    const only = sprintSel.el.value || keep[0];
    challengeSel.el.replaceChildren(h('option', { value: '', text: any }),
      ...[...challenges].filter(([key]) => !only || key.startsWith(`${only}|`)).map(([key, c]) => h('option', { value: key, text: only ? c.title : `${c.title} (${c.sprint})` })));
    sprintSel.el.value = [...sprints.keys()].includes(keep[0]) ? keep[0] : '';
    challengeSel.el.value = [...challengeSel.el.options].some((o) => o.value === keep[1]) ? keep[1] : '';
  }
  function learn(hits) {
    let changed = false;
    for (const e of hits) {
      if (e.sprint && !sprints.has(e.sprint)) {
        sprints.set(e.sprint, [pick(e.sprint_title) || e.sprint, e.date].filter(Boolean).join(' – '));
        changed = true;
      }
      const key = `${e.sprint}|${e.challenge}`;
      if (e.sprint && e.challenge && !challenges.has(key)) {
        challenges.set(key, { title: pick(e.challenge_title) || e.challenge, sprint: pick(e.sprint_title) || e.sprint });
        changed = true;
      }
    }
    if (changed && !open) fillFilters();
  }
  sprintSel.el.addEventListener('change', fillFilters);

  let gone = false;
  let shown = 0;
  let last = null;
  let busy = false;

  function current(offset) {
    const [cs, cc] = challengeSel.el.value ? challengeSel.el.value.split('|') : ['', ''];
    return { q: q.value, sprint: sprintSel.el.value || cs, challenge: cc, kind: kindSel.el.value, chosen: chosenSel.el.value, won: wonSel.el.value, limit: BANK_PAGE, offset };
  }

  async function search(offset = 0, { initial = false } = {}) {
    if (busy) return;
    const f = open ? { q: q.value, limit: BANK_PAGE, offset } : current(offset);
    // The bank finds words: an empty query finds nothing (the public page still asks once, to
    // learn whether anything is published).
    if (!f.q.trim() && !initial) {
      status.textContent = t('bank.needQ');
      q.focus();
      return;
    }
    busy = true;
    error.replaceChildren();
    if (offset === 0) status.textContent = t('bank.searching');
    try {
      const res = await getJson(token, bankSearchPath(base, f));
      if (gone) return;
      if (!res.ok) {
        const body = await errorBody(res);
        if (body?.code === 'sprint_archived' || ((res.status === 401 || res.status === 403) && body?.code === 'bad_token')) {
          showBadLink(ctx, body);
          gone = true;
          return;
        }
        if (body?.code === 'not_public') {
          noBank.hidden = false;
          form.hidden = true;
          results.hidden = true;
          status.textContent = '';
          return;
        }
        status.textContent = '';
        error.replaceChildren(h('p', { text: body ? errorText(body) : t('org.http.failed', { status: res.status }) }));
        return;
      }
      const body = await res.json();
      const hits = Array.isArray(body?.hits) ? body.hits : [];
      const total = Number.isFinite(body?.total) ? body.total : hits.length;
      learn(hits);
      last = f;
      if (offset === 0) {
        shown = 0;
        list.replaceChildren();
      }
      const firstNew = hits.length ? shown : -1;
      for (const e of hits) list.append(hitItem(e, link, ++shown));
      more.hidden = shown >= total || hits.length === 0;
      status.textContent = f.q.trim() ? t('bank.found', { count: total, q: f.q.trim() }) : total ? t('bank.foundAll', { count: total }) : t('bank.typeToSearch');
      if (offset > 0 && firstNew >= 0) {
        // "More": focus goes to the first new hit, so the reader carries on where the list grew.
        const first = list.children[firstNew]?.querySelector('h3');
        if (first) {
          first.setAttribute('tabindex', '-1');
          first.focus();
        }
        announce(live, t('bank.moreShown', { count: hits.length }));
      }
    } catch {
      if (!gone) {
        status.textContent = '';
        error.replaceChildren(h('p', { text: t('org.http.offline') }));
      }
    } finally {
      busy = false;
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    search(0);
  });
  more.addEventListener('click', () => last && search(shown));

  if (!open && role === 'o') {
    // The organiser may list the sprints: every archived one is a filter choice from the start.
    getJson(token, '/api/sprints')
      .then(async (res) => {
        if (!res.ok || gone) return;
        for (const s of sprintList(await res.json()).sprints) {
          if (s.state === 'archived' && !sprints.has(s.id)) sprints.set(s.id, [s.title, s.date].filter(Boolean).join(' – '));
        }
        fillFilters();
      })
      .catch(() => {});
  }
  // The public page shows what is published straight away (or that nothing is).
  if (open) search(0, { initial: true });
  return {
    unmount() {
      gone = true;
    },
  };
}
