// server.mjs – the benchmark baseline: the note subset of docs/protocol.md in Node.js.
//
// What a competent Node.js team would write for the same job, with the same promises:
//  - ws (no permessage-deflate, 64 KiB message cap) on node:http, path /ws;
//  - better-sqlite3 in WAL mode with synchronous=FULL: an `ack` (and the fan-out of the
//    event) is sent only after the transaction holding the event is committed and fsync'd;
//  - group commit: every command that arrives within one event-loop turn is applied to the
//    in-memory state at once and committed in one transaction at setImmediate();
//  - each event is serialised once into a Buffer and that Buffer is sent to every
//    connection of its audience; a connection that does not read is cut off.
// Subset: join, hello (link tokens and session tokens, `since`), ping, and the commands
// note.add, note.edit and note.delete, with command-id deduplication and the same
// per-connection rate limit (100 messages/s, burst 200) as staatsprint.
//
// Usage: node server.mjs [--port 8080] [--db baseline.db] [--teams N] [--bind ADDR]
// It prints the same start-up lines as `staatsprint serve` (links, `Teamcode <name> <CODE>`),
// so bench/loadgen drives both servers the same way.
import http from 'node:http';
import crypto from 'node:crypto';
import { WebSocketServer } from 'ws';
import Database from 'better-sqlite3';

const args = process.argv.slice(2);
const opt = { port: 8080, db: 'baseline.db', teams: 0, bind: undefined };
for (let i = 0; i < args.length; i += 2) {
  const [k, v] = [args[i], args[i + 1]];
  if (k === '--port') opt.port = Number(v);
  else if (k === '--db') opt.db = v;
  else if (k === '--teams') opt.teams = Number(v);
  else if (k === '--bind') opt.bind = v;
  else {
    console.error(`usage: node server.mjs [--port N] [--db FILE] [--teams N] [--bind ADDR]`);
    process.exit(2);
  }
}

const NOTE_MAX = 280;
const RATE_BURST = 200;
const RATE_PER_SEC = 100;
const BUFFERED_MAX = 8 * 1024 * 1024;

const ERRS = {
  bad_json: ['Dit bericht is geen JSON-object.', 'The message is not a JSON object.'],
  bad_message: ['Er ontbreekt een veld of een veld heeft het verkeerde type.', 'A field is missing or has the wrong type.'],
  unknown_message: ['Onbekend soort bericht.', 'Unknown kind of message.'],
  unknown_command: ['Onbekende opdracht.', 'Unknown command.'],
  not_authenticated: ['Meld je eerst aan.', 'Authenticate first.'],
  bad_token: ['Deze link is niet (meer) geldig.', 'This link is not valid.'],
  bad_code: ['Deze teamcode bestaat niet.', 'This team code does not exist.'],
  rate_limited: ['Te veel berichten; wacht even.', 'Too many messages; wait a moment.'],
  forbidden: ['Dat mag je rol niet.', 'Your role may not do this.'],
  not_found: ['Niet gevonden.', 'Not found.'],
  text_empty: ['De tekst is leeg.', 'The text is empty.'],
  text_too_long: ['De tekst is te lang.', 'The text is too long.'],
};

// ---- the database ----------------------------------------------------------------------

