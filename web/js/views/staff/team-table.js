// views/staff/team-table.js – the console's live table of a room's teams: step, time left,
// members online of those planned, progress of the current step, and what needs attention
// (time up, a tie for the captain, a vote everyone finished but nobody revealed, no one online,
// stalled for some minutes), sortable with the teams that need attention first.
//
// Counts come pushed from the server (staff-state `counts`), steps and timers from the team
// events every facilitator receives for the teams of their room; nothing here asks for them.

import { h } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { canvasOf, listItems, teamMembers, teamNotes } from '../../state.js';
import { button, clock, remaining, stepById } from './kit.js';

/** After this long without anything a member did, a working team counts as stalled. */
export const STALL_MS = 5 * 60000;

/**
 * What needs the facilitator's eye in a team, most urgent first, each a {key, weight, params}.
 * @param {import('../../state.js').ClientState} state
 * @param {ReturnType<import('../../staff-state.js').createStaffState>} st
 * @param {string} team
 * @param {number} now server time in ms
 * @returns {{key: string, weight: number, params?: object}[]}
 */
export function teamAttention(state, st, team, now) {
  const out = [];
  const step = stepById(state, state.teamSteps.get(team)?.step) ?? state.steps[0] ?? null;
  const timer = state.timers.get(team);
  const counts = st.counts.get(team);
  const vote = step ? `${team}|${step.id}` : '';
  const members = teamMembers(state, team).length;
  if (timer && (timer.state === 'expired' || (timer.state === 'running' && (remaining(timer, now) ?? 1) <= 0))) out.push({ key: 'timeUp', weight: 5 });
  if (step?.activity === 'vote' && (st.voteTies.has(vote) || counts?.tie)) out.push({ key: 'tie', weight: 4 });
  if (step?.activity === 'vote' && !st.voteRevealed.has(vote) && members > 0 && (st.voteProgress.get(vote)?.done?.length ?? 0) >= members) out.push({ key: 'allVoted', weight: 3 });
  const online = (st.presence.get(team) ?? []).length;
  const planned = Math.max(members, counts?.assigned ?? 0);
  if (st.presenceKnown && planned > 0 && online === 0) out.push({ key: 'nobody', weight: 2 });
  const active = counts?.active ?? 0;
  if (active > 0 && members > 0 && now - active >= STALL_MS && timer?.state === 'running') {
    const minutes = Math.floor((now - active) / 60000);
    out.push({ key: 'stalled', weight: 2, params: { minutes, count: minutes } });
  }
  return out;
}

/** The sort orders of the table: each a compare function over row models. */
export const SORTS = {
  attention: (a, b) => b.weight - a.weight || a.index - b.index || a.order - b.order,
  name: (a, b) => a.name.localeCompare(b.name, 'nl') || a.order - b.order,
  step: (a, b) => a.index - b.index || a.order - b.order,
  time: (a, b) => (a.left ?? Infinity) - (b.left ?? Infinity) || a.order - b.order,
};

/**
 * The rows of the table in the chosen order, as plain models (tested without a browser).
 * @param {import('../../state.js').ClientState} state
 * @param {ReturnType<import('../../staff-state.js').createStaffState>} st
 * @param {object[]} teams the room's teams
 * @param {number} now
 * @param {string} sort a key of SORTS
 * @returns {object[]}
 */
export function tableRows(state, st, teams, now, sort = 'attention') {
  const rows = teams.map((team, order) => {
    const step = stepById(state, state.teamSteps.get(team.id)?.step) ?? state.steps[0] ?? null;
    const attention = teamAttention(state, st, team.id, now);
    return {
      team,
      order,
      name: pick(team.name),
      step,
      index: step ? state.steps.indexOf(step) : -1,
      left: remaining(state.timers.get(team.id), now),
      attention,
      weight: attention.reduce((m, a) => Math.max(m, a.weight), 0),
    };
  });
  return rows.sort(SORTS[sort] ?? SORTS.attention);
}

