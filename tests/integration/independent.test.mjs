// An independent protocol client: written from docs/protocol.md alone (and the server start-up
// helpers of lib.mjs), on the bare `ws` package. Every assertion names the protocol.md section
// whose promise it checks. The three places where the server first disagreed with the document
// are kept as tests of their own at the end (ack order, order of refusals, wrong tokens).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer } from './lib.mjs';

const WAIT = 8000;

// ---------------------------------------------------------------------------------------------
// A minimal client: keeps every raw frame (for the hidden-data checks) and every parsed message.
class Conn {
  static open(server, headers) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(server.wsUrl, { headers, maxPayload: 0 });
      const c = new Conn(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
      server.clients.add(ws);
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.raw = [];
    this.msgs = [];
    this.waiters = [];
    this.closed = null;
    this.n = 0;
    ws.on('message', (data, isBinary) => {
      const s = data.toString('utf8');
      this.raw.push(s);
      let m;
      try { m = JSON.parse(s); } catch { m = { t: '__unparsable', s, isBinary }; }
      this.msgs.push(m);
      this.poke();
    });
    ws.on('close', (code, reason) => { this.closed = { code, reason: reason.toString() }; this.poke(); });
    ws.on('error', () => {});
  }

  poke() { for (const w of [...this.waiters]) w(); }

  send(x, opts) { this.ws.send(typeof x === 'string' || Buffer.isBuffer(x) ? x : JSON.stringify(x), opts); }

  mark() { return this.msgs.length; }

  // The first message at index >= from matching pred (waits for it).
  wait(pred, from = 0, timeout = WAIT, what = 'a message') {
    return new Promise((resolve, reject) => {
      let i = from;
      const check = () => {
        for (; i < this.msgs.length; i++) {
          if (pred(this.msgs[i])) { done(); resolve({ m: this.msgs[i], i }); return true; }
        }
        if (this.closed) { done(); reject(new Error(`closed ${JSON.stringify(this.closed)} waiting for ${what}`)); return true; }
        return false;
      };
      const timer = setTimeout(() => { done(); reject(new Error(`timeout waiting for ${what}; last: ${this.raw.slice(-5).join('\n')}`)); }, timeout);
      const done = () => { clearTimeout(timer); this.waiters = this.waiters.filter((w) => w !== check); };
      if (!check()) this.waiters.push(check);
    });
  }

  waitClose(timeout = WAIT) {
    return new Promise((resolve, reject) => {
      const check = () => { if (this.closed) { done(); resolve(this.closed); return true; } return false; };
      const timer = setTimeout(() => { done(); reject(new Error('timeout waiting for close')); }, timeout);
      const done = () => { clearTimeout(timer); this.waiters = this.waiters.filter((w) => w !== check); };
      if (!check()) this.waiters.push(check);
    });
  }

  // hello → welcome … synced, or err.
  async hello(token, since, id) {
    const from = this.mark();
    const h = { t: 'hello', token };
    if (since !== undefined) h.since = since;
    if (id !== undefined) h.id = id;
    this.send(h);
    const { m, i } = await this.wait((x) => x.t === 'welcome' || x.t === 'err', from, WAIT, 'welcome/err');
    if (m.t === 'err') return { err: m };
    const s = await this.wait((x) => x.t === 'synced', i, WAIT, 'synced');
    const events = this.msgs.slice(i, s.i).filter((x) => x.t === 'ev');
    this.welcome = m;
    return { welcome: m, events, synced: s.m, at: i };
  }

  async join(code, name, id = `j-${name}-${Math.random().toString(36).slice(2, 8)}`) {
    const from = this.mark();
    this.send({ t: 'join', id, code, name });
    const { m } = await this.wait((x) => (x.t === 'joined' || x.t === 'err') && x.id === id, from, WAIT, 'joined');
    if (m.t === 'err') return { err: m };
    const w = await this.wait((x) => x.t === 'welcome', from, WAIT, 'welcome after join');
    await this.wait((x) => x.t === 'synced', w.i, WAIT, 'synced after join');
    this.welcome = w.m;
    return { joined: m };
  }

  // A command: resolves {ack} or {err} with the index of the answer.
  async cmd(cmd, args, id = `c${++this.n}-${Math.random().toString(36).slice(2, 7)}`) {
    const from = this.mark();
    const msg = { t: 'cmd', id, cmd };
    if (args !== undefined) msg.args = args;
    this.send(msg);
    const { m, i } = await this.wait((x) => (x.t === 'ack' || x.t === 'err') && x.id === id, from, WAIT, `answer to ${cmd}`);
    return m.t === 'ack' ? { ack: m, i, id, from } : { err: m, i, id, from };
  }

  async ok(cmd, args) {
    const r = await this.cmd(cmd, args);
    assert.ok(r.ack, `${cmd} ${JSON.stringify(args)} should be acked, got ${JSON.stringify(r.err)}`);
    return r;
  }

  events(type) { return this.msgs.filter((m) => m.t === 'ev' && (!type || m.type === type)); }
}

// The sprint as the organiser sees it at hello: links, codes, teams, rooms, playbook.
async function day(server) {
  const org = await Conn.open(server);
  const h = await org.hello(server.organiserToken, 0);
  assert.ok(h.welcome, `the organiser link is accepted (Authentication 1): ${JSON.stringify(h.err)}`);
  const d = { org, codes: new Map(), teams: [], rooms: [], links: [], playbook: null, criteria: null };
  for (const ev of h.events) {
    if (ev.type === 'team.code') d.codes.set(ev.data.team, ev.data.code);
    if (ev.type === 'team.created') d.teams.push(ev.data);
    if (ev.type === 'room.created') d.rooms.push(ev.data);
    if (ev.type === 'links.set') d.links = ev.data.links;
    if (ev.type === 'playbook.set') d.playbook = ev.data;
    if (ev.type === 'jury.criteria') d.criteria = ev.data;
  }
  d.link = (role, room) => (d.links.find((l) => l.role === role && (!room || l.room === room)) || {}).token;
  return d;
}

function stepsOf(pb) {
  if (!pb) return [];
  if (Array.isArray(pb.steps)) return pb.steps;
  if (Array.isArray(pb.phases)) return pb.phases.flatMap((p) => p.steps || []);
  return [];
}

async function as(server, token) {
  const c = await Conn.open(server);
  const h = await c.hello(token, 0);
  assert.ok(h.welcome, `hello with a link token is accepted: ${JSON.stringify(h.err)}`);
  return c;
}

async function participant(server, code, name) {
  const c = await Conn.open(server);
  const r = await c.join(code, name);
  assert.ok(r.joined, `join with a team code is accepted (Authentication 2): ${JSON.stringify(r.err)}`);
  c.member = r.joined.member;
  c.team = r.joined.team;
  c.token = r.joined.token;
  return c;
}

