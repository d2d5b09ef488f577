// views/staff/room-wide.js – what a room-wide command did: the server applies a step, timer or
// reveal command for a `room` to every team of the room it fits and skips the others (it is
// refused only when it fits no team). The console learns which teams changed from the events
// of the command, and says why the others were skipped from what it knows of each team.

import { stepById } from './kit.js';

/** The room-wide commands, each with the event that shows a team was acted on. */
export const ROOM_WIDE = {
  'step.next': 'step.changed',
  'step.back': 'step.changed',
  'timer.start': 'timer.changed',
  'timer.pause': 'timer.changed',
  'timer.resume': 'timer.changed',
  'timer.extend': 'timer.changed',
  'timer.stop': 'timer.changed',
  'vote.reveal': 'vote.revealed',
  'race.start': 'race.round',
};

const KEEP = 500;
const WAIT_MS = 3000;

/**
 * Follows the events of a connection, so that after an `ack` the console can tell which teams
 * a command changed. A command's events carry sequence numbers above every event delivered
 * before it was sent, and its last event has the ack's `seq`; the ack may overtake its events.
 * @param {import('../../conn.js').Connection} conn
 * @returns {{mark: () => number, teamsChanged: (type: string, from: number, to: number) => Promise<Set<string>|null>, stop: () => void}}
 */
export function commandTracker(conn) {
  const seen = [];
  let waiters = [];
  const off = conn.on('event', (ev) => {
    // A race round names its teams in a list; other events name one team.
    const teams = Array.isArray(ev.data?.teams) && ev.type === 'race.round' ? ev.data.teams : [ev.data?.team ?? null];
    for (const team of teams) seen.push({ seq: ev.seq, type: ev.type, team });
    if (seen.length > KEEP) seen.shift();
    waiters = waiters.filter((w) => !w(ev.seq));
  });

  function arrived(to) {
    if ((conn.lastSeq ?? 0) >= to) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== check);
        resolve(false);
      }, WAIT_MS);
      const check = (seq) => {
        if (seq < to) return false;
        clearTimeout(timer);
        resolve(true);
        return true;
      };
      waiters.push(check);
    });
  }

  return {
    /** The highest seq delivered so far: take it right before sending the command. */
    mark: () => conn.lastSeq ?? 0,
    /**
     * The teams with an event of `type` in (from, to], once the event `to` has arrived; null
     * when it does not arrive in time (the connection dropped, for example).
     */
    async teamsChanged(type, from, to) {
      if (!(await arrived(to))) return null;
      return new Set(seen.filter((e) => e.seq > from && e.seq <= to && e.type === type && e.team).map((e) => e.team));
    },
    stop() {
      off();
      waiters = [];
    },
  };
}

/**
 * Why a room-wide command would not fit a team, judged from what the console knows of it: the
 * key of a `console.rw.why.*` text.
 * @param {import('../../state.js').ClientState} state
 * @param {ReturnType<import('../../staff-state.js').createStaffState>} st
 * @param {string} cmd
 * @param {string} team
 * @param {object} [args] the command's arguments (`step` for step.back)
 * @returns {string}
 */
export function skipReason(state, st, cmd, team, args = {}) {
  const step = stepById(state, state.teamSteps.get(team)?.step) ?? state.steps[0] ?? null;
  const vote = step ? `${team}|${step.id}` : '';
  const timer = state.timers.get(team)?.state ?? 'idle';
  const racing = step?.activity === 'race' && state.races.get(state.teams.get(team)?.room)?.state === 'running';
  switch (cmd) {
    case 'step.next':
      if (step && step === state.steps.at(-1)) return 'lastStep';
      if (step?.activity === 'vote' && !st.voteRevealed.has(vote)) return 'voteHidden';
      if (step?.activity === 'vote' && st.voteTies.has(vote)) return 'tie';
      if (racing) return 'race';
      return 'other';
    case 'step.back': {
      const target = state.steps.findIndex((s) => s.id === args.step);
      if (step && target >= state.steps.indexOf(step)) return 'notEarlier';
      return racing ? 'race' : 'other';
    }
    case 'timer.start':
      return timer === 'running' || timer === 'paused' ? 'timerBusy' : 'other';
    case 'timer.pause':
      return timer === 'running' ? 'other' : 'timerNotRunning';
    case 'timer.resume':
      return timer === 'paused' ? 'other' : 'timerNotPaused';
    case 'timer.extend':
    case 'timer.stop':
      return ['running', 'paused', 'expired'].includes(timer) ? 'other' : 'timerNotStarted';
    case 'race.start':
      return step?.activity === 'race' ? 'other' : 'notAtRace';
    case 'vote.reveal':
      if (step?.activity !== 'vote') return 'noVote';
      return st.voteRevealed.has(vote) ? 'revealed' : 'other';
    default:
      return 'other';
  }
}
