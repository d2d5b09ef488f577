// views/team/shell.js – the method for one team: the step header, the team timer, the step and
// timer controls, the programme now/next, the activity of the step and the results overview.

import { announce, h, rerender, setText } from '../../dom.js';
import { errorText, pick, t } from '../../i18n.js';
import { nowAndNext } from '../../programme.js';
import { memberName, teamStep } from '../../state.js';
import { button, selectField } from './kit.js';
import * as intro from './intro.js';
import * as brainstorm from './brainstorm.js';
import * as cluster from './cluster.js';
import * as items from './items.js';
import * as vote from './vote.js';
import * as canvas from './canvas.js';
import * as race from './race.js';
import * as timeline from './timeline.js';
import * as overview from './overview.js';
import { resultsPanel } from './results.js';
import { staffOf } from '../../staff-state.js';
import { chime } from '../../beep.js';

const ACTIVITIES = { intro, brainstorm, cluster, items, vote, canvas, race, timeline };
const WARN_AT_MS = 60000;

/**
 * "4:05" for a number of milliseconds (rounded up to whole seconds, never negative).
 * @param {number} ms
 * @returns {string}
 */
export function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Milliseconds left on a timer, measured on the server's clock.
 * @param {object|undefined} timer state of `timer.changed`
 * @param {number} serverNow the server's clock now
 * @returns {number|null} null when no time runs or waits
 */
export function remaining(timer, serverNow) {
  if (!timer) return null;
  // Clamped to the duration: a clock estimate a few ms off must not show "2:01" for two minutes.
  if (timer.state === 'running') return Math.max(0, Math.min(timer.ends_at - serverNow, timer.duration_ms ?? Infinity));
  if (timer.state === 'paused') return timer.remaining_ms ?? 0;
  if (timer.state === 'expired') return 0;
  return null;
}

/**
 * Mounts the method into a container of the team board.
 * @param {object} o
 * @param {import('../../session.js').Session} o.session
 * @param {HTMLElement} o.root the container
 * @returns {{sync: (ev: object|null) => void, unmount: () => void}}
 */
