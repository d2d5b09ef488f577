// views/facilitator.js – the facilitator console of a break-out room of 6–15 teams, made for a
// laptop (1440×900): the room's controls at the top (step, timer, votes, race, sound, message),
// then a compact live table of the teams (step, time left, online of planned, progress, what
// needs attention; sortable, attention first), and a read-only peek at any team's work.
// Everything is live: counts are pushed by the server, there is nothing to refresh.
//
// A room-wide command acts on every team of the room it fits and skips the others; it is refused
// only when it fits no team. After each one the console says which teams it changed and which
// it skipped, and why (see staff/room-wide.js).

import { announce, h, rerender, setText } from '../dom.js';
import { errorText, pick, t } from '../i18n.js';
import { roomTeams } from '../state.js';
import { staffOf } from '../staff-state.js';
import { batched, section, showBadLink } from './common.js';
import { beforeText } from '../bank.js';
import { button, clock, inputField, remaining } from './staff/kit.js';
import { peekNodes } from './staff/peek.js';
import { pitchOrderPart } from './staff/pitch-order.js';
import { ROOM_WIDE, commandTracker, skipReason } from './staff/room-wide.js';
import { tableHead, tableRows, teamRow, timerText } from './staff/team-table.js';

/** The body modifier: a wide page for a laptop. */
export const BODY = 'console';

/**
 * The rooms this connection facilitates. The server sends a facilitator the events of its
 * own room's teams; the room is named in `welcome` (`me.room`, or `me` when that is a room id).
 * When neither says (the organiser), every room is shown.
 * @param {import('../state.js').ClientState} state
 * @param {object|null} welcome the last welcome message
 * @returns {object[]}
 */
export function facilitatedRooms(state, welcome) {
  const named = state.room ?? welcome?.room ?? (state.rooms.has(state.me) ? state.me : null);
  if (named && state.rooms.has(named)) return [state.rooms.get(named)];
  const heard = new Set();
  for (const m of state.members.values()) heard.add(state.teams.get(m.team)?.room);
  for (const n of state.notes.values()) heard.add(state.teams.get(n.team)?.room);
  const rooms = [...state.rooms.values()];
  const some = rooms.filter((r) => heard.has(r.id));
  return some.length ? some : rooms;
}

