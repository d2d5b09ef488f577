// Ids are refused or kept whole, never cut (src/core/limits.h): an HTTP import retried with a
// long id applies once, a longer one is refused with bad_id, and so is an over-long command id.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, organiser } from './lib.mjs';

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data');
const GOOGLE_CSV = fs.readFileSync(path.join(DATA, 'registrations-google.csv'));

async function importCsv(server, id) {
  const res = await fetch(`${server.url}/api/import?id=${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.organiserToken}`, 'Content-Type': 'text/csv; charset=utf-8' },
    body: GOOGLE_CSV,
  });
  return { status: res.status, json: await res.json() };
}

test('an HTTP import retried with a 70-character id applies once; a 101-character id is refused', async (t) => {
  const server = await startServer(t);
  const org = await organiser(server);
  const id = 'retry-'.padEnd(70, 'x');   // 70 characters: was cut to 64 + "import-" in the event
  const first = await importCsv(server, id);
  assert.equal(first.status, 200, JSON.stringify(first.json));
  assert.ok(first.json.imported > 0);
  const again = await importCsv(server, id);
  assert.equal(again.status, 200, JSON.stringify(again.json));
  assert.equal(again.json.already, true, 'the retry was applied a second time');
  assert.equal(again.json.seq, first.json.seq);
  // The log holds one import: the organiser's stream up to the answered seq has one.
  await org.client.waitFor((m) => m.t === 'ev' && m.seq === first.json.seq, 10000);
  const marker = await org.client.cmd('sprint.update', { venue: 'Na de import' });
  assert.equal(marker.t, 'ack');
  await org.client.waitFor((m) => m.t === 'ev' && m.seq === marker.seq, 10000);
  assert.equal(org.client.events.filter((e) => e.type === 'registrations.imported').length, 1);

  const tooLong = await importCsv(server, 'y'.repeat(101));
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.json.code, 'bad_id');
  // Still one import after the refusal: a new marker, and the same count.
  const marker2 = await org.client.cmd('sprint.update', { venue: 'Na de weigering' });
  await org.client.waitFor((m) => m.t === 'ev' && m.seq === marker2.seq, 10000);
  assert.equal(org.client.events.filter((e) => e.type === 'registrations.imported').length, 1);

  // Over WebSocket a command id has at most 64 characters: 65 is refused (the error has no
  // id: it names none the client could match), not cut.
  const from = org.client.frames.length;
  org.client.send({ t: 'cmd', id: 'z'.repeat(65), cmd: 'sprint.update', args: { venue: 'x' } });
  const err = await org.client.nextErr(from);
  assert.equal(err.code, 'bad_id');
});
