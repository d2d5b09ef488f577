// A database that can fail over (issue 21): a primary and a synchronous streaming-replication
// standby (scripts/pg-test-server start-pair), three nodes connected to both with one multi-host
// URI (host=…,…&target_session_attrs=read-write). Under load the primary is killed
// (pg_ctl -m immediate) and the standby promoted: the cluster goes on on the new primary and
// not one acknowledged command is lost; every answer any client got is true.

import test from 'node:test';
import assert from 'node:assert/strict';
import { organiser, sleep, httpGet } from './lib.mjs';
import {
  privatePg, twoNodes, node, join, LEADS, oneShotWriter, assertTruthful, assertWholeLog, psql,
} from './pg-cluster.mjs';

const pg = privatePg('start-pair');

test('the primary dies and the standby is promoted: the cluster goes on with nothing acknowledged lost', { timeout: 90000 }, async (t) => {
  const { uri, a, b } = await twoNodes(t, pg);
  const c = await node(t, uri);   // a third node: no writers of its own, it follows
  assert.match(uri, /host=[^&]+,[^&]+&.*target_session_attrs=read-write/, 'the nodes use a multi-host URI');
  const o = await organiser(a);
  const codes = [...o.codes.values()];
  await o.client.close();
  const stop = { now: false };
  const writers = [];
  for (const [srv, tag] of [[a, 'A'], [b, 'B']]) {
    for (let i = 0; i < 2; i++) {
      const m = await join(srv, codes[i % codes.length], `Schrijver ${tag}${i}`);
      writers.push(oneShotWriter(`w${tag}${i}`, m.token, srv, stop));
    }
  }
  await sleep(2000);
  const ackedBefore = writers.reduce((n, w) => n + [...w.answers.values()].filter((x) => x.t === 'ack').length, 0);
  pg.script('crash');            // the primary is gone, with whatever it had not sent
  const killedAt = Date.now();
  await sleep(1000);
  pg.script('promote');          // the standby becomes the primary
  // A node leads on the new primary (the old leader starts again; any of the three may lead).
  const leads = (s) => (s.stderr.match(new RegExp(LEADS.source, 'g')) || []).length;
  const before = [a, b, c].map(leads);
  const deadline0 = Date.now() + 30000;
  while (![a, b, c].some((s, i) => leads(s) > before[i])) {
    assert.ok(Date.now() < deadline0, `a node leads on the new primary\n${a.output()}\n${b.output()}\n${c.output()}`);
    await sleep(50);
  }
  await sleep(4000);
  stop.now = true;
  await Promise.all(writers.map((w) => w.done));
  assert.ok(a.alive() && b.alive() && c.alive(), `the nodes keep running\n${a.output()}\n${b.output()}`);
  assert.equal(psql(uri, 'SELECT pg_is_in_recovery()'), 'f', 'the URI now reaches the promoted standby');
  const f = assertTruthful(writers, uri, 'failover');   // every ack is in the new primary's log
  const after = writers.flatMap((w) => [...w.answers.entries()]
    .filter(([id, x]) => x.t === 'ack' && w.sentAt.get(id) > killedAt + 1000)).length;
  const hz = [];
  for (const s of [a, b]) hz.push((await httpGet(s.port, '/healthz').catch((e) => ({ body: String(e) }))).body);
  const answers = writers.map((w) => `${w.name}: ${w.sent.size} sent, ${w.answers.size} answered, ${w.conns} connections, ` +
    `last ${JSON.stringify([...w.answers.values()].slice(-2))}`).join('\n');
  assert.ok(ackedBefore > 30 && after > 30, `acked before (${ackedBefore}) and after (${after}) the failover\n${answers}\n${hz.join('\n')}\n${a.output()}\n${b.output()}`);
  const head = assertWholeLog(uri, 'failover');
  // Every node follows the new primary to the end of the log, and all three are listed.
  const deadline = Date.now() + 15000;
  let seen;
  for (;;) {
    seen = await Promise.all([a, b, c].map(async (s) => JSON.parse((await httpGet(s.port, '/healthz')).body)));
    if (seen.every((h) => h.seq === head && h.cluster.nodes.length === 3)) break;
    assert.ok(Date.now() < deadline, `every node reaches head ${head}: ${JSON.stringify(seen.map((h) => [h.seq, h.cluster.role]))}`);
    await sleep(200);
  }
  assert.equal(seen.filter((h) => h.cluster.role === 'leader').length, 1, 'one leader');
  console.log(`# failover: ${f.sent} sent, ${f.acked} acked (${ackedBefore} before the kill, ${after} after the promotion), ` +
    `0 acked lost, ${f.refused} refused, ${f.unanswered} unanswered (${f.unansweredInLog} in the log)`);
});
