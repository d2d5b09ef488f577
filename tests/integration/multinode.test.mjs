// Several nodes on one PostgreSQL (src/net/cluster.c): two `serve --db postgresql://…` nodes,
// clients of one team on both. Events from either node reach the clients of both, in order;
// one node is killed with SIGKILL while several writers keep commands in flight (the leader
// in one test, a follower in another): every acknowledged command reaches every surviving
// client exactly once, in order, and the clients of the dead node resume on the survivor
// with `since` and receive exactly what they missed.
//
// A private PostgreSQL server (scripts/pg-test-server) is started for this file and stopped
// at the end, also when a test fails; every test gets a database of its own.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Server, Client, REPO_DIR, organiser, sleep } from './lib.mjs';

const PG_SCRIPT = `${REPO_DIR}/scripts/pg-test-server`;
const PSQL = `${process.env.PGBIN || '/usr/lib/postgresql/15/bin'}/psql`;
const WRITERS_PER_NODE = 2;
const WINDOW = 4;             // commands in flight per writer
const GAP_MS = 15;            // between two sends: below the server's 100 messages/s limit
const LOAD_BEFORE_KILL_MS = 2500;
const LOAD_AFTER_KILL_MS = 4000;

let pgUri = null;
let dbCount = 0;

function stopPg() {
  if (!pgUri) return;
  const u = pgUri;
  pgUri = null;
  try { execFileSync(PG_SCRIPT, ['stop', u], { stdio: 'ignore' }); } catch { /* already gone */ }
}
// Also when the runner dies without its hooks: no PostgreSQL left behind.
process.on('exit', stopPg);

before(() => {
  pgUri = execFileSync(PG_SCRIPT, ['start'], { encoding: 'utf8' }).trim();
});
after(stopPg);

