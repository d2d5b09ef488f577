// Sessions and ordering: a repeated join id gives the same member, commands are applied in the
// order received, wrong join codes are rate-limited, read-only roles cannot write.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, teamCodes, member, uniqueText, newId, notesIn } from './lib.mjs';

test('joining again with the same join id gives a fresh token for the same member', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const a = list[0];
  const watcher = await member(srv, a.code, 'Wachter');

  const joinId = newId('j-herhaal');
  const c1 = await srv.client();
  const r1 = await c1.join(a.code, 'Anna', joinId);
  assert.ok(!r1.err, `the first join must succeed: ${JSON.stringify(r1.err)}`);
  await c1.terminate();

  const c2 = await srv.client();
  const r2 = await c2.join(a.code, 'Anna', joinId);
  assert.ok(!r2.err, `the repeated join must succeed: ${JSON.stringify(r2.err)}`);
  assert.equal(r2.joined.member, r1.joined.member, `the same join id must give the same member (${r1.joined.member}), got ${r2.joined.member}`);
  assert.equal(r2.joined.team, r1.joined.team, 'the same join id must give the same team');
  assert.notEqual(r2.joined.token, r1.joined.token, 'the repeated join must give a fresh token');

  // Only one member.joined for that member, and both tokens act as that member.
  const marker = uniqueText('na herhaalde join');
  const ack = await c2.cmd('note.add', { text: marker });
  assert.equal(ack.t, 'ack', `the rejoined member must be able to write, got ${JSON.stringify(ack)}`);
  const ev = await watcher.waitFor((m) => m.t === 'ev' && m.data && m.data.text === marker, undefined, { what: 'the note of the rejoined member' });
  assert.equal(ev.by, r1.joined.member, 'the note must be by the original member');
  const joinedEvents = watcher.events.filter((e) => e.type === 'member.joined' && e.data && e.data.id === r1.joined.member);
  assert.equal(joinedEvents.length, 1, `a repeated join must not announce a second member.joined, saw ${joinedEvents.length}`);

  const c3 = await srv.client();
  const h = await c3.hello(r1.joined.token, 0);
  assert.ok(!h.err, `the first token must still authenticate (it was not revoked): ${JSON.stringify(h.err)}`);
});

test('pipelined commands are applied in the order the server receives them', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const c = await member(srv, list[0].code, 'Snel');
  const other = await member(srv, list[0].code, 'Kijker');

  const texts = Array.from({ length: 30 }, (_, i) => uniqueText(`volgorde ${String(i).padStart(2, '0')}`));
  const acks = await Promise.all(texts.map((text) => c.cmd('note.add', { text })));
  for (const r of acks) assert.equal(r.t, 'ack', `every pipelined note.add must be acked, got ${JSON.stringify(r)}`);
  const seqs = acks.map((r) => r.seq);
  for (let i = 1; i < seqs.length; i++) {
    assert.ok(seqs[i] > seqs[i - 1], `acks must follow the sending order: seqs ${seqs.join(',')}`);
  }
  await other.waitUntil((msgs) => texts.every((tx) => notesIn(msgs, tx).length === 1), undefined, 'all 30 pipelined notes at the team mate');
  const order = other.events.filter((e) => e.type === 'note.added' && texts.includes(e.data.text)).map((e) => e.data.text);
  assert.deepEqual(order, texts, 'the team mate must receive the notes in the sending order');
});

test('repeated wrong join codes are rate-limited', async (t) => {
  const srv = await startServer(t);
  await teamCodes(srv, 1);
  const c = await srv.client();
  const codes = [];
  for (let i = 0; i < 50; i++) {
    const id = newId('raad');
    const from = c.frames.length;
    c.send({ t: 'join', id, code: `QQ${String(i).padStart(2, '0')}-ZZZZ`, name: 'Rader' });
    const r = await c.waitFor((m) => m.t === 'err' || m.t === 'joined', undefined, { from, what: `answer to wrong join ${i}` });
    assert.equal(r.t, 'err', `a wrong join code must be refused, got ${JSON.stringify(r)}`);
    codes.push(r.code);
    if (r.code === 'rate_limited') break;
    assert.equal(r.code, 'bad_code', `a wrong join code must give bad_code (or rate_limited), got ${r.code}`);
  }
  assert.ok(codes.includes('rate_limited'), `50 wrong join codes on one connection must end in rate_limited, got ${codes.length} x bad_code`);
  assert.ok(codes.indexOf('rate_limited') >= 1, 'the first wrong code must give bad_code, not rate_limited');
  assert.ok(srv.alive(), 'the server must still be running');
});

test('screen and jury may read but not write team notes', async (t) => {
  const srv = await startServer(t);
  const { links } = await teamCodes(srv, 1);
  for (const role of ['screen', 'jury', 'facilitator']) {
    const l = links.find((x) => x.role === role);
    assert.ok(l, `links.set must hold a ${role} link`);
    const c = await srv.client();
    const h = await c.hello(l.token, 0);
    assert.ok(!h.err, `hello as ${role} must succeed: ${JSON.stringify(h.err)}`);
    const r = await c.cmd('note.add', { text: uniqueText(role) });
    assert.equal(r.t, 'err', `the ${role} must not add a team note, got ${JSON.stringify(r)}`);
    assert.equal(r.code, 'forbidden', `${role} note.add: expected forbidden, got ${r.code}`);
  }
});
