// views/screen.js – the plenary projector (1920×1080, read from the back of the room, no
// interaction): the clock, what is on now and next, one big timer, the Idee Race leaderboard of
// every room moving live (long lists turn pages), the pitch order, and the winners once the jury
// chair announces them. A room's screen (`#/s/TOKEN/ROOM`) is views/screen-room.js.
//
// The big timer: the screen sees only what is public to the whole sprint, never a team's own
// timer. So it shows the round of the Idee Race while one runs (the moment the whole room
// watches), and otherwise the time left of the programme item that is on now.

import { h, setText } from '../dom.js';
import { formatClock, formatDate, pick, t } from '../i18n.js';
import { nowAndNext, toMinutes } from '../programme.js';
import { pitchSequence } from '../staff-state.js';
import { batched, timeSpan } from './common.js';
import { clock, remaining, teamName } from './staff/kit.js';
import { pager, raceTeams, reducedMotion, runScreen, screenSession, styled, winnersNode } from './staff/screen-kit.js';
import { mountRoomScreen } from './screen-room.js';

/** Rows of one room's leaderboard on the plenary screen before it turns pages. */
const PLENARY_ROWS = 10;
/** Programme items shown as "on now" at once; more overlapping ones are counted. */
const NOW_MAX = 3;

/** The body modifier: dark, large type, no page chrome to speak of. */
export const BODY = 'screen';

/** Events after which the screen is drawn again. */
export const RELEVANT = new Set(['sprint.created', 'programme.set', 'team.created', 'room.created', 'challenge.set', 'race.round', 'race.count', 'race.leaderboard', 'race.won', 'pitch.order', 'jury.phase', 'jury.results', 'jury.winners', 'room.updated', 'rooms']);

/**
 * The end, in minutes since midnight, of the item that is on now: its own end, or the start of
 * the next item that starts later.
 * @param {object[]} items the programme
 * @param {object} item an item of it
 * @returns {number|null}
 */
export function itemEnd(items, item) {
  const own = toMinutes(item.end);
  if (own !== null) return own;
  const start = toMinutes(item.time);
  const later = items.map((i) => toMinutes(i.time)).filter((m) => m !== null && m > start).sort((a, b) => a - b);
  return later[0] ?? null;
}

