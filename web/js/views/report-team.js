// views/report-team.js – a team's page in an archived sprint's report, read-only: where a hit of
// the idea bank leads. Built from GET /api/sprints/<id>/report.json (docs/report-schema.json:
// only public, redacted data) through teamReport() of bank.js.
//
// How it authenticates: the route carries the organiser's or facilitator's link token like every
// other staff route – `#/o/TOKEN/r/SPRINT/TEAM` or `#/f/TOKEN/r/SPRINT/TEAM` – and the page sends it
// as bearer token. The bare address of a bank entry, `#/r/SPRINT/TEAM`, uses the staff link
// opened last in this browser tab (kept in sessionStorage, never in localStorage); without one it
// says which link opens it. No WebSocket session is opened.

import { append, h } from '../dom.js';
import { errorText, formatDate, t } from '../i18n.js';
import { teamReport } from '../bank.js';
import { showBadLink } from './common.js';
import { errorBody, getJson } from './bank.js';

export const BODY = 'bank';

const STAFF_KEY = 'sp.staffLink';

/**
 * Remembers the staff link of this tab (organiser or facilitator), for bare `#/r/…` addresses.
 * @param {'o'|'f'} role
 * @param {string} token
 */
export function rememberStaffLink(role, token) {
  try {
    sessionStorage.setItem(STAFF_KEY, JSON.stringify({ role, token }));
  } catch {
    // Storage switched off: a bare report address then asks for the link.
  }
}

/** @returns {{role: string, token: string}|null} the staff link of this tab */
export function staffLink() {
  try {
    const v = JSON.parse(sessionStorage.getItem(STAFF_KEY) ?? 'null');
    return v && (v.role === 'o' || v.role === 'f') && typeof v.token === 'string' ? v : null;
  } catch {
    return null;
  }
}

function part(key, title, content) {
  return h('section', { class: 'sp-report-part', 'aria-labelledby': `sp-report-${key}` }, h('h2', { class: 'sp-section-title', id: `sp-report-${key}`, text: title }), content);
}

function dotsText(n) {
  return n === null ? t('report.dotsSecret') : t('report.dots', { count: n });
}

function boardPart(key, title, board) {
  if (!board.clusters.length && !board.loose.length) return null;
  return part(key, title, [
    h('ul', { class: 'sp-report-list' }, board.clusters.map((c) => h('li', { class: 'sp-report-cluster' },
      h('p', { class: 'sp-report-cluster__name' }, h('strong', { text: c.name }), c.dots !== null ? ` – ${dotsText(c.dots)}` : '', c.chosen ? h('span', { class: 'sp-bank-badge sp-bank-badge--chosen', text: t('report.chosen') }) : null),
      c.notes.length ? h('ul', { class: 'sp-report-notes' }, c.notes.map((n) => h('li', { text: n }))) : null))),
    board.loose.length ? h('p', { class: 'sp-field__hint', text: t('report.loose', { count: board.loose.length }) }) : null,
  ]);
}

function yearsText(at) {
  return at === 0 ? t('report.now') : t('report.years', { count: at });
}

/**
 * The nodes of a team page.
 * @param {ReturnType<typeof teamReport>} m
 * @returns {Node[]}
 */
