// Several nodes when PostgreSQL itself has a bad moment (src/net/cluster.c, issue 21):
//  - PostgreSQL crashes (pg_ctl -m immediate) under load and comes back after 3 s, while
//    clients that never retry keep sending: every answer any of them got is true (an ack
//    names the command's seq in the log, an err is only for a command that is not in the
//    log), the leader starts again as a follower instead of exiting, and the cluster goes on;
//  - the leader freezes (SIGSTOP) with its connections open: another node takes over within
//    the lease bound, and the frozen one, once resumed, writes nothing more (its late
//    appends are refused by the term fence) and starts again as a follower.

import test from 'node:test';
import assert from 'node:assert/strict';
import { organiser, sleep, httpGet } from './lib.mjs';
import {
  privatePg, twoNodes, join, waitLine, LEADS, AGAIN, oneShotWriter, assertTruthful, assertWholeLog, psql,
} from './pg-cluster.mjs';

const pg = privatePg();
const LEASE_MS = 5000;   // src/net/cluster.c

async function writersOn(nodes, codes) {
  const list = [];
  for (const [srv, tag] of nodes) {
    for (let i = 0; i < 2; i++) {
      const m = await join(srv, codes[i % codes.length], `Schrijver ${tag}${i}`);
      list.push({ srv, m, name: `w${tag}${i}` });
    }
  }
  return list;
}

// Two nodes on a fresh database, two writers that never retry on each.
async function underLoad(t) {
  const { uri, a, b } = await twoNodes(t, pg);
  const o = await organiser(a);
  const codes = [...o.codes.values()];
  await o.client.close();
  const stop = { now: false };
  const writers = (await writersOn([[a, 'A'], [b, 'B']], codes))
    .map(({ srv, m, name }) => oneShotWriter(name, m.token, srv, stop));
  return { uri, a, b, codes, stop, writers };
}

async function health(s) {
  const r = await httpGet(s.port, '/healthz');
  return JSON.parse(r.body);
}

// After the trouble: one command through each node is acked (the cluster goes on).
async function stillWorks(nodes, code) {
  for (const s of nodes) {
    const m = await join(s, code, `Daarna ${s.port}`);
    const stop = { now: false };
    const w = oneShotWriter(`after${s.port}`, m.token, s, stop, { window: 1 });
    const deadline = Date.now() + 20000;
    while (![...w.answers.values()].some((a) => a.t === 'ack') && Date.now() < deadline) await sleep(50);
    stop.now = true;
    await w.done;
    assert.ok([...w.answers.values()].some((a) => a.t === 'ack'), `node ${s.port} acks commands again\n${s.output()}`);
  }
}

test('PostgreSQL crashes under load: every answer is true, and the leader starts again as a follower', { timeout: 90000 }, async (t) => {
  const { uri, a, b, codes, stop, writers } = await underLoad(t);
  await sleep(2000);
  pg.script('crash');
  const crashedAt = Date.now();
  await sleep(3000);
  pg.script('restart');
  // The leader lost the database while leading: it starts again, as a follower, by itself.
  await waitLine(a, AGAIN, { timeout: 30000, what: 'a start again as a follower' });
  await sleep(4000);
  stop.now = true;
  await Promise.all(writers.map((w) => w.done));
  assert.ok(a.alive() && b.alive(), `both nodes keep running\n${a.output()}\n${b.output()}`);
  const f = assertTruthful(writers, uri, 'crash');
  const late = writers.flatMap((w) => [...w.answers.entries()]
    .filter(([id, ans]) => ans.t === 'ack' && w.sentAt.get(id) > crashedAt + 3000)).length;
  assert.ok(f.acked > 50 && late > 0, `commands are acked before (${f.acked}) and after (${late}) the crash`);
  assertWholeLog(uri, 'crash');
  await stillWorks([a, b], codes[0]);
  const leaders = (await Promise.all([a, b].map(health))).filter((h) => h.cluster.role === 'leader');
  assert.equal(leaders.length, 1, 'one node leads afterwards');
  console.log(`# crash: ${f.sent} sent, ${f.acked} acked, ${f.refused} refused (none of them in the log), ` +
    `${f.unanswered} unanswered (${f.unansweredInLog} of those in the log), ${late} acked after the restart`);
});

test('a frozen leader (SIGSTOP) is replaced within the lease bound and its late writes are refused', { timeout: 90000 }, async (t) => {
  const { uri, a, b, stop, writers } = await underLoad(t);
  await sleep(1500);
  const termBefore = Number(psql(uri, 'SELECT term FROM logs'));
  process.kill(a.proc.pid, 'SIGSTOP');
  const frozenAt = Date.now();
  let tookMs;
  try {
    await waitLine(b, LEADS, { timeout: LEASE_MS + 5000, what: 'take-over' });
    tookMs = Date.now() - frozenAt;
    await sleep(1500);   // b works as leader while a is still frozen; a's clients keep sending
  } finally {
    process.kill(a.proc.pid, 'SIGCONT');
  }
  await waitLine(a, AGAIN, { timeout: 20000, what: 'a start again as a follower' });
  await sleep(2000);
  stop.now = true;
  await Promise.all(writers.map((w) => w.done));
  assert.ok(tookMs <= LEASE_MS + 2000, `the frozen leader is replaced within the lease bound: ${tookMs} ms`);
  assert.ok(a.alive() && b.alive(), `both nodes keep running\n${a.output()}\n${b.output()}`);
  const termAfter = Number(psql(uri, 'SELECT term FROM logs'));
  assert.ok(termAfter > termBefore, `the take-over raised the fence (term ${termBefore} → ${termAfter})`);
  const f = assertTruthful(writers, uri, 'frozen leader');
  assertWholeLog(uri, 'frozen leader');
  const hb = await health(b);
  assert.equal(hb.cluster.role, 'leader');
  assert.equal(hb.cluster.lease.node, hb.cluster.node, 'the lease names b');
  const how = /refused by the fence/.test(a.stderr) ? 'an append refused by the fence'
    : 'a lease renewal that found another node leading';
  console.log(`# SIGSTOP: taken over after ${tookMs} ms; the resumed leader noticed by ${how}; ` +
    `${f.sent} sent, ${f.acked} acked, ${f.refused} refused, ${f.unanswered} unanswered (${f.unansweredInLog} in the log)`);
});
