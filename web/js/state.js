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
 * @property {object|null} playbook data of `playbook.set`
 * @property {Array<object>} steps the playbook's steps in order, each with its `phase`
 * @property {Map<string, {step: string, index: number, back: boolean}>} teamSteps by team
 * @property {Map<string, object>} timers by team: {state, step, duration_ms, ends_at?, remaining_ms?}
 * @property {Map<string, object>} roles by team: {captain, timekeeper, presenter}
 * @property {Map<string, object>} profiles by member: {organisation, role, motivation}
 * @property {Map<string, object>} clusters by id: {id, team, board, name}
 * @property {Map<string, object>} items by id: {id, team, list, text, cluster}
 * @property {Map<string, object>} votes by step id: this member's view of the vote
 * @property {Map<string, Object<string, string>>} canvases by "team|canvas": field → text
 * @property {Map<string, number>} canvasVersions by "team|canvas|field": its version
 * @property {Map<string, object>} races by room: {round, rounds, state, ends_at, duration_ms, step}
 * @property {Map<string, Map<string, number>>} raceCounts by room: team → ideas
 * @property {Map<string, object[]>} leaderboards by room: one entry per ended round
 * @property {Map<string, object>} raceWins by room: {teams, count, prize}
 * @property {Map<string, object>} milestones by id: {id, team, idea, at, kind, text}
 * @property {Map<string, object>} suggestions by id: {id, board, groups, settled}
 * @property {Map<string, object>} batches by id: {id, suggestion, clusters, moved, undone}
 * @property {object[]} similar `idea.similar` hints for this member, newest last
 * @property {Map<string, object>} before `idea.before` hints by note id: what became of a close
 *   idea of an earlier sprint ({note, sprint, sprint_title, date, kind, text, chosen, won, score, seq})
 * @property {object|null} archived data of `sprint.archived` ({bank, orgs, public, at}), then of
 *   every `sprint.published`; null while the sprint is live
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
    /** Claims of a member's name from another device: member id → {name, code, ts}. */
    claims: new Map(),
    notes: new Map(),
    playbook: null,
    steps: [],
    teamSteps: new Map(),
    timers: new Map(),
    roles: new Map(),
    profiles: new Map(),
    clusters: new Map(),
    items: new Map(),
    votes: new Map(),
    canvases: new Map(),
    canvasVersions: new Map(),
    races: new Map(),
    raceCounts: new Map(),
    leaderboards: new Map(),
    raceWins: new Map(),
    milestones: new Map(),
    suggestions: new Map(),
    batches: new Map(),
    similar: [],
    before: new Map(),
    archived: null,
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
    case 'sprint.updated':
      state.sprint = { ...state.sprint, ...d };
      return true;
    case 'room.updated':
      state.rooms.set(d.id, { ...(state.rooms.get(d.id) || {}), ...d });
      return true;
    case 'member.forgotten': {
      // The organiser deleted this person's data: their notes stay, their name goes.
      const m = state.members.get(d.id);
      if (m) state.members.set(d.id, { ...m, name: '', forgotten: true });
      return true;
    }
    case 'team.created':
      state.teams.set(d.id, { ...d });
      return true;
    case 'member.claim':
      state.claims.set(d.member, { name: d.name, code: d.code, ts: ev.ts ?? null });
      return true;
    case 'member.claimed':
      state.claims.delete(d.member);
      return true;
    case 'team.moved': {
      const team = state.teams.get(d.team);
      if (team) state.teams.set(d.team, { ...team, room: d.room });
      return true;
    }
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
        board: d.board || 'wall',
        text: d.text,
        private: d.private === true,
        round: d.round ?? null,
        cluster: null,
        by: ev.by ?? null,
        ts: ev.ts ?? null,
        editedBy: null,
      });
      return true;
    case 'note.shared': {
      // The author knew the note already; teammates meet it here for the first time.
      const note = state.notes.get(d.id);
      if (note) note.private = false;
      else {
        state.notes.set(d.id, {
          id: d.id,
          team: d.team,
          board: d.board || 'wall',
          text: d.text,
          private: false,
          round: null,
          cluster: null,
          by: d.author || ev.by || null,
          ts: ev.ts ?? null,
          editedBy: null,
        });
      }
      return true;
    }
    case 'note.moved': {
      const note = state.notes.get(d.id);
      if (note) {
        note.cluster = d.cluster ?? null;
        note.free = false; // in a group a note lies in its group's order again
      }
      return true;
    }
    case 'note.placed': {
      // Where the note lies on the wall; placed after its last move, it lies there even
      // inside a group (it is being dragged out of it).
      const note = state.notes.get(d.id);
      if (note) Object.assign(note, { x: d.x, y: d.y, placed: true, free: true });
      return true;
    }
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
      return applyMethodEvent(state, ev, d);
  }
}

function voteOf(state, step) {
  let v = state.votes.get(step);
  if (!v) {
    v = { step, mine: new Map(), used: 0, budget: 0, done: [], members: 0, revealed: null, selected: null };
    state.votes.set(step, v);
  }
  return v;
}

