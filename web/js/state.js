// state.js – the client state as a fold over the events the server sends; views render from it.

/**
 * @typedef {object} Note
 * @property {string} id
 * @property {string} team
 * @property {string} text
 * @property {string|null} by member id of the author
 * @property {number|null} ts time of writing, ms since the epoch
 * @property {string|null} editedBy member id of the last editor, if edited
 */

/**
 * @typedef {object} ClientState
 * @property {string|null} role role of this connection (from `welcome`)
 * @property {string|null} me identity of this connection (member id for participants)
 * @property {string|null} team the participant's team, once known
 * @property {string|null} room the facilitator's room, once known
 * @property {object|null} sprint data of `sprint.created`
 * @property {Array<object>} programme items of `programme.set`
 * @property {Map<string, object>} challenges by id
 * @property {Map<string, object>} rooms by id
 * @property {Map<string, object>} teams by id
 * @property {Map<string, string>} codes join code by team id
 * @property {Array<object>} links of `links.set`
 * @property {Map<string, object>} members by id
 * @property {Map<string, Note>} notes by id, in the order they were added
 * @property {number} seq highest seq folded in
 */

/**
 * An empty state, as before the first event.
 * @returns {ClientState}
 */
export function createState() {
  return {
    role: null,
    me: null,
    team: null,
    room: null,
    sprint: null,
    programme: [],
    challenges: new Map(),
    rooms: new Map(),
    teams: new Map(),
    codes: new Map(),
    links: [],
    members: new Map(),
    notes: new Map(),
    seq: 0,
  };
}

/**
 * Takes what a `welcome` says about this connection. `me` may be an identity object
 * ({role, actor, member?, name?, team?, room?}) or a plain id; `role` may sit at the top or in
 * `me`. `sprint` may be an id or an object; an object's fields are kept as the sprint until
 * `sprint.created` says more.
 * @param {ClientState} state changed in place
 * @param {object} msg the welcome message
 */
export function applyWelcome(state, msg) {
  const me = msg.me;
  if (me && typeof me === 'object') {
    state.role = msg.role ?? me.role ?? state.role;
    state.me = me.member ?? me.actor ?? state.me;
    if (me.team) state.team = me.team;
    if (me.room) state.room = me.room;
    if (me.member && me.team && me.name && !state.members.has(me.member)) {
      state.members.set(me.member, { id: me.member, team: me.team, name: me.name });
    }
  } else {
    state.role = msg.role ?? state.role;
    state.me = me ?? state.me;
  }
  if (msg.team) state.team = msg.team;
  if (msg.sprint && typeof msg.sprint === 'object') state.sprint = { ...msg.sprint, ...state.sprint };
  deriveTeam(state);
}

/**
 * Folds one event into the state. Unknown event types are ignored: the server may be newer
 * than this page, and an unknown event must not break what the page does know.
 * @param {ClientState} state changed in place
 * @param {{seq: number, ts?: number, type: string, by?: string, data?: object}} ev the event
 * @returns {boolean} whether the event was understood
 */
export function applyEvent(state, ev) {
  const d = ev.data ?? {};
  if (typeof ev.seq === 'number' && ev.seq > state.seq) state.seq = ev.seq;
  switch (ev.type) {
    case 'sprint.created':
      state.sprint = { ...state.sprint, ...d };
      return true;
    case 'programme.set':
      state.programme = Array.isArray(d.items) ? d.items : [];
      return true;
    case 'challenge.set':
      state.challenges.set(d.id, { ...d });
      return true;
    case 'room.created':
      state.rooms.set(d.id, { ...d });
      return true;
    case 'team.created':
      state.teams.set(d.id, { ...d });
      return true;
    case 'team.code':
      state.codes.set(d.team, d.code);
      return true;
    case 'links.set':
      state.links = Array.isArray(d.links) ? d.links : [];
      return true;
    case 'member.joined':
      state.members.set(d.id, { id: d.id, team: d.team, name: d.name });
      deriveTeam(state);
      return true;
    case 'note.added':
      state.notes.set(d.id, {
        id: d.id,
        team: d.team,
        text: d.text,
        by: ev.by ?? null,
        ts: ev.ts ?? null,
        editedBy: null,
      });
      return true;
    case 'note.edited': {
      const note = state.notes.get(d.id);
      if (note) {
        note.text = d.text;
        note.editedBy = ev.by ?? null;
      }
      return true;
    }
    case 'note.deleted':
      state.notes.delete(d.id);
      return true;
    default:
      return false;
  }
}

function deriveTeam(state) {
  if (state.role !== 'participant' || !state.me) return;
  const member = state.members.get(state.me);
  if (member?.team) state.team = member.team;
}

/**
 * The notes of one team, oldest first.
 * @param {ClientState} state
 * @param {string} team team id
 * @returns {Note[]}
 */
export function teamNotes(state, team) {
  return [...state.notes.values()].filter((n) => n.team === team);
}

/**
 * The members of one team, in the order they joined.
 * @param {ClientState} state
 * @param {string} team team id
 * @returns {object[]}
 */
export function teamMembers(state, team) {
  return [...state.members.values()].filter((m) => m.team === team);
}

/**
 * The teams of one room, in the order they were created.
 * @param {ClientState} state
 * @param {string} room room id
 * @returns {object[]}
 */
export function roomTeams(state, room) {
  return [...state.teams.values()].filter((t) => t.room === room);
}

/**
 * The display name of a member, or null when the member is not known to this connection.
 * @param {ClientState} state
 * @param {string|null} id member id
 * @returns {string|null}
 */
export function memberName(state, id) {
  return (id && state.members.get(id)?.name) || null;
}
