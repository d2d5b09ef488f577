// views/staff/peek.js – a team's work, read-only, from the console: its members, its boards
// (notes by cluster), its lists, the revealed votes, its canvases, its ideas and its Crystal
// Ball. It draws from the same events the console already receives for the teams of its room,
// so it is live: the console redraws it with everything else. Private notes never reach staff;
// the panel says how many there are, as the counts do.

import { h } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { boardClusters, boardNotes, canvasOf, listItems, targetText, teamMembers } from '../../state.js';
import { button, stepById } from './kit.js';

function boardPart(state, team, board, title) {
  const notes = boardNotes(state, team, board).filter((n) => !n.private);
  if (!notes.length) return null;
  const clusters = boardClusters(state, team, board);
  const noteList = (list) => h('ul', { class: 'sp-peek__notes' }, list.map((n) => h('li', { class: 'sp-peek__note', text: n.text })));
  const loose = notes.filter((n) => !n.cluster || !clusters.some((c) => c.id === n.cluster));
  return h('section', { class: 'sp-peek__part js-peek-board', dataset: { board } },
    h('h4', { class: 'sp-peek__title', text: t('console.peek.board', { name: title, count: notes.length }) }),
    clusters.map((c) => h('div', { class: 'sp-peek__cluster' },
      h('h5', { class: 'sp-peek__cluster-name', text: c.name }),
      noteList(notes.filter((n) => n.cluster === c.id)))),
    loose.length ? noteList(loose) : null);
}

/**
 * The peek panel's content for one team.
 * @param {object} o
 * @param {import('../../state.js').ClientState} o.state
 * @param {ReturnType<import('../../staff-state.js').createStaffState>} o.st
 * @param {string} o.team team id
 * @param {() => void} o.close closes the panel
 * @param {(cmd: string, args: object, done?: string) => void} o.send a command for this team
 * @returns {HTMLElement[]}
 */
