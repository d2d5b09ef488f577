// Team board over the wire: live notes within a team, isolation between teams, resume after a
// dropped connection, and retried commands applied once.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, teamCodes, member, uniqueText, notesIn, newId } from './lib.mjs';

function assertAck(r, what) {
  assert.equal(r.t, 'ack', `${what} should be acked, got ${JSON.stringify(r)}`);
  assert.equal(typeof r.seq, 'number', `${what}: the ack must carry a numeric seq, got ${JSON.stringify(r)}`);
}

test('two members of a team see each other\'s notes live, with edit and delete', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const a = list[0];

  const anna = await member(srv, a.code, 'Anna');
  const bram = await member(srv, a.code, 'Bram');
  assert.equal(anna.team, a.team, `joined with team ${a.team}'s code, but joined.team is ${anna.team}`);
  assert.equal(bram.team, a.team, `joined with team ${a.team}'s code, but joined.team is ${bram.team}`);
  assert.notEqual(anna.member, bram.member, 'two joins with different ids must give two different members');

  // Anna writes, Bram sees it (and vice versa).
  const t1 = uniqueText('Anna schrijft');
  const ack1 = await anna.cmd('note.add', { text: t1 });
  assertAck(ack1, 'Anna\'s note.add');
  const seen1 = await bram.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.data && m.data.text === t1, undefined, { what: `Bram receiving note.added "${t1}"` });
  assert.equal(seen1.by, anna.member, `note.added.by must be the author's member id ${anna.member}, got ${seen1.by}`);
  assert.equal(seen1.data.team, a.team, `note.added.data.team must be ${a.team}, got ${seen1.data.team}`);
  assert.equal(seen1.seq, ack1.seq, `the ack's seq (${ack1.seq}) must be the note.added event's seq (${seen1.seq})`);
  assert.ok(typeof seen1.data.id === 'string' && seen1.data.id.length > 0, 'note.added must carry the note id');
  assert.equal(typeof seen1.ts, 'number', 'an event must carry a numeric ts');
  // The author receives its own event too (a client state is a fold over the events).
  await anna.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.data && m.data.text === t1, undefined, { what: 'Anna receiving her own note.added' });

  const t2 = uniqueText('Bram schrijft');
  assertAck(await bram.cmd('note.add', { text: t2 }), 'Bram\'s note.add');
  const seen2 = await anna.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.data && m.data.text === t2, undefined, { what: `Anna receiving note.added "${t2}"` });
  assert.equal(seen2.by, bram.member, `note.added.by must be Bram's member id ${bram.member}, got ${seen2.by}`);

  // Bram edits Anna's note (any participant of the team may), Anna sees it.
  const noteId = seen1.data.id;
  const t1b = uniqueText('bewerkt');
  const ackEdit = await bram.cmd('note.edit', { note: noteId, text: t1b });
  assertAck(ackEdit, 'note.edit');
  const edited = await anna.waitFor((m) => m.t === 'ev' && m.type === 'note.edited' && m.data && m.data.id === noteId, undefined, { what: 'Anna receiving note.edited' });
  assert.equal(edited.data.text, t1b, `note.edited must carry the new text "${t1b}", got "${edited.data.text}"`);
  assert.equal(edited.by, bram.member, `note.edited.by must be the editor ${bram.member}, got ${edited.by}`);
  assert.equal(edited.seq, ackEdit.seq, 'the edit\'s ack seq must equal the note.edited event\'s seq');

  // Anna deletes it, Bram sees it.
  const ackDel = await anna.cmd('note.delete', { note: noteId });
  assertAck(ackDel, 'note.delete');
  const deleted = await bram.waitFor((m) => m.t === 'ev' && m.type === 'note.deleted' && m.data && m.data.id === noteId, undefined, { what: 'Bram receiving note.deleted' });
  assert.equal(deleted.by, anna.member, `note.deleted.by must be ${anna.member}, got ${deleted.by}`);

  // Editing or deleting a note that no longer exists is refused with not_found.
  const gone = await anna.cmd('note.edit', { note: noteId, text: 'nog eens' });
  assert.equal(gone.t, 'err', `editing a deleted note must be refused, got ${JSON.stringify(gone)}`);
  assert.equal(gone.code, 'not_found', `editing a deleted note: expected not_found, got ${gone.code}`);

  // Sequence numbers only increase on every connection.
  for (const c of [anna, bram]) {
    const seqs = c.events.map((e) => e.seq);
    for (let i = 1; i < seqs.length; i++) {
      assert.ok(seqs[i] > seqs[i - 1], `event seqs must strictly increase on a connection, got ${seqs.join(',')}`);
    }
  }
});

