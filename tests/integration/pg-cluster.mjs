// Helpers for the tests of several nodes on PostgreSQL (src/net/cluster.c): a private
// PostgreSQL (one server, or a primary with a synchronous standby) started by
// scripts/pg-test-server for one test file and always stopped, a fresh database per test,
// nodes of the real binary on it, and the log read straight from the database.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Server, Client, REPO_DIR, sleep } from './lib.mjs';

export const PG_SCRIPT = `${REPO_DIR}/scripts/pg-test-server`;
export const PSQL = `${process.env.PGBIN || '/usr/lib/postgresql/15/bin'}/psql`;
export const LEADS = /deze node leidt nu/;
export const AGAIN = /deze node begint opnieuw als volger/;

// Starts the file's PostgreSQL before its tests ('start' or 'start-pair') and stops it
// after them, also when the runner dies without its hooks. Returns an object whose `uri`
// is set once started.
export function privatePg(kind = 'start') {
  const pg = { uri: null, dbs: 0 };
  const stop = () => {
    if (!pg.uri) return;
    const u = pg.uri;
    pg.uri = null;
    try { execFileSync(PG_SCRIPT, ['stop', u], { stdio: 'ignore' }); } catch { /* already gone */ }
  };
  process.on('exit', stop);
  before(() => { pg.uri = execFileSync(PG_SCRIPT, [kind], { encoding: 'utf8' }).trim(); });
  after(stop);
  pg.script = (cmd) => execFileSync(PG_SCRIPT, [cmd, pg.uri], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A fresh database on the private server; returns its URI.
  pg.freshDb = (prefix = 'cluster') => {
    pg.dbs += 1;
    const name = `${prefix}_${process.pid}_${pg.dbs}`;
    execFileSync(PSQL, [pg.uri, '-qAt', '-c', `CREATE DATABASE ${name}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    return pg.uri.replace(/\/staatsprint_test\?/, `/${name}?`);
  };
  return pg;
}

export function psql(uri, sql) {
  return execFileSync(PSQL, [uri, '-qAt', '-c', sql], { encoding: 'utf8' }).trim();
}

// A node of the real binary on the database uri; stopped after the test, failing it on a
// sanitizer report.
export async function node(t, uri) {
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

// Waits until the node's stderr matched re `count` times.
export async function waitLine(s, re, { count = 1, timeout = 20000, what = String(re) } = {}) {
  const deadline = Date.now() + timeout;
  const g = new RegExp(re.source, 'g');
  while ((s.stderr.match(g) || []).length < count) {
    if (Date.now() > deadline) throw new Error(`node on port ${s.port}: no ${what} within ${timeout} ms\n${s.output()}`);
    if (!s.alive()) throw new Error(`node on port ${s.port} exited\n${s.output()}`);
    await sleep(25);
  }
}

export const waitLeader = (s, timeout = 20000) => waitLine(s, LEADS, { timeout, what: 'lead' });

// Two nodes on one new database; a leads, b follows.
export async function twoNodes(t, pg) {
  const uri = pg.freshDb();
  const a = await node(t, uri);
  await waitLeader(a);
  const b = await node(t, uri);
  b.organiserToken = a.organiserToken;
  return { uri, a, b };
}

export async function join(server, code, name) {
  const c = await Client.connect(server);
  const r = await c.join(code, name);
  if (r.err) throw new Error(`join on port ${server.port} refused: ${JSON.stringify(r.err)}`);
  await c.close();
  return { token: r.joined.token, member: r.joined.member, team: r.joined.team };
}

// The log's note.added events straight from the database: cmd_id → seq (and the count per
// cmd_id, to see duplicates).
export function logNotes(uri) {
  const rows = psql(uri, "SELECT cmd_id, seq FROM events WHERE type = 'note.added' ORDER BY seq");
  const seqs = new Map();
  const count = new Map();
  for (const line of rows.split('\n').filter(Boolean)) {
    const [id, seq] = line.split('|');
    seqs.set(id, Number(seq));
    count.set(id, (count.get(id) || 0) + 1);
  }
  return { seqs, count };
}

// The log has no gap and every seq once.
export function assertWholeLog(uri, label) {
  const head = Number(psql(uri, 'SELECT max(seq) FROM events'));
  const rows = Number(psql(uri, 'SELECT count(DISTINCT seq) FROM events'));
  const all = Number(psql(uri, 'SELECT count(*) FROM events'));
  assert.equal(rows, head, `${label}: the log has no gaps`);
  assert.equal(all, head, `${label}: no seq twice`);
  return head;
}

const WINDOW = 4;             // commands in flight per writer
const GAP_MS = 15;            // between two sends: below the server's 100 messages/s limit

// A member session that survives its node: every event received on any of its connections
// is kept in `events`, in arrival order; after a drop it resumes on another node with since.
export class Session {
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

// Keeps WINDOW note.add commands in flight on the session's current connection until
// stop.now; after a drop, waits for `onDrop` to reconnect it and resends what is unanswered.
export function writeLoop(s, stop, onDrop) {
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
export async function truth(server, token) {
  const c = await Client.connect(server);
  const h = await c.hello(token, 0, 30000);
  assert.ok(!h.err, `hello for the check refused: ${JSON.stringify(h.err)}`);
  await c.close();
  return h.events;
}

export function assertSameStream(s, expected, label) {
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

export function assertAcked(sessions, truthEvents, label) {
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


// A writer that never retries: it keeps up to `window` note.add commands in flight on its
// connection and sends each id once. When the connection drops it connects again (to the
// same node, once it listens) and goes on with new ids; what was unanswered stays so.
// answers: id → the ack or err that came for it.
export function oneShotWriter(name, token, server, stop, { window = 4, gapMs = 20 } = {}) {
  const w = { name, sent: new Map(), answers: new Map(), conns: 0, sentAt: new Map() };
  w.done = (async () => {
    let n = 0;
    while (!stop.now) {
      let c;
      try {
        c = await Client.connect(server);
        const h = await c.hello(token, undefined, 15000);
        if (h.err) throw new Error(JSON.stringify(h.err));
      } catch {
        if (c) c.terminate();
        await sleep(200);
        continue;
      }
      w.conns += 1;
      const inflight = new Set();
      c.ws.on('message', (data) => {
        let m;
        try { m = JSON.parse(data.toString('utf8')); } catch { return; }
        if ((m.t === 'ack' || m.t === 'err') && m.id && w.sent.has(m.id) && !w.answers.has(m.id)) {
          w.answers.set(m.id, m);
          inflight.delete(m.id);
        }
      });
      while (!stop.now && c.isOpen()) {
        if (inflight.size < window) {
          n += 1;
          const id = `${name}-${n}`;
          w.sent.set(id, true);
          w.sentAt.set(id, Date.now());
          inflight.add(id);
          try { c.send({ t: 'cmd', id, cmd: 'note.add', args: { text: `${name} ${n}` } }); } catch { /* dropped */ }
        }
        await sleep(gapMs);
      }
      // Stopping: give what is in flight on a live connection time to be answered.
      const deadline = Date.now() + 15000;
      while (c.isOpen() && inflight.size > 0 && Date.now() < deadline) await sleep(50);
      c.terminate();
    }
  })();
  return w;
}

// Every answer is true: an ack names the seq the command has in the log; an err is only
// for a command that is not in the log; nothing is in the log twice. Returns figures.
export function assertTruthful(writers, uri, label) {
  const { seqs, count } = logNotes(uri);
  const f = { sent: 0, acked: 0, refused: 0, unanswered: 0, unansweredInLog: 0 };
  for (const w of writers) {
    for (const id of w.sent.keys()) {
      f.sent += 1;
      assert.ok((count.get(id) || 0) <= 1, `${label}: ${id} is in the log ${count.get(id)} times`);
      const a = w.answers.get(id);
      if (!a) {
        f.unanswered += 1;
        if (seqs.has(id)) f.unansweredInLog += 1;
      } else if (a.t === 'ack') {
        f.acked += 1;
        assert.equal(seqs.get(id), a.seq, `${label}: ${id} was acked with seq ${a.seq} but the log has it at ${seqs.get(id)}`);
      } else {
        f.refused += 1;
        assert.ok(!seqs.has(id), `${label}: ${id} was answered ${a.code} ("${a.en}") but is in the log at seq ${seqs.get(id)}`);
      }
    }
  }
  return f;
}