// Every observer has seen everything before an event of audience `all` the organiser makes now.
async function barrier(org, observers) {
  const marker = `barrier-${Math.random().toString(36).slice(2)}`;
  const from = observers.map((o) => o.mark());
  await org.ok('sprint.update', { venue: marker });
  await Promise.all(observers.map((o, k) => o.wait((m) => m.t === 'ev' && m.type === 'sprint.updated' && m.data && m.data.venue === marker, from[k], WAIT, `barrier on ${k}`)));
}

// =============================================================================================
test('life cycle: hello/welcome, join, acks before events, resume with since, since beyond the head', async (t) => {
  const server = await startServer(t);
  const d = await day(server);
  assert.ok(d.teams.length >= 2 && d.codes.size >= 2, 'the default day has teams with join codes');
  const w = d.org.welcome;
  // Envelope: welcome has role, me, sprint, head, now.
  assert.equal(w.role, 'organiser');
  assert.equal(typeof w.head, 'number');
  assert.equal(typeof w.now, 'number');
  assert.ok(w.me && w.me.role === 'organiser');

  const [t1] = d.teams;
  const a = await participant(server, d.codes.get(t1.id), 'Anna');
  assert.equal(a.welcome.role, 'participant', 'a join authenticates as a participant');
  assert.equal(a.welcome.me.team, t1.id);
  assert.equal(a.team, t1.id, '`joined.team` is the team of the code');

  // Join code: case and dashes do not matter.
  const code = d.codes.get(t1.id);
  const b = await participant(server, code.toLowerCase().replace(/-/g, ''), 'Bram');
  assert.equal(b.team, t1.id, 'a join code in lower case without dashes joins the same team');

  // Same join id again on a new connection: same member, fresh token.
  const jid = 'j-same-1';
  const c1 = await Conn.open(server);
  const r1 = await c1.join(code, 'Cor', jid);
  const c2 = await Conn.open(server);
  const r2 = await c2.join(code, 'Cor', jid);
  assert.equal(r2.joined.member, r1.joined.member, 'Authentication 2: the same join id gives the same member');

  // ping → pong with echo.
  let from = a.mark();
  a.send({ t: 'ping', now: 12345 });
  const pong = (await a.wait((m) => m.t === 'pong', from)).m;
  assert.equal(pong.echo, 12345, 'pong.echo repeats the client now');
  assert.equal(typeof pong.now, 'number');

  // Ack order: the ack comes before the command's events; the last one has the ack's seq.
  const wallText = `wall-${Date.now()}`;
  const r = await a.ok('note.add', { text: wallText, board: 'wall' });
  const ev = await a.wait((m) => m.t === 'ev' && m.type === 'note.added' && m.data.text === wallText, 0);
  assert.ok(r.i < ev.i, 'Commands, acks: the ack is sent before the command\'s events reach this connection');
  assert.equal(ev.m.seq, r.ack.seq, 'the last event of the command has exactly the ack\'s seq');
  // The other member gets the event without an ack.
  await b.wait((m) => m.t === 'ev' && m.type === 'note.added' && m.data.text === wallText, 0);
  assert.ok(!b.msgs.some((m) => m.t === 'ack' && m.id === r.id), 'other connections receive the events without an ack');

  // Retry with the same id: applied once, same ack.
  const again = await a.cmd('note.add', { text: wallText, board: 'wall' }, r.id);
  assert.deepEqual(again.ack, r.ack, 'Retries are safe: the second answer is the same ack');

  // Resume: since = the highest seq applied; exactly what was missed, nothing twice.
  const seqs = b.events().map((m) => m.seq);
  for (let k = 1; k < seqs.length; k++) assert.ok(seqs[k] > seqs[k - 1], 'event seqs always increase');
  const since = Math.max(...seqs);
  b.ws.close();
  const missed = [];
  for (let k = 0; k < 3; k++) missed.push((await a.ok('note.add', { text: `missed-${k}`, board: 'wall' })).ack.seq);
  const b2 = await Conn.open(server);
  const hb = await b2.hello(b.token, since);
  assert.ok(hb.welcome, 'hello with the session token of a join');
  assert.equal(hb.welcome.me.member, b.member, 'the session token is the same member');
  const got = hb.events.map((m) => m.seq);
  assert.ok(got.every((s) => s > since), 'resume: only events with seq > since');
  assert.deepEqual(got.filter((s) => missed.includes(s)), missed, 'resume: every missed event exactly once');
  assert.equal(new Set(got).size, got.length, 'nothing twice');
  assert.equal(hb.synced.seq >= Math.max(...missed), true, 'synced covers the missed events');

  // A negative since counts as 0.
  const neg = await (await Conn.open(server)).hello(b.token, -5);
  const zero = await (await Conn.open(server)).hello(b.token, 0);
  assert.deepEqual(neg.events.map((m) => m.seq), zero.events.map((m) => m.seq), 'a negative since counts as 0');

  // since beyond the head: bad_since with head, connection stays unauthenticated.
  const x = await Conn.open(server);
  const head = d.org.welcome.head + 1000000;
  const bs = await x.hello(b.token, head, 'h-beyond');
  assert.equal(bs.err && bs.err.code, 'bad_since', 'since beyond the head → bad_since');
  assert.equal(bs.err.id, 'h-beyond', 'a hello with an id has it echoed');
  assert.equal(typeof bs.err.head, 'number', 'bad_since carries head');
  const nauth = await x.cmd('note.add', { text: 'x' });
  assert.equal(nauth.err && nauth.err.code, 'not_authenticated', 'after bad_since the connection stays unauthenticated');
  const ok = await x.hello(b.token, bs.err.head);
  assert.ok(ok.welcome, 'hello again with since = head is accepted');
  assert.ok(!x.closed, 'connection stays open');

  // A hello on an authenticated connection switches identity.
  const sw = await x.hello(d.link('screen'), 0);
  assert.equal(sw.welcome.role, 'screen', 'a hello on an authenticated connection switches it to the new identity');
});