/**
 * The text of a team's timer on the console.
 * @param {object|undefined} timer
 * @param {number} now
 * @returns {string}
 */
export function timerText(timer, now) {
  const left = remaining(timer, now);
  if (left === null) return timer?.state === 'stopped' ? t('console.timer.stopped') : t('console.timer.idle');
  if (timer.state === 'paused') return t('console.timer.paused', { time: clock(left) });
  if (timer.state === 'expired' || left <= 0) return t('console.timer.expired');
  return t('console.timer.running', { time: clock(left) });
}

/** The progress of the team's current step, as nodes for the Voortgang cell. */
function progressNodes(state, st, id, step) {
  const counts = st.counts.get(id);
  const members = teamMembers(state, id);
  const shared = teamNotes(state, id).filter((n) => !n.private).length;
  const parts = [
    h('span', { class: 'sp-console__progress-part' },
      t('console.team.notesShort'), ' ', h('span', { class: 'js-note-total', text: String(shared) }),
      counts?.private ? [' ', h('span', { class: 'js-note-private', text: t('console.team.private', { count: counts.private }) })] : null),
  ];
  const act = step?.activity;
  if (act === 'items') parts.push(h('span', { class: 'sp-console__progress-part js-items', text: t('console.team.items', { count: listItems(state, id, step.params?.list).length }) }));
  if (act === 'canvas') {
    const fields = step.params?.fields ?? [];
    const filled = Object.values(canvasOf(state, id, step.params?.canvas)).filter((v) => String(v ?? '').trim()).length;
    parts.push(h('span', { class: 'sp-console__progress-part js-canvas', text: t('console.team.fields', { filled, total: fields.length }) }));
  }
  if (act === 'timeline') {
    const n = [...state.milestones.values()].filter((m) => m.team === id).length;
    parts.push(h('span', { class: 'sp-console__progress-part', text: t('console.team.milestones', { count: n }) }));
  }
  if (act === 'vote') {
    const key = `${id}|${step.id}`;
    const revealed = st.voteRevealed.has(key);
    const done = new Set(st.voteProgress.get(key)?.done ?? []);
    const pending = members.filter((m) => !done.has(m.id)).map((m) => m.name || t('console.team.nameless'));
    parts.push(h('span', { class: 'sp-console__progress-part js-vote' },
      revealed ? t('console.team.voteRevealed') : t('console.team.voteDone', { done: done.size, total: members.length }),
      counts && counts.step === step.id && !revealed ? ` · ${t('console.team.dots', { dots: counts.dots, budget: counts.dots_budget })}` : '',
      st.voteTies.has(key) ? ` · ${t('console.team.tie')}` : ''));
    if (!revealed && pending.length) parts.push(h('span', { class: 'sp-console__progress-part sp-console__pending js-vote-pending', text: t('console.team.votePending', { names: pending.join(', ') }) }));
  }
  return parts;
}

/**
 * One row of the table.
 * @param {object} o
 * @param {import('../../state.js').ClientState} o.state
 * @param {ReturnType<import('../../staff-state.js').createStaffState>} o.st
 * @param {object} o.row a model of tableRows
 * @param {(cmd: string, args: object, done?: string) => void} o.send a command for this team
 * @param {(team: string) => void} o.peek opens the team's work
 * @param {boolean} o.peeking whether this team is open in the peek panel
 * @param {(team: string) => string} [o.wallHref] the link that shows a team's wall on a projector
 * @param {number} o.now server time in ms
 * @returns {HTMLTableRowElement}
 */
