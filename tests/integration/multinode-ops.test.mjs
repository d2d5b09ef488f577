// Operators see the cluster (issue 21): /healthz and `staatsprint status --db URI` name every
// node, which one leads, its lease and how far behind each follower is; an import sent to a
// follower is run by the leader and answered; who is online is the same on every node.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, organiser, sleep, httpGet, runBin } from './lib.mjs';
import { privatePg, twoNodes, psql } from './pg-cluster.mjs';

const pg = privatePg();
const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data');
const GOOGLE_CSV = fs.readFileSync(path.join(DATA, 'registrations-google.csv'));

async function health(s) {
  return JSON.parse((await httpGet(s.port, '/healthz')).body);
}

// Polls the node's /healthz until pred holds for its cluster part.
async function healthUntil(s, pred, what, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let h;
  for (;;) {
    h = await health(s);
    if (h.cluster && pred(h.cluster)) return h.cluster;
    if (Date.now() > deadline) throw new Error(`node ${s.port}: ${what}; /healthz says ${JSON.stringify(h)}`);
    await sleep(100);
  }
}

test('/healthz and `staatsprint status` show every node, the leader, its lease and the lag', { timeout: 60000 }, async (t) => {
  const { uri, a, b } = await twoNodes(t, pg);
  const ca = await healthUntil(a, (c) => c.nodes.length === 2, 'two nodes listed');
  const cb = await healthUntil(b, (c) => c.nodes.length === 2, 'two nodes listed');
  assert.equal(ca.role, 'leader');
  assert.equal(cb.role, 'follower');
  assert.equal(ca.lease.node, ca.node, 'the lease names the leader');
  assert.equal(cb.lease.node, ca.node, 'the follower names the same leader');
  assert.ok(ca.lease.valid && ca.lease.expires_in_ms > 0 && ca.lease.expires_in_ms <= 5000, JSON.stringify(ca.lease));
  for (const c of [ca, cb]) {
    const urls = c.nodes.map((n) => n.url).sort();
    assert.deepEqual(urls, [`http://localhost:${a.port}`, `http://localhost:${b.port}`].sort());
    assert.ok(c.nodes.every((n) => Number.isInteger(n.behind) && n.behind >= 0 && Number.isInteger(n.head)));
  }

  // A follower that stands still falls behind, and the leader's status says by how much.
  const o = await organiser(a);
  process.kill(b.proc.pid, 'SIGSTOP');
  try {
    for (let i = 0; i < 5; i++) {
      const r = await o.client.cmd('room.message', { room: o.teams[0].room, text: `bericht ${i}` });
      assert.equal(r.t, 'ack', JSON.stringify(r));
    }
    const lag = await healthUntil(a, (c) => c.nodes.some((n) => n.role === 'follower' && n.behind >= 5),
      'the stopped follower shown behind');
    console.log(`# status while the follower stands still: ${JSON.stringify(lag.nodes.map((n) => [n.role, n.head, n.behind]))}`);
  } finally {
    process.kill(b.proc.pid, 'SIGCONT');
  }
  await healthUntil(a, (c) => c.nodes.every((n) => n.behind === 0), 'the follower caught up');
  await o.client.close();

  const st = await runBin(['status', '--db', uri]);
  assert.equal(st.code, 0, st.stderr);
  assert.match(st.stdout, new RegExp(`leader ${ca.node}, lease valid for \\d+ ms`));
  assert.match(st.stdout, new RegExp(`${ca.node}\\s+leader\\s+\\d+\\s+0 `));
  assert.match(st.stdout, new RegExp(`${cb.node}\\s+follower\\s+\\d+\\s+\\d+ `));
  assert.match(st.stdout, new RegExp(`http://localhost:${b.port}`));
  const none = await runBin(['status', '--db', pg.freshDb('empty')]);
  assert.equal(none.code, 1, 'a database without a cluster is reported, not shown as led');
});

test('an import sent to a follower is run by the leader and answered', { timeout: 60000 }, async (t) => {
  const { uri, a, b } = await twoNodes(t, pg);
  const res = await fetch(`${b.url}/api/import`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${a.organiserToken}`, 'Content-Type': 'text/csv; charset=utf-8' },
    body: GOOGLE_CSV,
  });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  const sum = JSON.parse(body);
  assert.equal(sum.imported, 58);
  assert.equal(psql(uri, "SELECT count(*) FROM events WHERE type = 'registrations.imported'"), '1');
  assert.equal(Number(psql(uri, "SELECT seq FROM events WHERE type = 'registrations.imported'")), sum.seq);
  // The organiser on the leader sees it too.
  const o = await organiser(a);
  assert.ok(o.hello.events.some((e) => e.type === 'registrations.imported' && e.seq === sum.seq));
  await o.client.close();
  // A wrong token on the follower is refused there, as on the leader.
  const bad = await fetch(`${b.url}/api/import`, { method: 'POST', headers: { Authorization: 'Bearer nope' }, body: 'x' });
  assert.equal(bad.status, 401);
});

// Folds the presence frames a staff connection received: team → members online.
function online(client) {
  const teams = new Map();
  for (const m of client.messages) if (m.t === 'presence') for (const [team, ms] of Object.entries(m.teams)) teams.set(team, [...ms].sort());
  return [...teams.entries()].filter(([, ms]) => ms.length > 0).sort();
}

test('who is online is the same on every node: the organiser counts everyone', { timeout: 60000 }, async (t) => {
  const { a, b } = await twoNodes(t, pg);
  const oa = await organiser(a);
  const ob = await Client.connect(b);
  assert.ok(!(await ob.hello(a.organiserToken, 0, 15000)).err);
  const codes = [...oa.codes.values()];
  const members = [];
  for (const [srv, i] of [[a, 0], [a, 1], [b, 2], [b, 3]]) {
    const c = await Client.connect(srv);
    const r = await c.join(codes[i % 2], `Aanwezig ${i}`);
    assert.ok(!r.err, JSON.stringify(r.err));
    members.push(c);
  }
  const count = (c) => online(c).reduce((n, [, ms]) => n + ms.length, 0);
  const same = async (want, what) => {
    const deadline = Date.now() + 15000;
    while (!(count(oa.client) === want && JSON.stringify(online(oa.client)) === JSON.stringify(online(ob)))) {
      if (Date.now() > deadline) {
        throw new Error(`${what}: node a sees ${JSON.stringify(online(oa.client))}, node b ${JSON.stringify(online(ob))}`);
      }
      await sleep(100);
    }
  };
  await same(4, 'four online, two on each node');
  await members[3].close();
  await same(3, 'one left node b');
  console.log(`# online on both nodes: ${JSON.stringify(online(oa.client))}`);
});
