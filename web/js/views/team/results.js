// views/team/results.js – what is published for the team at the end of the day: the pitch order
// (when this team pitches) and, once the jury chair announces, the winners and the team's place.
//
// Both come from the staff fold (staff-state.js), which every session keeps. What a participant
// receives after the announcement is the organiser's choice, enforced on the server: the
// winners (`jury.winners`) and, by default, the team's own place (`jury.place`); the full
// table (`jury.results`) only when the organiser publishes it – shown here as a compact list
// that fits a 360 px phone. The panel stays hidden until one of them has arrived.

import { h, rerender } from '../../dom.js';
import { t } from '../../i18n.js';
import { staffOf } from '../../staff-state.js';
import { teamName } from '../staff/kit.js';
import { num } from '../staff/results.js';
import { pick } from '../../i18n.js';

/**
 * The pitch order that concerns a team: the overall order when one is published, else the
 * order of the team's room.
 * @param {ReturnType<import('../../staff-state.js').createStaffState>} st
 * @param {import('../../state.js').ClientState} state
 * @param {string} team
 * @returns {string[]|null} team ids, or null when nothing is published for the team
 */
export function teamPitchOrder(st, state, team) {
  const room = state.teams.get(team)?.room;
  const published = st.pitchOrders.has('') ? '' : st.pitchOrders.has(room) ? room : null;
  if (published === null) return null;
  return st.pitchOrders.get(published).filter((id) => state.teams.has(id));
}

/**
 * Where a team stands in `jury.results`.
 * @param {object} results data of `jury.results`
 * @param {string} team
 * @returns {{rank: number, total: number, tied: boolean, won: boolean, challengeWon: boolean}|null}
 *   null when the team is not in the results; rank 0 when nobody scored it
 */
export function teamPlace(results, team) {
  const rows = results?.teams ?? [];
  const row = rows.find((r) => r.team === team);
  if (!row) return null;
  const w = results.winners ?? {};
  return {
    rank: row.rank ?? 0,
    total: rows.filter((r) => r.rank > 0).length,
    tied: row.tied === true,
    won: (w.overall ?? []).includes(team),
    challengeWon: (w.challenges ?? []).some((c) => (c.teams ?? []).includes(team)),
  };
}

/**
 * The team's place from what the server sent it: its own `jury.place`, else (a published
 * table) its row of `jury.results`.
 * @param {ReturnType<import('../../staff-state.js').createStaffState>} st
 * @param {string} team
 * @returns {{rank: number, total: number, tied: boolean, won: boolean, challengeWon: boolean}|null}
 */
export function ownPlace(st, team) {
  const fromTable = st.jury.results ? teamPlace(st.jury.results, team) : null;
  if (fromTable) return fromTable;
  const p = st.places.get(team);
  const w = st.winners ?? {};
  if (!p) return null;
  return {
    rank: p.rank,
    total: p.of,
    tied: p.tied,
    won: (w.overall ?? []).includes(team),
    challengeWon: (w.challenges ?? []).some((c) => (c.teams ?? []).includes(team)),
  };
}

function placeText(place) {
  if (!place) return t('results.team.placeUnknown');
  if (!place.rank) return t('results.team.unscored');
  const key = place.tied ? 'results.team.placeTied' : 'results.team.place';
  let text = t(key, { rank: place.rank, total: place.total });
  if (place.won) text += ` ${t('results.team.wonOverall')}`;
  else if (place.challengeWon) text += ` ${t('results.team.wonChallenge')}`;
  return text;
}

/**
 * Builds the panel. It draws itself when a pitch order or the results arrive, and says so in
 * the team's polite live region (not while catching up after a reload: that is not news).
 * @param {object} o
 * @param {import('../../session.js').Session} o.session
 * @param {(message: string) => void} o.live announces a message politely
 * @returns {{node: HTMLElement, draw: () => void, unmount: () => void}}
 */