export function teamRow({ state, st, row, send, peek, peeking, now, wallHref }) {
  const { team, step, index, attention } = row;
  const id = team.id;
  const name = row.name;
  const hidden = t('console.team.for', { team: name });
  const members = teamMembers(state, id);
  const online = new Set(st.presence.get(id) ?? []);
  const counts = st.counts.get(id);
  const planned = Math.max(members.length, counts?.assigned ?? 0);
  const timer = state.timers.get(id);
  const tstate = timer?.state ?? 'idle';
  const onlineText = st.presenceKnown ? t('console.team.onlineValue', { online: members.filter((m) => online.has(m.id)).length, total: planned }) : t('console.team.onlineUnknown');
  const actions = [button(t('console.team.next'), { small: true, hidden, key: `next-${id}`, onClick: () => send('step.next', {}, t('console.done.teamNext', { team: name })) })];
  if (tstate === 'running') actions.push(button(t('console.team.pause'), { kind: 'secondary', small: true, hidden, key: `pause-${id}`, onClick: () => send('timer.pause', {}) }));
  else if (tstate === 'paused') actions.push(button(t('console.team.resume'), { kind: 'secondary', small: true, hidden, key: `resume-${id}`, onClick: () => send('timer.resume', {}) }));
  else actions.push(button(t('console.team.start'), { kind: 'secondary', small: true, hidden, key: `start-${id}`, onClick: () => send('timer.start', {}) }));
  if (step?.activity === 'vote' && !st.voteRevealed.has(`${id}|${step.id}`)) actions.push(button(t('console.team.reveal'), { kind: 'secondary', small: true, hidden, key: `reveal-${id}`, onClick: () => send('vote.reveal', {}) }));
  // During clustering the team's wall can go on the room's projector (views/wallscreen.js).
  if (step?.activity === 'cluster' && wallHref) {
    actions.push(h('a', { class: 'sp-button sp-button--secondary sp-button--small js-wall-screen', href: wallHref(id), target: '_blank', rel: 'noopener' },
      t('team.wall.projector'), h('span', { class: 'sp-visually-hidden', text: t('team.wall.projectorHidden', { team: name }) })));
  }
  const peekButton = h('button', { type: 'button', class: 'sp-console__peek-link js-peek', dataset: { focusKey: `peek-${id}` } }, name, h('span', { class: 'sp-visually-hidden', text: t('console.peek.open') }));
  peekButton.addEventListener('click', () => peek(id));
  peekButton.setAttribute('aria-expanded', peeking ? 'true' : 'false');
  peekButton.setAttribute('aria-controls', 'sp-console-peek');
  return h('tr', { class: `sp-console__row js-team-row${row.weight >= 3 ? ' sp-console__row--alert' : row.weight > 0 ? ' sp-console__row--note' : ''}`, dataset: { team: id } },
    h('th', { scope: 'row', class: 'sp-console__cell-team' }, peekButton),
    h('td', { class: 'js-team-step', dataset: { team: id }, text: step ? t('console.team.stepValue', { n: index + 1, total: state.steps.length, name: pick(step.name) }) : t('console.team.noStep') }),
    h('td', { class: `sp-console__time js-timer${tstate === 'expired' ? ' sp-console__time-up' : ''}`, dataset: { team: id }, text: timerText(timer, now) }),
    h('td', { class: 'sp-console__online js-online', dataset: { team: id }, title: counts?.assigned ? t('console.team.joined', { count: members.length }) : null, text: onlineText }),
    h('td', { class: 'sp-console__progress' }, progressNodes(state, st, id, step)),
    h('td', { class: 'sp-console__attention js-attention' }, attention.length ? attention.map((a) => t(`console.attention.${a.key}`, a.params)).join(' · ') : '–'),
    h('td', { class: 'sp-console__actions' }, h('div', { class: 'sp-console__row-actions' }, actions)),
  );
}

/**
 * The head of the table.
 * @returns {HTMLTableSectionElement}
 */
export function tableHead() {
  const col = (key, cls) => h('th', { scope: 'col', class: cls, text: t(key) });
  return h('thead', {}, h('tr', {},
    col('console.col.team'), col('console.col.step'), col('console.col.time'), col('console.col.online'),
    col('console.col.progress'), col('console.col.attention'), col('console.col.actions')));
}
