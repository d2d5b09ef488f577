// outsider.test.mjs – a client written from docs/protocol.md alone: it uses only the start-up
// helper of lib.mjs (a server on a free port with a fresh database) and speaks the protocol
// with its own small WebSocket client. It tries every command of the step table with every
// role at every step, the staff commands with the wrong roles, every kind of bad input the
// document names, a flood, and `since` beyond the head – and asserts the documented answers,
// that every error code it meets is documented, and that no hidden data reaches anyone.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startServer } from './lib.mjs';

const DOC = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/protocol.md'), 'utf8');
// The codes of the document's error table ("| `code` | when |" rows of the Errors section).
const ERRORS = DOC.slice(DOC.indexOf('## Errors'), DOC.indexOf('## Roles and what they see'));
const DOCUMENTED = new Set([...ERRORS.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]));

// "Where work may change": command → activities (from the document's table).
const TABLE = {
  'note.share': ['brainstorm'],
  'note.move': ['cluster'], 'cluster.add': ['cluster'], 'cluster.rename': ['cluster'], 'cluster.delete': ['cluster'],
  'cluster.suggest': ['cluster'], 'cluster.accept': ['cluster'], 'cluster.undo': ['cluster'],
  'item.add': ['items'], 'item.edit': ['items'], 'item.delete': ['items'],
  'canvas.set': ['canvas'],
  'milestone.add': ['timeline'], 'milestone.edit': ['timeline'], 'milestone.delete': ['timeline'],
  'vote.place': ['vote'], 'vote.remove': ['vote'], 'vote.done': ['vote'],
};
const STAFF_CMDS = ['step.next', 'step.back', 'timer.start', 'timer.pause', 'timer.resume', 'timer.extend', 'timer.stop', 'vote.reveal', 'race.start', 'race.end', 'room.message', 'console.counts'];

let seq = 0;
const nid = (p = 'o') => `${p}-${process.pid}-${++seq}`;
const seen = new Set();   // every err code any client received

class Peer {
  constructor(url, opts = {}) {
    this.frames = [];
    this.text = [];
    this.waiters = [];
    this.ws = new WebSocket(url, { perMessageDeflate: false, ...opts });
    this.open = new Promise((ok, fail) => { this.ws.once('open', ok); this.ws.once('error', fail); });
    this.closed = new Promise((ok) => this.ws.once('close', (code) => ok(code)));
    this.ws.on('message', (data, binary) => {
      const raw = binary ? '' : data.toString('utf8');
      this.text.push(raw);
      let m;
      try { m = JSON.parse(raw); } catch { return; }
      if (m.t === 'err') seen.add(m.code);
      this.frames.push(m);
      for (const w of [...this.waiters]) if (w.pred(m)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.ok(m); }
    });
  }
  static async connect(srv) { const p = new Peer(`ws://127.0.0.1:${srv.port}/ws`); await p.open; return p; }
  send(o) { this.ws.send(typeof o === 'string' ? o : JSON.stringify(o)); }
  next(pred, what = 'a message', ms = 8000) {
    const from = this.frames.length;
    return this.after(from, pred, what, ms);
  }
  after(from, pred, what, ms = 8000) {
    const hit = this.frames.slice(from).find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((ok, fail) => {
      const w = { pred, ok };
      this.waiters.push(w);
      setTimeout(() => { const i = this.waiters.indexOf(w); if (i >= 0) { this.waiters.splice(i, 1); fail(new Error(`timed out waiting for ${what}; last: ${this.text.slice(-3).join(' | ')}`)); } }, ms);
    });
  }
  // A command until it has its answer: a rate_limited answer that names it (or only counts
  // more than it names) means "resend after retry_ms", as the document says.
  async cmd(cmd, args = {}) {
    const id = nid();
    for (let attempt = 0; attempt < 20; attempt++) {
      const from = this.frames.length;
      this.send({ t: 'cmd', id, cmd, args });
      const r = await this.after(from, (m) => ((m.t === 'ack' || m.t === 'err') && m.id === id) ||
        (m.t === 'err' && m.code === 'rate_limited' && m.id === undefined && (m.ids.includes(id) || m.count > m.ids.length)), `the answer to ${cmd}`);
      if (r.id === id) return r;
      await new Promise((ok) => setTimeout(ok, r.retry_ms + 10));
    }
    throw new Error(`${cmd} was rate-limited 20 times`);
  }
  async hello(token, since = 0) {
    const from = this.frames.length;
    this.send({ t: 'hello', token, since });
    const w = await this.after(from, (m) => m.t === 'welcome' || m.t === 'err', 'welcome');
    if (w.t === 'err') return { err: w };
    await this.after(from, (m) => m.t === 'synced', 'synced');
    return { welcome: w, events: this.frames.slice(from).filter((m) => m.t === 'ev') };
  }
  async join(code, name) {
    const id = nid('j');
    const from = this.frames.length;
    this.send({ t: 'join', id, code, name });
    const j = await this.after(from, (m) => (m.t === 'joined' || m.t === 'err') && m.id === id, 'joined');
    assert.equal(j.t, 'joined', JSON.stringify(j));
    await this.after(from, (m) => m.t === 'synced', 'synced after join');
    this.me = j.member;
    this.team = j.team;
    this.token = j.token;
    return j;
  }
  get events() { return this.frames.filter((m) => m.t === 'ev'); }
  get raw() { return this.text.join('\n'); }
}