// =============================================================================================
test('errors: every code a client can provoke, with and without ids', async (t) => {
  const server = await startServer(t);
  const d = await day(server);
  const errAfter = async (c, send, what) => {
    const from = c.mark();
    c.send(...send);
    return (await c.wait((m) => m.t === 'err', from, WAIT, what)).m;
  };

  // Unauthenticated.
  const u = await Conn.open(server);
  let e = await errAfter(u, [{ t: 'cmd', id: 'u-1', cmd: 'note.add', args: { text: 'x' } }], 'not_authenticated');
  assert.equal(e.code, 'not_authenticated'); assert.equal(e.id, 'u-1', 'errors answering a valid id carry it');
  e = await errAfter(u, [{ t: 'hello', token: 'no-such-token' }], 'bad_token');
  assert.equal(e.code, 'bad_token'); assert.equal(e.id, undefined, 'bad_token after a hello without id has no id');
  e = await errAfter(u, [{ t: 'hello', token: 'no-such-token', id: 'h-2' }], 'bad_token id');
  assert.equal(e.code, 'bad_token'); assert.equal(e.id, 'h-2');
  e = await errAfter(u, [{ t: 'join', id: 'j-bad', code: 'ZZZZ-ZZZZ', name: 'X' }], 'bad_code');
  assert.equal(e.code, 'bad_code'); assert.equal(e.id, 'j-bad');
  e = await errAfter(u, [{ t: 'hello' }], 'hello without token');
  assert.equal(e.code, 'bad_message'); assert.equal(e.id, undefined);
  e = await errAfter(u, [{ t: 'hello', id: 'h-3', token: 5 }], 'hello token not a string');
  assert.equal(e.code, 'bad_message'); assert.equal(e.id, 'h-3');

  const a = await participant(server, d.codes.get(d.teams[0].id), 'Anna');
  const cases = [
    ['malformed JSON', '{"t":"cmd",', 'bad_json', undefined],
    ['a JSON array, not an object', '[1,2]', 'bad_json', undefined],
    ['NUL in an object key', '{"t":"ping","a\\u0000b":1}', 'bad_json', undefined],
    ['17 levels deep', JSON.stringify({ t: 'cmd', id: 'deep-1', cmd: 'note.add', args: JSON.parse('{"a":'.repeat(16) + '1' + '}'.repeat(16)) }), 'too_deep', undefined],
    ['16 levels deep is allowed (then a missing text)', JSON.stringify({ t: 'cmd', id: 'deep-16', cmd: 'note.add', args: JSON.parse('{"a":'.repeat(14) + '1' + '}'.repeat(14)) }), 'bad_message', 'deep-16'],
    ['join without id', { t: 'join', code: 'ABCD-EFGH', name: 'X' }, 'bad_message', undefined],
    ['join with a numeric id', { t: 'join', id: 3, code: 'ABCD-EFGH', name: 'X' }, 'bad_message', undefined],
    ['no t', { id: 'no-t', x: 1 }, 'bad_message', 'no-t'],
    ['no t, no id', { x: 1 }, 'bad_message', undefined],
    ['unknown t with id', { t: 'frobnicate', id: 'u-t' }, 'unknown_message', 'u-t'],
    ['unknown t without id', { t: 'frobnicate' }, 'unknown_message', undefined],
    ['cmd without id', { t: 'cmd', cmd: 'note.add', args: { text: 'x' } }, 'bad_message', undefined],
    ['cmd id a number', { t: 'cmd', id: 7, cmd: 'note.add', args: { text: 'x' } }, 'bad_message', undefined],
    ['empty id', { t: 'cmd', id: '', cmd: 'note.add', args: { text: 'x' } }, 'bad_id', undefined],
    ['65-char id', { t: 'cmd', id: 'x'.repeat(65), cmd: 'note.add', args: { text: 'x' } }, 'bad_id', undefined],
    ['id with a space', { t: 'cmd', id: 'a b', cmd: 'note.add', args: { text: 'x' } }, 'bad_id', undefined],
    ['id with é', { t: 'cmd', id: 'caf\u00e9', cmd: 'note.add', args: { text: 'x' } }, 'bad_id', undefined],
    ['join id too long', { t: 'join', id: 'y'.repeat(65), code: 'A', name: 'B' }, 'bad_id', undefined],
    ['unknown command', { t: 'cmd', id: 'uc-1', cmd: 'note.frobnicate', args: {} }, 'unknown_command', 'uc-1'],
    ['cmd without cmd', { t: 'cmd', id: 'nc-1', args: {} }, 'bad_message', 'nc-1'],
    ['args not an object', { t: 'cmd', id: 'ao-1', cmd: 'note.add', args: [1] }, 'bad_message', 'ao-1'],
    ['args a string', { t: 'cmd', id: 'ao-2', cmd: 'note.add', args: 'text' }, 'bad_message', 'ao-2'],
    ['note text missing', { t: 'cmd', id: 'tm-1', cmd: 'note.add', args: { board: 'wall' } }, 'bad_message', 'tm-1'],
    ['note text a number', { t: 'cmd', id: 'tm-2', cmd: 'note.add', args: { text: 5, board: 'wall' } }, 'bad_message', 'tm-2'],
    ['NUL in text', { t: 'cmd', id: 'nul-1', cmd: 'note.add', args: { text: 'a\u0000b', board: 'wall' } }, 'bad_text', 'nul-1'],
    ['lone surrogate', '{"t":"cmd","id":"sur-1","cmd":"note.add","args":{"text":"a\\ud800b","board":"wall"}}', 'bad_text', 'sur-1'],
    ['empty text', { t: 'cmd', id: 'te-1', cmd: 'note.add', args: { text: '   ', board: 'wall' } }, 'text_empty', 'te-1'],
    ['281 code points', { t: 'cmd', id: 'tl-1', cmd: 'note.add', args: { text: '😀'.repeat(281), board: 'wall' } }, 'text_too_long', 'tl-1'],
    ['unknown note', { t: 'cmd', id: 'nf-1', cmd: 'note.delete', args: { note: 'n999999', board: 'wall' } }, 'not_found', 'nf-1'],
  ];
  for (const [what, msg, code, id] of cases) {
    const got = await errAfter(a, [msg], what);
    assert.equal(got.code, code, `Errors table: ${what} → ${code} (got ${JSON.stringify(got)})`);
    assert.equal(got.id, id, `Errors: ${what} → id ${id}`);
    assert.equal(typeof got.nl, 'string'); assert.equal(typeof got.en, 'string');
  }
  // 280 emoji are 280 characters: accepted.
  await a.ok('note.add', { text: '😀'.repeat(280), board: 'wall' });
  // Escapes other than NUL are stored exactly.
  const odd = 'tab\there \u0001 \u2028 😀';
  const r = await a.ok('note.add', { text: odd, board: 'wall' });
  const ev = await a.wait((m) => m.t === 'ev' && m.seq === r.ack.seq, r.from);
  assert.equal(ev.m.data.text, odd, 'bad_text: every other escape is stored exactly');

  // Invalid UTF-8 in a text frame.
  let from = a.mark();
  a.ws._sender.send(Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false, fin: true, opcode: 1, mask: true, readOnly: false, rsv1: false }, () => {});
  const bu = await a.wait((m) => m.t === 'err' || m.t === '__unparsable', from, WAIT, 'bad_utf8').catch((err) => ({ m: { closedWith: a.closed, err: String(err) } }));
  assert.equal(bu.m.code, 'bad_utf8', `invalid UTF-8 → err bad_utf8 and the connection stays open (got ${JSON.stringify(bu.m)})`);
  assert.equal(bu.m.id, undefined);

  // Binary frame.
  e = await errAfter(a, [Buffer.from('{"t":"ping"}'), { binary: true }], 'binary');
  assert.equal(e.code, 'bad_message', 'a binary frame gets bad_message'); assert.equal(e.id, undefined);

  // Exactly 64 KiB is allowed; one byte more closes with 1009.
  const base = JSON.stringify({ t: 'ping', now: 1, pad: '' });
  const exact = JSON.stringify({ t: 'ping', now: 1, pad: 'p'.repeat(65536 - base.length) });
  assert.equal(Buffer.byteLength(exact), 65536);
  from = a.mark();
  a.send(exact);
  await a.wait((m) => m.t === 'pong' || m.t === 'err', from, WAIT, 'answer to a 64 KiB message');
  assert.equal(a.closed, null, 'a message of exactly 64 KiB does not close the connection');
  a.send(JSON.stringify({ t: 'ping', now: 1, pad: 'p'.repeat(65537 - base.length) }));
  const cl = await a.waitClose();
  assert.equal(cl.code, 1009, 'Limits: a message larger than 64 KiB closes with 1009');

  // The connection and the data survive everything above.
  const b = await participant(server, d.codes.get(d.teams[0].id), 'Bram');
  const h = await b.hello(b.token, 0);
  assert.ok(h.events.some((m) => m.type === 'note.added' && m.data.text === odd), 'the data survives');
});