// A fresh database on the private server; returns its URI.
function freshDb() {
  dbCount += 1;
  const name = `multinode_${process.pid}_${dbCount}`;
  execFileSync(PSQL, [pgUri, '-qAt', '-c', `CREATE DATABASE ${name}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  return pgUri.replace(/\/staatsprint_test\?/, `/${name}?`);
}

function psql(uri, sql) {
  return execFileSync(PSQL, [uri, '-qAt', '-c', sql], { encoding: 'utf8' }).trim();
}

async function node(t, uri) {
  const s = new Server();
  s.db = uri;
  await s.spawn();
  t.after(async () => {
    await s.stop();
    const rep = s.sanitizerReport();
    if (rep) throw new Error(`node on port ${s.port} printed a sanitizer report:\n${rep}`);
  });
  return s;
}

const LEADS = /deze node leidt nu/;

const wanted2 = (events, texts) => events.filter((e) => e.type === 'note.added' && texts.includes(e.data.text));

async function waitLeader(s, timeout = 20000) {
  const deadline = Date.now() + timeout;
  while (!LEADS.test(s.stderr)) {
    if (Date.now() > deadline) throw new Error(`node on port ${s.port} did not become the leader\n${s.output()}`);
    if (!s.alive()) throw new Error(`node on port ${s.port} exited\n${s.output()}`);
    await sleep(50);
  }
}

// Two nodes on one new database; a leads, b follows.
async function twoNodes(t) {
  const uri = freshDb();
  const a = await node(t, uri);
  await waitLeader(a);
  const b = await node(t, uri);
  b.organiserToken = a.organiserToken;
  return { uri, a, b };
}

// A member session that survives its node: every event received on any of its connections
// is kept in `events`, in arrival order; after a drop it resumes on another node with since.
class Session {
  constructor(name, token, member) {
    this.name = name;
    this.token = token;
    this.member = member;
    this.events = [];
    this.client = null;
    this.sent = new Map();       // id → text
    this.acked = new Map();      // id → seq
    this.unanswered = new Set();
    this.refused = [];
    this.resumes = [];           // {since, got: [seq…]} per resume
  }

  get lastSeq() { return this.events.length ? this.events[this.events.length - 1].seq : 0; }

  async attach(server, since) {
    const c = await Client.connect(server);
    const from = c.frames.length;
    const h = await c.hello(this.token, since, 20000);
    if (h.err) throw new Error(`${this.name}: hello on port ${server.port} refused: ${JSON.stringify(h.err)}`);
    // Everything after welcome on this connection counts, the replay and the live part.
    let seen = from;
    const take = () => {
      for (; seen < c.frames.length; seen++) {
        const m = c.frames[seen].msg;
        if (m && m.t === 'ev') this.events.push(m);
      }
    };
    take();
    c.ws.on('message', () => take());
    this.client = c;
    this.server = server;
    return h;
  }

  async resume(server) {
    const since = this.lastSeq;
    const before = this.events.length;
    await this.attach(server, since);
    this.resumes.push({ since, got: this.events.slice(before).map((e) => e.seq) });
  }
}

async function join(server, code, name) {
  const c = await Client.connect(server);
  const r = await c.join(code, name);
  if (r.err) throw new Error(`join on port ${server.port} refused: ${JSON.stringify(r.err)}`);
  await c.close();
  return { token: r.joined.token, member: r.joined.member, team: r.joined.team };
}

// Keeps WINDOW note.add commands in flight on the session's current connection until
// stop.now; after a drop, waits for `onDrop` to reconnect it and resends what is unanswered.
function writeLoop(s, stop, onDrop) {
  let n = 0;
  const pending = new Set();
  const send = (id) => {
    const c = s.client;
    pending.add(id);
    try { c.send({ t: 'cmd', id, cmd: 'note.add', args: { text: s.sent.get(id) } }); } catch { /* dropped */ }
    c.waitFor((m) => (m.t === 'ack' || m.t === 'err') && m.id === id, 60000, { what: `answer to ${id}` })
      .then((m) => {
        pending.delete(id);
        s.unanswered.delete(id);
        if (m.t === 'ack') {
          s.acked.set(id, m.seq);
          s.ackTimes = s.ackTimes || [];
          s.ackTimes.push(Date.now());
        }
        else s.refused.push(m);
      })
      .catch(() => {
        pending.delete(id);
        // A drop rejects at once; only an answer that never came on a live connection times out.
        if (c.isOpen()) s.timeouts = (s.timeouts || 0) + 1;
      });
  };
  return (async () => {
    while (!stop.now || s.unanswered.size > 0) {
      if (!s.client.isOpen()) {
        await onDrop(s);
        continue;
      }
      // After a reconnect (or an answer that never came), resend as a client does.
      for (const id of s.unanswered) if (!pending.has(id)) send(id);
      if (!stop.now && pending.size < WINDOW) {
        n += 1;
        const id = `${s.name}-${n}`;
        s.sent.set(id, `multinode ${s.name} ${n} ${Math.random().toString(36).slice(2, 8)}`);
        s.unanswered.add(id);
        send(id);
      }
      await sleep(GAP_MS);
    }
  })();
}

// The events this token may see, read fresh from a node (the log as the truth).
async function truth(server, token) {
  const c = await Client.connect(server);
  const h = await c.hello(token, 0, 30000);
  assert.ok(!h.err, `hello for the check refused: ${JSON.stringify(h.err)}`);
  await c.close();
  return h.events;
}

function assertSameStream(s, expected, label) {
  const got = s.events.map((e) => e.seq);
  for (let i = 1; i < got.length; i++) {
    assert.ok(got[i] > got[i - 1], `${label}: ${s.name} received seq ${got[i]} after ${got[i - 1]} (a double or out of order)`);
  }
  const want = expected.map((e) => e.seq);
  const missing = want.filter((q) => !got.includes(q));
  const extra = got.filter((q) => !want.includes(q));
  assert.deepEqual(missing, [], `${label}: ${s.name} missed ${missing.length} events (gaps), first ${missing.slice(0, 5)}`);
  assert.deepEqual(extra, [], `${label}: ${s.name} received events it may not see: ${extra.slice(0, 5)}`);
  assert.deepEqual(got, want, `${label}: ${s.name} must receive the log's events in order`);
}

function assertAcked(sessions, truthEvents, label) {
  const byText = new Map();
  for (const e of truthEvents) if (e.type === 'note.added') byText.set(e.data.text, [...(byText.get(e.data.text) || []), e]);
  let acked = 0;
  for (const s of sessions) {
    assert.deepEqual(s.refused, [], `${label}: no note.add of ${s.name} may be refused, got ${JSON.stringify(s.refused.slice(0, 3))}`);
    for (const [id, seq] of s.acked) {
      const evs = byText.get(s.sent.get(id)) || [];
      assert.equal(evs.length, 1, `${label}: acked ${id} must be in the log once, is there ${evs.length} times`);
      assert.equal(evs[0].seq, seq, `${label}: ${id} acked with seq ${seq} but is in the log at ${evs[0].seq}`);
      assert.equal(evs[0].by, s.member, `${label}: ${id} must carry its author`);
      acked += 1;
    }
    assert.equal(s.timeouts || 0, 0, `${label}: ${s.name} waited in vain for ${s.timeouts} answers on a live connection`);
    assert.equal(s.acked.size, s.sent.size, `${label}: every command of ${s.name} must end acked (${s.acked.size} of ${s.sent.size})`);
  }
  return acked;
}

test('two nodes on one PostgreSQL: events from either node reach the clients of both, in order', { timeout: 120000 }, async (t) => {
  const { a, b } = await twoNodes(t);
  const o = await organiser(a);
  const code = [...o.codes.values()][0];
  await o.client.close();

  const ma = await join(a, code, 'Anna');   // joined through the leader
  const mb = await join(b, code, 'Bram');   // joined through the follower
  assert.equal(ma.team, mb.team, 'both members are on one team');
  const sa = new Session('a', ma.token, ma.member);
  const sb = new Session('b', mb.token, mb.member);
  await sa.attach(a, 0);
  await sb.attach(b, 0);

  const texts = [];
  for (let i = 0; i < 10; i++) {
    const [who, s] = i % 2 ? ['b', sb] : ['a', sa];
    const text = `over twee nodes ${who} ${i}`;
    texts.push(text);
    const r = await s.client.cmd('note.add', { text });
    assert.equal(r.t, 'ack', `note ${i} through node ${who} must be acked: ${JSON.stringify(r)}`);
  }
  const wanted = (m) => m.filter((e) => e.type === 'note.added' && texts.includes(e.data.text));
  for (const s of [sa, sb]) {
    const deadline = Date.now() + 10000;
    while (wanted(s.events).length < texts.length && Date.now() < deadline) await sleep(20);
    assert.deepEqual(wanted(s.events).map((e) => e.data.text), texts, `${s.name} must see every note of both nodes in the order they were acked`);
  }
  // A retried id answers with the same seq on the other node too.
  const first = wanted(sa.events)[0];
  const again = await sb.client.cmd('note.add', { text: 'nooit' }, 'dup-check');
  const again2 = await sb.client.cmd('note.add', { text: 'nooit' }, 'dup-check');
  assert.equal(again2.seq, again.seq, 'a resent command id is acked with the same seq');
  assert.ok(first.seq < again.seq);
  // A client of the leader resumes on a follower that has not read the newest commits
  // yet (stopped with SIGSTOP meanwhile): it receives none of them twice, and what follows.
  const lag = await Client.connect(b);
  process.kill(b.proc.pid, 'SIGSTOP');
  let since;
  try {
    const lagTexts = [];
    for (let i = 0; i < 5; i++) {
      lagTexts.push(`terwijl b stilstaat ${i}`);
      const r = await sa.client.cmd('note.add', { text: lagTexts[i] });
      assert.equal(r.t, 'ack', `the leader acks while the follower stands still: ${JSON.stringify(r)}`);
    }
    const deadline = Date.now() + 10000;
    while (wanted2(sa.events, lagTexts).length < lagTexts.length && Date.now() < deadline) await sleep(20);
    since = sa.lastSeq;
    lag.send({ t: 'hello', token: sa.token, since });   // waits in the socket until b runs
  } finally {
    process.kill(b.proc.pid, 'SIGCONT');
  }
  await lag.waitFor((m) => m.t === 'synced', 20000, { what: 'synced on the lagging node' });
  const after = await sa.client.cmd('note.add', { text: 'na het hervatten' });
  await lag.waitFor((m) => m.t === 'ev' && m.seq === after.seq, 10000, { what: 'the next event on the lagging node' });
  const twice = lag.events.filter((e) => e.seq <= since).map((e) => e.seq);
  assert.deepEqual(twice, [], `a resume with since ${since} on a lagging node must not resend ${twice}`);

  // Identical streams on both nodes, equal to the log.
  assertSameStream(sa, await truth(b, sa.token), 'node a');
  assertSameStream(sb, await truth(a, sb.token), 'node b');
});

async function killUnderLoad(t, which) {
  const { uri, a, b } = await twoNodes(t);
  const o = await organiser(a);
  const codes = [...o.codes.values()];
  await o.client.close();
  const dead = which === 'leader' ? a : b;
  const survivor = which === 'leader' ? b : a;

  // Writers and one watcher on each node, all of one team; a second team writes too.
  const sessions = [];
  for (const [srv, tag] of [[a, 'A'], [b, 'B']]) {
    for (let i = 0; i < WRITERS_PER_NODE; i++) {
      const m = await join(srv, codes[i % 2], `Schrijver ${tag}${i}`);
      const s = new Session(`w${tag}${i}`, m.token, m.member);
      await s.attach(srv, 0);
      s.home = srv;
      sessions.push(s);
    }
    const m = await join(srv, codes[0], `Kijker ${tag}`);
    const s = new Session(`watch${tag}`, m.token, m.member);
    await s.attach(srv, 0);
    s.home = srv;
    s.watcher = true;
    sessions.push(s);
  }
  const writers = sessions.filter((s) => !s.watcher);
  const stop = { now: false };
  const onDrop = async (s) => {
    for (;;) {
      try { await s.resume(survivor); return; } catch { await sleep(200); }
    }
  };
  const loops = writers.map((s) => writeLoop(s, stop, onDrop));
  await sleep(LOAD_BEFORE_KILL_MS);
  const ackedBefore = writers.reduce((n, s) => n + s.acked.size, 0);
  const killedAt = Date.now();
  await dead.kill();
  // The dead node's watcher comes back later, as a phone that was away for a while: it
  // must receive exactly the events it missed meanwhile.
  const deadWatcher = sessions.find((s) => s.watcher && s.home === dead);
  await sleep(LOAD_AFTER_KILL_MS / 2);
  await onDrop(deadWatcher);
  await sleep(LOAD_AFTER_KILL_MS / 2);
  stop.now = true;
  await Promise.all(loops);
  if (which === 'leader') await waitLeader(survivor);
  assert.ok(survivor.alive(), `the survivor must keep running\n${survivor.output()}`);

  // Every client (also those that moved) has exactly the log's events it may see, in order:
  // compared once it holds the last of them (no command runs any more, so none can follow).
  let acked = 0;
  for (const s of sessions) {
    const log = await truth(survivor, s.token);
    const last = log.length ? log[log.length - 1].seq : 0;
    const deadline = Date.now() + 20000;
    while (s.lastSeq < last && Date.now() < deadline) await sleep(20);
    assertSameStream(s, log, `${which} killed`);
    if (!s.watcher) acked += assertAcked([s], log, `${which} killed`);
  }
  const moved = sessions.filter((s) => s.home === dead);
  for (const s of moved) {
    assert.ok(s.resumes.length >= 1, `${s.name} must have resumed on the survivor`);
  }
  assert.ok(deadWatcher.resumes[0].got.length > 0, 'the late watcher must have missed (and then received) events');
  const firstAck = Math.min(...writers.flatMap((s) => (s.ackTimes || []).filter((x) => x > killedAt)));
  const gapMs = firstAck - killedAt;
  const ackedAfter = acked - ackedBefore;
  assert.ok(ackedBefore > 20 && ackedAfter > 20, `load before (${ackedBefore}) and after (${ackedAfter}) the kill`);
  const head = Number(psql(uri, 'SELECT max(seq) FROM events'));
  const rows = Number(psql(uri, 'SELECT count(*) FROM events'));
  assert.equal(rows, head, 'the log has no gaps');
  assert.equal(psql(uri, 'SELECT count(*) FROM staatsprint_inbox'), '0', 'every forward was taken from the inbox');
  console.log(`# ${which} killed: ${acked} commands acked (${ackedBefore} before the kill), ${moved.length} clients moved, ` +
    `first ack after the kill ${gapMs} ms, resumes got ${moved.map((s) => s.resumes.map((r) => r.got.length).join('+')).join(', ')} missed events, log head ${head}`);
}

test('the leader is killed under load: every acked command reaches every surviving client, in order', { timeout: 180000 }, async (t) => {
  await killUnderLoad(t, 'leader');
});

test('a follower is killed under load: its clients resume on the leader with nothing lost', { timeout: 180000 }, async (t) => {
  await killUnderLoad(t, 'follower');
});