async function world(t) {
  const srv = await startServer(t);
  const org = await Peer.connect(srv);
  const h = await org.hello(srv.organiserToken);
  assert.ok(!h.err);
  const teams = h.events.filter((e) => e.type === 'team.created').map((e) => e.data);
  const codes = new Map(h.events.filter((e) => e.type === 'team.code').map((e) => [e.data.team, e.data.code]));
  const links = h.events.find((e) => e.type === 'links.set').data.links;
  const playbook = h.events.find((e) => e.type === 'playbook.set').data;
  const steps = playbook.phases.flatMap((p) => p.steps);
  const t1 = teams[0];
  const t2 = teams.find((x) => x.id !== t1.id && x.room === t1.room);
  const tOther = teams.find((x) => x.room !== t1.room);
  const as = async (token) => { const p = await Peer.connect(srv); const r = await p.hello(token); assert.ok(!r.err, JSON.stringify(r.err)); return p; };
  const link = (role, room) => links.find((l) => l.role === role && (!room || l.room === room)).token;
  const w = {
    srv, org, teams, codes, steps, t1, t2, tOther, link,
    fac: await as(link('facilitator', t1.room)),
    facOther: await as(link('facilitator', tOther.room)),
    jury: await as(link('jury')),
    screen: await as(link('screen')),
  };
  for (const [k, team, name] of [['a', t1, 'Anna'], ['b', t1, 'Bram'], ['c', t2, 'Cor'], ['d', tOther, 'Dina']]) {
    w[k] = await Peer.connect(srv);
    await w[k].join(codes.get(team.id), name);
  }
  assert.equal((await w.a.cmd('roles.set', { captain: w.a.me, timekeeper: w.a.me })).t, 'ack');
  return w;
}

// The organiser moves team t1 one step on, settling what the document says blocks it.
async function stepOn(w) {
  const r = await w.org.cmd('step.next', { team: w.t1.id });
  if (r.t === 'ack') return;
  if (r.code === 'vote_not_revealed') assert.equal((await w.org.cmd('vote.reveal', { team: w.t1.id })).t, 'ack');
  else if (r.code === 'race_not_started') {
    assert.equal((await w.org.cmd('race.start', { room: w.t1.room, minutes: 5 })).t, 'ack');
    assert.equal((await w.org.cmd('race.end', { room: w.t1.room })).t, 'ack');
  } else assert.fail(`step.next: undocumented refusal ${JSON.stringify(r)}`);
  assert.equal((await w.org.cmd('step.next', { team: w.t1.id })).t, 'ack');
}