/**
 * Mounts the screen view.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function mount(ctx) {
  if (ctx.route?.room) return mountRoomScreen(ctx);
  const { main } = ctx;
  const { session, state, staff, st } = screenSession(ctx);

  const heading = h('h1', { class: 'sp-screen__title', tabindex: '-1' });
  const date = h('p', { class: 'sp-screen__date' });
  const clockText = h('span', { class: 'sp-screen__time js-clock' });
  const nowList = h('ul', { class: 'sp-screen__items js-now' });
  const nextBox = h('div', { class: 'sp-screen__next js-next' });
  const bigLabel = h('p', { class: 'sp-screen__big-label js-big-label' });
  const bigTime = h('p', { class: 'sp-screen__big-time js-big-time' });
  const bigPanel = h('section', { class: 'sp-screen__panel sp-screen__panel--timer', 'aria-labelledby': 'sp-screen-timer' }, h('h2', { class: 'sp-screen__label', id: 'sp-screen-timer', text: t('screen.timer') }), bigLabel, bigTime);
  const side = h('div', { class: 'sp-screen__column sp-screen__side js-screen-side' });
  const winners = h('div', { class: 'sp-screen__winners js-winners', hidden: true });
  // Three columns on the projector: the programme, the big timer, and the race or the pitches.
  const grid = h('div', { class: 'sp-screen__grid sp-screen__grid--staff' },
    h('div', { class: 'sp-screen__column' },
      h('section', { class: 'sp-screen__panel', 'aria-labelledby': 'sp-screen-now' }, h('h2', { class: 'sp-screen__label', id: 'sp-screen-now', text: t('screen.now') }), nowList),
      h('section', { class: 'sp-screen__panel sp-screen__panel--next', 'aria-labelledby': 'sp-screen-next' }, h('h2', { class: 'sp-screen__label', id: 'sp-screen-next', text: t('screen.next') }), nextBox),
    ),
    h('div', { class: 'sp-screen__column' }, bigPanel),
    side,
  );

  main.append(
    h('div', { class: 'sp-screen' },
      h('div', { class: 'sp-screen__top' },
        h('div', {}, heading, date),
        h('p', { class: 'sp-screen__clock' }, h('span', { class: 'sp-visually-hidden', text: t('screen.clockLabel') }), clockText),
      ),
      winners,
      grid,
    ),
  );

  let lastKey = '';

  function itemNode(tag, item) {
    return h(tag, { class: 'sp-screen__item' }, h('span', { class: 'sp-screen__item-time', text: timeSpan(item) }), ' ', h('span', { class: 'sp-screen__item-title', text: pick(item.title) }));
  }

  /** What the big timer shows now: {label, ms} or null. */
  function bigTimer(moment) {
    const serverNow = session.conn.serverNow();
    const running = [...state.races.entries()].filter(([, race]) => race.state === 'running');
    if (running.length) {
      running.sort((a, b) => (a[1].ends_at ?? 0) - (b[1].ends_at ?? 0));
      const [roomId, race] = running[0];
      const room = state.rooms.get(roomId);
      const label = running.length > 1 ? t('screen.timer.raceAll', { round: race.round, rounds: race.rounds ?? 2 }) : t('screen.timer.race', { round: race.round, rounds: race.rounds ?? 2, room: room ? pick(room.name) : roomId });
      return { label, ms: remaining(race, serverNow) ?? 0 };
    }
    const minutes = moment.getHours() * 60 + moment.getMinutes() + moment.getSeconds() / 60;
    const { now } = nowAndNext(state.programme, minutes);
    const item = now.at(-1);
    if (!item) return null;
    const end = itemEnd(state.programme, item);
    if (end === null) return null;
    return { label: t('screen.timer.item', { title: pick(item.title), time: `${String(Math.floor(end / 60)).padStart(2, '0')}:${String(end % 60).padStart(2, '0')}` }), ms: (end - minutes) * 60000 };
  }

  function tick() {
    const moment = new Date(session.conn.serverNow());
    setText(clockText, formatClock(moment));
    const big = bigTimer(moment);
    setText(bigLabel, big ? big.label : t('screen.timer.none'));
    setText(bigTime, big ? clock(big.ms) : '–');
    bigTime.classList.toggle('sp-screen__big-time--low', Boolean(big && big.ms <= 60000));
    for (const el of side.querySelectorAll('.js-race-left')) {
      const race = state.races.get(el.dataset.room);
      setText(el, race?.state === 'running' ? t('screen.race.left', { time: clock(remaining(race, session.conn.serverNow()) ?? 0) }) : '');
    }
    const minutes = moment.getHours() * 60 + moment.getMinutes() + moment.getSeconds() / 60;
    const { now, next } = nowAndNext(state.programme, minutes);
    // Redraw the lists only when what is on changes, not every second.
    const key = JSON.stringify([now, next]);
    if (key === lastKey) return;
    lastKey = key;
    // However many items overlap, the projector cannot scroll: the NOW_MAX that began last
    // are shown (the big timer's item among them), smaller as there are more (staff.css),
    // and a line says how many others are on.
    const shown = now.slice(-NOW_MAX);
    nowList.replaceChildren(...shown.map((item) => itemNode('li', item)));
    if (now.length > NOW_MAX) nowList.append(h('li', { class: 'sp-screen__item sp-screen__item--quiet sp-screen__item--more', text: t('screen.moreNow', { count: now.length - NOW_MAX }) }));
    nowList.classList.toggle('sp-screen__items--two', shown.length === 2);
    nowList.classList.toggle('sp-screen__items--many', shown.length > 2);
    if (now.length === 0) {
      nowList.append(h('li', { class: 'sp-screen__item sp-screen__item--quiet', text: next ? t('screen.notStarted', { time: next.time }) : t('screen.nothing') }));
    }
    nextBox.replaceChildren(next ? itemNode('p', next) : h('p', { class: 'sp-screen__item sp-screen__item--quiet', text: t('screen.noNext') }));
  }

  function raceRoom(roomId) {
    const room = state.rooms.get(roomId);
    const race = state.races.get(roomId);
    const teams = raceTeams(state, roomId);
    const max = Math.max(1, ...teams.map((x) => x.count));
    const won = state.raceWins.get(roomId);
    let status = '';
    if (race?.state === 'running') status = t('screen.race.running', { round: race.round, rounds: race.rounds ?? 2 });
    else if (won) status = t('screen.race.won', { names: won.teams.map((id) => teamName(state, id)).join(', '), count: won.count });
    else if (race) status = t('screen.race.ended', { round: race.round, rounds: race.rounds ?? 2 });
    const list = h('ol', { class: 'sp-leaderboard js-leaderboard', dataset: { room: roomId } },
        teams.map((x) =>
          h('li', { class: `sp-leaderboard__row${won?.teams.includes(x.id) ? ' sp-leaderboard__row--won' : ''}`, dataset: { team: x.id } },
            h('span', { class: 'sp-leaderboard__name', text: x.name }),
            h('span', { class: 'sp-leaderboard__bar', 'aria-hidden': 'true' }, styled(h('span', { class: 'sp-leaderboard__fill' }), 'inline-size', `${Math.round((x.count / max) * 100)}%`)),
            h('span', { class: 'sp-leaderboard__count js-race-count', text: t('screen.race.ideas', { count: x.count }) }),
          ),
        ),
      );
    const note = h('p', { class: 'sp-screen__page js-page' });
    pagers.push(pager(list, PLENARY_ROWS, note));
    return h('div', { class: 'sp-screen__race' },
      h('h3', { class: 'sp-screen__sub', text: room ? pick(room.name) : roomId }),
      h('p', { class: 'sp-screen__race-status' }, status, ' ', h('span', { class: 'js-race-left', dataset: { room: roomId } })),
      list, note);
  }

  function pitchPanel() {
    const rooms = [...state.rooms.keys()];
    const order = pitchSequence(st, [...state.teams.keys()], rooms);
    const overall = st.pitchOrders.get('');
    const groups = overall ? [{ title: null, teams: overall.filter((id) => order.includes(id)) }] : rooms.filter((r) => st.pitchOrders.has(r)).map((r) => ({ title: pick(state.rooms.get(r)?.name), teams: st.pitchOrders.get(r) }));
    return h('section', { class: 'sp-screen__panel sp-screen__panel--pitch', 'aria-labelledby': 'sp-screen-pitch' },
      h('h2', { class: 'sp-screen__label', id: 'sp-screen-pitch', text: t('screen.pitch') }),
      groups.map((g) => [
        g.title ? h('h3', { class: 'sp-screen__sub', text: g.title }) : null,
        h('ol', { class: 'sp-screen__pitch js-pitch-order' }, g.teams.map((id) => h('li', { class: 'sp-screen__pitch-item', text: teamName(state, id) }))),
      ]),
    );
  }

  /** FLIP: rows that moved glide from their old place, unless the viewer asked for less motion. */
  function animateRows(before) {
    if (reducedMotion()) return;
    for (const row of side.querySelectorAll('.sp-leaderboard__row')) {
      const old = before.get(`${row.parentElement.dataset.room}|${row.dataset.team}`);
      if (old === undefined) continue;
      const dy = old - row.getBoundingClientRect().top;
      if (Math.abs(dy) < 1) continue;
      row.animate([{ transform: `translateY(${dy}px)` }, { transform: 'none' }], { duration: 400, easing: 'ease-out' });
    }
  }

  let pagers = [];
  function drawSide() {
    pagers = [];
    const before = new Map();
    for (const row of side.querySelectorAll('.sp-leaderboard__row')) before.set(`${row.parentElement.dataset.room}|${row.dataset.team}`, row.getBoundingClientRect().top);
    const raceRooms = [...state.rooms.keys()].filter((r) => state.races.has(r) || state.raceCounts.has(r));
    const racing = raceRooms.some((r) => state.races.get(r)?.state === 'running');
    // One thing at a time, readable from the back: a running race first, then the pitch
    // order once there is one, else the race's final standings.
    const showPitch = st.pitchOrders.size > 0 && !racing;
    const parts = [];
    if (raceRooms.length && !showPitch) {
      parts.push(h('section', { class: 'sp-screen__panel sp-screen__panel--race', 'aria-labelledby': 'sp-screen-race' },
        h('h2', { class: 'sp-screen__label', id: 'sp-screen-race', text: t('screen.race') }),
        raceRooms.map(raceRoom)));
    }
    if (showPitch) parts.push(pitchPanel());
    side.replaceChildren(...parts);
    side.hidden = parts.length === 0;
    animateRows(before);
  }

  function drawWinners() {
    const node = winnersNode(state, st);
    winners.hidden = !node;
    // The winners take the stage: the programme and timers step aside.
    grid.hidden = Boolean(node);
    winners.classList.toggle('sp-screen__winners--animate', Boolean(node) && !reducedMotion());
    winners.replaceChildren(...(node ? [node] : []));
  }

  function draw() {
    const sprint = state.sprint;
    setText(heading, sprint?.title ? pick(sprint.title) : t('app.name'));
    setText(date, sprint?.date ? formatDate(sprint.date) : '');
    lastKey = '';
    drawSide();
    drawWinners();
    tick();
  }

  const schedule = batched(draw);
  const offs = [
    session.on('change', (ev) => {
      if (!ev || RELEVANT.has(ev.type)) schedule();
    }),
    staff.on('change', (ev) => {
      if (RELEVANT.has(ev.type)) schedule();
    }),
  ];
  draw();
  return runScreen(ctx, { tick, turn: () => pagers.forEach((p) => p.turn()), offs });
}
