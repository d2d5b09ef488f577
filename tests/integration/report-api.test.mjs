// The organiser's report button: GET /api/report.pdf renders the day off the network
// thread, only for the organiser, and the server keeps serving meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, member, teamCodes, uniqueText } from './lib.mjs';

async function getReport(port, token, query = '') {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const res = await fetch(`http://127.0.0.1:${port}/api/report.pdf${query}`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

test('GET /api/report.pdf: the organiser gets the report; names only on request', async (t) => {
  const server = await startServer(t);
  const { list, links } = await teamCodes(server, 1);
  const anna = await member(server, list[0].code, 'Annemarie Testnaam');
  const text = uniqueText('Gegevens worden dubbel uitgevraagd');
  const ack = await anna.cmd('note.add', { text });
  assert.equal(ack.t, 'ack', `note acked: ${JSON.stringify(ack)}`);

  assert.equal((await getReport(server.port, null)).status, 401, 'no token: 401');
  const jury = links.find((l) => l.role === 'jury');
  assert.ok(jury, 'the organiser sees a jury link');
  assert.equal((await getReport(server.port, jury.token)).status, 403, 'another role: 403');

  // The service thread stays free while the worker renders.
  const pending = getReport(server.port, server.organiserToken);
  const from = anna.frames.length;
  anna.send({ t: 'ping', now: 1 });
  const pong = await anna.waitFor((m) => m.t === 'pong', undefined, { from });
  assert.equal(pong.t, 'pong');
  const r = await pending;
  assert.equal(r.status, 200);
  assert.match(r.type, /application\/pdf/);
  assert.equal(r.body.subarray(0, 5).toString(), '%PDF-');

  const dir = fs.mkdtempSync('/tmp/sp-report-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const plain = path.join(dir, 'plain.pdf');
  fs.writeFileSync(plain, r.body);
  const plainText = execFileSync('pdftotext', [plain, '-']).toString();
  assert.match(plainText, /Staatsprint/, 'the report names the day');
  assert.doesNotMatch(plainText, /Annemarie Testnaam/, 'no participant names by default');

  const named = await getReport(server.port, server.organiserToken, '?names=1');
  assert.equal(named.status, 200);
  const namedPdf = path.join(dir, 'named.pdf');
  fs.writeFileSync(namedPdf, named.body);
  assert.match(execFileSync('pdftotext', [namedPdf, '-']).toString(), /Annemarie Testnaam/, 'names when asked');
});
