// views/screen-room.js – a break-out room's projector (`#/s/TOKEN/ROOM`, 1920×1080, read from the
// back of the room): the step the room is at in large type with its timer and a clear time-up
// state, the next programme item, the facilitator's message; during the Idee Race the room's
// whole leaderboard (two columns, turning pages when there are more teams than fit); the pitch
// order in full; the winners once announced.
//
// The room's step and timer come from the server's `rooms` frames (staff-state `roomStatus`):
// a screen never receives a team's own events.

import { h, setText } from '../dom.js';
import { formatClock, pick, t } from '../i18n.js';
import { nowAndNext } from '../programme.js';
import { chime } from '../beep.js';
import { batched, timeSpan } from './common.js';
import { clock, remaining, stepById, teamName } from './staff/kit.js';
import { pager, raceTeams, reducedMotion, runScreen, screenSession, styled, timeUp, winnersNode } from './staff/screen-kit.js';

/** Rows of the room's leaderboard on one page (two columns of eight). */
export const ROOM_ROWS = 16;

/**
 * Mounts a room's screen.
 * @param {object} ctx app context (see app.js); ctx.route.room is the room id
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function mountRoomScreen(ctx) {
  const { main } = ctx;
  const roomId = ctx.route.room;
  const { session, state, staff, st } = screenSession(ctx);

  const heading = h('h1', { class: 'sp-screen__title js-room-title', tabindex: '-1' });
  const sub = h('p', { class: 'sp-screen__date' });
  const clockText = h('span', { class: 'sp-screen__time js-clock' });
  const stepLabel = h('p', { class: 'sp-room__step-label js-room-step-label' });
  const stepName = h('p', { class: 'sp-room__step js-room-step' });
  const timerText = h('p', { class: 'sp-room__timer js-room-timer' });
  const timerState = h('p', { class: 'sp-room__timer-state js-room-timer-state', role: 'status' });
  const stage = h('section', { class: 'sp-screen__panel sp-room__stage js-room-stage', 'aria-labelledby': 'sp-room-stage-title' },
    h('h2', { class: 'sp-visually-hidden', id: 'sp-room-stage-title', text: t('screen.room.now') }), stepLabel, stepName, timerText, timerState);
  const nextBox = h('div', { class: 'sp-screen__next js-next' });
  const messageBox = h('p', { class: 'sp-room__message js-screen-message' });
  const info = h('div', { class: 'sp-room__info' },
    h('section', { class: 'sp-screen__panel', 'aria-labelledby': 'sp-room-next' }, h('h2', { class: 'sp-screen__label', id: 'sp-room-next', text: t('screen.next') }), nextBox),
    h('section', { class: 'sp-screen__panel sp-room__message-panel', 'aria-labelledby': 'sp-room-message', hidden: true }, h('h2', { class: 'sp-screen__label', id: 'sp-room-message', text: t('screen.room.message') }), messageBox));
  const side = h('div', { class: 'sp-room__side js-room-side' });
  const winners = h('div', { class: 'sp-screen__winners js-winners', hidden: true });
  const body = h('div', { class: 'sp-room' }, h('div', { class: 'sp-room__main' }, stage, info), side);

  main.append(h('div', { class: 'sp-screen sp-screen--room' },
    h('div', { class: 'sp-screen__top' },
      h('div', {}, heading, sub),
      h('p', { class: 'sp-screen__clock' }, h('span', { class: 'sp-visually-hidden', text: t('screen.clockLabel') }), clockText)),
    winners,
    body));

  let pagers = [];
  let wasUp = false;
  let lastNext = '';

  function status() {
    return st.roomStatus.get(roomId) ?? null;
  }

  function tick() {
    const now = session.conn.serverNow();
    setText(clockText, formatClock(new Date(now)));
    const s = status();
    const step = stepById(state, s?.step);
    const index = step ? state.steps.indexOf(step) : -1;
    setText(stepLabel, step ? t('screen.room.stepOf', { n: index + 1, total: state.steps.length }) : '');
    setText(stepName, step ? pick(step.name) : t('screen.room.waiting'));
    // While a round of the Idee Race runs, the big clock is the round's.
    const race = state.races.get(roomId);
    const clockOf = race?.state === 'running' ? race : s?.timer;
    const up = timeUp(clockOf, now);
    const left = remaining(clockOf, now);
    setText(timerText, up ? '0:00' : left === null ? clock(s?.timer?.duration_ms ?? (step?.minutes ?? 0) * 60000) : clock(left));
    const running = race?.state === 'running' ? t('screen.race.running', { round: race.round, rounds: race.rounds ?? 2 }) : null;
    setText(timerState, up ? t('screen.room.timeUp') : running ?? t(`screen.room.timer.${s?.timer?.state ?? 'idle'}`));
    stage.classList.toggle('sp-room__stage--up', up);
    stage.classList.toggle('sp-room__stage--low', !up && clockOf?.state === 'running' && left !== null && left <= 60000);
    if (up && !wasUp && s?.sound) chime();
    wasUp = up;
    const moment = new Date(now);
    const minutes = moment.getHours() * 60 + moment.getMinutes() + moment.getSeconds() / 60;
    const { next } = nowAndNext(state.programme, minutes);
    const key = JSON.stringify(next ?? null);
    if (key !== lastNext) {
      lastNext = key;
      nextBox.replaceChildren(next
        ? h('p', { class: 'sp-screen__item' }, h('span', { class: 'sp-screen__item-time', text: timeSpan(next) }), ' ', h('span', { class: 'sp-screen__item-title', text: pick(next.title) }))
        : h('p', { class: 'sp-screen__item sp-screen__item--quiet', text: t('screen.noNext') }));
    }
    for (const el of side.querySelectorAll('.js-race-left')) setText(el, race?.state === 'running' ? t('screen.race.left', { time: clock(remaining(race, now) ?? 0) }) : '');
  }

  function leaderboard() {
    const race = state.races.get(roomId);
    const teams = raceTeams(state, roomId);
    const max = Math.max(1, ...teams.map((x) => x.count));
    const won = state.raceWins.get(roomId);
    let text = '';
    if (race?.state === 'running') text = t('screen.race.running', { round: race.round, rounds: race.rounds ?? 2 });
    else if (won) text = t('screen.race.won', { names: won.teams.map((id) => teamName(state, id)).join(', '), count: won.count });
    else if (race) text = t('screen.race.ended', { round: race.round, rounds: race.rounds ?? 2 });
    const list = h('ol', { class: `sp-leaderboard sp-room__leaderboard js-leaderboard${teams.length > 8 ? ' sp-room__leaderboard--columns' : ''}`, dataset: { room: roomId } },
      teams.map((x, i) => h('li', { class: `sp-leaderboard__row${won?.teams.includes(x.id) ? ' sp-leaderboard__row--won' : ''}`, dataset: { team: x.id } },
        h('span', { class: 'sp-leaderboard__place', text: `${i + 1}.` }),
        h('span', { class: 'sp-leaderboard__name', text: x.name }),
        h('span', { class: 'sp-leaderboard__bar', 'aria-hidden': 'true' }, styled(h('span', { class: 'sp-leaderboard__fill' }), 'inline-size', `${Math.round((x.count / max) * 100)}%`)),
        h('span', { class: 'sp-leaderboard__count js-race-count', text: t('screen.race.ideas', { count: x.count }) }))));
    const note = h('p', { class: 'sp-screen__page js-page' });
    pagers.push(pager(list, ROOM_ROWS, note));
    return h('section', { class: 'sp-screen__panel sp-screen__panel--race', 'aria-labelledby': 'sp-room-race' },
      h('h2', { class: 'sp-screen__label', id: 'sp-room-race', text: t('screen.race') }),
      h('p', { class: 'sp-screen__race-status' }, text, ' ', h('span', { class: 'js-race-left' })),
      list, note);
  }

  function pitchPanel() {
    const overall = st.pitchOrders.get('');
    const order = (overall ?? st.pitchOrders.get(roomId) ?? []).filter((id) => state.teams.has(id));
    if (!order.length) return null;
    return h('section', { class: 'sp-screen__panel sp-screen__panel--pitch', 'aria-labelledby': 'sp-room-pitch' },
      h('h2', { class: 'sp-screen__label', id: 'sp-room-pitch', text: t('screen.pitch') }),
      h('ol', { class: `sp-screen__pitch js-pitch-order${order.length > 8 ? ' sp-room__pitch--columns' : ''}` },
        order.map((id) => h('li', { class: state.teams.get(id)?.room === roomId ? 'sp-screen__pitch-item sp-room__pitch-own' : 'sp-screen__pitch-item', dataset: { team: id }, text: teamName(state, id) }))));
  }

  function draw() {
    const room = state.rooms.get(roomId);
    const challenge = room ? state.challenges.get(room.challenge) : null;
    setText(heading, room ? pick(room.name) : roomId);
    setText(sub, challenge ? pick(challenge.title) : '');
    const s = status();
    messageBox.textContent = s?.message ?? '';
    messageBox.closest('section').hidden = !s?.message;
    pagers = [];
    const step = stepById(state, s?.step);
    const race = state.races.get(roomId);
    const racing = race?.state === 'running' || (step?.activity === 'race' && race);
    const parts = [];
    if (racing) parts.push(leaderboard());
    else {
      const pitch = pitchPanel();
      if (pitch) parts.push(pitch);
      else if (race) parts.push(leaderboard());
    }
    side.replaceChildren(...parts);
    side.hidden = parts.length === 0;
    body.classList.toggle('sp-room--side', parts.length > 0);
    const node = winnersNode(state, st);
    winners.hidden = !node;
    body.hidden = Boolean(node);
    winners.classList.toggle('sp-screen__winners--animate', Boolean(node) && !reducedMotion());
    winners.replaceChildren(...(node ? [node] : []));
    tick();
  }

  const schedule = batched(draw);
  const offs = [session.on('change', () => schedule()), staff.on('change', () => schedule())];
  draw();
  return runScreen(ctx, { tick, turn: () => pagers.forEach((p) => p.turn()), offs });
}
