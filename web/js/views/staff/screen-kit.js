// views/staff/screen-kit.js – what the plenary screen and the room screens share: the winners
// (from `jury.winners`, which screens receive; the full table is not theirs), the Idee Race
// leaderboard of a room, paging of long lists, and the time-up check.

import { h } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { staffOf } from '../../staff-state.js';
import { showBadLink } from '../common.js';
import { teamName } from './kit.js';

/** Seconds a page of a long list stays up. */
export const PAGE_SECONDS = 8;

/**
 * What every screen starts with: its session, the two folds, the page title.
 * @param {object} ctx app context (see app.js)
 * @returns {{session: object, state: object, staff: object, st: object}}
 */
export function screenSession(ctx) {
  const session = ctx.useSession(ctx.route.token);
  const staff = staffOf(session);
  ctx.setTitle(t('screen.title'));
  return { session, state: session.state, staff, st: staff.state };
}

/**
 * Runs a screen: its clock every second, the page turns of its long lists, and the listeners;
 * returns what app.js expects of a mounted view.
 * @param {object} ctx
 * @param {{tick: () => void, turn: () => void, offs: Function[]}} o
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function runScreen(ctx, { tick, turn, offs }) {
  const timers = [setInterval(tick, 1000), setInterval(turn, PAGE_SECONDS * 1000)];
  const stop = () => timers.forEach(clearInterval);
  return {
    unmount() {
      stop();
      for (const off of offs) off();
    },
    authFailed(err) {
      stop();
      showBadLink(ctx, err);
    },
  };
}

/** Whether the viewer asked for less motion. */
export function reducedMotion() {
  return globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

/**
 * Sets one style property through the CSSOM (the CSP forbids style attributes).
 * @param {HTMLElement} el
 * @param {string} prop
 * @param {string} value
 * @returns {HTMLElement} el
 */
export function styled(el, prop, value) {
  el.style.setProperty(prop, value);
  return el;
}

/**
 * The teams of a room's race, most ideas first: the teams of the last leaderboard or running
 * round (those that took part), else every team of the room with ideas.
 * @param {import('../../state.js').ClientState} state
 * @param {string} roomId
 * @returns {{id: string, name: string, count: number}[]}
 */
export function raceTeams(state, roomId) {
  const counts = state.raceCounts.get(roomId) ?? new Map();
  const race = state.races.get(roomId);
  const boards = state.leaderboards.get(roomId) ?? [];
  const inRace = new Set([...(race?.teams ?? []), ...boards.flatMap((b) => b.teams.map((x) => x.team)), ...counts.keys()]);
  const teams = [...state.teams.values()].filter((tm) => tm.room === roomId && (inRace.size === 0 || inRace.has(tm.id)))
    .map((tm) => ({ id: tm.id, name: pick(tm.name), count: counts.get(tm.id) ?? 0 }));
  return teams.sort((a, b) => b.count - a.count || a.id.localeCompare(b.id, 'en', { numeric: true }));
}

/**
 * Shows one page of a long list at a time and turns the page every few seconds: every row stays
 * in the document (screen readers and tests see the whole list); the rows of other pages are
 * hidden. A list that fits shows everything.
 * @param {HTMLElement} list the list (its element children are the rows)
 * @param {number} perPage rows per page
 * @param {HTMLElement|null} note where "page 1 of 2" is written
 * @returns {{turn: () => void}}
 */
export function pager(list, perPage, note) {
  let page = 0;
  function show() {
    const rows = [...list.children];
    const pages = Math.max(1, Math.ceil(rows.length / perPage));
    if (page >= pages) page = 0;
    rows.forEach((row, i) => {
      row.hidden = pages > 1 && Math.floor(i / perPage) !== page;
    });
    list.dataset.pages = String(pages);
    list.dataset.page = String(page + 1);
    if (note) note.textContent = pages > 1 ? t('screen.page', { page: page + 1, pages }) : '';
  }
  show();
  return {
    turn() {
      page += 1;
      show();
    },
  };
}

/**
 * The winners, once announced, from `jury.winners` (or a published `jury.results`).
 * @param {import('../../state.js').ClientState} state
 * @param {ReturnType<import('../../staff-state.js').createStaffState>} st
 * @returns {HTMLElement|null}
 */
export function winnersNode(state, st) {
  const w = st.winners ?? st.jury.results?.winners ?? null;
  if (!w) return null;
  const names = (ids) => (ids ?? []).map((id) => teamName(state, id, w.names?.[id])).join(' & ');
  const overall = w.overall ?? [];
  const challenges = w.challenges ?? [];
  return h('section', { class: 'sp-screen__panel sp-screen__panel--winners', 'aria-labelledby': 'sp-screen-winners' },
    h('h2', { class: 'sp-screen__label', id: 'sp-screen-winners', text: t('screen.winners') }),
    overall.length
      ? h('div', { class: 'sp-screen__overall' },
          h('p', { class: 'sp-screen__overall-label', text: w.overall_tied ? t('screen.winners.overallTied') : t('screen.winners.overall') }),
          h('p', { class: 'sp-screen__overall-name js-winner-overall', text: names(overall) }))
      : h('p', { class: 'sp-screen__item sp-screen__item--quiet', text: t('screen.winners.none') }),
    challenges.length
      ? h('ul', { class: 'sp-screen__challenge-winners' },
          challenges.map((c, i) =>
            styled(h('li', { class: 'sp-screen__challenge-winner js-winner-challenge', dataset: { challenge: c.challenge } },
              h('span', { class: 'sp-screen__challenge-title', text: pick(state.challenges.get(c.challenge)?.title) || c.challenge }),
              h('span', { class: 'sp-screen__challenge-team', text: c.teams?.length ? names(c.teams) + (c.tied ? ` ${t('screen.winners.tied')}` : '') : t('screen.winners.none') }),
            ), '--sp-reveal-delay', `${0.6 + i * 0.4}s`),
          ),
        )
      : null,
  );
}

/**
 * Whether a timer has run out (expired, or running with its end passed on the server's clock).
 * @param {object|undefined} timer {state, ends_at?}
 * @param {number} serverNow
 * @returns {boolean}
 */
export function timeUp(timer, serverNow) {
  return timer?.state === 'expired' || (timer?.state === 'running' && typeof timer.ends_at === 'number' && timer.ends_at <= serverNow);
}