// =============================================================================================
// Roles that the document says may NOT use a command → `forbidden`.
const ORGANISER_ONLY = ['sprint.update', 'challenge.update', 'programme.set', 'room.update', 'room.add',
  'registrations.import', 'assign.run', 'assign.pin', 'assign.move', 'person.delete', 'person.link',
  'jury.add', 'jury.criteria.set', 'jury.tiebreak.set', 'jury.publish'];
const PARTICIPANT_ONLY = ['note.add', 'note.edit', 'note.delete', 'note.share', 'note.move', 'note.place',
  'cluster.add', 'cluster.rename', 'cluster.delete', 'cluster.place', 'cluster.suggest', 'cluster.accept',
  'cluster.undo', 'item.add', 'item.edit', 'item.delete', 'canvas.set', 'milestone.add', 'milestone.edit',
  'milestone.delete', 'vote.place', 'vote.remove', 'vote.done', 'profile.set'];
const STEP_CMDS = ['step.next', 'step.back', 'vote.reveal']; // captain, facilitator, organiser
const TIMER_CMDS = ['timer.start', 'timer.pause', 'timer.resume', 'timer.extend', 'timer.stop']; // timekeeper, facilitator, organiser
const ROOM_CMDS = ['race.start', 'race.end', 'room.message', 'room.sound', 'console.counts']; // facilitator, organiser
const JUROR_CMDS = ['jury.score', 'jury.note', 'jury.recuse']; // a juror
const CHAIR_CMDS = ['jury.lock', 'jury.unlock', 'jury.announce']; // the chair
const CHAIR_ORG = ['jury.open', 'jury.refresh']; // organiser, chair

let STEP0 = 'x';
function argsFor(cmd, team, room, challenge) {
  const base = { team, room };
  const by = {
    'sprint.update': { venue: 'X' }, 'challenge.update': { challenge, title: { nl: 'a', en: 'a' } },
    'programme.set': { items: [] }, 'room.update': { room, name: { nl: 'a', en: 'a' } },
    'room.add': { name: { nl: 'a', en: 'a' }, challenge }, 'registrations.import': { people: [{ name: 'P' }] },
    'assign.run': {}, 'assign.pin': { person: 'p1', team }, 'assign.move': { person: 'p1', team },
    'person.delete': { person: 'p1' }, 'person.link': { person: 'p1', member: 'm1' },
    'jury.add': { name: 'J' }, 'jury.criteria.set': { criteria: [{ id: 'a', name: { nl: 'a', en: 'a' } }] },
    'jury.tiebreak.set': { order: [] }, 'jury.publish': { level: 'full' },
    'note.add': { text: 'forbidden?', board: 'wall' }, 'note.edit': { note: 'n1', text: 'x' }, 'note.delete': { note: 'n1' },
    'note.share': { note: 'n1' }, 'note.move': { note: 'n1', cluster: null }, 'note.place': { note: 'n1', x: 1, y: 1 },
    'cluster.add': { board: 'problems', name: 'x' }, 'cluster.rename': { cluster: 'k1', name: 'x' },
    'cluster.delete': { cluster: 'k1' }, 'cluster.place': { cluster: 'k1', x: 1, y: 1 }, 'cluster.suggest': {},
    'cluster.accept': { suggestion: 's1' }, 'cluster.undo': { batch: 'b1' }, 'item.add': { list: 'l1', text: 'x' },
    'item.edit': { item: 'i1', text: 'x' }, 'item.delete': { item: 'i1' },
    'canvas.set': { canvas: 'vehicle', field: 'driver', text: 'x' }, 'milestone.add': { idea: 'n1', at: 0, kind: 'goal', text: 'x' },
    'milestone.edit': { milestone: 'ms1', text: 'x' }, 'milestone.delete': { milestone: 'ms1' },
    'vote.place': { target: 'i1' }, 'vote.remove': { target: 'i1' }, 'vote.done': {},
    'profile.set': { organisation: 'o', role: 'r', motivation: 'm' },
    'step.back': { step: STEP0 }, 'timer.start': { minutes: 1 }, 'timer.extend': { minutes: 1 },
    'race.start': { minutes: 0.1 }, 'room.message': { text: 'hi' }, 'room.sound': { on: true },
    'jury.score': { criterion: 'a', score: 5 }, 'jury.note': { text: 'x' }, 'jury.recuse': {},
    'vote.decide': { targets: [] }, 'roles.set': { presenter: null }, 'pitch.order.set': { teams: [team] },
  };
  return { ...base, ...(by[cmd] || {}) };
}

