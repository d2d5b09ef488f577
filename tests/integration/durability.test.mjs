// No acknowledged event is ever lost: 50 acked notes survive a SIGKILL right after the last ack,
// and a retried command id stays applied once across the restart.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, teamCodes, member, uniqueText, newId } from './lib.mjs';

const CLIENTS = 5;
const NOTES_PER_CLIENT = 10;

function noteTexts(events) {
  const counts = new Map();
  for (const e of events) {
    if (e.type === 'note.added' && e.data) counts.set(e.data.text, (counts.get(e.data.text) || 0) + 1);
  }
  return counts;
}

test('every acked note survives SIGKILL right after the last ack, exactly once', async (t) => {
  const srv = await startServer(t);
  const before = await teamCodes(srv, 1);
  const teams = before.list.slice(0, 2);

  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const team = teams[i % teams.length];
    clients.push({ c: await member(srv, team.code, `Schrijver ${i}`), team });
  }

  // All clients write at the same time, each with its commands pipelined.
  const acked = [];
  const answers = [];
  const sent = [];
  await Promise.all(clients.map(({ c, team }, ci) => Promise.all(
    Array.from({ length: NOTES_PER_CLIENT }, (_, k) => {
      const text = uniqueText(`duurzaam c${ci} n${k}`);
      const id = newId(`dur${ci}`);
      sent.push(text);
      return c.cmd('note.add', { text }, id, 20000).then((r) => {
        answers.push(r);
        if (r.t === 'ack') acked.push({ text, id, seq: r.seq, team: team.team, ci });
      });
    }),
  )));
  // Kill at once: anything acked must already be on disk.
  await srv.kill();

  const refused = answers.filter((r) => r.t !== 'ack');
  assert.deepEqual(refused, [], `all ${sent.length} note.add commands should be acked, refused: ${JSON.stringify(refused.slice(0, 5))}`);
  assert.equal(acked.length, CLIENTS * NOTES_PER_CLIENT, `expected ${CLIENTS * NOTES_PER_CLIENT} acks, got ${acked.length}`);
  const seqs = acked.map((a) => a.seq);
  assert.equal(new Set(seqs).size, seqs.length, 'every ack must carry its own seq');

  await srv.restart();

  // The join codes and the organiser link survive the restart.
  const after = await teamCodes(srv, 1);
  for (const { team, code } of teams) {
    assert.equal(after.codes.get(team), code, `team ${team}'s join code changed across the restart (${code} → ${after.codes.get(team)})`);
  }

  // An old member token resumes from 0, and a fresh member joins with the code; both replay
  // the log and must hold every acked note of their team exactly once.
  for (const { team, code } of teams) {
    const expected = acked.filter((a) => a.team === team);
    const oldIndex = clients.findIndex((x) => x.team.team === team);
    const old = clients[oldIndex].c;
    const resumed = await srv.client();
    const h = await resumed.hello(old.token, 0);
    assert.ok(!h.err, `a member token must still work after the restart: ${JSON.stringify(h.err)}`);
    const fresh = await member(srv, code, 'Nieuwkomer');
    for (const [who, c] of [['the resumed member', resumed], ['a fresh member', fresh]]) {
      const counts = noteTexts(c.events);
      const missing = expected.filter((a) => !counts.has(a.text));
      assert.deepEqual(missing.map((a) => a.text), [], `${who} of team ${team}: ${missing.length} of ${expected.length} acked notes are lost after SIGKILL`);
      const dup = expected.filter((a) => counts.get(a.text) > 1);
      assert.deepEqual(dup.map((a) => a.text), [], `${who} of team ${team}: acked notes replayed more than once`);
      for (const a of expected) {
        const ev = c.events.find((e) => e.type === 'note.added' && e.data && e.data.text === a.text);
        assert.equal(ev.seq, a.seq, `note "${a.text}" was acked with seq ${a.seq} but replays with seq ${ev.seq}`);
      }
    }

    // A command this member had acked before the kill, resent after the restart, is not
    // applied again (command ids are unique per session, so it must be its own command).
    const retry = expected.find((a) => a.ci === oldIndex);
    const r = await resumed.cmd('note.add', { text: retry.text }, retry.id);
    assert.equal(r.t, 'ack', `resending acked command ${retry.id} after the restart must be acked, got ${JSON.stringify(r)}`);
    assert.equal(r.seq, retry.seq, `resending ${retry.id} after the restart must give the original seq ${retry.seq}, got ${r.seq}`);
    const marker = uniqueText('marker');
    const m = await resumed.cmd('note.add', { text: marker });
    assert.equal(m.t, 'ack', `a new note after the restart must be acked, got ${JSON.stringify(m)}`);
    assert.ok(m.seq > Math.max(...seqs), `seqs must keep growing after the restart: ${m.seq} <= ${Math.max(...seqs)}`);
    await fresh.waitFor((e) => e.t === 'ev' && e.data && e.data.text === marker, undefined, { what: 'the marker note after the restart' });
    assert.equal(noteTexts(fresh.events).get(retry.text), 1, `the retried command ${retry.id} must not add a second note after the restart`);
  }
});