export function mountTeam({ session, root }) {
  const state = session.state;
  const conn = session.conn;

  const phase = h('p', { class: 'sp-step__phase' });
  const title = h('h2', { class: 'sp-step__title js-step-title', id: 'sp-step-title', tabindex: '-1' });
  const hint = h('p', { class: 'sp-step__hint' });
  const progress = h('p', { class: 'sp-step__progress js-step-progress' });
  const timerValue = h('span', { class: 'sp-timer__value js-timer' });
  const timerState = h('span', { class: 'sp-timer__state js-timer-state' });
  const timerUp = h('span', { class: 'sp-timer__up js-timer-up' });
  // Sticky: the time stays in view at the top while the person scrolls through the step.
  const timerBox = h('div', { class: 'sp-timer js-timer-box' }, h('p', { class: 'sp-timer__line' }, h('span', { class: 'sp-timer__label', text: t('team.timer.label') }), ' ', timerValue, ' ', timerState, ' ', timerUp));
  const timerControls = h('div', { class: 'sp-actions sp-timer__controls' });
  const stepControls = h('div', { class: 'sp-step__controls' });
  const programme = h('p', { class: 'sp-step__programme js-programme' });
  const alert = h('div', { class: 'sp-alert js-team-alert', role: 'alert' });
  const activityBox = h('div', { class: 'sp-activity' });
  const live = h('div', { class: 'sp-visually-hidden js-team-live', 'aria-live': 'polite' });
  const overviewBody = h('div', { class: 'sp-overview__body' });
  const overviewBox = h('details', { class: 'sp-overview js-overview' }, h('summary', { class: 'sp-overview__summary', text: t('team.overview.open') }), overviewBody);

  // The pitch order and the jury's results, above the step: once published they concern the
  // whole team, whatever step it is at.
  const results = resultsPanel({ session, live: (message) => announce(live, message) });
  // The organiser closed the sprint (sprint.archived): everything stays readable, nothing changes.
  const archivedNote = h('p', { class: 'sp-notice js-team-archived', hidden: true });

  // The timer bar sits above the team's part of the page, as a sibling of it, so it stays in
  // view while the person scrolls through the step, the wall and the notes below.
  if (root.parentElement) root.before(timerBox);
  else root.append(timerBox);
  root.append(
    archivedNote,
    results.node,
    h('section', { class: 'sp-step', 'aria-labelledby': 'sp-step-title' }, phase, title, hint, progress, programme, timerControls, stepControls, alert, activityBox),
    overviewBox,
    live,
  );

  let activity = null;
  let shownStep = null;
  let warned = { minute: false, zero: false };

  const tc = {
    session,
    state,
    conn,
    get team() {
      return state.team;
    },
    get step() {
      return teamStep(state, state.team).step;
    },
    roles() {
      return state.roles.get(state.team) ?? { captain: null, timekeeper: null, presenter: null };
    },
    isCaptain() {
      return !!state.me && tc.roles().captain === state.me;
    },
    isTimekeeper() {
      return !!state.me && tc.roles().timekeeper === state.me;
    },
    /** Sends a command; a refusal is shown at the top of the step, never swallowed. */
    command(cmd, args = {}) {
      alert.replaceChildren();
      return conn.send(cmd, args).catch((err) => {
        if (err?.code !== 'closed') alert.replaceChildren(h('p', { text: errorText(err) }));
        throw err;
      });
    },
    /** Like command, for fire-and-forget calls from buttons. */
    run(cmd, args) {
      tc.command(cmd, args).catch(() => {});
    },
    live(message) {
      announce(live, message);
    },
  };

  function syncHeader() {
    const { step, index } = teamStep(state, state.team);
    if (!step) {
      setText(phase, '');
      setText(title, t('team.waiting'));
      setText(hint, '');
      setText(progress, '');
      return;
    }
    setText(phase, pick(step.phase?.name));
    setText(title, pick(step.name));
    setText(hint, pick(step.hint));
    setText(progress, t('team.progress', { n: index + 1, total: state.steps.length }));
  }

  function syncProgramme() {
    const now = new Date(conn.serverNow());
    const { now: running, next } = nowAndNext(state.programme, now.getHours() * 60 + now.getMinutes() + now.getSeconds() / 60);
    const parts = [];
    if (running.length) parts.push(t('team.programme.now', { items: running.map((i) => `${i.time} ${pick(i.title)}`).join(', ') }));
    if (next) parts.push(t('team.programme.next', { item: `${next.time} ${pick(next.title)}` }));
    programme.hidden = parts.length === 0;
    setText(programme, parts.join(' · '));
  }

  function timer() {
    return state.timers.get(state.team);
  }

  function tick() {
    const tm = timer();
    const left = remaining(tm, conn.serverNow());
    const step = tc.step;
    setText(timerValue, left === null ? clock((tm?.duration_ms ?? (step?.minutes ?? 0) * 60000)) : clock(left));
    setText(timerState, t(`team.timer.state.${tm?.state ?? 'idle'}`));
    if (tm?.state === 'running' && left !== null) {
      if (left <= WARN_AT_MS && left > 0 && !warned.minute) {
        warned.minute = true;
        if (left > WARN_AT_MS - 5000) tc.live(t('team.timer.oneMinute'));
      }
      if (left === 0 && !warned.zero) {
        warned.zero = true;
        tc.live(t('team.timer.over'));
        // The facilitator may have turned on the time-up sound for the room.
        if (staffOf(session).state.sound.has(state.teams.get(state.team)?.room)) chime();
      }
    }
    // Time is up: a clear visual signal on the sticky timer, until the step or timer changes.
    const up = tm?.state === 'expired' || (tm?.state === 'running' && left === 0);
    timerBox.classList.toggle('sp-timer--up', up);
    setText(timerUp, up ? t('team.timer.over') : '');
  }

  function syncTimerControls() {
    const tm = timer();
    const st = tm?.state ?? 'idle';
    rerender(timerControls, () => {
      if (!tc.isTimekeeper()) return [h('p', { class: 'sp-step__who', text: tc.roles().timekeeper ? t('team.timer.keptBy', { name: memberName(state, tc.roles().timekeeper) ?? '?' }) : t('team.timer.noKeeper') })];
      const out = [];
      if (st === 'idle' || st === 'stopped' || st === 'expired') {
        const minutes = h('input', { class: 'sp-input sp-input--number js-timer-minutes', id: 'sp-timer-minutes', type: 'number', min: '1', max: '180', step: '1', dataset: { focusKey: 'timer-minutes' } });
        minutes.value = String(tc.step?.minutes ?? 5);
        out.push(
          h('div', { class: 'sp-field sp-field--inline' }, h('label', { class: 'sp-field__label', for: 'sp-timer-minutes', text: t('team.timer.minutes') }), minutes),
          button(t('team.timer.start'), { key: 'timer-start', cls: 'js-timer-start', onClick: () => tc.run('timer.start', { minutes: Number(minutes.value) || tc.step?.minutes }) }),
        );
      }
      if (st === 'running') out.push(button(t('team.timer.pause'), { kind: 'secondary', key: 'timer-pause', cls: 'js-timer-pause', onClick: () => tc.run('timer.pause') }));
      if (st === 'paused') out.push(button(t('team.timer.resume'), { key: 'timer-resume', cls: 'js-timer-resume', onClick: () => tc.run('timer.resume') }));
      if (st === 'running' || st === 'paused' || st === 'expired') {
        out.push(button(t('team.timer.extend'), { kind: 'secondary', key: 'timer-extend', cls: 'js-timer-extend', onClick: () => tc.run('timer.extend', { minutes: 1 }) }));
      }
      if (st === 'running' || st === 'paused') out.push(button(t('team.timer.stop'), { kind: 'secondary', key: 'timer-stop', cls: 'js-timer-stop', onClick: () => tc.run('timer.stop') }));
      return out;
    });
  }

  function syncStepControls() {
    const { index } = teamStep(state, state.team);
    rerender(stepControls, () => {
      if (!tc.isCaptain()) {
        const captain = tc.roles().captain;
        return [h('p', { class: 'sp-step__who', text: captain ? t('team.step.ledBy', { name: memberName(state, captain) ?? '?' }) : t('team.step.noCaptain') })];
      }
      const out = [];
      const next = state.steps[index + 1];
      if (next) out.push(button(t('team.step.next'), { hidden: t('team.step.nextHidden', { name: pick(next.name) }), key: 'step-next', cls: 'js-step-next', onClick: () => tc.run('step.next') }));
      else out.push(h('p', { class: 'sp-step__who', text: t('team.step.last') }));
      if (index > 0) {
        const { wrap, select } = selectField({
          id: 'sp-step-back',
          label: t('team.step.backLabel'),
          options: state.steps.slice(0, index).map((s, i) => ({ value: s.id, text: `${i + 1}. ${pick(s.name)}` })),
          value: state.steps[index - 1].id,
          key: 'step-back-select',
        });
        out.push(
          h('form', { class: 'sp-inline-form js-step-back', novalidate: true, on: { submit: (e) => (e.preventDefault(), tc.run('step.back', { step: select.value })) } }, wrap, button(t('team.step.back'), { kind: 'secondary', type: 'submit', key: 'step-back' })),
        );
      }
      return [h('div', { class: 'sp-actions' }, out)];
    });
  }

  function syncActivity(ev) {
    const { step } = teamStep(state, state.team);
    const id = step?.id ?? null;
    if (id !== shownStep) {
      const first = shownStep === null;
      activity?.destroy?.();
      activity = null;
      activityBox.replaceChildren();
      alert.replaceChildren();
      warned = { minute: false, zero: false };
      shownStep = id;
      const mod = step && ACTIVITIES[step.activity];
      if (mod) {
        activity = mod.create(tc, step);
        activityBox.append(activity.el);
      }
      // A new step is news for everyone: the heading takes the focus, so a screen reader starts
      // at the step's name. Not on the first draw: the page heading has it then.
      if (!first && session.synced) title.focus();
      return;
    }
    activity?.sync?.(ev);
  }

  function sync(ev) {
    if (!ev) results.draw();
    archivedNote.hidden = !state.archived;
    archivedNote.textContent = state.archived ? t('team.archived') : '';
    if (ev?.type === 'sprint.archived' && session.synced) announce(live, t('team.archived'));
    if (!state.team || state.steps.length === 0) {
      syncHeader();
      return;
    }
    syncHeader();
    syncActivity(ev);
    syncTimerControls();
    syncStepControls();
    tick();
    if (overviewBox.open) overview.render(overviewBody, state);
  }

  overviewBox.addEventListener('toggle', () => {
    if (overviewBox.open) overview.render(overviewBody, state);
  });

  const interval = setInterval(() => {
    tick();
    activity?.tick?.();
  }, 1000);
  const programmeInterval = setInterval(syncProgramme, 30000);
  syncProgramme();
  sync(null);

  return {
    sync(ev) {
      sync(ev);
      if (ev?.type === 'programme.set') syncProgramme();
    },
    unmount() {
      timerBox.remove();
      clearInterval(interval);
      clearInterval(programmeInterval);
      results.unmount();
      activity?.destroy?.();
    },
  };
}
