// staff-state.js – the fold of what the console, the screen and the jury need beyond state.js:
// jury events, the pitch order, room messages, team counts, and the (non-durable) presence frames.
//
// It listens to a session's connection next to state.js and keeps its own state, so the two
// folds never step on each other. One StaffState per session (see staffOf), attached before
// the first message arrives, so it sees every event the session sees.

import { Emitter } from './emitter.js';

/**
 * @typedef {object} JuryState
 * @property {string} phase 'setup', 'open', 'locked' or 'announced'
 * @property {object[]} criteria [{id, name, weight, hint?}]
 * @property {number} scale highest score (10 or 5)
 * @property {{order: string[], normalise: boolean}|null} tiebreak the published tie-break
 * @property {Map<string, object>} jurors by id: {id, name, organisation, chair}
 * @property {Map<string, object>} links by juror id (organiser only): {juror, name, organisation, chair, token}
 * @property {Map<string, object>} dossiers by team: {team, name, room, challenge, canvases, milestones}
 * @property {Map<string, number>} scores "team|criterion" → this juror's score
 * @property {Map<string, string>} notes by team: this juror's private note
 * @property {Set<string>} recused "juror|team" pairs this connection heard of
 * @property {Map<string, object>} conflicts "juror|team" → {juror, team, organisation, members}
 * @property {Map<string, {done: number, teams: number}>} progress by juror (the chair)
 * @property {object|null} results data of `jury.results`
 */

/**
 * A fresh staff state.
 * @returns {{jury: JuryState, pitchOrders: Map<string, string[]>, messages: object[], counts: Map<string, object>, presence: Map<string, string[]>, presenceKnown: boolean}}
 */
export function createStaffState() {
  return {
    jury: {
      phase: 'setup',
      criteria: [],
      scale: 10,
      tiebreak: null,
      jurors: new Map(),
      links: new Map(),
      dossiers: new Map(),
      scores: new Map(),
      notes: new Map(),
      recused: new Set(),
      conflicts: new Map(),
      progress: new Map(),
      results: null,
    },
    /** Pitch order by room id; '' is the overall order. */
    pitchOrders: new Map(),
    /** `room.message` data with `seq` and `ts`, oldest first. */
    messages: [],
    /** The latest counts by team (pushed `counts` frames and `team.counts` events). */
    counts: new Map(),
    /** The latest status by room, from `rooms` frames (screens and staff). */
    roomStatus: new Map(),
    /** Rooms whose time-up sound is on, from `room.sound`. */
    sound: new Set(),
    /** What participants see after the announcement, from `jury.publication` (staff). */
    publication: 'places',
    /** The winners (`jury.winners`) and this team's place (`jury.place`), for everyone. */
    winners: null,
    places: new Map(),
    /** Connected member ids by team, from the latest presence frames. */
    presence: new Map(),
    /** Whether a presence frame has arrived (before that, "online" is unknown). */
    presenceKnown: false,
    /** "team|step" → {done, members}, from `vote.progress`. */
    voteProgress: new Map(),
    /** "team|step" of the votes revealed, from `vote.revealed`. */
    voteRevealed: new Set(),
    /** "team|step" → {tally, selected} of the revealed votes, for the console's peek. */
    tallies: new Map(),
    /** "team|step" of the revealed votes whose tie the captain has not decided yet. */
    voteTies: new Set(),
  };
}

/**
 * Folds one event into the staff state.
 * @param {ReturnType<typeof createStaffState>} st changed in place
 * @param {{seq?: number, ts?: number, type: string, data?: object}} ev
 * @returns {boolean} whether the event was one of ours
 */
export function applyStaffEvent(st, ev) {
  const d = ev.data ?? {};
  const jury = st.jury;
  switch (ev.type) {
    case 'jury.criteria':
      jury.criteria = Array.isArray(d.criteria) ? d.criteria : [];
      jury.scale = d.scale === 5 ? 5 : 10;
      // New criteria clear an earlier tie-break, as on the server.
      jury.tiebreak = null;
      return true;
    case 'jury.tiebreak':
      jury.tiebreak = { order: Array.isArray(d.order) ? d.order : [], normalise: d.normalise === true };
      return true;
    case 'jury.juror':
      jury.jurors.set(d.id, { id: d.id, name: d.name ?? '', organisation: d.organisation ?? '', chair: d.chair === true, challenge: d.challenge ?? '' });
      return true;
    case 'jury.link':
      jury.links.set(d.juror, { ...d });
      for (const link of jury.links.values()) if (d.chair === true && link.juror !== d.juror) link.chair = false;
      return true;
    case 'jury.phase':
      jury.phase = d.state ?? jury.phase;
      return true;
    case 'jury.dossier':
      jury.dossiers.set(d.team, { ...d });
      return true;
    case 'jury.scored':
      jury.scores.set(`${d.team}|${d.criterion}`, d.score);
      return true;
    case 'jury.noted':
      if (d.text) jury.notes.set(d.team, d.text);
      else jury.notes.delete(d.team);
      return true;
    case 'jury.recused': {
      const key = `${d.juror}|${d.team}`;
      if (d.recused === false) jury.recused.delete(key);
      else jury.recused.add(key);
      return true;
    }
    case 'jury.conflict':
      jury.conflicts.set(`${d.juror}|${d.team}`, { ...d });
      return true;
    case 'jury.progress':
      jury.progress.set(d.juror, { done: d.done ?? 0, teams: d.teams ?? 0, scored: Array.isArray(d.scored) ? d.scored : null });
      return true;
    case 'jury.results':
      jury.results = d;
      return true;
    case 'jury.winners':
      st.winners = d;
      return true;
    case 'jury.place':
      st.places.set(d.team, { rank: d.rank, of: d.of, tied: d.tied === true });
      return true;
    case 'jury.publication':
      st.publication = d.level ?? 'places';
      return true;
    case 'room.sound':
      if (d.on) st.sound.add(d.room);
      else st.sound.delete(d.room);
      return true;
    case 'pitch.order':
      st.pitchOrders.set(d.room ?? '', Array.isArray(d.teams) ? d.teams : []);
      return true;
    case 'room.message':
      st.messages.push({ room: d.room, text: d.text ?? '', seq: ev.seq ?? 0, ts: ev.ts ?? null });
      if (st.messages.length > 50) st.messages.shift();
      return true;
    case 'vote.progress':
      if (!d.team) return false;
      st.voteProgress.set(`${d.team}|${d.step}`, { done: d.done ?? [], members: d.members ?? 0 });
      return true;
    case 'vote.revealed':
      if (!d.team) return false;
      st.voteRevealed.add(`${d.team}|${d.step}`);
      st.tallies.set(`${d.team}|${d.step}`, { tally: d.tally ?? [], selected: d.selected ?? null });
      if (d.selected === null && d.tie) st.voteTies.add(`${d.team}|${d.step}`);
      return true;
    case 'vote.decided': {
      if (!d.team) return false;
      st.voteTies.delete(`${d.team}|${d.step}`);
      const tl = st.tallies.get(`${d.team}|${d.step}`);
      if (tl) tl.selected = d.selected ?? [];
      return true;
    }
    case 'team.counts':
      st.counts.set(d.team, { ...d, ts: ev.ts ?? null });
      return true;
    default:
      return false;
  }
}