test('outsider: every table command with every role at every step gets the documented answer; staff commands refuse the wrong roles', { timeout: 180000 }, async (t) => {
  const w = await world(t);
  const others = { org: w.org, fac: w.fac, facOther: w.facOther, jury: w.jury, screen: w.screen };
  let checked = 0;
  for (let i = 0; i < w.steps.length; i++) {
    const act = w.steps[i].activity;
    for (const [cmd, acts] of Object.entries(TABLE)) {
      const r = await w.b.cmd(cmd, {});
      if (acts.includes(act)) assert.notEqual(r.code, 'wrong_step', `${cmd} at ${w.steps[i].id} (${act}) must be allowed, got ${JSON.stringify(r)}`);
      else assert.equal(r.code, 'wrong_step', `${cmd} at ${w.steps[i].id} (${act}) must be wrong_step, got ${JSON.stringify(r)}`);
      for (const [who, p] of Object.entries(others)) {
        const o = await p.cmd(cmd, { team: w.t1.id });
        assert.equal(o.code, 'forbidden', `${cmd} by ${who} must be forbidden, got ${JSON.stringify(o)}`);
      }
      checked += 1;
    }
    // Wall notes are open at every step.
    const wall = await w.b.cmd('note.add', { board: 'wall', text: `muur ${i}` });
    assert.equal(wall.t, 'ack', `a wall note at ${w.steps[i].id}: ${JSON.stringify(wall)}`);
    if (i + 1 < w.steps.length) await stepOn(w);
  }
  assert.equal((await w.org.cmd('step.next', { team: w.t1.id })).code, 'last_step');
  assert.ok(checked >= w.steps.length * Object.keys(TABLE).length);
  for (const cmd of STAFF_CMDS) {
    for (const [who, p] of [['jury', w.jury], ['screen', w.screen]]) {
      const r = await p.cmd(cmd, { team: w.t1.id, room: w.t1.room });
      assert.equal(r.code, 'forbidden', `${cmd} by ${who}: ${JSON.stringify(r)}`);
    }
    // Another room's facilitator never acts on t1: refused, or (commands that default to the
    // facilitator's own room) about their own room – where no team is at the race step.
    const r = await w.facOther.cmd(cmd, { team: w.t1.id });
    const ownRoom = ['race.start', 'race.end', 'room.message', 'console.counts'].includes(cmd);
    assert.ok(['forbidden', 'bad_message'].includes(r.code) || (ownRoom && (r.t === 'ack' || ['wrong_step', 'race_not_running'].includes(r.code))), `${cmd} by another room's facilitator on ${w.t1.id}: ${JSON.stringify(r)}`);
  }
  for (const cmd of ['step.next', 'step.back', 'timer.start', 'vote.reveal']) {
    const r = await w.b.cmd(cmd, { step: 'intro' });
    assert.equal(r.code, 'forbidden', `${cmd} by a member who is neither captain nor timekeeper: ${JSON.stringify(r)}`);
  }
  for (const code of seen) assert.ok(DOCUMENTED.has(code), `the server sent err code ${code}, which docs/protocol.md does not list`);
});

// Who may send what, as the document's tables say it (roles not listed get `forbidden`).
const DOC_ROLES = {
  organiser: ['sprint.update', 'challenge.update', 'programme.set', 'room.update', 'room.add', 'registrations.import', 'assign.run', 'assign.pin', 'assign.move', 'person.delete', 'person.link', 'jury.add', 'jury.criteria.set', 'jury.tiebreak.set'],
  staff: ['race.start', 'race.end', 'room.message', 'console.counts', 'pitch.order.set'],
  jurors: ['jury.score', 'jury.note', 'jury.recuse', 'jury.lock', 'jury.unlock', 'jury.announce'],
  juryOrOrganiser: ['jury.open', 'jury.refresh'],
};

test('outsider: every other command refuses the roles its table does not name', { timeout: 60000 }, async (t) => {
  const w = await world(t);
  const roles = { organiser: w.org, facilitator: w.fac, jury: w.jury, screen: w.screen, participant: w.b };
  const allowed = { organiser: ['organiser'], staff: ['organiser', 'facilitator'], jurors: ['jury'], juryOrOrganiser: ['organiser', 'jury'] };
  let n = 0;
  for (const [group, cmds] of Object.entries(DOC_ROLES)) {
    for (const cmd of cmds) {
      for (const [role, p] of Object.entries(roles)) {
        if (allowed[group].includes(role)) continue;
        const r = await p.cmd(cmd, {});
        assert.equal(r.code, 'forbidden', `${cmd} by the ${role}: ${JSON.stringify(r)}`);
        n += 1;
      }
    }
  }
  assert.ok(n > 80);
  for (const code of seen) assert.ok(DOCUMENTED.has(code), `err code ${code} is not in docs/protocol.md`);
});

