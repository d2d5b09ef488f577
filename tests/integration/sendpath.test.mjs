// The two send paths (src/net/sendq.h): all the sends of a loop turn in one io_uring_enter(),
// or – where io_uring is not available, or STAATSPRINT_NO_URING=1 – one send() each. Both
// must deliver the same: every member gets every event of its team once, in seq order, and
// none of another team's; a replay larger than one batch (64 KiB) arrives whole and in
// order. /healthz says which path the server took.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, teamCodes, member, organiser, barrier, httpGet } from './lib.mjs';

async function serverWith(t, noUring) {
  const orig = process.env.STAATSPRINT_NO_URING;
  if (noUring) process.env.STAATSPRINT_NO_URING = '1';
  else delete process.env.STAATSPRINT_NO_URING;
  try {
    return await startServer(t);
  } finally {
    if (orig === undefined) delete process.env.STAATSPRINT_NO_URING; else process.env.STAATSPRINT_NO_URING = orig;
  }
}

// The seqs of the events a client received after frame `from`, checked strictly increasing.
function eventsInOrder(c, from, who) {
  const evs = c.frames.filter((f) => f.index >= from && f.msg && f.msg.t === 'ev').map((f) => f.msg);
  for (let i = 1; i < evs.length; i++) {
    assert.ok(evs[i].seq > evs[i - 1].seq, `${who}: event ${evs[i].seq} came after ${evs[i - 1].seq}`);
  }
  return evs;
}

for (const mode of ['io_uring', 'send']) {
  test(`fan-out through ${mode}: every member gets its team's events once, in order, and a large replay whole`, { timeout: 120000 }, async (t) => {
    const srv = await serverWith(t, mode === 'send');
    const health = JSON.parse((await httpGet(srv.port, '/healthz')).body);
    // On a kernel or in a container without io_uring the server says so and sends one by one;
    // then both runs test the send() path, and the line below says why.
    if (mode === 'io_uring' && health.send !== 'io_uring') {
      console.log(`# io_uring not available here: ${srv.output().match(/sending without io_uring\): (.*)/)?.[1]}`);
    } else {
      assert.equal(health.send, mode, `/healthz must say the send path: ${JSON.stringify(health)}`);
    }

    const TEAMS = 4;
    const PER_TEAM = 8;
    const NOTES = 16;
    const { client: org, list } = await teamCodes(srv, TEAMS);
    const teams = [];
    for (let i = 0; i < TEAMS; i++) {
      const ms = [];
      for (let j = 0; j < PER_TEAM; j++) ms.push(await member(srv, list[i].code, `Lid ${i}-${j}`));
      teams.push(ms);
    }
    const all = teams.flat();
    const from = new Map(all.map((c) => [c, c.frames.length]));

    // Everyone writes at once: many connections are owed frames in the same loop turns.
    const acks = await Promise.all(all.map(async (c, k) => {
      const out = [];
      for (let n = 0; n < NOTES; n++) {
        const r = await c.cmd('note.add', { text: `briefje ${k}-${n} ${'ë'.repeat(240)}` });
        assert.equal(r.t, 'ack', `note ${k}-${n}: ${JSON.stringify(r)}`);
        out.push(r.seq);
      }
      return out;
    }));
    await barrier(org, all);

    for (let i = 0; i < TEAMS; i++) {
      const teamSeqs = new Set(acks.slice(i * PER_TEAM, (i + 1) * PER_TEAM).flat());
      assert.equal(teamSeqs.size, PER_TEAM * NOTES);
      for (const [j, c] of teams[i].entries()) {
        const who = `team ${i} member ${j}`;
        const added = eventsInOrder(c, from.get(c), who).filter((m) => m.type === 'note.added');
        const seqs = added.map((m) => m.seq);
        assert.equal(new Set(seqs).size, seqs.length, `${who}: an event arrived twice`);
        assert.deepEqual([...seqs].sort((a, b) => a - b), [...teamSeqs].sort((a, b) => a - b),
          `${who}: must get exactly its team's ${PER_TEAM * NOTES} notes`);
      }
    }

    // A member's second connection replays its team from the start: more than one 64 KiB
    // batch, and nothing else happens meanwhile that would wake the connection again.
    const again = await srv.client();
    const h = await again.hello(teams[0][0].token, 0);
    assert.ok(!h.err, `hello: ${JSON.stringify(h.err)}`);
    const replayed = eventsInOrder(again, 0, 'member replay');
    const rbytes = again.frames.reduce((n, f) => n + (typeof f.raw === 'string' ? Buffer.byteLength(f.raw) : 0), 0);
    assert.ok(rbytes > 64 * 1024, `the member replay should be larger than a batch, was ${rbytes} bytes`);
    const mine = new Set(replayed.filter((m) => m.type === 'note.added').map((m) => m.seq));
    for (const s of acks.slice(0, PER_TEAM).flat()) assert.ok(mine.has(s), `member replay: note ${s} missing`);

    // A new organiser connection replays the whole sprint: far more than one 64 KiB batch,
    // so the first batch goes through the path under test and the rest follow.
    const late = await organiser(srv);
    const evs = late.hello.events;
    for (let i = 1; i < evs.length; i++) assert.ok(evs[i].seq > evs[i - 1].seq, `replay: ${evs[i].seq} after ${evs[i - 1].seq}`);
    const bytes = late.client.frames.reduce((n, f) => n + (typeof f.raw === 'string' ? Buffer.byteLength(f.raw) : 0), 0);
    assert.ok(bytes > 128 * 1024, `the replay should be larger than two batches, was ${bytes} bytes`);
    const notes = new Set(evs.filter((m) => m.type === 'note.added').map((m) => m.seq));
    for (const s of acks.flat()) assert.ok(notes.has(s), `replay: note ${s} missing`);
    assert.ok(srv.alive());
  });
}