export function peekNodes({ state, st, team, close, send }) {
  const tm = state.teams.get(team);
  if (!tm) return [];
  const name = pick(tm.name);
  const online = new Set(st.presence.get(team) ?? []);
  const roles = state.roles.get(team) ?? {};
  const at = stepById(state, state.teamSteps.get(team)?.step) ?? state.steps[0] ?? null;
  const index = at ? state.steps.indexOf(at) : 0;
  const parts = [];
  // Boards in the order of the playbook, the free wall last.
  const boards = [];
  for (const s of state.steps) {
    const b = s.params?.board;
    if (b && !boards.some((x) => x.id === b)) boards.push({ id: b, name: pick(s.name) });
  }
  boards.push({ id: 'wall', name: t('console.peek.wall') });
  for (const b of boards) parts.push(boardPart(state, team, b.id, b.name));
  const priv = st.counts.get(team)?.private ?? 0;
  if (priv) parts.push(h('p', { class: 'sp-peek__quiet', text: t('console.peek.private', { count: priv }) }));
  const lists = [...new Set(state.steps.map((s) => s.params?.list).filter(Boolean))];
  for (const list of lists) {
    const items = listItems(state, team, list);
    if (items.length) {
      parts.push(h('section', { class: 'sp-peek__part js-peek-list' },
        h('h4', { class: 'sp-peek__title', text: t('console.peek.list', { count: items.length }) }),
        h('ol', { class: 'sp-peek__notes' }, items.map((i) => h('li', { class: 'sp-peek__note', text: i.text })))));
    }
  }
  for (const s of state.steps.filter((x) => x.activity === 'vote')) {
    const tl = st.tallies.get(`${team}|${s.id}`);
    if (!tl || !tl.tally.some((r) => r.count > 0)) continue;
    const selected = new Set(tl.selected ?? []);
    parts.push(h('section', { class: 'sp-peek__part js-peek-vote' },
      h('h4', { class: 'sp-peek__title', text: pick(s.name) }),
      h('ol', { class: 'sp-peek__notes' }, tl.tally.filter((r) => r.count > 0).map((r) =>
        h('li', { class: selected.has(r.target) ? 'sp-peek__note sp-peek__note--chosen' : 'sp-peek__note' },
          `${targetText(state, r.target)} – ${t('console.peek.dots', { count: r.count })}`,
          selected.has(r.target) ? ` ${t('console.peek.chosen')}` : '')))));
  }
  for (const s of state.steps.filter((x) => x.activity === 'canvas')) {
    const values = canvasOf(state, team, s.params?.canvas);
    const fields = (s.params?.fields ?? []).filter((f) => String(values[f.id] ?? '').trim());
    if (!fields.length) continue;
    parts.push(h('section', { class: 'sp-peek__part js-peek-canvas', dataset: { canvas: s.params?.canvas } },
      h('h4', { class: 'sp-peek__title', text: pick(s.name) }),
      h('dl', { class: 'sp-peek__fields' }, fields.map((f) => h('div', {}, h('dt', { text: pick(f.name) }), h('dd', { text: values[f.id] }))))));
  }
  const ms = [...state.milestones.values()].filter((m) => m.team === team).sort((a, b) => a.at - b.at);
  if (ms.length) {
    parts.push(h('section', { class: 'sp-peek__part' },
      h('h4', { class: 'sp-peek__title', text: t('console.peek.crystal') }),
      h('ul', { class: 'sp-peek__notes' }, ms.map((m) => h('li', { class: 'sp-peek__note', text: `${m.at === 0 ? t('console.peek.now') : t('console.peek.years', { count: m.at })}: ${m.text}` })))));
  }
  const members = teamMembers(state, team);
  const roleOf = (id) => [roles.captain === id && t('console.peek.captain'), roles.timekeeper === id && t('console.peek.timekeeper'), roles.presenter === id && t('console.peek.presenter')].filter(Boolean).join(', ');
  const backSelect = h('select', { class: 'sp-input sp-console__back-select', id: `sp-back-${team}`, dataset: { focusKey: `back-select-${team}` } },
    state.steps.slice(0, Math.max(index, 0)).map((s, i) => h('option', { value: s.id, text: `${i + 1}. ${pick(s.name)}` })));
  return [
    h('div', { class: 'sp-peek__head' },
      h('h3', { class: 'sp-peek__name', id: 'sp-console-peek-title', tabindex: '-1', text: t('console.peek.title', { team: name }) }),
      button(t('console.peek.close'), { kind: 'secondary', small: true, key: 'peek-close', cls: 'js-peek-close', onClick: close })),
    h('p', { class: 'sp-peek__step', text: at ? t('console.team.stepValue', { n: index + 1, total: state.steps.length, name: pick(at.name) }) : '' }),
    members.length
      ? h('ul', { class: 'sp-console__members', 'aria-label': t('console.team.members', { team: name }) },
          members.map((m) => h('li', { class: online.has(m.id) ? 'sp-console__member sp-console__member--on' : 'sp-console__member' },
            m.name || t('console.team.nameless'), roleOf(m.id) ? ` (${roleOf(m.id)})` : '', ' ',
            h('span', { class: 'sp-console__member-state', text: st.presenceKnown ? (online.has(m.id) ? t('console.team.isOnline') : t('console.team.isOffline')) : '' }))))
      : h('p', { class: 'sp-peek__quiet', text: t('console.team.noMembers') }),
    index > 0
      ? h('div', { class: 'sp-console__back' },
          h('label', { class: 'sp-field__label', for: `sp-back-${team}`, text: t('console.team.backLabel', { team: name }) }),
          h('div', { class: 'sp-console__inline' }, backSelect,
            button(t('console.team.back'), { kind: 'secondary', small: true, hidden: t('console.team.for', { team: name }), key: `back-${team}`, onClick: () => send('step.back', { step: backSelect.value }) }),
            button(t('console.team.extend'), { kind: 'secondary', small: true, hidden: t('console.team.for', { team: name }), key: `extend-${team}`, onClick: () => send('timer.extend', { minutes: 1 }) })))
      : null,
    h('div', { class: 'sp-peek__work js-peek-work' }, parts.filter(Boolean).length ? parts.filter(Boolean) : h('p', { class: 'sp-peek__quiet', text: t('console.peek.empty') })),
  ];
}