export function reportNodes(m) {
  const parts = [];
  if (m.members.length) {
    parts.push(part('members', t('report.members'), h('ul', { class: 'sp-report-list' }, m.members.map((p) => h('li', { text: [p.name, p.organisation, p.role].filter(Boolean).join(' – ') || t('report.member') })))));
  }
  if (m.knelpunten.length) {
    parts.push(part('knelpunten', t('report.knelpunten'), h('ol', { class: 'sp-report-list' }, m.knelpunten.map((k) => h('li', {}, k.text, k.dots !== null ? h('span', { class: 'sp-report-count', text: ` (${dotsText(k.dots)})` }) : null)))));
  }
  parts.push(boardPart('problems', t('report.problems'), m.problems));
  parts.push(boardPart('themes', t('report.themes'), m.themes));
  for (const c of m.canvases) {
    parts.push(part(`canvas-${c.id}`, c.name, h('dl', { class: 'sp-report-canvas' }, c.fields.map((f) => [h('dt', { text: f.name }), h('dd', { text: f.text })]))));
  }
  if (m.race.total || m.ideas.length) {
    parts.push(part('race', t('report.race'), [
      h('p', { text: m.race.won ? t('report.raceWon', { count: m.race.total }) : t('report.raceTotal', { count: m.race.total }) }),
      m.ideas.length
        ? h('ol', { class: 'sp-report-list js-report-ideas' }, m.ideas.map((i) => h('li', {}, i.text, i.votes !== null ? h('span', { class: 'sp-report-count', text: ` (${t('report.votes', { count: i.votes })})` }) : null, i.chosen ? h('span', { class: 'sp-bank-badge sp-bank-badge--chosen', text: t('report.chosen') }) : null)))
        : null,
    ]));
  }
  if (m.chosen.length) {
    parts.push(part('chosen', t('report.chosenIdeas'), m.chosen.map((c, n) => h('article', { class: 'sp-report-chosen', 'aria-labelledby': `sp-report-chosen-${n}` },
      h('h3', { class: 'sp-report-chosen__title', id: `sp-report-chosen-${n}`, text: c.text }),
      c.milestones.length
        ? [h('p', { class: 'sp-field__hint', text: t('report.timeline') }), h('ol', { class: 'sp-report-timeline' }, c.milestones.map((ms) => h('li', {}, h('strong', { text: `${yearsText(ms.at)}: ` }), ms.text, ms.kind && ms.kind !== 'goal' ? ` (${t(`report.milestone.${ms.kind}`)})` : '')))]
        : null))));
  }
  if (m.jury) {
    parts.push(part('jury', t('report.jury'), h('p', { class: 'js-report-jury', text: m.jury.won ? t('report.juryWon', { rank: m.jury.rank }) : t('report.juryRank', { rank: m.jury.rank }) })));
  }
  return parts.filter(Boolean);
}

/**
 * Mounts a team's report page.
 * @param {object} ctx app context; route {name: 'report', role, token, sprint, team}
 * @returns {{unmount: () => void}}
 */
export function mount(ctx) {
  ctx.dropSession();
  const { main } = ctx;
  const r = ctx.route;
  const link = r.token ? { role: r.role, token: r.token } : staffLink();
  ctx.setTitle(t('report.title'));
  const heading = h('h1', { class: 'sp-heading js-report-heading', tabindex: '-1', text: t('report.title') });
  const lead = h('p', { class: 'sp-lead js-report-lead' });
  const body = h('div', { class: 'sp-report js-report', 'aria-busy': 'true' });
  const back = link ? h('p', {}, h('a', { class: 'sp-link js-report-back', href: `#/${link.role}/${encodeURIComponent(link.token)}/bank`, text: t('report.back') })) : null;
  append(main, [heading, lead, back, body]);
  let gone = false;

  if (!link) {
    body.removeAttribute('aria-busy');
    body.append(h('p', { class: 'sp-notice js-report-nolink', text: t('report.noLink') }), h('p', {}, h('a', { class: 'sp-link', href: '#/bank', text: t('report.publicBank') })));
    return { unmount() {} };
  }
  lead.textContent = t('report.loading');
  (async () => {
    try {
      const res = await getJson(link.token, `/api/sprints/${encodeURIComponent(r.sprint)}/report.json`);
      if (gone) return;
      if (!res.ok) {
        const err = await errorBody(res);
        if (gone) return;
        if (err?.code === 'sprint_archived' || err?.code === 'bad_token') {
          showBadLink(ctx, err);
          return;
        }
        lead.textContent = '';
        // A link that may search the bank but not read this report (the server decides who may).
        const text = res.status === 403 ? t('report.forbidden') : err ? errorText(err) : t('org.http.failed', { status: res.status });
        body.append(h('p', { class: 'sp-alert js-report-error', role: 'alert', text }));
        return;
      }
      const model = teamReport(await res.json(), r.team);
      if (gone) return;
      if (!model) {
        lead.textContent = '';
        body.append(h('p', { class: 'sp-alert js-report-error', role: 'alert', text: t('report.noTeam') }));
        return;
      }
      heading.textContent = model.team.name;
      ctx.setTitle(t('report.titleTeam', { team: model.team.name }));
      lead.textContent = [model.sprint.title, formatDate(model.sprint.date), model.room].filter(Boolean).join(' · ');
      append(body, [
        model.challenge ? h('div', { class: 'sp-panel' }, h('p', { class: 'sp-panel__title', text: t('report.challenge', { title: model.challenge.title }) }), model.challenge.question ? h('p', { text: model.challenge.question }) : null) : null,
        h('p', { class: 'sp-field__hint', text: t('report.readOnly') }),
        reportNodes(model),
      ]);
    } catch {
      if (!gone) {
        lead.textContent = '';
        body.append(h('p', { class: 'sp-alert', role: 'alert', text: t('org.http.offline') }));
      }
    } finally {
      body.removeAttribute('aria-busy');
    }
  })();
  return {
    unmount() {
      gone = true;
    },
  };
}