export function resultsPanel({ session, live }) {
  const state = session.state;
  const staff = staffOf(session);
  const st = staff.state;
  const pitchBox = h('div', { class: 'sp-team-results__pitch' });
  const juryBox = h('div', { class: 'sp-team-results__jury' });
  const node = h('section', { class: 'sp-team-results js-team-results', 'aria-labelledby': 'sp-team-results-title', hidden: true },
    h('h2', { class: 'sp-team-results__title', id: 'sp-team-results-title', text: t('results.team.title') }),
    pitchBox,
    juryBox);

  function drawPitch(order) {
    rerender(pitchBox, () => {
      if (!order) return [];
      const team = state.team;
      const at = order.indexOf(team);
      return [
        h('h3', { class: 'sp-results__title', text: t('results.team.pitchTitle') }),
        h('p', { class: 'sp-team-results__turn js-team-pitch-turn', text: at >= 0 ? t('results.team.pitchTurn', { n: at + 1, total: order.length }) : t('results.team.pitchNotListed') }),
        h('ol', { class: 'sp-team-results__order js-team-pitch-order' },
          order.map((id) => (id === team
            ? h('li', { class: 'sp-team-results__own', 'aria-current': 'true', dataset: { team: id } }, teamName(state, id), ' ', h('span', { text: t('results.team.ours') }))
            : h('li', { dataset: { team: id }, text: teamName(state, id) })))),
      ];
    });
  }

  function winnerNodes(w) {
    const names = (ids) => (ids ?? []).map((id) => teamName(state, id, w.names?.[id])).join(', ') || t('results.none');
    return h('dl', { class: 'sp-team-results__winners js-team-winners' },
      h('div', { class: 'sp-results__winner' }, h('dt', { text: t('results.overall') }), h('dd', { class: 'js-results-overall', text: names(w.overall) + (w.overall_tied ? ` ${t('results.tiedMark')}` : '') })),
      (w.challenges ?? []).map((c) => h('div', { class: 'sp-results__winner' }, h('dt', { text: pick(state.challenges.get(c.challenge)?.title) || c.challenge }), h('dd', { text: names(c.teams) + (c.tied ? ` ${t('results.tiedMark')}` : '') }))));
  }

  /** The published table as a list: place, team, mean – nothing wider than a phone. */
  function tableNodes(results) {
    const rows = (results.teams ?? []).filter((r) => r.rank > 0);
    return [
      h('h3', { class: 'sp-results__title', text: t('results.team.tableTitle') }),
      h('ol', { class: 'sp-team-results__table js-team-table' },
        rows.map((r) => h('li', { class: r.team === state.team ? 'sp-team-results__row sp-team-results__own' : 'sp-team-results__row', dataset: { team: r.team }, 'aria-current': r.team === state.team ? 'true' : undefined },
          h('span', { class: 'sp-team-results__rank', text: `${r.rank}.` }),
          h('span', { class: 'sp-team-results__name', text: teamName(state, r.team, r.name) }),
          h('span', { class: 'sp-team-results__mean', text: num(r.mean, 1) })))),
    ];
  }

  function drawJury() {
    rerender(juryBox, () => {
      const w = st.winners ?? st.jury.results?.winners ?? null;
      if (!w) return [];
      return [
        h('h3', { class: 'sp-results__title', text: t('results.team.juryTitle') }),
        h('p', { class: 'sp-team-results__place js-team-place', text: placeText(ownPlace(st, state.team)) }),
        h('h3', { class: 'sp-results__title', text: t('results.winners') }),
        winnerNodes(w),
        ...(st.jury.results ? tableNodes(st.jury.results) : []),
      ];
    });
  }

  function draw() {
    const order = state.team ? teamPitchOrder(st, state, state.team) : null;
    const announced = st.winners || st.jury.results;
    node.hidden = !order && !announced;
    drawPitch(order);
    drawJury();
  }

  const JURY = new Set(['jury.results', 'jury.winners', 'jury.place', 'jury.phase']);
  const off = staff.on('change', (ev) => {
    if (ev.type !== 'pitch.order' && !JURY.has(ev.type)) return;
    draw();
    if (!session.synced || !state.team) return;
    // The phase comes last of the announcement, after the winners and the team's place.
    if (ev.type === 'jury.phase' && st.jury.phase === 'announced') {
      live(`${t('results.team.announced')} ${placeText(ownPlace(st, state.team))}`);
    } else if (JURY.has(ev.type)) {
      return;
    } else {
      const order = teamPitchOrder(st, state, state.team);
      const at = order ? order.indexOf(state.team) : -1;
      if (at >= 0) live(`${t('results.team.pitchAnnounced')} ${t('results.team.pitchTurn', { n: at + 1, total: order.length })}`);
    }
  });
  draw();
  return { node, draw, unmount: off };
}
