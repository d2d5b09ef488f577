// org-state.js – the fold of the organiser's own events: registrations, the assignment, pins,
// figures, deletions, links between members and registrations, and updates of the sprint and
// rooms. It listens to a session's connection next to state.js, like staff-state.js, so the
// folds never step on each other. Registrations are personal data: only the organiser
// receives these events, and nothing here is stored outside the page's memory.

import { Emitter } from './emitter.js';

/**
 * @typedef {object} Person
 * @property {string} id p1, p2, …
 * @property {string} name
 * @property {string|null} email
 * @property {string} organisation
 * @property {string} role
 * @property {string} motivation
 * @property {string|null} choice1 challenge id
 * @property {string|null} choice2 challenge id
 * @property {boolean} captain stated willingness
 * @property {boolean} timekeeper stated willingness
 * @property {number|null} line line in the imported file
 */

/**
 * @typedef {object} OrgState
 * @property {Map<string, Person>} people live registrations by id, in import order
 * @property {Map<string, string>} placement person → team, after an assignment
 * @property {Map<string, {team: string|null, challenge: string|null}>} pins person → pin
 * @property {Map<string, {captain: string|null, timekeeper: string|null, challenge: string|null}>} suggestions by team
 * @property {string[]} unplaced persons the last run could not place
 * @property {object|null} run seed and sizes of the last run
 * @property {object|null} figures the latest `assign.figures`
 * @property {Map<string, string>} linked person → member
 * @property {Set<string>} forgotten member ids whose name is gone
 * @property {object} sprint fields of `sprint.updated`, newest wins
 * @property {Map<string, object>} rooms by id: data of the latest `room.updated`
 */

/** @returns {OrgState} */
export function createOrgState() {
  return {
    people: new Map(),
    placement: new Map(),
    pins: new Map(),
    suggestions: new Map(),
    unplaced: [],
    run: null,
    figures: null,
    linked: new Map(),
    forgotten: new Set(),
    sprint: {},
    rooms: new Map(),
    /** Whether a name of one's own may join a team with registered people (join.walkins). */
    walkins: true,
  };
}

function person(d) {
  return {
    id: d.id,
    name: d.name ?? '',
    email: d.email ?? null,
    organisation: d.organisation ?? '',
    role: d.role ?? '',
    motivation: d.motivation ?? '',
    choice1: d.choice1 ?? null,
    choice2: d.choice2 ?? null,
    captain: d.captain === true,
    timekeeper: d.timekeeper === true,
    line: typeof d.line === 'number' ? d.line : null,
  };
}

/**
 * Folds one event into the organiser state.
 * @param {OrgState} st changed in place
 * @param {{type: string, data?: object}} ev
 * @returns {boolean} whether the event was one of ours
 */
export function applyOrgEvent(st, ev) {
  const d = ev.data ?? {};
  switch (ev.type) {
    case 'registrations.imported':
      for (const p of d.people ?? []) {
        // A replay after a deletion carries {id, deleted:true} in place of the person.
        if (p.deleted === true) st.people.delete(p.id);
        else if (typeof p.id === 'string') st.people.set(p.id, person(p));
      }
      return true;
    case 'assign.result':
      st.placement.clear();
      st.suggestions.clear();
      for (const team of d.teams ?? []) {
        for (const id of team.members ?? []) st.placement.set(id, team.team);
        st.suggestions.set(team.team, { captain: team.captain ?? null, timekeeper: team.timekeeper ?? null, challenge: team.challenge ?? null });
      }
      st.unplaced = Array.isArray(d.unplaced) ? [...d.unplaced] : [];
      st.run = { seed: d.seed, team_size_min: d.team_size_min, team_size_max: d.team_size_max, teams_per_room: d.teams_per_room ?? 6 };
      return true;
    case 'assign.figures':
      st.figures = d.figures ?? null;
      return true;
    case 'assign.pinned':
      if (d.team || d.challenge) st.pins.set(d.person, { team: d.team ?? null, challenge: d.challenge ?? null });
      else st.pins.delete(d.person);
      return true;
    case 'assign.moved':
      st.placement.set(d.person, d.team);
      st.unplaced = st.unplaced.filter((id) => id !== d.person);
      st.pins.set(d.person, { team: d.team ?? null, challenge: d.challenge ?? null });
      return true;
    case 'person.deleted':
      st.people.delete(d.id);
      st.placement.delete(d.id);
      st.pins.delete(d.id);
      st.linked.delete(d.id);
      st.unplaced = st.unplaced.filter((id) => id !== d.id);
      return true;
    case 'join.walkins':
      st.walkins = d.allowed !== false;
      return true;
    case 'member.linked':
      for (const [p, m] of st.linked) if (m === d.member) st.linked.delete(p);
      st.linked.set(d.person, d.member);
      return true;
    case 'member.forgotten':
      st.forgotten.add(d.id);
      return true;
    case 'sprint.updated':
      st.sprint = { ...st.sprint, ...d };
      return true;
    case 'room.updated':
      st.rooms.set(d.id, { ...d });
      return true;
    default:
      return false;
  }
}

/**
 * The people planned in a team, in import order.
 * @param {OrgState} st
 * @param {string} team
 * @returns {Person[]}
 */
export function teamPeople(st, team) {
  const out = [];
  for (const p of st.people.values()) if (st.placement.get(p.id) === team) out.push(p);
  return out;
}

/**
 * Pairs of people from the same organisation in one team (compared without case and spaces).
 * @param {Person[]} people
 * @returns {number}
 */
export function colleaguePairs(people) {
  const counts = new Map();
  for (const p of people) {
    const key = p.organisation.toLowerCase().replace(/[\s.\-_]+/g, '');
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let pairs = 0;
  for (const n of counts.values()) pairs += (n * (n - 1)) / 2;
  return pairs;
}

const attached = new WeakMap();

/**
 * The organiser state of a session, attached on first use (call it right after the session
 * is made, before its events arrive). Emits `change` with the event after each fold.
 * @param {import('./session.js').Session} session
 * @returns {{state: OrgState, on: (name: string, fn: Function) => () => void}}
 */
export function orgOf(session) {
  let entry = attached.get(session);
  if (entry) return entry;
  const emitter = new Emitter();
  const state = createOrgState();
  session.conn.on('event', (ev) => {
    if (applyOrgEvent(state, ev)) emitter.emit('change', ev);
  });
  entry = { state, on: (name, fn) => emitter.on(name, fn) };
  attached.set(session, entry);
  return entry;
}