test('a member of team B receives none of team A\'s note events nor their text', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 2);
  const [a, b] = list;

  const bea = await member(srv, b.code, 'Bea');
  const anna = await member(srv, a.code, 'Anna');
  const aart = await member(srv, a.code, 'Aart');
  assert.equal(bea.team, b.team, 'Bea must be in team B');

  const secret = uniqueText('GEHEIM-team-A');
  const edited = uniqueText('GEHEIM-bewerkt');
  const ack = await anna.cmd('note.add', { text: secret });
  assertAck(ack, 'team A note.add');
  const ev = await aart.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.data && m.data.text === secret, undefined, { what: 'team mate receiving the note' });
  assertAck(await anna.cmd('note.edit', { note: ev.data.id, text: edited }), 'team A note.edit');
  await aart.waitFor((m) => m.t === 'ev' && m.type === 'note.edited' && m.data && m.data.id === ev.data.id, undefined, { what: 'team mate receiving the edit' });
  assertAck(await anna.cmd('note.delete', { note: ev.data.id }), 'team A note.delete');
  await aart.waitFor((m) => m.t === 'ev' && m.type === 'note.deleted' && m.data && m.data.id === ev.data.id, undefined, { what: 'team mate receiving the delete' });

  // Team B writes something after A, and receives it: so anything of A would have arrived by now.
  const own = uniqueText('team B');
  assertAck(await bea.cmd('note.add', { text: own }), 'team B note.add');
  await bea.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.data && m.data.text === own, undefined, { what: 'Bea receiving her own note' });

  // A late joiner of team B, replaying from 0, must not get A's notes either.
  const bob = await member(srv, b.code, 'Bob');

  for (const [who, c] of [['Bea', bea], ['Bob', bob]]) {
    const raw = c.rawText;
    assert.ok(!raw.includes(secret), `${who} (team B) received team A's note text in a raw frame`);
    assert.ok(!raw.includes(edited), `${who} (team B) received team A's edited text in a raw frame`);
    const leaked = c.events.filter((e) => (e.data && (e.data.team === a.team || e.data.id === ev.data.id)) && /^note\./.test(e.type));
    assert.deepEqual(leaked, [], `${who} (team B) received note events of team A: ${JSON.stringify(leaked)}`);
    const noteEvents = c.events.filter((e) => /^note\./.test(e.type));
    for (const e of noteEvents) {
      if (e.type === 'note.added') assert.equal(e.data.team, b.team, `${who} received a note.added of team ${e.data.team}`);
    }
  }
  // And the late joiner does see its own team's note.
  assert.equal(notesIn(bob.messages, own).length, 1, 'a late joiner of team B must replay team B\'s note once');
});

