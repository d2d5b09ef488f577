// Web security of the server: session and link tokens carry at least 128 bits of libsodium
// randomness, the server sets no cookie at all (tokens live in the URL fragment and in
// localStorage; see docs/operations.md, "Security model"), the Origin allow-list of
// `serve --origin` works behind a proxy, and the server's output holds no session token.

import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, teamCodes, member, Client, httpGet } from './lib.mjs';

const B64URL = /^[A-Za-z0-9_-]+$/;

// Bits of a base64url token of this length.
const bits = (tok) => Math.floor(tok.length * 6);

test('tokens: ≥128 bits, base64url, all different; unknown and near-miss tokens are refused', async (t) => {
  const srv = await startServer(t);
  const { list, links } = await teamCodes(srv, 1);
  // links.set may list the organiser's own link too.
  const linkTokens = [srv.organiserToken, ...links.filter((l) => l.role !== 'organiser').map((l) => l.token)];
  const sessions = [];
  for (let i = 0; i < 5; i++) sessions.push((await member(srv, list[0].code, `Lid ${i}`)).token);
  const tokens = [...linkTokens, ...sessions];
  for (const tok of tokens) {
    assert.match(tok, B64URL, `a token must be base64url: ${tok}`);
    assert.ok(bits(tok) >= 128, `a token must carry at least 128 bits, ${tok} has ${bits(tok)}`);
  }
  assert.equal(new Set(tokens).size, tokens.length, 'every token must be different');
  // No structure to exploit: characters spread over the alphabet.
  const chars = new Set(tokens.join(''));
  assert.ok(chars.size >= 50, `tokens must use the whole base64url alphabet, saw ${chars.size} symbols`);

  // A token that differs in its last character is as wrong as any other.
  const c = await srv.client();
  const near = srv.organiserToken.slice(0, -1) + (srv.organiserToken.endsWith('A') ? 'B' : 'A');
  const h = await c.hello(near);
  assert.equal(h.err && h.err.code, 'bad_token', `a near-miss token must be bad_token, got ${JSON.stringify(h)}`);
  const prefix = await c.hello(srv.organiserToken.slice(0, 20));
  assert.equal(prefix.err && prefix.err.code, 'bad_token', 'a prefix of a token must be bad_token');

  // The server's output holds the start-up links (the organiser needs them) but no session token.
  for (const tok of sessions) {
    assert.ok(!srv.stdout.includes(tok) && !srv.stderr.includes(tok), 'a participant session token appeared in the server output');
  }
});

function rawGet(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res); });
    req.on('error', reject);
    req.end();
  });
}

test('no response sets a cookie: pages, assets, 404, /healthz and the WebSocket upgrade', async (t) => {
  const srv = await startServer(t);
  for (const p of ['/', '/index.html', '/healthz', '/nope', '/js/app.js']) {
    const r = await httpGet(srv.port, p);
    assert.equal(r.headers.get('set-cookie'), null, `GET ${p} must not set a cookie`);
  }
  const up = await rawGet(srv.port, '/ws', {
    Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'staatsprint',
  });
  assert.equal(up.statusCode, 101, `the upgrade must succeed, got ${up.statusCode}`);
  assert.equal(up.headers['set-cookie'], undefined, 'the upgrade response must not set a cookie');
});

test('serve --origin: the allowed proxy origin and the own origin work, a foreign origin is refused', async (t) => {
  const srv = await startServer(t, { extraArgs: ['--origin', 'https://sprint.example.nl'] });
  const proxied = await Client.connect(srv, { origin: 'https://sprint.example.nl' });
  const h = await proxied.hello(srv.organiserToken, 0);
  assert.ok(!h.err, `a connection from the allowed origin must work: ${JSON.stringify(h.err)}`);
  const own = await Client.connect(srv, { origin: `http://127.0.0.1:${srv.port}` });
  const h2 = await own.hello(srv.organiserToken, 0);
  assert.ok(!h2.err, 'the own origin must keep working next to the allow-list');
  for (const bad of ['https://evil.example', 'https://sprint.example.nl.evil.example', 'http://sprint.example.nl', 'null']) {
    let refused = false;
    try {
      const c = await Client.connect(srv, { origin: bad });
      const r = await Promise.race([c.closed.then(() => 'closed'), c.hello(srv.organiserToken, 0)]);
      refused = r === 'closed' || !!r.err;
    } catch {
      refused = true;
    }
    assert.ok(refused, `the upgrade from Origin ${bad} must be refused`);
  }
});
