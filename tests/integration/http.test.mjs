// HTTP side of the server: health check, the app page and its security headers, Origin check.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, httpGet, Client, teamCodes, member, uniqueText } from './lib.mjs';

test('/healthz answers 200 and / serves HTML with the security headers', async (t) => {
  const srv = await startServer(t);

  const health = await httpGet(srv.port, '/healthz');
  assert.equal(health.status, 200, `GET /healthz should answer 200, got ${health.status}`);

  const page = await httpGet(srv.port, '/');
  assert.equal(page.status, 200, `GET / should answer 200, got ${page.status}`);
  const type = page.headers.get('content-type') || '';
  assert.match(type, /^text\/html/i, `GET / should be text/html, Content-Type was "${type}"`);
  assert.match(page.body, /<html|<!doctype html/i, 'GET / should return an HTML document');

  const csp = page.headers.get('content-security-policy');
  assert.ok(csp, 'GET / must send a Content-Security-Policy header');
  assert.ok(!/'unsafe-inline'/i.test(csp), `the CSP must not allow 'unsafe-inline': ${csp}`);
  assert.ok(!/'unsafe-eval'/i.test(csp), `the CSP must not allow 'unsafe-eval': ${csp}`);
  assert.match(csp, /frame-ancestors\s+'none'/i, `the CSP must contain frame-ancestors 'none': ${csp}`);

  const nosniff = page.headers.get('x-content-type-options');
  assert.equal((nosniff || '').toLowerCase(), 'nosniff', `X-Content-Type-Options must be nosniff, was ${nosniff}`);

  const referrer = page.headers.get('referrer-policy');
  assert.ok(referrer && referrer.trim().length > 0, 'GET / must send a Referrer-Policy header');
  assert.ok(!/unsafe-url/i.test(referrer), `Referrer-Policy must not be unsafe-url (the URL fragment holds tokens, the path may not): ${referrer}`);
});

test('WebSocket upgrade: a foreign Origin is refused, no Origin and the own origin are accepted', async (t) => {
  const srv = await startServer(t);

  const plain = await Client.connect(srv);
  assert.ok(plain.isOpen(), 'a client without an Origin header must be accepted');
  const own = await Client.connect(srv, { origin: `http://127.0.0.1:${srv.port}` });
  assert.ok(own.isOpen(), "a client with the server's own origin must be accepted");
  // The connection that was accepted must also really work.
  const h = await own.hello(srv.organiserToken, 0);
  assert.ok(!h.err, `organiser hello over an own-origin connection failed: ${JSON.stringify(h.err)}`);

  let refused = null;
  try {
    const evil = await Client.connect(srv, { origin: 'http://evil.example' });
    // Some servers accept the upgrade and close at once; that also counts as refused
    // only if the connection is closed before anything is served.
    const r = await Promise.race([evil.closed.then(() => 'closed'), evil.hello(srv.organiserToken, 0).then((x) => x)]);
    refused = r === 'closed' ? 'closed' : (r.err ? 'err' : null);
  } catch (e) {
    refused = `upgrade failed: ${e.message}`;
  }
  assert.ok(refused, 'a WebSocket with Origin http://evil.example must be refused, but the organiser hello was served');
});

// /healthz gives the server's own share of a command's time (docs/operations.md): every
// acknowledged command counts once, a refused one not at all, and the histogram adds up.
test('/healthz counts acknowledged commands and their time in the server', async (t) => {
  const srv = await startServer(t);
  const health = async () => {
    const r = await httpGet(srv.port, '/healthz');
    assert.equal(r.status, 200, `GET /healthz should answer 200, got ${r.status}`);
    const b = JSON.parse(r.body);
    assert.ok(b.acks && typeof b.acks.n === 'number', `/healthz must have acks.n: ${r.body}`);
    return b.acks;
  };
  const { list } = await teamCodes(srv, 1);
  const anna = await member(srv, list[0].code, 'Anna');
  const before = await health();

  for (let i = 0; i < 5; i++) {
    const a = await anna.cmd('note.add', { text: uniqueText('acks') });
    assert.equal(a.t, 'ack', `note.add ${i} must be acknowledged: ${JSON.stringify(a)}`);
  }
  const five = await health();
  assert.equal(five.n - before.n, 5, `five acknowledged commands must count five: ${before.n} → ${five.n}`);

  // Refused (a command that does not exist, then a note without text): not counted.
  const r1 = await anna.cmd('note.nonsense', {});
  assert.equal(r1.t, 'err', `an unknown command must be refused: ${JSON.stringify(r1)}`);
  const r2 = await anna.cmd('note.add', {});
  assert.equal(r2.t, 'err', `note.add without text must be refused: ${JSON.stringify(r2)}`);
  const after = await health();
  assert.equal(after.n, five.n, `refused commands must not count: ${five.n} → ${after.n}`);

  // A command sent again with the same id is answered again (from memory): counted.
  const id = 'same-id-1';
  assert.equal((await anna.cmd('note.add', { text: uniqueText('again') }, id)).t, 'ack');
  assert.equal((await anna.cmd('note.add', { text: uniqueText('again') }, id)).t, 'ack');
  const again = await health();
  assert.equal(again.n - after.n, 2, `an answered repeat counts too: ${after.n} → ${again.n}`);

  assert.ok(again.p50_us > 0, `a durable ack takes time (the fsync): p50 ${again.p50_us} µs`);
  assert.ok(again.p50_us <= again.p99_us && again.p99_us <= again.max_us,
    `p50 ≤ p99 ≤ max: ${again.p50_us} ${again.p99_us} ${again.max_us}`);
  let sum = 0;
  let last = -1;
  for (const [upper, count] of again.hist) {
    assert.ok(upper > last && count > 0, `hist buckets ascend and are not empty: ${JSON.stringify(again.hist)}`);
    last = upper;
    sum += count;
  }
  assert.equal(sum, again.n, `the buckets add up to n: ${sum} against ${again.n}`);
  assert.ok(last >= again.max_us, `the last bucket holds the largest value: ${last} against ${again.max_us}`);
});