const db = new Database(opt.db);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE IF NOT EXISTS setup (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,
           type TEXT NOT NULL, aud TEXT NOT NULL, actor TEXT NOT NULL, cmd_id TEXT,
           body TEXT NOT NULL);`);
const insertEv = db.prepare('INSERT INTO events (seq, ts, type, aud, actor, cmd_id, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
const commitBatch = db.transaction((rows) => {
  for (const r of rows) insertEv.run(r.seq, r.ts, r.type, r.aud, r.actor, r.cmd_id, r.body);
});

const token = () => crypto.randomBytes(32).toString('base64url');
const hash = (t) => crypto.createHash('sha256').update(t).digest('hex');
const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const newCode = () => {
  const b = crypto.randomBytes(8);
  let s = '';
  for (let i = 0; i < 8; i++) s += CODE_ALPHABET[b[i] % 32] + (i === 3 ? '-' : '');
  return s;
};
const normCode = (c) => c.toUpperCase().replace(/[^0-9A-Z]/g, '');

let setup;
const row = db.prepare('SELECT body FROM setup WHERE id = 1').get();
if (row) {
  setup = JSON.parse(row.body);
} else {
  const names = ['Team Wielwinkel', 'Team Bouwsteen', 'Team Bron', 'Team Slim Uitvragen', 'Team Droge Voeten',
    'Team Korte Sprint', 'Team Talentpool', 'Team Zij-instroom', 'Team Gouden Ei'];
  const rooms = ['r1', 'r2', 'r3'];
  const teams = names.map((name, i) => ({ id: `t${i + 1}`, name, room: rooms[Math.floor(i / 3)] }));
  for (let i = 0; i < opt.teams; i++) {
    const n = teams.length + 1;
    teams.push({ id: `t${n}`, name: `Team ${n}`, room: rooms[i % rooms.length] });
  }
  for (const t of teams) t.code = newCode();
  setup = {
    sprint: 's1', title: 'Staatsprint digitale overheid (Node.js-basislijn)',
    rooms: rooms.map((id) => ({ id, token: token() })),
    organiser: token(), jury: token(), screen: token(), teams,
  };
  db.prepare('INSERT INTO setup (id, body) VALUES (1, ?)').run(JSON.stringify(setup));
}

// ---- state: who is who, notes, and the fan-out channels --------------------------------

const teamById = new Map(setup.teams.map((t) => [t.id, t]));
const teamByCode = new Map(setup.teams.map((t) => [normCode(t.code), t]));
const auth = new Map();       // hash(token) -> who
auth.set(hash(setup.organiser), { role: 'organiser' });
auth.set(hash(setup.jury), { role: 'jury' });
auth.set(hash(setup.screen), { role: 'screen' });
for (const r of setup.rooms) auth.set(hash(r.token), { role: 'facilitator', room: r.id });
const members = new Map();    // member id -> {team, name}
const joins = new Map();      // join id -> member id
const notes = new Map();      // note id -> {team, deleted}
const cmdSeen = new Map();    // member + '\0' + cmd id -> seq
let nextMember = 1, nextNote = 1;

// Channel logs: key -> [{seq, buf}]; subscribers: key -> Set(ws).
const chanLog = new Map();
const chanSubs = new Map();
const log = (k) => { let l = chanLog.get(k); if (!l) chanLog.set(k, (l = [])); return l; };
const subs = (k) => { let s = chanSubs.get(k); if (!s) chanSubs.set(k, (s = new Set())); return s; };

function channelsOf(who) {
  switch (who.role) {
    case 'participant': return ['all', `room:${who.room}`, `team:${who.team}`, `member:${who.member}`];
    case 'facilitator':
      return ['all', 'staff', `room:${who.room}`,
        ...setup.teams.filter((t) => t.room === who.room).map((t) => `team:${t.id}`)];
    case 'organiser':
      return ['all', 'staff', 'organiser', 'screen', ...setup.rooms.map((r) => `room:${r.id}`),
        ...setup.teams.map((t) => `team:${t.id}`)];
    case 'jury': return ['all', 'jury'];
    case 'screen': return ['all', 'screen'];
    default: return [];
  }
}

// Applies an event to the in-memory state (at once, and when replaying at start).
function apply(ev) {
  const d = ev.data;
  if (ev.type === 'member.joined') {
    members.set(d.id, { team: d.team, name: d.name });
    nextMember = Math.max(nextMember, Number(d.id.slice(1)) + 1);
  } else if (ev.type === 'session.opened') {
    const m = members.get(d.member);
    auth.set(d.hash, { role: 'participant', member: d.member, team: m.team, room: teamById.get(m.team).room });
    if (d.join) joins.set(`${m.team}\0${d.join}`, d.member);
  } else if (ev.type === 'note.added') {
    notes.set(d.id, { team: d.team, deleted: false });
    nextNote = Math.max(nextNote, Number(d.id.slice(1)) + 1);
  } else if (ev.type === 'note.deleted') {
    const n = notes.get(d.id);
    if (n) n.deleted = true;
  }
  if (ev.cmd_id) cmdSeen.set(`${ev.actor}\0${ev.cmd_id}`, ev.seq);
}

function frameOf(ev) {
  return Buffer.from(JSON.stringify({ t: 'ev', seq: ev.seq, ts: ev.ts, type: ev.type, by: ev.actor, data: ev.data }));
}

let seq = 0, committed = 0;
for (const r of db.prepare('SELECT * FROM events ORDER BY seq').iterate()) {
  const ev = { seq: r.seq, ts: r.ts, type: r.type, aud: r.aud, actor: r.actor, cmd_id: r.cmd_id, data: JSON.parse(r.body) };
  apply(ev);
  if (ev.aud !== 'server') log(ev.aud).push({ seq: ev.seq, buf: frameOf(ev) });
  seq = committed = ev.seq;
}
if (seq === 0) {
  // The set-up as events, like staatsprint's log, so a joining client replays the same
  // kind of history (every team is public to the whole sprint).
  const setupEvs = [];
  const add = (type, aud, data) => setupEvs.push({ seq: ++seq, ts: Date.now(), type, aud, actor: 'server', cmd_id: null, data });
  add('sprint.created', 'all', { id: setup.sprint, title: setup.title });
  for (const r of setup.rooms) add('room.created', 'all', { id: r.id, name: r.id });
  for (const t of setup.teams) add('team.created', 'all', { id: t.id, name: t.name, room: t.room });
  for (const t of setup.teams) add('team.code', 'staff', { team: t.id, code: t.code });
  commitBatch(setupEvs.map((e) => ({ seq: e.seq, ts: e.ts, type: e.type, aud: e.aud, actor: e.actor,
    cmd_id: null, body: JSON.stringify(e.data) })));
  for (const e of setupEvs) log(e.aud).push({ seq: e.seq, buf: frameOf(e) });
  committed = seq;
}

// ---- group commit --------------------------------------------------------------------

let batch = [];          // events of this turn
let after = [];          // what to do once they are durable
let flushScheduled = false;

function emit(type, aud, actor, cmdId, data) {
  const ev = { seq: ++seq, ts: Date.now(), type, aud, actor, cmd_id: cmdId, data };
  apply(ev);
  batch.push(ev);
  return ev;
}

function later(fn) {
  after.push(fn);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function flush() {
  flushScheduled = false;
  const evs = batch, fns = after;
  batch = [];
  after = [];
  if (evs.length > 0) {
    commitBatch(evs.map((e) => ({ seq: e.seq, ts: e.ts, type: e.type, aud: e.aud, actor: e.actor,
      cmd_id: e.cmd_id ?? null, body: JSON.stringify(e.data) })));
    committed = evs[evs.length - 1].seq;
    for (const ev of evs) {
      if (ev.aud === 'server') continue;
      const buf = frameOf(ev);
      log(ev.aud).push({ seq: ev.seq, buf });
      const s = chanSubs.get(ev.aud);
      if (s) for (const ws of s) sendBuf(ws, buf);
    }
  }
  for (const fn of fns) fn();
}

// ---- connections -----------------------------------------------------------------------

function sendBuf(ws, buf) {
  if (ws.readyState !== 1) return;
  if (ws.bufferedAmount > BUFFERED_MAX) {
    ws.terminate();
    return;
  }
  ws.send(buf, { binary: false });
}
const sendJson = (ws, obj) => sendBuf(ws, JSON.stringify(obj));
function sendErr(ws, id, code) {
  const m = { t: 'err', code, nl: ERRS[code][0], en: ERRS[code][1] };
  if (id !== undefined) m.id = id;
  sendJson(ws, m);
}

function authenticate(ws, who, since) {
  ws.who = who;
  const chans = channelsOf(who);
  const me = who.role === 'participant' ? { role: who.role, member: who.member, team: who.team, room: who.room }
    : who.role === 'facilitator' ? { role: who.role, room: who.room } : { role: who.role };
  sendJson(ws, { t: 'welcome', role: who.role, me, sprint: setup.sprint, head: committed, now: Date.now() });
  const frames = [];
  for (const k of chans) {
    subs(k).add(ws);
    const l = chanLog.get(k);
    if (l) for (const f of l) if (f.seq > since && f.seq <= committed) frames.push(f);
  }
  ws.chans = chans;
  frames.sort((a, b) => a.seq - b.seq);
  for (const f of frames) sendBuf(ws, f.buf);
  sendJson(ws, { t: 'synced', seq: committed });
}

function textArg(a) {
  const t = a?.text;
  if (typeof t !== 'string') return [null, 'bad_message'];
  const n = [...t].length;
  if (n === 0 || t.trim() === '') return [null, 'text_empty'];
  if (n > NOTE_MAX) return [null, 'text_too_long'];
  return [t, null];
}

function noteOfTeam(a, team) {
  if (typeof a?.note !== 'string') return [null, 'bad_message'];
  const n = notes.get(a.note);
  if (!n || n.deleted || n.team !== team) return [null, 'not_found'];
  return [a.note, null];
}

function handleCmd(ws, msg) {
  const { id, cmd } = msg;
  const a = msg.args ?? {};
  if (typeof id !== 'string' || id.length < 1 || id.length > 64 || !/^[\x21-\x7e]+$/.test(id)) return sendErr(ws, undefined, 'bad_message');
  if (!ws.who) return sendErr(ws, id, 'not_authenticated');
  if (typeof cmd !== 'string' || typeof a !== 'object' || Array.isArray(a)) return sendErr(ws, id, 'bad_message');
  const who = ws.who;
  if (!['note.add', 'note.edit', 'note.delete'].includes(cmd)) return sendErr(ws, id, 'unknown_command');
  if (who.role !== 'participant') return sendErr(ws, id, 'forbidden');
  const seen = cmdSeen.get(`${who.member}\0${id}`);
  if (seen !== undefined) return later(() => sendJson(ws, { t: 'ack', id, seq: seen }));
  let ev, err, text, note;
  if (cmd === 'note.add') {
    [text, err] = textArg(a);
    if (!err) ev = emit('note.added', `team:${who.team}`, who.member, id, { id: `n${nextNote}`, team: who.team, text });
  } else if (cmd === 'note.edit') {
    [note, err] = noteOfTeam(a, who.team);
    if (!err) [text, err] = textArg(a);
    if (!err) ev = emit('note.edited', `team:${who.team}`, who.member, id, { id: note, text });
  } else {
    [note, err] = noteOfTeam(a, who.team);
    if (!err) ev = emit('note.deleted', `team:${who.team}`, who.member, id, { id: note });
  }
  if (err) return sendErr(ws, id, err);
  later(() => sendJson(ws, { t: 'ack', id, seq: ev.seq }));
}

function handleJoin(ws, msg) {
  const { id, code, name } = msg;
  if (typeof id !== 'string' || typeof code !== 'string' || typeof name !== 'string') return sendErr(ws, id, 'bad_message');
  const team = teamByCode.get(normCode(code));
  if (!team) return sendErr(ws, id, 'bad_code');
  const n = [...name.trim()].length;
  if (n === 0) return sendErr(ws, id, 'text_empty');
  if (n > 60) return sendErr(ws, id, 'text_too_long');
  let member = joins.get(`${team.id}\0${id}`);
  if (!member) {
    member = `m${nextMember}`;
    emit('member.joined', `team:${team.id}`, member, null, { id: member, team: team.id, name: name.trim() });
  }
  const tok = token();
  emit('session.opened', 'server', member, null, { member, hash: hash(tok), join: id });
  later(() => {
    if (ws.readyState !== 1) return;
    sendJson(ws, { t: 'joined', id, token: tok, member, team: team.id });
    authenticate(ws, auth.get(hash(tok)), 0);
  });
}

function handleMessage(ws, data, isBinary) {
  const now = Date.now();
  ws.tokens = Math.min(RATE_BURST, ws.tokens + (now - ws.tokensAt) * RATE_PER_SEC / 1000);
  ws.tokensAt = now;
  if (ws.tokens < 1) return sendErr(ws, undefined, 'rate_limited');
  ws.tokens -= 1;
  if (isBinary) return sendErr(ws, undefined, 'bad_message');
  let msg;
  try {
    msg = JSON.parse(data.toString('utf8'));
  } catch {
    return sendErr(ws, undefined, 'bad_json');
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return sendErr(ws, undefined, 'bad_json');
  switch (msg.t) {
    case 'cmd': return handleCmd(ws, msg);
    case 'join': return handleJoin(ws, msg);
    case 'hello': {
      if (typeof msg.token !== 'string' || (msg.since !== undefined && !Number.isInteger(msg.since))) return sendErr(ws, undefined, 'bad_message');
      const who = auth.get(hash(msg.token));
      if (!who) return sendErr(ws, undefined, 'bad_token');
      return authenticate(ws, who, msg.since ?? 0);
    }
    case 'ping': return sendJson(ws, msg.now !== undefined ? { t: 'pong', now, echo: msg.now } : { t: 'pong', now });
    case undefined: return sendErr(ws, undefined, 'bad_message');
    default: return sendErr(ws, undefined, 'unknown_message');
  }
}

const server = http.createServer((req, res) => {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('staatsprint baseline: only /ws\n');
});
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false, maxPayload: 64 * 1024, clientTracking: true });
wss.on('connection', (ws) => {
  ws.tokens = RATE_BURST;
  ws.tokensAt = Date.now();
  ws.alive = true;
  ws.on('pong', () => { ws.alive = true; });
  ws.on('message', (data, isBinary) => handleMessage(ws, data, isBinary));
  ws.on('close', () => {
    if (ws.chans) for (const k of ws.chans) chanSubs.get(k)?.delete(ws);
  });
  ws.on('error', () => {});
});
// Pings: a connection that answered nothing since the last round is closed.
setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.alive) { ws.terminate(); continue; }
    ws.alive = false;
    ws.ping();
  }
}, 30000).unref();

server.listen(opt.port, opt.bind, () => {
  const base = `http://localhost:${opt.port}`;
  const out = [];
  out.push(`staatsprint-baseline (Node.js ${process.version}) – ${setup.title}`);
  out.push(`Luistert op / listening on ${base}`, '');
  out.push(`Organisator: ${base}/#/o/${setup.organiser}`);
  out.push(`Jury:        ${base}/#/j/${setup.jury}`);
  out.push(`Scherm:      ${base}/#/s/${setup.screen}`);
  let prev = '';
  for (const t of setup.teams) {
    if (t.room !== prev) {
      const r = setup.rooms.find((x) => x.id === t.room);
      out.push('', `Zaal/room ${t.room} – facilitator: ${base}/#/f/${r.token}`);
      prev = t.room;
    }
    out.push(`  Teamcode ${t.name.padEnd(24)} ${t.code}`);
  }
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
});

const stop = () => {
  wss.close();
  server.close();
  db.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
