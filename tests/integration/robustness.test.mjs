// Bad input must not hurt: every wrong message gets an err and the connection stays usable;
// a message over 64 KiB closes only its sender with 1009.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, teamCodes, member, uniqueText, newId, notesIn, sleep } from './lib.mjs';

// A valid note.add on this connection must still be acked.
async function probe(c, after) {
  const text = uniqueText('probe');
  const r = await c.cmd('note.add', { text });
  assert.equal(r.t, 'ack', `after ${after} the same connection must still work: a valid note.add should be acked, got ${JSON.stringify(r)}`);
  assert.ok(c.isOpen(), `after ${after} the connection must stay open`);
  return r;
}

// Send raw data; expect the next err to carry `code` (and the given id, if any).
async function expectErr(c, data, code, what, { id, binary = false } = {}) {
  const from = c.frames.length;
  await c.sendRaw(data, { binary });
  const err = await c.waitFor((m) => m.t === 'err' || m.t === 'ack', undefined, { from, what: `err ${code} for ${what}` });
  assert.equal(err.t, 'err', `${what} must be refused with an err, got ${JSON.stringify(err)}`);
  if (code) assert.equal(err.code, code, `${what}: expected err code ${code}, got ${err.code} (${JSON.stringify(err)})`);
  if (id !== undefined) assert.equal(err.id, id, `${what}: the err must carry the message id ${id}, got ${JSON.stringify(err)}`);
  assert.ok(typeof err.nl === 'string' && err.nl.length > 0, `${what}: the err must carry a Dutch text (nl): ${JSON.stringify(err)}`);
  assert.ok(typeof err.en === 'string' && err.en.length > 0, `${what}: the err must carry an English text (en): ${JSON.stringify(err)}`);
  return err;
}