/** The events of the method (playbook, steps, timers, roles, work, votes, race, suggestions). */
function applyMethodEvent(state, ev, d) {
  switch (ev.type) {
    case 'playbook.set':
      state.playbook = d;
      state.steps = (d.phases ?? []).flatMap((phase) => (phase.steps ?? []).map((step) => ({ ...step, phase })));
      return true;
    case 'step.changed':
      state.teamSteps.set(d.team, { step: d.step, index: d.index, back: d.back === true });
      // A new step starts with a fresh timer, as on the server.
      state.timers.set(d.team, { state: 'idle', step: d.step, duration_ms: (d.minutes ?? 0) * 60000 });
      return true;
    case 'timer.changed':
      state.timers.set(d.team, { ...d });
      return true;
    case 'team.roles':
      state.roles.set(d.team, { captain: d.captain ?? null, timekeeper: d.timekeeper ?? null, presenter: d.presenter ?? null });
      return true;
    case 'member.profile':
      state.profiles.set(d.member, { organisation: d.organisation ?? '', role: d.role ?? '', motivation: d.motivation ?? '' });
      return true;
    case 'cluster.added':
      state.clusters.set(d.id, { id: d.id, team: d.team, board: d.board, name: d.name, placed: Number.isInteger(d.x), x: d.x ?? 0, y: d.y ?? 0 });
      return true;
    case 'cluster.placed': {
      const cl = state.clusters.get(d.id);
      if (cl) Object.assign(cl, { x: d.x, y: d.y, placed: true });
      return true;
    }
    case 'cluster.renamed': {
      const cl = state.clusters.get(d.id);
      if (cl) cl.name = d.name;
      return true;
    }
    case 'cluster.deleted':
      state.clusters.delete(d.id);
      for (const note of state.notes.values()) if (note.cluster === d.id) note.cluster = null;
      return true;
    case 'item.added':
      state.items.set(d.id, { id: d.id, team: d.team, list: d.list, text: d.text, cluster: d.cluster || null });
      return true;
    case 'item.edited': {
      const item = state.items.get(d.id);
      if (item) item.text = d.text;
      return true;
    }
    case 'item.deleted':
      state.items.delete(d.id);
      return true;
    case 'vote.placed':
    case 'vote.removed': {
      const v = voteOf(state, d.step);
      if (d.mine > 0) v.mine.set(d.target, d.mine);
      else v.mine.delete(d.target);
      v.used = d.used;
      v.budget = d.budget;
      return true;
    }
    case 'vote.progress': {
      const v = voteOf(state, d.step);
      v.done = Array.isArray(d.done) ? d.done : [];
      v.members = d.members ?? v.members;
      return true;
    }
    case 'vote.revealed': {
      const v = voteOf(state, d.step);
      v.revealed = { tally: d.tally ?? [], tie: d.tie ?? null };
      v.selected = d.selected ?? null;
      return true;
    }
    case 'vote.decided':
      voteOf(state, d.step).selected = d.selected ?? [];
      return true;
    case 'canvas.updated': {
      const key = `${d.team}|${d.canvas}`;
      const canvas = state.canvases.get(key) ?? {};
      canvas[d.field] = d.text;
      state.canvases.set(key, canvas);
      // The field's version: a save names the version it was written on (conflict otherwise).
      if (typeof d.version === 'number') state.canvasVersions.set(`${key}|${d.field}`, d.version);
      return true;
    }
    case 'race.round':
      state.races.set(d.room, { ...state.races.get(d.room), ...d });
      if (d.state === 'running') state.raceCounts.set(d.room, state.raceCounts.get(d.room) ?? new Map());
      return true;
    case 'race.count': {
      const counts = state.raceCounts.get(d.room) ?? new Map();
      counts.set(d.team, d.count);
      state.raceCounts.set(d.room, counts);
      return true;
    }
    case 'race.leaderboard': {
      const rounds = (state.leaderboards.get(d.room) ?? []).filter((b) => b.round !== d.round);
      rounds.push({ round: d.round, teams: d.teams ?? [] });
      state.leaderboards.set(d.room, rounds);
      const counts = state.raceCounts.get(d.room) ?? new Map();
      for (const row of d.teams ?? []) counts.set(row.team, row.count);
      state.raceCounts.set(d.room, counts);
      return true;
    }
    case 'race.won':
      state.raceWins.set(d.room, { teams: d.teams ?? [], count: d.count, prize: d.prize ?? null });
      return true;
    case 'milestone.added':
      state.milestones.set(d.id, { id: d.id, team: d.team, idea: d.idea, at: d.at, kind: d.kind, text: d.text });
      return true;
    case 'milestone.edited': {
      const ms = state.milestones.get(d.id);
      if (ms) Object.assign(ms, { at: d.at ?? ms.at, kind: d.kind ?? ms.kind, text: d.text ?? ms.text });
      return true;
    }
    case 'milestone.deleted':
      state.milestones.delete(d.id);
      return true;
    case 'cluster.suggested':
      state.suggestions.set(d.id, { id: d.id, board: d.board, groups: d.groups ?? [], settled: false });
      return true;
    case 'cluster.batch': {
      state.batches.set(d.id, { id: d.id, suggestion: d.suggestion, clusters: d.clusters ?? [], moved: d.moved ?? [], undone: false });
      const sug = state.suggestions.get(d.suggestion);
      if (sug) sug.settled = true;
      return true;
    }
    case 'cluster.undone': {
      const batch = state.batches.get(d.batch);
      if (batch) batch.undone = true;
      return true;
    }
    case 'idea.similar':
      state.similar.push({ ...d, seq: ev.seq });
      if (state.similar.length > 20) state.similar.shift();
      return true;
    case 'idea.before':
      // One hint per idea: a later one (the idea placed on the vote) replaces the race's.
      if (typeof d.note === 'string') state.before.set(d.note, { ...d, seq: ev.seq ?? 0 });
      return true;
    case 'sprint.archived':
    case 'sprint.published':
      state.archived = { ...(state.archived ?? {}), bank: d.bank === true, orgs: d.orgs === true, public: d.public === true, at: d.at ?? state.archived?.at ?? ev.ts ?? null };
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

/**
 * Where a team is in the playbook: the step object and its index. A team that never heard of
 * `step.changed` is at the first step.
 * @param {ClientState} state
 * @param {string} team team id
 * @returns {{step: object|null, index: number}}
 */
export function teamStep(state, team) {
  const at = state.teamSteps.get(team);
  const index = at ? state.steps.findIndex((s) => s.id === at.step) : 0;
  return { step: state.steps[index] ?? null, index: Math.max(index, 0) };
}

/**
 * The notes of one board of a team, oldest first (what this connection may see).
 * @param {ClientState} state
 * @param {string} team
 * @param {string} board
 * @returns {Note[]}
 */
export function boardNotes(state, team, board) {
  return [...state.notes.values()].filter((n) => n.team === team && n.board === board);
}

/**
 * The clusters of one board of a team, in the order they were made.
 * @param {ClientState} state
 * @param {string} team
 * @param {string} board
 * @returns {object[]}
 */
export function boardClusters(state, team, board) {
  return [...state.clusters.values()].filter((c) => c.team === team && c.board === board);
}

/**
 * The items of one list of a team, in the order they were written.
 * @param {ClientState} state
 * @param {string} team
 * @param {string} list
 * @returns {object[]}
 */
export function listItems(state, team, list) {
  return [...state.items.values()].filter((i) => i.team === team && i.list === list);
}

/**
 * The fields of one canvas of a team (field id → text).
 * @param {ClientState} state
 * @param {string} team
 * @param {string} canvas
 * @returns {Object<string, string>}
 */
export function canvasOf(state, team, canvas) {
  return state.canvases.get(`${team}|${canvas}`) ?? {};
}

/**
 * The version of a canvas field (how many times it was written; 0 when never).
 * @param {ClientState} state
 * @param {string} team
 * @param {string} canvas
 * @param {string} field
 * @returns {number}
 */
export function canvasVersion(state, team, canvas, field) {
  return state.canvasVersions.get(`${team}|${canvas}|${field}`) ?? 0;
}

/**
 * The options of a vote step's `target` for a team, each {id, text}: items of a list,
 * clusters of a board, or the shared notes of a board.
 * @param {ClientState} state
 * @param {string} team
 * @param {string} target e.g. "list:knelpunten", "clusters:hkw", "board:ideas"
 * @returns {{id: string, text: string}[]}
 */
export function voteOptions(state, team, target) {
  const [kind, id] = String(target ?? '').split(':');
  let out = [];
  if (kind === 'list') out = listItems(state, team, id).map((i) => ({ id: i.id, text: i.text }));
  if (kind === 'clusters') out = boardClusters(state, team, id).map((c) => ({ id: c.id, text: c.name }));
  if (kind === 'board') out = boardNotes(state, team, id).filter((n) => !n.private).map((n) => ({ id: n.id, text: n.text }));
  // One order for the whole team, whatever each phone learnt first (an author holds their
  // own round-1 ideas before the others' are shared): the order the server made them in.
  return out.sort((a, b) => idNumber(a.id) - idNumber(b.id));
}

/**
 * The number in a server id ("n12" → 12): ids are given in the order things are made.
 * @param {string} id
 * @returns {number}
 */
function idNumber(id) {
  return Number(String(id).replace(/^\D+/, '')) || 0;
}

/**
 * The text of a vote option or any object a vote can point at (item, cluster, note).
 * @param {ClientState} state
 * @param {string} id
 * @returns {string}
 */
export function targetText(state, id) {
  return state.items.get(id)?.text ?? state.clusters.get(id)?.name ?? state.notes.get(id)?.text ?? id;
}