test('roles: every command tried by every role the document excludes → forbidden', async (t) => {
  const server = await startServer(t);
  const d = await day(server);
  const [r1, r2] = d.rooms;
  assert.ok(r1 && r2, 'the default day has at least two rooms');
  const t1 = d.teams.find((x) => x.room === r1.id);
  const t2 = d.teams.find((x) => x.room === r2.id);
  const capt = await participant(server, d.codes.get(t1.id), 'Kapitein');
  const memb = await participant(server, d.codes.get(t1.id), 'Lid');
  await d.org.ok('roles.set', { team: t1.id, captain: capt.member, timekeeper: capt.member });
  const fac = await as(server, d.link('facilitator', r1.id));
  const jury = await as(server, d.link('jury'));
  const screen = await as(server, d.link('screen'));
  STEP0 = stepsOf(d.playbook)[0].id; // a real step: the role is checked, not the step
  const roles = { organiser: d.org, facilitator: fac, participant: memb, jury, screen };

  const refused = {
    organiser: [...PARTICIPANT_ONLY, ...JUROR_CMDS, ...CHAIR_CMDS],
    facilitator: [...ORGANISER_ONLY, ...PARTICIPANT_ONLY, ...JUROR_CMDS, ...CHAIR_CMDS, ...CHAIR_ORG],
    participant: [...ORGANISER_ONLY, ...STEP_CMDS, ...TIMER_CMDS, ...ROOM_CMDS, ...JUROR_CMDS, ...CHAIR_CMDS, ...CHAIR_ORG, 'pitch.order.set'],
    jury: [...ORGANISER_ONLY, ...PARTICIPANT_ONLY, ...STEP_CMDS, ...TIMER_CMDS, ...ROOM_CMDS, ...JUROR_CMDS, ...CHAIR_CMDS, ...CHAIR_ORG, 'vote.decide', 'roles.set', 'pitch.order.set'],
    screen: [...ORGANISER_ONLY, ...PARTICIPANT_ONLY, ...STEP_CMDS, ...TIMER_CMDS, ...ROOM_CMDS, ...JUROR_CMDS, ...CHAIR_CMDS, ...CHAIR_ORG, 'vote.decide', 'roles.set', 'pitch.order.set'],
  };
  const wrong = [];
  let tried = 0;
  for (const [role, cmds] of Object.entries(refused)) {
    for (const cmd of cmds) {
      const r = await roles[role].cmd(cmd, argsFor(cmd, t1.id, r1.id, r1.challenge));
      tried++;
      if (!(r.err && r.err.code === 'forbidden')) wrong.push(`${role} ${cmd} → ${JSON.stringify(r.err || r.ack)}`);
    }
  }
  // A facilitator acting on another room's team or room.
  for (const cmd of [...STEP_CMDS, ...TIMER_CMDS, ...ROOM_CMDS, 'roles.set', 'pitch.order.set']) {
    const r = await fac.cmd(cmd, argsFor(cmd, t2.id, r2.id, r2.challenge));
    tried++;
    if (!(r.err && r.err.code === 'forbidden')) wrong.push(`facilitator(r1) ${cmd} on r2/${t2.id} → ${JSON.stringify(r.err || r.ack)}`);
  }
  t.diagnostic(`role refusals tried: ${tried}`);
  assert.deepEqual(wrong, [], 'Roles: every refused role gets `forbidden`');
});

// =============================================================================================
// Drive one team through every step of the playbook; at each step try the step-bound commands
// the step table does not allow → wrong_step; in vote steps check the budgets.
test('steps: wrong_step at every step where the table does not allow a command; budgets of 10, 2 and 3 dots', async (t) => {
  const server = await startServer(t);
  const d = await day(server);
  const steps = stepsOf(d.playbook);
  assert.ok(steps.length > 5, `playbook.set carries the steps (got ${JSON.stringify(d.playbook).slice(0, 300)})`);
  const team = d.teams[0];
  const room = d.rooms.find((r) => r.id === team.room);
  const a = await participant(server, d.codes.get(team.id), 'Anna');
  const b = await participant(server, d.codes.get(team.id), 'Bram');
  await d.org.ok('roles.set', { team: team.id, captain: a.member, timekeeper: a.member });
  const fac = await as(server, d.link('facilitator', room.id));

  const ALLOWED = {
    'note.add': ['brainstorm', 'cluster', 'race'], 'note.share': ['brainstorm'],
    'cluster.add': ['cluster'], 'item.add': ['items'], 'canvas.set': ['canvas'],
    'milestone.add': ['timeline'], 'vote.place': ['vote'], 'vote.done': ['vote'],
  };
  const made = { notes: {}, clusters: {}, items: {}, ideas: [] };
  const budgets = [];
  const wrong = [];
  let tried = 0;
  let stepAt = 0;
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k];
    const act = s.activity;
    const p = s.params || s.parameters || {};
    const board = p.board || 'problems';
    const otherBoard = board === 'problems' ? 'ideas' : 'problems';
    // An existing note of another board, shared, for the edit/delete probes.
    const probes = {
      'note.add': { text: `probe-${k}`, board: act === 'brainstorm' || act === 'cluster' || act === 'race' ? otherBoard : board },
      'note.share': { note: Object.values(made.notes).flat()[0] || 'n1' },
      'cluster.add': { board: Object.keys(made.notes)[0] || 'problems', name: `c${k}` },
      'item.add': { list: act === 'items' ? `not-${p.list}` : (p.list || 'knelpunten'), text: `i${k}` },
      'canvas.set': { canvas: act === 'canvas' ? (p.canvas === 'vehicle' ? 'plan' : 'vehicle') : 'vehicle', field: act === 'canvas' && p.canvas !== 'vehicle' ? 'impact' : 'driver', text: 'x' },
      'milestone.add': { idea: 'n1', at: 0, kind: 'goal', text: 'x' },
      'vote.place': { target: 'i1' }, 'vote.done': {},
    };
    for (const [cmd, acts] of Object.entries(ALLOWED)) {
      // In an allowed step a probe on another board/list/canvas is also wrong_step ("the
      // object belongs to the step"); note.share and vote.* have no such object: skip there.
      if (acts.includes(act) && ['note.share', 'vote.place', 'vote.done', 'milestone.add', 'cluster.add'].includes(cmd)) continue;
      if (acts.includes(act) && cmd === 'note.add' && act === 'race') continue;
      const r = await b.cmd(cmd, probes[cmd]);
      tried++;
      if (!(r.err && r.err.code === 'wrong_step')) wrong.push(`step ${k} ${s.id} (${act}): ${cmd} ${JSON.stringify(probes[cmd])} → ${JSON.stringify(r.err || r.ack)}`);
    }
    if (k === 0) {
      const nb = await d.org.cmd('step.back', { team: team.id, step: steps[1].id });
      assert.equal(nb.err && nb.err.code, 'not_earlier_step', 'Steps and timers: step.back to a later step → not_earlier_step');
      const tp = await a.cmd('timer.pause', {});
      assert.equal(tp.err && tp.err.code, 'timer_state', 'pausing a timer that does not run → timer_state');
      await a.ok('timer.start', { minutes: 5 });
      const te = await a.cmd('timer.extend', { minutes: 31 });
      assert.ok(te.err, 'timer.extend takes 1–30 minutes: 31 is refused');
      await a.ok('timer.stop', {});
    }
    // Do the step's work so that the next steps have something to act on.
    if (act === 'brainstorm') {
      const r = await a.ok('note.add', { text: `idee ${k} burgers`, board });
      (made.notes[board] ||= []).push(r.ack && (await a.wait((m) => m.t === 'ev' && m.seq === r.ack.seq || (m.t === 'ev' && m.type === 'note.added' && m.data.text === `idee ${k} burgers`), r.from)).m.data.id);
      if (p.private) await a.ok('note.share', { note: made.notes[board].at(-1) });
    } else if (act === 'cluster') {
      const r = await a.ok('cluster.add', { board, name: `groep ${k}`, notes: (made.notes[board] || []).slice(0, 1) });
      const ev = await a.wait((m) => m.t === 'ev' && m.type === 'cluster.added' && m.data.name === `groep ${k}`, r.from);
      (made.clusters[board] ||= []).push(ev.m.data.id);
    } else if (act === 'items') {
      for (const txt of [`knelpunt ${k}a`, `knelpunt ${k}b`]) {
        const r = await a.ok('item.add', { list: p.list, text: txt });
        const ev = await a.wait((m) => m.t === 'ev' && m.type === 'item.added' && m.data.text === txt, r.from);
        (made.items[p.list] ||= []).push(ev.m.data.id);
      }
    } else if (act === 'vote') {
      const [kind, what] = String(p.target).split(':');
      const opts = kind === 'list' ? made.items[what] : kind === 'clusters' ? made.clusters[what] : made.notes[what];
      if (opts && opts.length) {
        let placed = 0;
        let last = null;
        for (let n = 0; n < 15; n++) {
          last = await a.cmd('vote.place', { target: opts[0] });
          if (last.err) break;
          placed++;
        }
        budgets.push(placed);
        assert.equal(last.err && last.err.code, 'vote_budget_exhausted', `vote step ${s.id}: one dot over the budget → vote_budget_exhausted`);
        assert.equal(placed, p.budget, `vote step ${s.id}: the budget is the step's (${p.budget})`);
        const rm = await b.cmd('vote.remove', { target: opts[0] });
        assert.equal(rm.err && rm.err.code, 'vote_no_dot', 'removing a dot that is not there → vote_no_dot');
      } else {
        t.diagnostic(`vote step ${s.id}: no options of ${p.target} made by this client`);
      }
      const early = await a.cmd('step.next', {});
      assert.equal(early.err && early.err.code, 'vote_not_revealed', 'leaving a vote step before the reveal → vote_not_revealed');
      const rv = await d.org.cmd('vote.reveal', { team: team.id });
      if (rv.ack) {
        const rev = await a.wait((m) => m.t === 'ev' && m.type === 'vote.revealed' && m.data.step === s.id, rv.from);
        if (rev.m.data.tie) await a.ok('vote.decide', { targets: rev.m.data.tie.candidates.slice(0, rev.m.data.tie.places) });
        if (rev.m.data.selected && rev.m.data.selected.length) made.ideas = rev.m.data.selected;
        const late = await a.cmd('vote.place', { target: opts ? opts[0] : 'x' });
        assert.equal(late.err && late.err.code, 'vote_closed', 'a dot after the reveal → vote_closed');
      }
    } else if (act === 'race') {
      const early = await b.cmd('note.add', { text: 'te vroeg', board });
      assert.equal(early.err && early.err.code, 'race_not_running', 'a race idea without a running round → race_not_running');
      const nx = await d.org.cmd('step.next', { team: team.id });
      assert.equal(nx.err && nx.err.code, 'race_not_started', 'leaving the race step before a round → race_not_started');
      await fac.ok('race.start', { minutes: 1 });
      const idea = await a.ok('note.add', { text: 'race idee een', board });
      const ideaId = (await a.wait((m) => m.t === 'ev' && m.type === 'note.added' && m.data.text === 'race idee een', idea.from)).m.data.id;
      (made.notes[board] ||= []).push(ideaId);
      const sh = await a.cmd('note.share', { note: ideaId });
      assert.equal(sh.err && sh.err.code, 'wrong_step', 'The Idee Race: a round-1 idea cannot be shared early → wrong_step');
      const nx2 = await d.org.cmd('step.next', { team: team.id });
      assert.equal(nx2.err && nx2.err.code, 'race_running', 'leaving while a round runs → race_running');
      await fac.ok('race.end', {});
    }
    if (k === steps.length - 1) {
      const last = await d.org.cmd('step.next', { team: team.id });
      assert.equal(last.err && last.err.code, 'last_step', 'step.next at the last step → last_step');
      break;
    }
    const nx = await a.cmd('step.next', {});
    assert.ok(nx.ack, `the captain moves the team on from ${s.id} (${act}): ${JSON.stringify(nx.err)}`);
    const ch = await a.wait((m) => m.t === 'ev' && m.type === 'step.changed' && m.data.team === team.id && m.data.index === k + 1, nx.from, WAIT, 'step.changed');
    assert.equal(ch.m.data.back, false);
    stepAt = k + 1;
  }
  t.diagnostic(`steps driven: ${stepAt + 1} of ${steps.length}; wrong_step probes: ${tried}; budgets seen: ${budgets.join(',')}`);
  assert.deepEqual(wrong, [], 'Where work may change: wrong_step everywhere the table does not allow the command');
  assert.deepEqual([...budgets].sort((x, y) => x - y), [2, 3, 10], 'README/Dot voting: budgets of 10, 2 and 3 dots');
});