/**
 * Mounts the facilitator console.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function mount(ctx) {
  const { main } = ctx;
  const session = ctx.useSession(ctx.route.token);
  const state = session.state;
  const staff = staffOf(session);
  const st = staff.state;
  ctx.setTitle(t('facilitator.title'));

  const heading = h('h1', { class: 'sp-heading sp-console__heading', tabindex: '-1' });
  const lead = h('p', { class: 'sp-console__lead' });
  const errors = h('div', { class: 'sp-alert js-console-error', role: 'alert' });
  const live = h('div', { class: 'sp-visually-hidden', 'aria-live': 'polite' });
  const report = h('div', { class: 'sp-console__report js-console-report', role: 'status' });
  const tracker = commandTracker(session.conn);
  const tableBody = h('tbody', { class: 'js-console-teams' });
  const teamsTitle = h('h2', { class: 'sp-console__section-title', id: 'sp-console-teams-title' });
  // A member's name claimed from another device: the confirmation code the facilitator may give.
  const claimsBox = h('div', { class: 'sp-console__claims js-claims', 'aria-live': 'polite' });
  const raceStatus = h('p', { class: 'sp-console__race-status js-race-status' });
  const sentList = h('ul', { class: 'sp-console__sent js-sent' });
  // "This came up before" for the room: ideas of its teams close to one of an earlier sprint.
  const beforeList = h('ul', { class: 'sp-before__list js-console-before' });
  const peekBox = h('section', { class: 'sp-console__peek js-peek', id: 'sp-console-peek', 'aria-labelledby': 'sp-console-peek-title', hidden: true });

  const minutes = inputField({ id: 'sp-console-minutes', label: t('console.room.minutes'), type: 'number', cls: 'sp-console__num', attrs: { min: '1', max: '240', step: '1', inputmode: 'numeric', placeholder: t('console.room.minutesStep') } });
  const extendBy = inputField({ id: 'sp-console-extend', label: t('console.room.extendBy'), type: 'number', cls: 'sp-console__num', attrs: { min: '1', max: '30', step: '1', value: '1', inputmode: 'numeric' } });
  const roundMinutes = inputField({ id: 'sp-console-round', label: t('console.race.minutes'), type: 'number', cls: 'sp-console__num', attrs: { min: '0.1', max: '60', step: 'any', inputmode: 'decimal' } });
  const message = h('input', { class: 'sp-input sp-console__message-input', id: 'sp-console-message', type: 'text', maxlength: '280', 'aria-describedby': 'sp-console-message-hint' });
  const sound = h('input', { type: 'checkbox', id: 'sp-console-sound', class: 'sp-console__check js-sound' });
  const sortSelect = h('select', { class: 'sp-input sp-console__sort js-sort', id: 'sp-console-sort' },
    ['attention', 'name', 'step', 'time'].map((k) => h('option', { value: k, text: t(`console.sort.${k}`) })));

  let room = null;
  let peeking = null;
  const pitch = pitchOrderPart({ session, staff, room: () => room, run: (cmd, args, opts) => run(cmd, args, opts) });

  function showError(text) {
    errors.replaceChildren(h('p', { text }));
  }

  function clearError() {
    errors.replaceChildren();
    report.replaceChildren();
  }

  /** "Team Bron (de tijd loopt niet)" for each team, joined. */
  function reasons(cmd, args, teams) {
    return teams.map((x) => t('console.rw.why', { team: pick(x.name), reason: t(`console.rw.why.${skipReason(state, st, cmd, x.id, args)}`) })).join(', ');
  }

  /**
   * Sends a command; a refusal is shown in the alert region. A room-wide command is followed
   * by a report of the teams it changed and skipped.
   */
  async function run(cmd, args, { scope, teamLabel, done } = {}) {
    clearError();
    const roomWide = scope === 'room' && ROOM_WIDE[cmd] && room;
    const from = tracker.mark();
    try {
      const ack = await session.conn.send(cmd, args);
      if (roomWide) await reportRoom(cmd, args, from, ack.seq, done);
      else if (done) announce(live, done);
      return true;
    } catch (err) {
      if (err?.code === 'closed') return false;
      const why = errorText(err);
      if (scope !== 'room') showError(t('console.error.team', { team: teamLabel ?? '', error: why }));
      else if (!roomWide) showError(why);
      else {
        const teams = roomTeams(state, room.id);
        errors.replaceChildren(h('p', { text: t('console.rw.refused', { error: why }) }), teams.length ? h('p', { class: 'js-console-blockers', text: t('console.rw.reasons', { list: reasons(cmd, args, teams) }) }) : null);
      }
      return false;
    }
  }

  /** Says which teams of the room the command changed and which it skipped, and why. */
  async function reportRoom(cmd, args, from, to, done) {
    const changed = await tracker.teamsChanged(ROOM_WIDE[cmd], from, to);
    if (!changed) {
      report.replaceChildren(h('p', { text: t('console.rw.unseen') }));
      return;
    }
    const teams = roomTeams(state, room.id);
    const moved = teams.filter((x) => changed.has(x.id));
    const skipped = teams.filter((x) => !changed.has(x.id));
    if (!skipped.length) {
      if (done) announce(live, done);
      return;
    }
    report.replaceChildren(
      h('p', { class: 'js-console-changed', text: t('console.rw.done', { names: moved.map((x) => pick(x.name)).join(', ') }) }),
      h('p', { class: 'js-console-skipped', text: t('console.rw.skipped', { list: reasons(cmd, args, skipped) }) }),
    );
  }

  function minutesArg(input) {
    const n = Number(input.value);
    return input.value.trim() !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
  }

  function roomArgs(extra = {}) {
    return { room: room.id, ...extra };
  }

  /** The room's controls: one compact bar, all of it above the fold on a laptop. */
  function roomControls() {
    const all = t('console.room.all');
    const roomButton = (text, cmd, args, done, kind = 'secondary') =>
      button(text, { kind, small: true, hidden: all, key: `room-${cmd}`, onClick: () => room && run(cmd, args(), { scope: 'room', done }) });
    const group = (title, cls, ...children) => h('fieldset', { class: `sp-console__group ${cls}` }, h('legend', { class: 'sp-console__group-title', text: title }), h('div', { class: 'sp-console__inline' }, ...children));
    const form = h('form', { class: 'sp-console__message', novalidate: true },
      h('label', { class: 'sp-visually-hidden', for: 'sp-console-message', text: t('console.message.label') }),
      h('p', { class: 'sp-visually-hidden', id: 'sp-console-message-hint', text: t('console.message.hint') }),
      message, h('button', { class: 'sp-button sp-button--small', type: 'submit', text: t('console.message.send') }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = message.value.trim();
      if (!text) {
        showError(t('console.message.empty'));
        message.focus();
        return;
      }
      if (await run('room.message', { room: room.id, text }, { scope: 'room', done: t('console.message.sent') })) message.value = '';
    });
    sound.addEventListener('change', () => room && run('room.sound', { room: room.id, on: sound.checked }, { scope: 'room', done: t(sound.checked ? 'console.sound.on' : 'console.sound.off') }));
    return h('section', { class: 'sp-console__controls js-console-controls', 'aria-labelledby': 'sp-console-controls-title' },
      h('h2', { class: 'sp-visually-hidden', id: 'sp-console-controls-title', text: t('console.room.title') }),
      h('div', { class: 'sp-console__bar' },
        group(t('console.room.step'), 'sp-console__group--step',
          roomButton(t('console.room.next'), 'step.next', () => roomArgs(), t('console.done.next'), ''),
          roomButton(t('console.room.reveal'), 'vote.reveal', () => roomArgs(), t('console.done.reveal'))),
        group(t('console.room.timer'), 'sp-console__group--timer',
          minutes.field,
          roomButton(t('console.room.start'), 'timer.start', () => roomArgs(minutesArg(minutes.input) ? { minutes: minutesArg(minutes.input) } : {}), t('console.done.start')),
          roomButton(t('console.room.pause'), 'timer.pause', () => roomArgs(), t('console.done.pause')),
          roomButton(t('console.room.resume'), 'timer.resume', () => roomArgs(), t('console.done.resume')),
          extendBy.field,
          roomButton(t('console.room.extend'), 'timer.extend', () => roomArgs({ minutes: Math.round(minutesArg(extendBy.input) ?? 1) }), t('console.done.extend')),
          h('span', { class: 'sp-console__check-wrap' }, sound, h('label', { for: 'sp-console-sound', text: t('console.sound.label') }))),
        group(t('console.race.title'), 'sp-console__group--race',
          raceStatus,
          roundMinutes.field,
          roomButton(t('console.race.start'), 'race.start', () => roomArgs(minutesArg(roundMinutes.input) ? { minutes: minutesArg(roundMinutes.input) } : {}), t('console.done.raceStart')),
          roomButton(t('console.race.end'), 'race.end', () => roomArgs(), t('console.done.raceEnd'))),
        group(t('console.message.title'), 'sp-console__group--message', form),
      ),
      report,
    );
  }

  function raceText() {
    const race = state.races.get(room?.id);
    if (!race) return t('console.race.none');
    const left = remaining(race, session.conn.serverNow());
    if (race.state === 'running') return t('console.race.running', { round: race.round, rounds: race.rounds ?? '?', time: clock(left ?? 0) });
    return t('console.race.ended', { round: race.round, rounds: race.rounds ?? '?' });
  }

  function openPeek(id) {
    peeking = peeking === id ? null : id;
    drawTeams();
    if (peeking) peekBox.querySelector('#sp-console-peek-title')?.focus();
  }

  function closePeek() {
    const id = peeking;
    peeking = null;
    drawTeams();
    tableBody.querySelector(`.js-team-row[data-team="${id}"] .js-peek`)?.focus();
  }

  function drawTeams() {
    if (!room) return;
    const teams = roomTeams(state, room.id);
    const now = session.conn.serverNow();
    teamsTitle.textContent = t('console.teams.title', { count: teams.length });
    const send = (id, name) => (cmd, args, done) => run(cmd, { team: id, ...args }, { teamLabel: name, done });
    rerender(tableBody, () => tableRows(state, st, teams, now, sortSelect.value).map((row) =>
      teamRow({ state, st, row, now, peeking: peeking === row.team.id, peek: openPeek, send: send(row.team.id, row.name), wallHref: (id) => `#/${ctx.route.name}/${encodeURIComponent(ctx.route.token)}/wall/${id}` })));
    if (peeking && !state.teams.has(peeking)) peeking = null;
    peekBox.hidden = !peeking;
    if (peeking) {
      const name = pick(state.teams.get(peeking).name);
      rerender(peekBox, () => peekNodes({ state, st, team: peeking, close: closePeek, send: send(peeking, name) }));
    }
    rerender(sentList, () => {
      const mine = st.messages.filter((m) => m.room === room.id);
      return mine.length ? mine.slice().reverse().map((m) => h('li', { class: 'sp-console__sent-item', text: m.text })) : [h('li', { class: 'sp-console__quiet', text: t('console.message.none') })];
    });
    rerender(claimsBox, () => teams.flatMap((tm) => [...(state.claims?.entries() ?? [])]
      .filter(([member]) => state.members.get(member)?.team === tm.id)
      .map(([, c]) => h('p', { class: 'sp-notice js-claim', dataset: { team: tm.id } }, `${pick(tm.name)}: `, t('board.claim', { name: c.name, code: '' }), h('strong', { text: c.code })))));
    rerender(beforeList, () => {
      const inRoom = new Set(teams.map((x) => x.id));
      const hints = [...state.before.values()].filter((b) => inRoom.has(state.notes.get(b.note)?.team));
      if (!hints.length) return [h('li', { class: 'sp-console__quiet', text: t('before.none') })];
      return hints.reverse().map((b) => {
        const note = state.notes.get(b.note);
        return h('li', { class: 'sp-before__item js-before-item', dataset: { note: b.note, team: note.team } },
          h('strong', { text: `${pick(state.teams.get(note.team)?.name) || note.team}: ` }),
          h('span', { class: 'sp-before__ours', text: t('before.ours', { text: note.text }) }), ' ', beforeText(b));
      });
    });
    sound.checked = st.sound.has(room.id);
    setText(raceStatus, raceText());
    pitch.draw();
  }

  sortSelect.addEventListener('change', () => drawTeams());

  let built = false;
  function draw() {
    const rooms = facilitatedRooms(state, session.welcome);
    if (!rooms.length) {
      heading.textContent = t('facilitator.headingAll');
      return;
    }
    if (!room || !rooms.some((r) => r.id === room.id)) {
      room = rooms[0];
      built = false;
    }
    heading.textContent = t('facilitator.heading', { room: pick(room.name) });
    const challenge = state.challenges.get(room.challenge);
    lead.textContent = challenge ? t('organiser.rooms.challenge', { title: pick(challenge.title) }) : '';
    const race = state.steps.find((s) => s.activity === 'race');
    if (race && !roundMinutes.input.value) roundMinutes.input.value = String(race.params?.round_minutes ?? 5);
    if (!built) {
      built = true;
      body.replaceChildren(
        roomControls(),
        h('section', { class: 'sp-console__teams', 'aria-labelledby': 'sp-console-teams-title' },
          h('div', { class: 'sp-console__teams-head' }, teamsTitle,
            h('div', { class: 'sp-console__inline' }, h('label', { class: 'sp-field__label', for: 'sp-console-sort', text: t('console.sort.label') }), sortSelect)),
          claimsBox,
          h('div', { class: 'sp-console__split' },
            h('div', { class: 'sp-table-wrap sp-console__table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': 'sp-console-teams-title' },
              h('table', { class: 'sp-table sp-console__table' }, tableHead(), tableBody)),
            peekBox)),
        section('before', t('before.title'), [h('p', { class: 'sp-section-intro', text: t('before.consoleIntro') }), beforeList]),
        section('message', t('console.message.history'), [sentList]),
        section('pitch', t('console.pitch.title'), [pitch.node]),
      );
    }
    drawTeams();
  }

  const body = h('div', { class: 'sp-console' });
  const bankLink = h('a', { class: 'sp-link js-bank-link', href: `#/f/${encodeURIComponent(ctx.route.token)}/bank`, text: t('console.bankLink') });
  main.append(h('div', { class: 'sp-console__top' }, heading, lead, h('p', { class: 'sp-console__bank' }, bankLink)), errors, body, live);

  const schedule = batched(draw);
  const offs = [
    session.on('change', () => schedule()),
    staff.on('change', schedule),
    session.on('synced', () => draw()),
  ];
  // Once a second: the clocks, and the order (a timer running out moves a team up).
  const ticker = setInterval(() => {
    const now = session.conn.serverNow();
    for (const el of tableBody.querySelectorAll('.js-timer')) setText(el, timerText(state.timers.get(el.dataset.team), now));
    if (room) setText(raceStatus, raceText());
  }, 1000);
  const reorder = setInterval(() => schedule(), 15000);
  draw();
  return {
    unmount() {
      clearInterval(ticker);
      clearInterval(reorder);
      tracker.stop();
      for (const off of offs) off();
    },
    authFailed(err) {
      clearInterval(ticker);
      clearInterval(reorder);
      showBadLink(ctx, err);
    },
  };
}