/**
 * Takes a presence frame: it lists only the teams whose connected members changed.
 * @param {ReturnType<typeof createStaffState>} st changed in place
 * @param {{teams: Object<string, string[]>}} msg
 */
export function applyPresence(st, msg) {
  for (const [team, members] of Object.entries(msg.teams ?? {})) st.presence.set(team, Array.isArray(members) ? members : []);
  st.presenceKnown = true;
}

/**
 * Takes a pushed counts frame: the counts of the teams that changed.
 * @param {ReturnType<typeof createStaffState>} st changed in place
 * @param {{teams: Object<string, object>}} msg
 */
export function applyCounts(st, msg) {
  for (const [team, k] of Object.entries(msg.teams ?? {})) if (k && typeof k === 'object') st.counts.set(team, { ...k, team });
}

/**
 * Takes a pushed room status frame.
 * @param {ReturnType<typeof createStaffState>} st changed in place
 * @param {{rooms: Object<string, object>}} msg
 */
export function applyRooms(st, msg) {
  for (const [room, s] of Object.entries(msg.rooms ?? {})) if (s && typeof s === 'object') st.roomStatus.set(room, { ...s, room });
}

/**
 * The teams in pitch order: the overall order if there is one, else each room's order in
 * room order; teams without a place come last, in creation order.
 * @param {ReturnType<typeof createStaffState>} st
 * @param {string[]} teamIds every team id, in creation order
 * @param {string[]} roomIds every room id, in creation order
 * @returns {string[]}
 */
export function pitchSequence(st, teamIds, roomIds) {
  const seq = [];
  const add = (id) => {
    if (teamIds.includes(id) && !seq.includes(id)) seq.push(id);
  };
  for (const id of st.pitchOrders.get('') ?? []) add(id);
  for (const room of roomIds) for (const id of st.pitchOrders.get(room) ?? []) add(id);
  for (const id of teamIds) add(id);
  return seq;
}

/**
 * A juror's weighted mean for one team over the criteria they scored: Σ w·s / Σ w.
 * @param {JuryState} jury
 * @param {string} team
 * @returns {number|null} null when nothing is scored
 */
export function ownTotal(jury, team) {
  let sum = 0;
  let weights = 0;
  for (const c of jury.criteria) {
    const s = jury.scores.get(`${team}|${c.id}`);
    const w = typeof c.weight === 'number' ? c.weight : 1;
    if (s === undefined || w <= 0) continue;
    sum += w * s;
    weights += w;
  }
  return weights > 0 ? sum / weights : null;
}

const attached = new WeakMap();

/**
 * The staff state of a session, attached on first use. Emits `change` (event or presence
 * message) after each fold.
 * @param {import('./session.js').Session} session
 * @returns {{state: ReturnType<typeof createStaffState>, on: Function}}
 */
export function staffOf(session) {
  let entry = attached.get(session);
  if (entry) return entry;
  const emitter = new Emitter();
  const state = createStaffState();
  session.conn.on('event', (ev) => {
    if (applyStaffEvent(state, ev)) emitter.emit('change', ev);
  });
  session.conn.on('presence', (msg) => {
    applyPresence(state, msg);
    emitter.emit('change', { type: 'presence' });
  });
  session.conn.on('counts', (msg) => {
    applyCounts(state, msg);
    emitter.emit('change', { type: 'counts' });
  });
  session.conn.on('rooms', (msg) => {
    applyRooms(state, msg);
    emitter.emit('change', { type: 'rooms' });
  });
  entry = { state, on: (name, fn) => emitter.on(name, fn) };
  attached.set(session, entry);
  return entry;
}