test('bad input gets the documented err and the connection keeps working', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const a = list[0];
  const c = await srv.client();

  // Before authentication.
  const id0 = newId('pre');
  await expectErr(c, JSON.stringify({ t: 'cmd', id: id0, cmd: 'note.add', args: { text: 'te vroeg' } }), 'not_authenticated', 'a command before authentication', { id: id0 });
  const pingFrom = c.frames.length;
  c.send({ t: 'ping', now: 12345 });
  const pong = await c.waitFor((m) => m.t === 'pong', undefined, { from: pingFrom, what: 'pong before authentication' });
  assert.equal(pong.echo, 12345, `pong.echo must repeat the client's now, got ${JSON.stringify(pong)}`);
  assert.ok(Math.abs(pong.now - Date.now()) < 60000, `pong.now must be the server time in ms, got ${pong.now}`);
  await expectErr(c, JSON.stringify({ t: 'hello', token: 'geen-echt-token-0000000000' }), 'bad_token', 'a hello with an unknown token');
  const badJoinId = newId('j');
  await expectErr(c, JSON.stringify({ t: 'join', id: badJoinId, code: 'ZZZZ-ZZZZ', name: 'Indringer' }), 'bad_code', 'a join with a wrong code', { id: badJoinId });

  // The right code still works on the same connection, written in lower case without dashes.
  const r = await c.join(a.code.toLowerCase().replace(/-/g, ''), 'Anna');
  assert.ok(!r.err, `after the refused attempts, a join with the right code (lower case, no dashes) must succeed: ${JSON.stringify(r.err)}`);
  assert.equal(r.joined.team, a.team, 'the join must land in the team of the code');
  await probe(c, 'the refused join');

  await expectErr(c, 'dit is geen json', 'bad_json', 'malformed JSON');
  await probe(c, 'malformed JSON');
  await expectErr(c, '{"t":"cmd","id":"x1",', 'bad_json', 'truncated JSON');
  await probe(c, 'truncated JSON');
  await expectErr(c, '[1,2,3]', 'bad_json', 'a JSON array (not an object)');
  await probe(c, 'a JSON array');

  const idU = newId('u');
  await expectErr(c, JSON.stringify({ t: 'cmd', id: idU, cmd: 'note.explode', args: {} }), 'unknown_command', 'an unknown command', { id: idU });
  await probe(c, 'an unknown command');

  await expectErr(c, JSON.stringify({ t: 'wat', id: newId('w') }), 'unknown_message', 'an unknown message kind');
  await probe(c, 'an unknown message kind');

  const idM = newId('m');
  await expectErr(c, JSON.stringify({ t: 'cmd', id: idM, cmd: 'note.add', args: { text: 42 } }), 'bad_message', 'note.add with a number as text', { id: idM });
  await probe(c, 'a wrongly typed field');

  let deep = { text: 'diep' };
  for (let i = 0; i < 40; i++) deep = { a: deep };
  const idD = newId('d');
  await expectErr(c, JSON.stringify({ t: 'cmd', id: idD, cmd: 'note.add', args: deep }), 'too_deep', 'JSON nested 40 levels deep');
  await probe(c, 'deeply nested JSON');

  // {"\xff\xfe"} – sent as a text frame; ws does not validate what it sends.
  await expectErr(c, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'bad_utf8', 'a text frame with invalid UTF-8');
  await probe(c, 'invalid UTF-8');

  await expectErr(c, Buffer.from('{"t":"ping"}'), null, 'a binary frame', { binary: true });
  await probe(c, 'a binary frame');

  const idE = newId('e');
  await expectErr(c, JSON.stringify({ t: 'cmd', id: idE, cmd: 'note.add', args: { text: '' } }), 'text_empty', 'an empty note', { id: idE });
  await probe(c, 'an empty note');

  const idL = newId('l');
  await expectErr(c, JSON.stringify({ t: 'cmd', id: idL, cmd: 'note.add', args: { text: 'x'.repeat(281) } }), 'text_too_long', 'a 281-character note', { id: idL });
  await probe(c, 'a too long note');

  // The limits are characters, not bytes: 280 is fine, also when each takes two bytes.
  const ok280 = await c.cmd('note.add', { text: 'y'.repeat(280) });
  assert.equal(ok280.t, 'ack', `a 280-character note must be accepted, got ${JSON.stringify(ok280)}`);
  const accented = 'é'.repeat(280);
  const okUtf = await c.cmd('note.add', { text: accented });
  assert.equal(okUtf.t, 'ack', `a note of 280 two-byte characters (é) must be accepted, got ${JSON.stringify(okUtf)}`);
  const ev = await c.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.seq === okUtf.seq, undefined, { what: 'the é note event' });
  assert.equal(ev.data.text, accented, 'the é note must come back unchanged');
  const tooUtf = await c.cmd('note.add', { text: 'é'.repeat(281) });
  assert.equal(tooUtf.code, 'text_too_long', `281 two-byte characters must be text_too_long, got ${JSON.stringify(tooUtf)}`);

  assert.ok(srv.alive(), 'the server must still be running');
});

test('a 1 MiB message closes its sender with 1009, other clients keep being served', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const a = list[0];

  const big = await member(srv, a.code, 'Groot');
  const rita = await member(srv, a.code, 'Rita');
  const rob = await member(srv, a.code, 'Rob');

  // Just under the limit is a normal message: refused with an err, connection open.
  const idNear = newId('near');
  const near = JSON.stringify({ t: 'cmd', id: idNear, cmd: 'note.add', args: { text: 'n'.repeat(60000) } });
  assert.ok(Buffer.byteLength(near) < 64 * 1024, 'the near-limit message must be under 64 KiB');
  const nearAnswer = await big.cmd('note.add', { text: 'n'.repeat(60000) }, idNear);
  assert.equal(nearAnswer.code, 'text_too_long', `a 60,000-character note (under 64 KiB) must get err text_too_long, got ${JSON.stringify(nearAnswer)}`);
  assert.ok(big.isOpen(), 'a message under 64 KiB must not close the connection');

  const payload = JSON.stringify({ t: 'cmd', id: newId('big'), cmd: 'note.add', args: { text: 'x'.repeat(1024 * 1024) } });
  big.sendRaw(payload).catch(() => { /* the server may cut us off mid-send */ });
  const closeInfo = await Promise.race([big.closed, sleep(15000).then(() => null)]);
  assert.ok(closeInfo, 'the sender of a 1 MiB message must be disconnected (it was still open after 15 s)');
  assert.equal(closeInfo.code, 1009, `the sender of a 1 MiB message must be closed with 1009, got ${closeInfo.code} (${closeInfo.reason})`);

  const text = uniqueText('na de grote');
  const ack = await rita.cmd('note.add', { text });
  assert.equal(ack.t, 'ack', `another client's note.add must still be acked after the 1 MiB message, got ${JSON.stringify(ack)}`);
  await rob.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.data && m.data.text === text, undefined, { what: 'fan-out of the note after the 1 MiB message' });
  assert.ok(srv.alive(), 'the server must still be running');
});