test('resume: a client that reconnects with its last seq gets exactly what it missed, then synced', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const a = list[0];

  const yara = await member(srv, a.code, 'Yara');
  const xavi = await member(srv, a.code, 'Xavi');

  // Some history Xavi has seen before the drop.
  const before = [];
  for (let i = 0; i < 3; i++) {
    const text = uniqueText(`voor ${i}`);
    before.push(text);
    assertAck(await yara.cmd('note.add', { text }), 'note.add before the drop');
  }
  await xavi.waitUntil((msgs) => before.every((tx) => notesIn(msgs, tx).length === 1), undefined, 'Xavi seeing the first 3 notes');
  const seenSeqs = new Set(xavi.events.map((e) => e.seq));
  const lastSeq = xavi.lastSeq;
  const token = xavi.token;
  assert.ok(token, 'joined must carry a token');
  await xavi.terminate();

  const missed = [];
  const missedSeqs = [];
  for (let i = 0; i < 5; i++) {
    const text = uniqueText(`gemist ${i}`);
    missed.push(text);
    const ack = await yara.cmd('note.add', { text });
    assertAck(ack, 'note.add while Xavi is away');
    missedSeqs.push(ack.seq);
  }

  const x2 = await srv.client();
  const h = await x2.hello(token, lastSeq);
  assert.ok(!h.err, `hello with Xavi's token after the drop must succeed, got ${JSON.stringify(h.err)}`);
  assert.equal(h.welcome.role, 'participant', `Xavi's role after resume must be participant, got ${h.welcome.role}`);
  const me = h.welcome.me && typeof h.welcome.me === 'object' ? (h.welcome.me.member ?? h.welcome.me.id) : h.welcome.me;
  assert.equal(me, xavi.member, `welcome.me after resume must be the same member ${xavi.member}, got ${JSON.stringify(h.welcome.me)}`);
  assert.ok(h.welcome.head >= Math.max(...missedSeqs), `welcome.head (${h.welcome.head}) must be at least the newest acked seq ${Math.max(...missedSeqs)}`);

  const replay = h.events;
  const replayNotes = replay.filter((e) => e.type === 'note.added');
  assert.deepEqual(replayNotes.map((e) => e.data.text), missed,
    `after resume the replay must hold exactly the 5 missed notes in order, got ${JSON.stringify(replayNotes.map((e) => e.data.text))}`);
  assert.deepEqual(replayNotes.map((e) => e.seq), missedSeqs, 'the replayed notes must carry the seqs their acks announced');
  for (const e of replay) {
    assert.ok(e.seq > lastSeq, `resume sent an event with seq ${e.seq} <= since ${lastSeq}: ${JSON.stringify(e)}`);
    assert.ok(!seenSeqs.has(e.seq), `resume re-sent an event Xavi had already seen (seq ${e.seq})`);
  }
  const seqs = replay.map((e) => e.seq);
  assert.equal(new Set(seqs).size, seqs.length, `resume sent an event twice: seqs ${seqs.join(',')}`);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `replayed seqs must increase: ${seqs.join(',')}`);
  assert.ok(h.synced.seq >= Math.max(...missedSeqs), `synced.seq (${h.synced.seq}) must cover the replayed events`);
  for (const tx of before) assert.equal(notesIn(x2.messages, tx).length, 0, `resume re-sent an old note "${tx}"`);

  // Live after synced: a new note arrives once, after the synced message.
  const live = uniqueText('live');
  assertAck(await yara.cmd('note.add', { text: live }), 'live note.add after resume');
  await x2.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.data && m.data.text === live, undefined, { what: 'the live note after resume' });
  const syncedIdx = x2.messages.findIndex((m) => m.t === 'synced');
  const liveIdx = x2.messages.findIndex((m) => m.t === 'ev' && m.data && m.data.text === live);
  assert.ok(liveIdx > syncedIdx, 'a live event must come after synced');
  assert.equal(notesIn(x2.messages, live).length, 1, 'the live note must arrive exactly once');
});

test('a retried command id is applied once, also after a reconnect', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const a = list[0];

  const watcher = await member(srv, a.code, 'Wim');
  const sender = await member(srv, a.code, 'Sara');
  const text = uniqueText('eenmalig');
  const id = `dup-1-${process.pid}`;

  // Twice back to back: the second may arrive before the first is durable.
  const from = sender.frames.length;
  sender.send({ t: 'cmd', id, cmd: 'note.add', args: { text } });
  sender.send({ t: 'cmd', id, cmd: 'note.add', args: { text } });
  await sender.waitUntil((msgs) => msgs.filter((m) => (m.t === 'ack' || m.t === 'err') && m.id === id).length >= 2, undefined, 'two answers for the same command id');
  const answers = sender.frames.filter((f) => f.index >= from && f.msg && f.msg.id === id && (f.msg.t === 'ack' || f.msg.t === 'err')).map((f) => f.msg);
  for (const r of answers) assertAck(r, `command ${id} (sent twice)`);
  assert.equal(answers[0].seq, answers[1].seq, `both acks of ${id} must carry the same seq, got ${answers[0].seq} and ${answers[1].seq}`);

  // Once more after a reconnect, with the same token.
  const token = sender.token;
  await sender.close();
  const again = await srv.client();
  const h = await again.hello(token, 0);
  assert.ok(!h.err, `hello with the member token must succeed: ${JSON.stringify(h.err)}`);
  const third = await again.cmd('note.add', { text }, id);
  assertAck(third, `command ${id} resent after reconnect`);
  assert.equal(third.seq, answers[0].seq, `the ack after reconnect must carry the original seq ${answers[0].seq}, got ${third.seq}`);

  // A marker after the retries: once it arrives, any duplicate note would have arrived too.
  const marker = uniqueText('marker');
  assertAck(await again.cmd('note.add', { text: marker }), 'marker note.add');
  await watcher.waitFor((m) => m.t === 'ev' && m.data && m.data.text === marker, undefined, { what: 'the marker note' });
  assert.equal(notesIn(watcher.messages, text).length, 1, `the watcher must see exactly one note.added for ${id}, saw ${notesIn(watcher.messages, text).length}`);
  assert.equal(notesIn(again.messages, text).length, 1, `the replay after reconnect must hold exactly one note.added for ${id}`);

  // A different id with the same text is a new command, applied again.
  const other = await again.cmd('note.add', { text }, newId('c'));
  assertAck(other, 'a new id with the same text');
  assert.notEqual(other.seq, answers[0].seq, 'a new command id must create a new event');
});
