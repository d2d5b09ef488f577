// An idle server sleeps (issue 18, S4 "idle CPU 0 %"): with every connection quiet it does
// not wake up at all, and the first thing a client does wakes it again – the live counts
// it sends the staff still come.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, teamCodes, member, uniqueText, sleep } from './lib.mjs';

// Context switches of the server's main thread (its event loop): each wake-up is one.
function switches(pid) {
  const s = fs.readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
  const v = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(s)[1]);
  const n = Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(s)[1]);
  return v + n;
}

async function wakeUps(pid, ms) {
  const a = switches(pid);
  await sleep(ms);
  return switches(pid) - a;
}

test('an idle server does not wake up; a command wakes it and the staff get their counts', async (t) => {
  const srv = await startServer(t);
  const pid = srv.proc.pid;
  const { client: org, list } = await teamCodes(srv, 1);
  const anna = await member(srv, list[0].code, 'Anna');

  // Everyone connected, nobody doing anything. A tick of 200 ms would be 10 wake-ups in
  // 2 s; a server that sleeps has none (a stray one is allowed).
  await sleep(1500);   // what the joins left for the tick is sent (five slices)
  const idle = await wakeUps(pid, 2000);
  assert.ok(idle <= 2, `an idle server must not wake up: ${idle} wake-ups of its event loop in 2 s`);

  // A note wakes it: the organiser's live counts for the team arrive (they go out only
  // from the tick), and the note is acknowledged as always.
  const from = org.frames.length;
  const ack = await anna.cmd('note.add', { text: uniqueText('wakker') });
  assert.equal(ack.t, 'ack', `note.add must be acknowledged: ${JSON.stringify(ack)}`);
  const counts = await org.waitFor((m) => m.t === 'counts' && m.teams && m.teams[list[0].team], 5000,
    { from, what: `live counts for team ${list[0].team} after the note` });
  assert.ok(counts, 'the staff must get the live counts after a command woke the server');

  // And it goes back to sleep once that is sent.
  await sleep(1500);
  const again = await wakeUps(pid, 2000);
  assert.ok(again <= 2, `after the counts the server must sleep again: ${again} wake-ups in 2 s`);
});