test('outsider: bad input gets the documented error, with the id whenever the message had one; the connection survives', { timeout: 60000 }, async (t) => {
  const w = await world(t);
  const p = w.b;
  const err = async (raw, what) => {
    const from = p.frames.length;
    p.send(raw);
    const e = await p.after(from, (m) => m.t === 'err', what);
    return e;
  };
  const cases = [
    ['not json', 'bad_json', undefined],
    ['[1,2]', 'bad_json', undefined],
    ['{"t":"cmd","id":"x1","cmd":"note.add","args":{"text":"a"}', 'bad_json', undefined],
    [`${'{"a":'.repeat(17)}1${'}'.repeat(17)}`, 'too_deep', undefined],
    ['{"id":"x2"}', 'bad_message', 'x2'],
    ['{"t":"dance","id":"x3"}', 'unknown_message', 'x3'],
    ['{"t":"cmd","cmd":"note.add","args":{"text":"a"}}', 'bad_message', undefined],
    ['{"t":"cmd","id":5,"cmd":"note.add","args":{"text":"a"}}', 'bad_message', undefined],
    [`{"t":"cmd","id":"${'x'.repeat(65)}","cmd":"note.add","args":{"text":"a"}}`, 'bad_id', undefined],
    ['{"t":"cmd","id":"has space","cmd":"note.add","args":{"text":"a"}}', 'bad_id', undefined],
    ['{"t":"cmd","id":"x4","cmd":"note.add","args":[1]}', 'bad_message', 'x4'],
    ['{"t":"cmd","id":"x5","cmd":"no.such.thing","args":{}}', 'unknown_command', 'x5'],
    ['{"t":"cmd","id":"x6","cmd":"note.add","args":{"text":"a\\u0000b"}}', 'bad_text', 'x6'],
    ['{"t":"cmd","id":"x7","cmd":"note.add","args":{"text":"a\\udfffb"}}', 'bad_text', 'x7'],
    ['{"t":"cmd","id":"x8","cmd":"note.add","args":{"text":"   "}}', 'text_empty', 'x8'],
    [JSON.stringify({ t: 'cmd', id: 'x9', cmd: 'note.add', args: { board: 'wall', text: '😀'.repeat(281) } }), 'text_too_long', 'x9'],
    ['{"t":"cmd","id":"x10","cmd":"note.edit","args":{"note":"n999999","text":"a"}}', 'not_found', 'x10'],
    ['{"t":"hello","id":"x11"}', 'bad_message', 'x11'],
    ['{"t":"hello","id":"x12","token":"nope"}', 'bad_token', 'x12'],
  ];
  for (const [raw, code, id] of cases) {
    const e = await err(raw, `the error for ${raw.slice(0, 60)}`);
    assert.equal(e.code, code, `${raw.slice(0, 80)} → ${JSON.stringify(e)}`);
    assert.equal(e.id, id, `${raw.slice(0, 80)}: id ${JSON.stringify(e.id)}, expected ${id}`);
    assert.ok(typeof e.nl === 'string' && typeof e.en === 'string');
  }
  // Invalid UTF-8 and a binary frame.
  p.ws.send(Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), { binary: false });
  assert.equal((await p.next((m) => m.t === 'err', 'bad_utf8')).code, 'bad_utf8');
  p.ws.send(Buffer.from('{"t":"ping"}'), { binary: true });
  assert.equal((await p.next((m) => m.t === 'err', 'binary')).code, 'bad_message');
  // Exactly 280 code points of emoji (560 UTF-16 units) is allowed; escapes come back exactly.
  assert.equal((await p.cmd('note.add', { board: 'wall', text: '😀'.repeat(280) })).t, 'ack');
  const text = 'tab\there \u0001 \u2028 é e\u0301 \ufeff';
  const ack = await p.cmd('note.add', { board: 'wall', text });
  assert.equal(ack.t, 'ack');
  // The ack comes before the command's event; the event carries the ack's seq.
  const ackAt = p.frames.indexOf(ack);
  const ev = await p.after(ackAt, (m) => m.t === 'ev' && m.seq === ack.seq, 'the note event');
  assert.ok(p.frames.indexOf(ev) > ackAt, 'the ack precedes its event');
  assert.equal(ev.data.text, text);
  // Still usable; a message over 64 KiB closes with 1009 (on its own connection).
  assert.equal((await p.cmd('note.add', { board: 'wall', text: 'nog steeds open' })).t, 'ack');
  const big = await Peer.connect(w.srv);
  big.send(`{"t":"ping","now":"${'x'.repeat(70 * 1024)}"}`);
  assert.equal(await big.closed, 1009);
  // Before authentication.
  const anon = await Peer.connect(w.srv);
  const na = await anon.cmd('note.add', { text: 'x' });
  assert.equal(na.code, 'not_authenticated');
  // since beyond the head.
  const h = await anon.hello(w.srv.organiserToken, 1e12);
  assert.equal(h.err.code, 'bad_since');
  assert.ok(Number.isInteger(h.err.head));
  const h2 = await anon.hello(w.srv.organiserToken, h.err.head);
  assert.ok(!h2.err && h2.welcome.head >= h.err.head);
  for (const code of seen) assert.ok(DOCUMENTED.has(code), `err code ${code} is not in docs/protocol.md`);
});