// =============================================================================================
test('hidden data: private note, unrevealed dots, jury note/score, other rooms\' join codes never reach who may not see them', async (t) => {
  const server = await startServer(t);
  const d = await day(server);
  const steps = stepsOf(d.playbook);
  const [r1, r2] = d.rooms;
  const t1 = d.teams.find((x) => x.room === r1.id);
  const t1b = d.teams.find((x) => x.room === r1.id && x.id !== t1.id);
  const t2 = d.teams.find((x) => x.room === r2.id);
  const a = await participant(server, d.codes.get(t1.id), 'Anna');
  const b = await participant(server, d.codes.get(t1.id), 'Bram');
  const other = await participant(server, d.codes.get(t2.id), 'Olga');
  const fac1 = await as(server, d.link('facilitator', r1.id));
  const fac2 = await as(server, d.link('facilitator', r2.id));
  const jury = await as(server, d.link('jury'));
  const screen = await as(server, d.link('screen'));
  await d.org.ok('roles.set', { team: t1.id, captain: a.member, timekeeper: a.member });

  // Join codes: a participant sees only their own team's; a facilitator only their room's;
  // jury and screen none.
  const codeOf = (tm) => d.codes.get(tm.id);
  const leaks = [];
  const noCode = (c, name, tm) => {
    const code = codeOf(tm);
    const variants = [code, code.replace(/-/g, '')];
    if (c.raw.some((f) => variants.some((v) => f.includes(v)))) leaks.push(`${name} received the code of ${tm.id}`);
  };
  for (const tm of d.teams) {
    if (tm.id !== t1.id) { noCode(a, 'member of t1', tm); noCode(b, 'member of t1', tm); }
    if (tm.room !== r1.id) noCode(fac1, 'facilitator r1', tm);
    if (tm.room !== r2.id) noCode(fac2, 'facilitator r2', tm);
    noCode(jury, 'jury', tm); noCode(screen, 'screen', tm);
  }
  assert.ok(t1b, 'room 1 has a second team');
  assert.deepEqual(leaks, [], 'team.code: never to another room\'s facilitator, another team, the jury or a screen');

  // Drive the team to the first private brainstorm.
  const pIdx = steps.findIndex((s) => s.activity === 'brainstorm' && (s.params || {}).private);
  assert.ok(pIdx >= 0, 'the playbook has a private brainstorm');
  for (let k = 0; k < pIdx; k++) {
    const s = steps[k];
    if (s.activity === 'vote') await d.org.ok('vote.reveal', { team: t1.id });
    await d.org.ok('step.next', { team: t1.id });
  }
  const secret = `GEHEIM-prive-${Math.random().toString(36).slice(2)}`;
  const added = await a.ok('note.add', { text: secret });
  const mine = await a.wait((m) => m.t === 'ev' && m.type === 'note.added' && m.data.text === secret, added.from);
  assert.equal(mine.m.data.private, true, 'a note in a private brainstorm is private');
  const observers = [b, other, fac1, fac2, jury, screen];
  await barrier(d.org, [...observers, d.org]);
  const leak = (c) => c.raw.some((f) => f.includes(secret));
  const replays = [];
  for (const tok of [b.token, server.organiserToken, d.link('facilitator', r1.id), d.link('screen'), d.link('jury')]) {
    const c = await Conn.open(server); await c.hello(tok, 0); replays.push(c);
  }
  const seen1 = [...observers, d.org, ...replays].map((c, i) => (leak(c) ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(seen1, [], 'Roles: a private note never reaches a teammate, staff, jury or screen (live or replayed from 0)');

  // Drive on to the first vote step and place dots unrevealed.
  const vIdx = steps.findIndex((s, k) => k > pIdx && s.activity === 'vote');
  for (let k = pIdx; k < vIdx; k++) {
    const s = steps[k];
    if (s.activity === 'brainstorm') await a.ok('note.add', { text: `open notitie ${k}`, board: (s.params || {}).board });
    if (s.activity === 'items') { await a.ok('item.add', { list: s.params.list, text: `knelpunt ${k}` }); }
    if (s.activity === 'cluster') await a.ok('cluster.add', { board: s.params.board, name: `groep ${k}` });
    await d.org.ok('step.next', { team: t1.id });
  }
  const [kind, what] = String(steps[vIdx].params.target).split(':');
  const typeOf = { list: 'item.added', clusters: 'cluster.added', board: 'note.added' }[kind];
  const opt = a.events(typeOf).filter((m) => (m.data.list || m.data.board) === what || kind === 'list').at(-1);
  assert.ok(opt, `an option for ${steps[vIdx].params.target}`);
  const pl = await a.ok('vote.place', { target: opt.data.id });
  const placed = await a.wait((m) => m.t === 'ev' && m.type === 'vote.placed', pl.from);
  assert.equal(placed.m.data.mine, 1);
  await barrier(d.org, [...observers, d.org]);
  const replays2 = [];
  for (const tok of [b.token, server.organiserToken, d.link('facilitator', r1.id)]) {
    const c = await Conn.open(server); await c.hello(tok, 0); replays2.push(c);
  }
  const dotSeen = [...observers, d.org, ...replays2].map((c, i) => (c.msgs.some((m) => m.t === 'ev' && (m.type === 'vote.placed' || m.type === 'vote.revealed')) ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(dotSeen, [], 'Dot voting: dots are hidden, only the voter receives them, until revealed');
  // Staff counts: a total, never per option.
  const cnt = fac1.msgs.filter((m) => m.t === 'counts').flatMap((m) => Object.values(m.teams || {}));
  assert.ok(cnt.every((c) => !JSON.stringify(c).includes(opt.data.id)), 'counts: dots are a total, never per option');
  assert.ok(!a.msgs.some((m) => m.t === 'counts') && !b.msgs.some((m) => m.t === 'counts'), 'Counts never go to the team');
  assert.ok(!a.msgs.some((m) => m.t === 'presence') && !screen.msgs.some((m) => m.t === 'presence'), 'Presence: participants and screens never receive it');

  // Jury: a juror's note and scores before the announcement reach nobody else.
  const ja = await d.org.ok('jury.add', { name: 'Juul', chair: true });
  const link = (await d.org.wait((m) => m.t === 'ev' && m.type === 'jury.link' && m.data.name === 'Juul', ja.from)).m.data.token;
  const jb = await d.org.ok('jury.add', { name: 'Jet' });
  const link2 = (await d.org.wait((m) => m.t === 'ev' && m.type === 'jury.link' && m.data.name === 'Jet', jb.from)).m.data.token;
  const juror = await as(server, link);
  const juror2 = await as(server, link2);
  assert.equal(juror.welcome.role, 'jury');
  let crit = d.criteria && d.criteria.criteria && d.criteria.criteria[0] && d.criteria.criteria[0].id;
  if (!crit) { await d.org.ok('jury.criteria.set', { criteria: [{ id: 'idee', name: { nl: 'Idee', en: 'Idea' } }] }); crit = 'idee'; }
  await juror.ok('jury.open', {});
  const noteSecret = `GEHEIM-jury-${Math.random().toString(36).slice(2)}`;
  await juror.ok('jury.note', { team: t1.id, text: noteSecret });
  const sc = await juror.ok('jury.score', { team: t1.id, criterion: crit, score: 7 });
  await juror.wait((m) => m.t === 'ev' && m.type === 'jury.scored' && m.seq <= sc.ack.seq, sc.from);
  const jobs = [...observers, d.org, juror2];
  await barrier(d.org, jobs);
  const replays3 = [];
  for (const tok of [server.organiserToken, d.link('jury'), link2, d.link('screen'), a.token]) {
    const c = await Conn.open(server); await c.hello(tok, 0); replays3.push(c);
  }
  const juryLeak = [...jobs, ...replays3].map((c, i) => (c.raw.some((f) => f.includes(noteSecret)) || c.msgs.some((m) => m.t === 'ev' && ['jury.scored', 'jury.noted', 'jury.results'].includes(m.type)) ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(juryLeak, [], 'Jury: nothing about scores is public before the announcement; jury.noted is private to the juror');
});

// =============================================================================================
test('rate limit: a flood gets bounded rate_limited answers and the connection stays open', async (t) => {
  const server = await startServer(t);
  const d = await day(server);
  const a = await participant(server, d.codes.get(d.teams[0].id), 'Anna');
  const from = a.mark();
  const N = 600;
  const ids = [];
  const started = Date.now();
  for (let k = 0; k < N; k++) {
    if (k % 3 === 2) a.send({ t: 'ping' });
    else { const id = `fl-${k}`; ids.push(id); a.send({ t: 'cmd', id, cmd: 'no.such', args: {} }); }
  }
  // Every message is either answered on its own or counted in a rate_limited answer.
  const tally = () => {
    const ms = a.msgs.slice(from);
    const answered = ms.filter((m) => m.t === 'pong' || (m.t === 'err' && m.code === 'unknown_command')).length;
    const rl = ms.filter((m) => m.t === 'err' && m.code === 'rate_limited');
    return { answered, rl, counted: rl.reduce((s, m) => s + m.count, 0) };
  };
  await a.wait(() => { const x = tally(); return x.answered + x.counted >= N; }, from, 15000, 'all flood messages accounted for');
  const elapsed = Date.now() - started;
  const { answered, rl, counted } = tally();
  t.diagnostic(`flood: ${answered} answered, ${counted} refused in ${rl.length} rate_limited frames, ${elapsed} ms`);
  assert.equal(answered + counted, N, 'every message is answered or counted once');
  assert.ok(answered >= 200, 'a burst of 200 is accepted');
  assert.ok(rl.length >= 1, 'the flood is refused with rate_limited');
  assert.ok(rl.length <= Math.ceil(elapsed / 200) + 2, `at most five rate_limited answers a second (${rl.length} in ${elapsed} ms)`);
  const refusedIds = rl.flatMap((m) => m.ids);
  for (const m of rl) {
    assert.equal(m.id, undefined, 'rate_limited of the message budget has no id');
    assert.ok(Array.isArray(m.ids) && m.ids.length <= 256 && m.ids.length <= m.count);
    assert.equal(typeof m.retry_ms, 'number');
  }
  const answeredIds = a.msgs.slice(from).filter((m) => m.t === 'err' && m.code === 'unknown_command').map((m) => m.id);
  assert.ok(refusedIds.every((id) => ids.includes(id) && !answeredIds.includes(id)), 'ids lists refused messages, never answered ones');
  assert.equal(a.closed, null, 'the connection stays open');
  await new Promise((r) => setTimeout(r, Math.max(...rl.map((m) => m.retry_ms)) + 50));
  const again = await a.cmd('note.add', { text: 'na de vloed', board: 'wall' });
  assert.ok(again.ack, 'after retry_ms a command is executed again');

  // Wrong tokens: 10 per minute per connection, then rate_limited with the hello's id.
  const x = await Conn.open(server);
  const codes = [];
  for (let k = 0; k < 12; k++) {
    const r = await x.hello(`wrong-${k}`, 0, `wt-${k}`);
    codes.push(r.err && r.err.code);
    assert.equal(r.err.id, `wt-${k}`, 'the refusal carries the hello\'s id');
  }
  assert.deepEqual(codes.slice(0, 10), Array(10).fill('bad_token'), 'the first 10 wrong tokens in a minute → bad_token');
  assert.deepEqual(codes.slice(10), ['rate_limited', 'rate_limited'], 'beyond 10 wrong tokens in a minute → rate_limited');
  assert.equal(x.closed, null);
});

// =============================================================================================
// Promises the server once broke (found by this client, fixed in the server). Each case is one
// request and the answer the document promises.

test('Commands, acks (order of ack and events): the ack comes before all of the command\'s events, also when it has several (cluster.add with notes, 20 round-1 race ideas)', async (t) => {
  const server = await startServer(t);
  const d = await day(server);
  const steps = stepsOf(d.playbook);
  const team = d.teams[0];
  const room = d.rooms.find((r) => r.id === team.room);
  const a = await participant(server, d.codes.get(team.id), 'Anna');
  const fac = await as(server, d.link('facilitator', room.id));
  const rIdx = steps.findIndex((s) => s.activity === 'race');
  const bad = [];
  const before = (r) => a.msgs.slice(r.from, r.i).filter((m) => m.t === 'ev');
  let clustered = 0;
  for (let k = 0; k < rIdx; k++) {
    if (steps[k].activity === 'cluster' && clustered === 0) {
      // Sent: {"t":"cmd","id":…,"cmd":"cluster.add","args":{"board":BOARD,"name":"groep K","notes":[n1,n2,n3]}}
      // → cluster.added, then note.moved per note: the ack goes ahead of all of them.
      const board = steps[k].params.board;
      for (let g = 0; g < 5; g++) {
        const notes = [];
        for (let j = 0; j < 3; j++) {
          const text = `groep ${g} briefje ${j}`;
          const n = await a.ok('note.add', { text, board });
          notes.push((await a.wait((m) => m.t === 'ev' && m.type === 'note.added' && m.data.text === text, n.from, WAIT, 'note.added')).m.data.id);
        }
        const r = await a.ok('cluster.add', { board, name: `groep ${g}`, notes });
        if (before(r).length) bad.push(`cluster.add: ack ${r.ack.seq} after ${before(r).map((m) => `${m.type}#${m.seq}`).join(',')}`);
        clustered++;
      }
    }
    if (steps[k].activity === 'vote') await d.org.ok('vote.reveal', { team: team.id });
    const nx = await d.org.cmd('step.next', { team: team.id });
    if (nx.err && nx.err.code === 'tie_unresolved') t.diagnostic('tie');
  }
  assert.ok(clustered > 0, 'the playbook has a clustering step before the race');
  await fac.ok('race.start', { minutes: 1 });
  for (let k = 0; k < 20; k++) {
    // Sent: {"t":"cmd","id":…,"cmd":"note.add","args":{"text":"race idee K","board":BOARD}}
    const r = await a.ok('note.add', { text: `race idee ${k}`, board: steps[rIdx].params.board });
    if (before(r).length) bad.push(`note.add: ack ${r.ack.seq} after ${before(r).map((m) => `${m.type}#${m.seq}`).join(',')}`);
  }
  assert.deepEqual(bad, [], 'the ack is sent before the command\'s events reach this connection');
});

test('Errors (order of refusals): the role is refused before the step – vote.decide by non-captains at the intro, step.back to an unknown step by a non-captain', async (t) => {
  const server = await startServer(t);
  const d = await day(server);
  const [r1] = d.rooms;
  const t1 = d.teams.find((x) => x.room === r1.id);
  const capt = await participant(server, d.codes.get(t1.id), 'Kapitein');
  const memb = await participant(server, d.codes.get(t1.id), 'Lid');
  await d.org.ok('roles.set', { team: t1.id, captain: capt.member });
  const fac = await as(server, d.link('facilitator', r1.id));
  const got = [];
  // vote.decide: "who: captain" → everyone else forbidden (role is checked before the step).
  for (const [name, c] of [['organiser', d.org], ['facilitator', fac], ['participant (not captain)', memb]]) {
    const r = await c.cmd('vote.decide', { team: t1.id, targets: [] });
    got.push(`${name} vote.decide → ${r.err && r.err.code}`);
  }
  // step.back: "who: captain, facilitator, organiser" → a non-captain is forbidden whatever the step.
  const r = await memb.cmd('step.back', { step: 'no-such-step' });
  got.push(`participant (not captain) step.back {step:"no-such-step"} → ${r.err && r.err.code}`);
  assert.deepEqual(got, [
    'organiser vote.decide → forbidden',
    'facilitator vote.decide → forbidden',
    'participant (not captain) vote.decide → forbidden',
    'participant (not captain) step.back {step:"no-such-step"} → forbidden',
  ], 'role before step');
});

test('Limits: 10 wrong tokens per minute per connection are answered bad_token, the 11th rate_limited', async (t) => {
  const server = await startServer(t);
  const x = await Conn.open(server);
  const codes = [];
  for (let k = 0; k < 11; k++) codes.push((await x.hello(`wrong-${k}`, 0, `wt-${k}`)).err.code);
  assert.deepEqual(codes, [...Array(10).fill('bad_token'), 'rate_limited'], 'the 10th wrong token is still bad_token');
});
