// HTTP side of the server: health check, the app page and its security headers, Origin check.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, httpGet, Client } from './lib.mjs';

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
