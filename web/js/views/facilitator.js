// views/facilitator.js – the facilitator console of a break-out room: every team's step, timer,
// counts, votes and who is online, with controls per team and for the whole room, and a short
// message to all teams.
//
// A room-wide command acts on every team of the room it fits and skips the others; it is refused
// only when it fits no team. After each one the console says which teams it changed and which
// it skipped, and why (see staff/room-wide.js).

import { announce, h, rerender, setText } from '../dom.js';
import { errorText, pick, t } from '../i18n.js';
import { roomTeams, teamMembers, teamNotes } from '../state.js';
import { staffOf } from '../staff-state.js';
import { batched, section, showBadLink } from './common.js';
import { button, clock, inputField, remaining, stepById } from './staff/kit.js';
import { pitchOrderPart } from './staff/pitch-order.js';
import { ROOM_WIDE, commandTracker, skipReason } from './staff/room-wide.js';

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

/** Events after which counts are asked again (a console asks on open and after step changes). */
const RECOUNT = new Set(['step.changed', 'vote.revealed', 'race.round']);
const RECOUNT_DELAY_MS = 800;

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

  const revealed = st.voteRevealed;

  const heading = h('h1', { class: 'sp-heading', tabindex: '-1' });
  const lead = h('p', { class: 'sp-lead' });
  const errors = h('div', { class: 'sp-alert js-console-error', role: 'alert' });
  const live = h('div', { class: 'sp-visually-hidden', 'aria-live': 'polite' });
  const report = h('div', { class: 'sp-console__report js-console-report', role: 'status' });
  const tracker = commandTracker(session.conn);
  const teamsBox = h('div', { class: 'sp-console__teams js-console-teams' });
  const raceStatus = h('p', { class: 'sp-console__race-status js-race-status' });
  const sentList = h('ul', { class: 'sp-console__sent js-sent' });

  const minutes = inputField({ id: 'sp-console-minutes', label: t('console.room.minutes'), hint: t('console.room.minutesHint'), type: 'number', attrs: { min: '1', max: '240', step: '1', inputmode: 'numeric' } });
  const extendBy = inputField({ id: 'sp-console-extend', label: t('console.room.extendBy'), type: 'number', attrs: { min: '1', max: '30', step: '1', value: '1', inputmode: 'numeric' } });
  const roundMinutes = inputField({ id: 'sp-console-round', label: t('console.race.minutes'), type: 'number', attrs: { min: '0.1', max: '60', step: 'any', inputmode: 'decimal' } });
  const message = h('textarea', { class: 'sp-textarea', id: 'sp-console-message', rows: '2', maxlength: '280', 'aria-describedby': 'sp-console-message-hint' });

  let room = null;
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

  function roomControls() {
    const r = () => room;
    const roomButton = (text, cmd, args, done) =>
      button(text, { kind: 'secondary', key: `room-${cmd}`, onClick: () => r() && run(cmd, typeof args === 'function' ? args() : args ?? roomArgs(), { scope: 'room', done }) });
    return section('room', t('console.room.title'), [
      h('p', { class: 'sp-section-intro', text: t('console.rw.intro') }),
      report,
      h('div', { class: 'sp-console__group' },
        h('h3', { class: 'sp-console__group-title', text: t('console.room.step') }),
        h('div', { class: 'sp-actions' },
          roomButton(t('console.room.next'), 'step.next', () => roomArgs(), t('console.done.next'))),
      ),
      h('div', { class: 'sp-console__group' },
        h('h3', { class: 'sp-console__group-title', text: t('console.room.timer') }),
        h('div', { class: 'sp-console__fields' }, minutes.field, extendBy.field),
        h('div', { class: 'sp-actions' },
          roomButton(t('console.room.start'), 'timer.start', () => roomArgs(minutesArg(minutes.input) ? { minutes: minutesArg(minutes.input) } : {}), t('console.done.start')),
          roomButton(t('console.room.pause'), 'timer.pause', () => roomArgs(), t('console.done.pause')),
          roomButton(t('console.room.resume'), 'timer.resume', () => roomArgs(), t('console.done.resume')),
          roomButton(t('console.room.extend'), 'timer.extend', () => roomArgs({ minutes: Math.round(minutesArg(extendBy.input) ?? 1) }), t('console.done.extend')),
          roomButton(t('console.room.reveal'), 'vote.reveal', () => roomArgs(), t('console.done.reveal')),
        ),
      ),
      h('div', { class: 'sp-console__group' },
        h('h3', { class: 'sp-console__group-title', text: t('console.race.title') }),
        raceStatus,
        h('div', { class: 'sp-console__fields' }, roundMinutes.field),
        h('div', { class: 'sp-actions' },
          roomButton(t('console.race.start'), 'race.start', () => roomArgs(minutesArg(roundMinutes.input) ? { minutes: minutesArg(roundMinutes.input) } : {}), t('console.done.raceStart')),
          roomButton(t('console.race.end'), 'race.end', () => roomArgs(), t('console.done.raceEnd')),
        ),
      ),
    ]);
  }

  function messageSection() {
    const form = h('form', { class: 'sp-form sp-console__message', novalidate: true },
      h('div', { class: 'sp-field' },
        h('label', { class: 'sp-field__label', for: 'sp-console-message', text: t('console.message.label') }),
        h('p', { class: 'sp-field__hint', id: 'sp-console-message-hint', text: t('console.message.hint') }),
        message),
      h('div', { class: 'sp-actions' }, h('button', { class: 'sp-button', type: 'submit', text: t('console.message.send') })),
    );
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
    return section('message', t('console.message.title'), [form, h('h3', { class: 'sp-console__group-title', text: t('console.message.history') }), sentList]);
  }

  function timerText(team) {
    const timer = state.timers.get(team);
    const left = remaining(timer, session.conn.serverNow());
    if (left === null) return timer?.state === 'stopped' ? t('console.timer.stopped') : t('console.timer.idle');
    if (timer.state === 'paused') return t('console.timer.paused', { time: clock(left) });
    if (timer.state === 'expired' || left <= 0) return t('console.timer.expired');
    return t('console.timer.running', { time: clock(left) });
  }

  function teamCard(team) {
    const id = team.id;
    const name = pick(team.name);
    const members = teamMembers(state, id);
    const at = state.teamSteps.get(id);
    const step = stepById(state, at?.step) ?? state.steps[0] ?? null;
    const index = step ? state.steps.indexOf(step) : -1;
    const timer = state.timers.get(id);
    const online = new Set(st.presence.get(id) ?? []);
    const counts = st.counts.get(id);
    const shared = teamNotes(state, id).filter((n) => !n.private).length;
    const send = (cmd, args, done) => run(cmd, { team: id, ...args }, { teamLabel: name, done });
    const hidden = t('console.team.for', { team: name });

    const facts = [
      [t('console.team.step'), step ? t('console.team.stepValue', { n: index + 1, total: state.steps.length, name: pick(step.name) }) : t('console.team.noStep'), 'js-team-step'],
      [t('console.team.timer'), timerText(id), 'js-timer'],
      [t('console.team.online'), st.presenceKnown ? t('console.team.onlineValue', { online: members.filter((m) => online.has(m.id)).length, total: members.length }) : t('console.team.onlineUnknown'), 'js-online'],
    ];
    const onlineNames = members.map((m) => h('li', { class: online.has(m.id) ? 'sp-console__member sp-console__member--on' : 'sp-console__member' }, m.name, ' ', h('span', { class: 'sp-console__member-state', text: st.presenceKnown ? (online.has(m.id) ? t('console.team.isOnline') : t('console.team.isOffline')) : '' })));

    let voteNode = null;
    if (step?.activity === 'vote') {
      const p = st.voteProgress.get(`${id}|${step.id}`);
      const doneIds = new Set(p?.done ?? []);
      const pending = members.filter((m) => !doneIds.has(m.id)).map((m) => m.name);
      const dots = counts && counts.step === step.id ? t('console.team.dots', { dots: counts.dots, budget: counts.dots_budget }) : null;
      voteNode = h('div', { class: 'sp-console__vote js-vote' },
        h('p', { text: revealed.has(`${id}|${step.id}`) ? t('console.team.voteRevealed') : t('console.team.voteDone', { done: doneIds.size, total: members.length }) }),
        dots ? h('p', { text: dots }) : null,
        !revealed.has(`${id}|${step.id}`) && pending.length ? h('p', { class: 'js-vote-pending', text: t('console.team.votePending', { names: pending.join(', ') }) }) : null,
      );
    }

    const timerButtons = [];
    const state0 = timer?.state ?? 'idle';
    if (state0 === 'running') timerButtons.push(button(t('console.team.pause'), { kind: 'secondary', small: true, hidden, key: `pause-${id}`, onClick: () => send('timer.pause', {}) }));
    else if (state0 === 'paused') timerButtons.push(button(t('console.team.resume'), { kind: 'secondary', small: true, hidden, key: `resume-${id}`, onClick: () => send('timer.resume', {}) }));
    else timerButtons.push(button(t('console.team.start'), { kind: 'secondary', small: true, hidden, key: `start-${id}`, onClick: () => send('timer.start', minutesArg(minutes.input) ? { minutes: minutesArg(minutes.input) } : {}) }));
    if (state0 === 'running' || state0 === 'paused' || state0 === 'expired') {
      timerButtons.push(button(t('console.team.extend'), { kind: 'secondary', small: true, hidden, key: `extend-${id}`, onClick: () => send('timer.extend', { minutes: Math.round(minutesArg(extendBy.input) ?? 1) }) }));
    }

    const backSelect = h('select', { class: 'sp-input sp-console__back-select', id: `sp-back-${id}`, dataset: { focusKey: `back-select-${id}` } },
      state.steps.slice(0, Math.max(index, 0)).map((s, i) => h('option', { value: s.id, text: `${i + 1}. ${pick(s.name)}` })));
    const canGoBack = index > 0;

    return h('li', { class: 'sp-console__team js-team-row', dataset: { team: id } },
      h('h3', { class: 'sp-console__team-name', text: name }),
      h('dl', { class: 'sp-console__facts' }, facts.map(([label, value, cls]) => h('div', { class: 'sp-console__fact' }, h('dt', { text: label }), h('dd', { class: cls, dataset: { team: id }, text: value })))),
      h('dl', { class: 'sp-console__facts' },
        h('div', { class: 'sp-console__fact' }, h('dt', { text: t('console.team.notes') }), h('dd', {}, h('span', { class: 'js-note-total', text: String(shared) }), counts?.private ? [' ', h('span', { class: 'js-note-private', text: t('console.team.private', { count: counts.private }) })] : null)),
      ),
      members.length ? h('ul', { class: 'sp-console__members', 'aria-label': t('console.team.members', { team: name }) }, onlineNames) : h('p', { class: 'sp-console__quiet', text: t('console.team.noMembers') }),
      // A member's name claimed from another device: the code the facilitator may give.
      members.map((m) => state.claims?.get(m.id)).filter(Boolean).map((c) => h('p', { class: 'sp-notice js-claim' }, t('board.claim', { name: c.name, code: '' }), h('strong', { text: c.code }))),
      voteNode,
      h('div', { class: 'sp-actions sp-console__team-actions' },
        button(t('console.team.next'), { small: true, hidden, key: `next-${id}`, onClick: () => send('step.next', {}, t('console.done.teamNext', { team: name })) }),
        ...timerButtons,
        step?.activity === 'vote' && !revealed.has(`${id}|${step.id}`) ? button(t('console.team.reveal'), { kind: 'secondary', small: true, hidden, key: `reveal-${id}`, onClick: () => send('vote.reveal', {}) }) : null,
      ),
      canGoBack
        ? h('div', { class: 'sp-console__back' },
            h('label', { class: 'sp-field__label', for: `sp-back-${id}`, text: t('console.team.backLabel', { team: name }) }),
            h('div', { class: 'sp-console__inline' }, backSelect, button(t('console.team.back'), { kind: 'secondary', small: true, hidden, key: `back-${id}`, onClick: () => send('step.back', { step: backSelect.value }) })))
        : null,
    );
  }

  function raceText() {
    const race = state.races.get(room?.id);
    if (!race) return t('console.race.none');
    const left = remaining(race, session.conn.serverNow());
    if (race.state === 'running') return t('console.race.running', { round: race.round, rounds: race.rounds ?? '?', time: clock(left ?? 0) });
    return t('console.race.ended', { round: race.round, rounds: race.rounds ?? '?' });
  }

  function drawTeams() {
    if (!room) return;
    const teams = roomTeams(state, room.id);
    rerender(teamsBox, () => (teams.length ? [h('ul', { class: 'sp-console__team-list' }, teams.map(teamCard))] : [h('p', { text: t('organiser.rooms.noTeams') })]));
    rerender(sentList, () => {
      const mine = st.messages.filter((m) => m.room === room.id);
      return mine.length ? mine.slice().reverse().map((m) => h('li', { class: 'sp-console__sent-item', text: m.text })) : [h('li', { class: 'sp-console__quiet', text: t('console.message.none') })];
    });
    setText(raceStatus, raceText());
    pitch.draw();
  }

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
        section('teams', t('facilitator.teams'), [
          h('div', { class: 'sp-actions sp-console__refresh' }, button(t('console.counts.refresh'), { kind: 'secondary', small: true, key: 'recount', onClick: () => run('console.counts', { room: room.id }, { scope: 'room', done: t('console.counts.done') }) })),
          teamsBox,
        ]),
        roomControls(),
        messageSection(),
        section('pitch', t('console.pitch.title'), [pitch.node]),
      );
    }
    drawTeams();
  }

  const body = h('div', { class: 'sp-console' });
  main.append(heading, lead, errors, body, live);

  let recountTimer = null;
  function recount() {
    if (!room || !session.synced || !['facilitator', 'organiser'].includes(state.role)) return;
    clearTimeout(recountTimer);
    recountTimer = setTimeout(() => {
      session.conn.send('console.counts', { room: room.id }).catch(() => {});
    }, RECOUNT_DELAY_MS);
  }

  const schedule = batched(draw);
  const offs = [
    session.on('change', (ev) => {
      schedule();
      if (ev && RECOUNT.has(ev.type) && session.conn.hasSynced) recount();
    }),
    staff.on('change', schedule),
    session.on('synced', () => {
      draw();
      recount();
    }),
  ];
  const ticker = setInterval(() => {
    for (const el of teamsBox.querySelectorAll('.js-timer')) setText(el, timerText(el.dataset.team));
    if (room) setText(raceStatus, raceText());
  }, 1000);
  draw();
  if (session.synced) recount();
  return {
    unmount() {
      clearInterval(ticker);
      clearTimeout(recountTimer);
      tracker.stop();
      for (const off of offs) off();
    },
    authFailed() {
      clearInterval(ticker);
      showBadLink(ctx);
    },
  };
}