test('outsider: a flood is limited, never closed; every message is accounted for', { timeout: 60000 }, async (t) => {
  const w = await world(t);
  const p = w.d;
  const from = p.frames.length;
  const N = 3000;
  const ids = [];
  for (let i = 0; i < N; i++) {
    if (i % 3 === 0) { const id = nid('f'); ids.push(id); p.send({ t: 'cmd', id, cmd: 'note.add', args: { board: 'wall', text: `f${i}` } }); } else p.send({ t: 'ping', now: i });
  }
  const done = () => {
    const ms = p.frames.slice(from);
    const pongs = ms.filter((m) => m.t === 'pong').length;
    const answered = ms.filter((m) => (m.t === 'ack' || m.t === 'err') && m.id).length;
    const lim = ms.filter((m) => m.t === 'err' && m.code === 'rate_limited' && m.id === undefined);
    return { pongs, answered, lim, counted: lim.reduce((n, m) => n + m.count, 0) };
  };
  const deadline = Date.now() + 40000;
  while (done().pongs + done().answered + done().counted < N) {
    assert.ok(Date.now() < deadline, `not every message was answered: ${JSON.stringify({ ...done(), lim: done().lim.length })}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const d = done();
  assert.equal(d.pongs + d.answered + d.counted, N);
  assert.equal(p.ws.readyState, WebSocket.OPEN, 'the connection stays open');
  const limitedIds = new Set(d.lim.flatMap((m) => m.ids));
  const answered = () => new Set(p.frames.slice(from).filter((m) => (m.t === 'ack' || m.t === 'err') && m.id).map((m) => m.id));
  const onlyCounted = d.lim.some((m) => m.count > m.ids.length);
  for (const m of d.lim) assert.ok(Number.isInteger(m.retry_ms) && m.retry_ms >= 0 && m.ids.length <= m.count);
  if (!onlyCounted) for (const id of ids) assert.ok(limitedIds.has(id) || answered().has(id), `command ${id} vanished`);
  // As documented: resend what has no answer, at the rate; each gets its ack, once.
  const missing = ids.filter((id) => !answered().has(id));
  assert.ok(missing.length > 0, 'the flood must have been limited');
  await new Promise((ok) => setTimeout(ok, 2100));
  for (const [i, id] of missing.entries()) {
    p.send({ t: 'cmd', id, cmd: 'note.add', args: { board: 'wall', text: `again ${id}` } });
    if (i % 50 === 49) await new Promise((ok) => setTimeout(ok, 600));
  }
  const deadline2 = Date.now() + 30000;
  while (!missing.every((id) => answered().has(id))) {
    assert.ok(Date.now() < deadline2, `resent commands unanswered: ${missing.filter((id) => !answered().has(id)).length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(p.ws.readyState, WebSocket.OPEN);
});

test('outsider: nothing hidden reaches anyone who may not see it, live or in a replay from 0', { timeout: 120000 }, async (t) => {
  const w = await world(t);
  // To the private brain dump, the first vote, and the race.
  while (w.steps[w.org.events.filter((e) => e.type === 'step.changed' && e.data.team === w.t1.id).pop()?.data.index ?? 0].id !== 'p1-dump') await stepOn(w);
  const secret = `geheim-${nid()}`;
  assert.equal((await w.a.cmd('note.add', { text: secret })).t, 'ack');
  // A marker everyone receives after anything the note could have caused.
  const everyone = [w.a, w.b, w.c, w.d, w.fac, w.facOther, w.org, w.jury, w.screen];
  const mark = async (venue) => {
    const from = everyone.map((p) => p.frames.length);
    const r = await w.org.cmd('sprint.update', { venue });
    assert.equal(r.t, 'ack', JSON.stringify(r));
    for (const [i, p] of everyone.entries()) await p.after(from[i], (m) => m.t === 'ev' && m.seq >= r.seq, `the marker ${venue}`);
  };
  await mark('Zaal A');
  for (const [who, p] of Object.entries({ b: w.b, c: w.c, d: w.d, fac: w.fac, facOther: w.facOther, org: w.org, jury: w.jury, screen: w.screen })) {
    assert.ok(!p.raw.includes(secret), `a private note reached ${who}`);
  }
  // Join codes: a member knows their own only; a facilitator their room's; jury and screen none.
  for (const [team, code] of w.codes) {
    const room = w.teams.find((x) => x.id === team).room;
    for (const [who, p] of Object.entries({ a: w.a, c: w.c, d: w.d })) if (team !== p.team) assert.ok(!p.raw.includes(code), `${who} received the code of ${team}`);
    if (room !== w.t1.room) assert.ok(!w.fac.raw.includes(code), `the facilitator of ${w.t1.room} received the code of ${team}`);
    if (room !== w.tOther.room) assert.ok(!w.facOther.raw.includes(code), `the facilitator of ${w.tOther.room} received the code of ${team}`);
    assert.ok(!w.jury.raw.includes(code) && !w.screen.raw.includes(code), `jury or screen received a join code`);
  }
  // The same in a replay from 0, for every link role.
  for (const [who, token, room] of [['organiser', w.srv.organiserToken, null], ['facilitator', w.link('facilitator', w.tOther.room), w.tOther.room], ['jury', w.link('jury'), null], ['screen', w.link('screen'), null]]) {
    const p = await Peer.connect(w.srv);
    const h = await p.hello(token, 0);
    assert.ok(!h.err);
    assert.ok(!p.raw.includes(secret), `the ${who} receives a private note in a replay`);
    for (const [team, code] of w.codes) {
      const teamRoom = w.teams.find((x) => x.id === team).room;
      if (who === 'organiser' || (who === 'facilitator' && teamRoom === room)) continue;
      assert.ok(!p.raw.includes(code), `the ${who}${room ? ` of ${room}` : ''} receives the code of ${team} in a replay`);
    }
  }
  // Session tokens never reach anyone else.
  for (const p of [w.a, w.b, w.c, w.d]) for (const q of [w.org, w.fac, w.jury, w.screen]) assert.ok(!q.raw.includes(p.token ?? '\u0000'), 'a session token leaked');
  // Dots are hidden until the reveal.
  while (w.steps[w.org.events.filter((e) => e.type === 'step.changed' && e.data.team === w.t1.id).pop().data.index].id !== 'p1-knelpunten') await stepOn(w);
  const item = await w.a.cmd('item.add', { text: 'een knelpunt' });
  const itemEv = await w.a.after(w.a.frames.indexOf(item), (m) => m.t === 'ev' && m.seq === item.seq, 'item.added');
  await stepOn(w);
  const dot = await w.b.cmd('vote.place', { target: itemEv.data.id });
  assert.equal(dot.t, 'ack');
  await mark('Zaal B');
  for (const [who, p] of Object.entries({ a: w.a, fac: w.fac, org: w.org, c: w.c })) {
    assert.ok(!p.events.some((e) => e.type === 'vote.placed'), `a hidden dot reached ${who}`);
  }
  assert.ok(w.b.events.some((e) => e.type === 'vote.placed'), 'the voter sees the own dot');
});
