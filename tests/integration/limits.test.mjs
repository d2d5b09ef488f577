// Abuse limits: join-code guessing per address (over many connections), the message rate
// per connection, and a client that never reads (cut off with bounded memory while the
// others keep a low ack latency). Message size (1009), depth, UTF-8 and text lengths are in
// robustness.test.mjs; per-connection code guessing in session.test.mjs.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, teamCodes, member, newId, sleep } from './lib.mjs';

async function wrongJoin(c, i) {
  const id = newId('raad');
  const from = c.frames.length;
  c.send({ t: 'join', id, code: `QQ${String(i % 100).padStart(2, '0')}-ZZZZ`, name: 'Rader' });
  const r = await c.waitFor((m) => (m.t === 'err' || m.t === 'joined') && m.id === id, undefined, { from, what: `answer to wrong join ${i}` });
  assert.equal(r.t, 'err', `a wrong join code must be refused, got ${JSON.stringify(r)}`);
  return r.code;
}

test('join-code guessing is limited per source address, across connections', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  srv.closeClients();

  // Each connection stays under its own limit (10 a minute): 9 guesses on each of 7
  // connections from one address is 63, over the address's 60.
  const codes = [];
  for (let k = 0; k < 7; k++) {
    const c = await srv.client();
    for (let i = 0; i < 9; i++) codes.push(await wrongJoin(c, k * 9 + i));
    await c.close();
  }
  const firstLimited = codes.indexOf('rate_limited');
  assert.ok(firstLimited >= 0, `63 wrong codes from one address over 7 connections must end in rate_limited, got ${codes.filter((x) => x === 'bad_code').length} x bad_code`);
  assert.ok(firstLimited >= 50, `the address limit must not bite before ~60 wrong codes (bit at ${firstLimited})`);

  // A new connection from the same address is limited too: no new guesses, also not a hello
  // with a guessed token.
  const fresh = await srv.client();
  assert.equal(await wrongJoin(fresh, 99), 'rate_limited', 'a new connection from a guessing address must be rate_limited');
  const h = await fresh.hello('geraden-token-000000000000000000000000000');
  assert.equal(h.err && h.err.code, 'rate_limited', `a guessed token from that address must be rate_limited too, got ${JSON.stringify(h)}`);

  // Behind a reverse proxy on this machine, X-Forwarded-For names the real client: another
  // address is not affected and joins with the right code.
  const proxied = await srv.client({ headers: { 'X-Forwarded-For': '203.0.113.7' } });
  assert.equal(await wrongJoin(proxied, 1), 'bad_code', 'another address (via X-Forwarded-For from a local proxy) must have its own budget');
  const ok = await proxied.join(list[0].code, 'Echte deelnemer');
  assert.ok(!ok.err, `the right code from another address must work: ${JSON.stringify(ok.err)}`);
  assert.ok(srv.alive());
});

test('a client sending faster than the rate gets rate_limited and stays usable', async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const c = await member(srv, list[0].code, 'Haastig');
  const from = c.frames.length;
  for (let i = 0; i < 600; i++) c.send({ t: 'ping', now: i });
  // Every message is answered once: a pong, or counted in a rate_limited answer (one per
  // burst, docs/protocol.md "Limits"): wait until all 600 are accounted for.
  const accounted = (ms) => ms.slice(from).reduce((n, m) => n + (m.t === 'pong' ? 1 : m.t === 'err' && m.code === 'rate_limited' ? m.count : 0), 0);
  await c.waitUntil((ms) => accounted(ms) >= 600, 10000, 'answers to 600 pings');
  assert.equal(accounted(c.messages), 600, 'no ping is answered twice');
  const answers = c.frames.slice(from).map((f) => f.msg).filter(Boolean);
  const limited = answers.filter((m) => m.t === 'err' && m.code === 'rate_limited').length;
  const pongs = answers.filter((m) => m.t === 'pong').length;
  assert.ok(limited > 0, `600 messages at once must hit the rate limit (got ${pongs} pongs)`);
  assert.ok(pongs >= 150, `a burst of about 200 must be allowed, got ${pongs} pongs`);
  assert.ok(c.isOpen(), 'rate limiting must not close the connection');
  await sleep(1500);
  const r = await c.cmd('note.add', { text: 'na het afremmen' });
  assert.equal(r.t, 'ack', `after a pause the connection must work again, got ${JSON.stringify(r)}`);
});

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
}

test('a client that never reads is cut off with bounded memory; the others keep their latency', { timeout: 120000 }, async (t) => {
  // ASan keeps freed memory in a quarantine (256 MB by default), which would hide what the
  // server itself holds: keep it small for this server so that RSS measures the server.
  const orig = process.env.ASAN_OPTIONS;
  process.env.ASAN_OPTIONS = [orig, 'quarantine_size_mb=4'].filter(Boolean).join(':');
  let srv;
  try { srv = await startServer(t); } finally {
    if (orig === undefined) delete process.env.ASAN_OPTIONS; else process.env.ASAN_OPTIONS = orig;
  }
  const { list } = await teamCodes(srv, 1);
  const slow = await member(srv, list[0].code, 'Traag');
  const fast = await member(srv, list[0].code, 'Snel');
  const writer = await member(srv, list[0].code, 'Schrijver');

  const rssBefore = rssKiB(srv.proc.pid);
  // Stop reading: the kernel buffers fill, then everything for `slow` waits in the server.
  slow.ws._socket.pause();
  // The slow client keeps asking (pings answered into its own queue), and the team's notes
  // pile up for it.
  const big = 'p'.repeat(60000);   // pong echoes `now`: 60 KB out per ping
  const latencies = [];
  let slowCut = false;
  slow.ws._socket.on('close', () => { slowCut = true; });
  // 30 rounds whatever happens to the slow client: the latency counts before and after its cut.
  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < 60 && !slowCut; i++) {
      try { slow.ws.send(JSON.stringify({ t: 'ping', now: big })); } catch { slowCut = true; break; }
    }
    const t0 = Date.now();
    const r = await fast.cmd('note.add', { text: `snel ${round}` });
    latencies.push(Date.now() - t0);
    assert.equal(r.t, 'ack', `the reading client must keep being served, got ${JSON.stringify(r)}`);
    await writer.cmd('note.add', { text: `stapel ${round} ${'s'.repeat(250)}` });
    await sleep(100);
  }
  const rssDuring = rssKiB(srv.proc.pid);
  // Resume reading: the connection must turn out to be closed by the server.
  slow.ws._socket.resume();
  const closed = await Promise.race([slow.closed, sleep(20000).then(() => null)]);
  assert.ok(closed || slowCut, 'the server must cut off a client that does not read');
  latencies.sort((a, b) => a - b);
  const p95 = latencies[Math.floor(latencies.length * 0.95)];
  assert.ok(p95 < 1000, `the reading client's ack latency must stay low, p95 ${p95} ms`);
  const grew = rssDuring - rssBefore;
  assert.ok(grew < 24 * 1024, `server memory must stay bounded: RSS grew by ${grew} KiB`);
  console.log(`# slow reader: cut off ${closed ? `with ${closed.code}` : 'by TCP'}; other client's ack latency p95 ${p95} ms over ${latencies.length} commands; server RSS +${grew} KiB`);
  assert.ok(srv.alive());
});