test('a message longer than the receive buffer arrives whole: in one frame and in fragments that split a character', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const a = list[0];
  const writer = await member(srv, a.code, 'Lang');
  const reader = await member(srv, a.code, 'Lezer');

  // A note at its limit of 280 characters, most of them three bytes in UTF-8: about 800
  // bytes, more than the 256 bytes lws hands over at a time.
  const body = (n) => `${n}:` + '€ë'.repeat(139 - Math.ceil(String(n).length / 2));
  const one = body(1).slice(0, 280);
  const ack1 = await writer.cmd('note.add', { text: one });
  assert.equal(ack1.t, 'ack', `a long note in one frame must be acknowledged, got ${JSON.stringify(ack1)}`);

  const two = body(2).slice(0, 280);
  const msg = Buffer.from(JSON.stringify({ t: 'cmd', id: 'lang-2', cmd: 'note.add', args: { text: two } }));
  const cut1 = msg.indexOf(Buffer.from('€')) + 1;          // inside the first €
  const cut2 = cut1 + 301;
  await writer.sendRaw(msg.subarray(0, cut1), { fin: false, binary: false });
  await writer.sendRaw(msg.subarray(cut1, cut2), { fin: false, binary: false });
  await writer.sendRaw(msg.subarray(cut2), { fin: true, binary: false });
  const ack2 = await writer.waitFor((m) => m.id === 'lang-2', undefined, { what: 'the answer to the fragmented note' });
  assert.equal(ack2.t, 'ack', `a long note in three fragments must be acknowledged, got ${JSON.stringify(ack2)}`);

  for (const text of [one, two]) {
    await reader.waitFor((m) => m.t === 'ev' && m.data && m.data.text === text, undefined, { what: 'the long note' });
    assert.equal(notesIn(reader.messages, text).length, 1, 'the long note must arrive exactly once, unchanged');
  }
});

test('a message over 64 KiB sent in small fragments closes its sender with 1009', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const a = list[0];

  const frag = await member(srv, a.code, 'Stukjes');
  const other = await member(srv, a.code, 'Olga');

  // 40 fragments of 4 KiB = 160 KiB of one message; the server must not wait for the end.
  const chunk = 'x'.repeat(4096);
  const sends = [frag.sendRaw('{"t":"cmd","id":"frag-1","cmd":"note.add","args":{"text":"', { fin: false })];
  for (let i = 0; i < 40; i++) sends.push(frag.sendRaw(chunk, { fin: false }));
  sends.push(frag.sendRaw('"}}', { fin: true }));
  for (const s of sends) s.catch(() => { /* cut off mid-send is fine */ });
  const closeInfo = await Promise.race([frag.closed, sleep(15000).then(() => null)]);
  assert.ok(closeInfo, 'the sender of a fragmented 160 KiB message must be disconnected (still open after 15 s)');
  assert.equal(closeInfo.code, 1009, `the sender of a fragmented 160 KiB message must be closed with 1009, got ${closeInfo.code}`);

  const text = uniqueText('na de stukjes');
  const ack = await other.cmd('note.add', { text });
  assert.equal(ack.t, 'ack', `another client must still be served, got ${JSON.stringify(ack)}`);
  await other.waitFor((m) => m.t === 'ev' && m.data && m.data.text === text, undefined, { what: 'the note event after the fragmented message' });
  assert.equal(notesIn(other.messages, text).length, 1, 'the note after the fragmented message must arrive exactly once');
  assert.ok(srv.alive(), 'the server must still be running');
});
