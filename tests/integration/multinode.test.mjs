// Several nodes on one PostgreSQL (src/net/cluster.c): two `serve --db postgresql://…` nodes,
// clients of one team on both. Events from either node reach the clients of both, in order;
// one node is killed with SIGKILL while several writers keep commands in flight (the leader
// in one test, a follower in another): every acknowledged command reaches every surviving
// client exactly once, in order, and the clients of the dead node resume on the survivor
// with `since` and receive exactly what they missed.
//
// A private PostgreSQL server (scripts/pg-test-server) is started for this file and stopped
// at the end, also when a test fails; every test gets a database of its own.

import test from 'node:test';
import assert from 'node:assert/strict';
import { Client, organiser, sleep } from './lib.mjs';
import {
  privatePg, psql, twoNodes, join, waitLeader, Session, writeLoop, truth, assertSameStream, assertAcked,
} from './pg-cluster.mjs';

const WRITERS_PER_NODE = 2;
const LOAD_BEFORE_KILL_MS = 2500;
const LOAD_AFTER_KILL_MS = 4000;

const pg = privatePg();

const wanted2 = (events, texts) => events.filter((e) => e.type === 'note.added' && texts.includes(e.data.text));

test('two nodes on one PostgreSQL: events from either node reach the clients of both, in order', { timeout: 120000 }, async (t) => {
  const { a, b } = await twoNodes(t, pg);
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
  const { uri, a, b } = await twoNodes(t, pg);
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
