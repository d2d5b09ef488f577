// Realistic exports of six form tools (tests/data/exports, written from each tool's documented
// column layout): every header and every choice is read, the summary is right, and a second
// import changes nothing – on the command line and over HTTP with the organiser's mapping.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, organiser, runBin, tempDir, sanitizerReport } from './lib.mjs';

const EXPORTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data/exports');

// What the organiser decides for the free-text answers, and what the import must report.
const FIXTURES = [
  { file: 'google-forms-nl.csv', choices: ['Maakt me niet uit=-'], rows: 8, people: 7, noChoice: 2, shared: 2,
    fields: ['name', 'email', 'organisation', 'role', 'motivation', 'choice1', 'choice2', 'timestamp'] },
  { file: 'microsoft-forms-nl.csv', choices: ['Geen voorkeur=-'], rows: 7, people: 6, noChoice: 1, shared: 0,
    fields: ['name', 'email', 'organisation', 'role', 'motivation', 'choice1', 'choice2', 'timestamp'] },
  { file: 'eventbrite-attendees-en.csv', choices: ['No preference=-'], rows: 7, people: 7, noChoice: 2, shared: 2,
    fields: ['first_name', 'last_name', 'email', 'organisation', 'role', 'choice1', 'choice2', 'timestamp'] },
  { file: 'limesurvey-full-nl.csv', choices: [], rows: 6, people: 6, noChoice: 1, shared: 2,
    fields: ['first_name', 'last_name', 'email', 'organisation', 'role', 'motivation', 'choice1', 'choice2', 'timestamp'] },
  { file: 'typeform-en.csv', choices: ["I don't mind=c2"], rows: 5, people: 5, noChoice: 0, shared: 2,
    fields: ['first_name', 'last_name', 'email', 'organisation', 'role', 'motivation', 'choice1', 'choice2', 'timestamp'] },
  { file: 'jotform-split-name.csv', choices: ['weet ik nog niet=-'], rows: 5, people: 4, noChoice: 0, shared: 0,
    fields: ['first_name', 'last_name', 'email', 'organisation', 'role', 'motivation', 'choice1', 'choice2', 'timestamp'] },
];

const figure = (out, label) => {
  const m = new RegExp(`${label}:\\s+(-?\\d+)`).exec(out);
  assert.ok(m, `"${label}" in:\n${out}`);
  return Number(m[1]);
};

for (const fx of FIXTURES) {
  test(`command line: ${fx.file} is read completely, and a second import changes nothing`, async () => {
    const db = path.join(tempDir(), 'exports.db');
    const file = path.join(EXPORTS, fx.file);
    const args = ['import', '--db', db, ...fx.choices.flatMap((c) => ['--choice', c]), file];
    const plain = await runBin(['import', '--db', db, '--preview', file], 60000);
    assert.equal(plain.code, 0, plain.stderr);
    // Before anything is imported, an answer that matches nothing is listed with its count.
    if (fx.choices.length) assert.match(plain.stdout, /1x\s+.+→ GEEN\/NONE \(\?\)/);
    assert.equal(figure(plain.stdout, 'new \\(to be\\)'), fx.people);
    const first = await runBin(args, 60000);
    assert.equal(first.code, 0, first.stderr);
    for (const f of fx.fields) assert.match(first.stdout, new RegExp(`^  ${f}\\s+←`, 'm'), `${f} mapped`);
    assert.doesNotMatch(first.stdout, /GEEN\/NONE \(\?\)/, 'every answer recognised or decided');
    assert.equal(figure(first.stdout, 'Rijen / rows'), fx.rows);
    assert.equal(figure(first.stdout, 'new'), fx.people);
    assert.equal(figure(first.stdout, 'rejected'), 0);
    assert.equal(figure(first.stdout, 'without a recognised choice'), fx.noChoice);
    assert.equal((first.stdout.match(/shared_email/g) ?? []).length, fx.shared);
    const again = await runBin(args, 60000);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(figure(again.stdout, 'new'), 0);
    assert.equal(figure(again.stdout, 'updated'), 0);
    assert.equal(figure(again.stdout, 'unchanged'), fx.people);
    for (const r of [plain, first, again]) assert.equal(sanitizerReport(r.stderr), null, r.stderr);
  });
}

test('command line: an unknown challenge in --choice is refused and nothing is imported', async () => {
  const db = path.join(tempDir(), 'exports.db');
  const file = path.join(EXPORTS, 'google-forms-nl.csv');
  const bad = await runBin(['import', '--db', db, '--choice', 'Maakt me niet uit=c9', file], 60000);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /challenge that does not exist/);
  const after = await runBin(['import', '--db', db, '--preview', file], 60000);
  assert.equal(figure(after.stdout, 'new \\(to be\\)'), 7);
});

async function postJson(server, query, body) {
  const res = await fetch(`${server.url}/api/import${query}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.organiserToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

test('HTTP: the mapping and answer matches sent with the file are exactly what is imported', async (t) => {
  const server = await startServer(t);
  const org = await organiser(server);
  const csv = fs.readFileSync(path.join(EXPORTS, 'microsoft-forms-nl.csv'), 'utf8');
  const preview = await postJson(server, '?preview=1', { csv });
  assert.equal(preview.status, 200);
  const answers = new Map(preview.json.answers.map((a) => [a.answer, a]));
  assert.equal(answers.get('Geen voorkeur').challenge, null);
  assert.equal(answers.get('Geen voorkeur').matched, false);
  assert.equal(answers.get('moderniseren gemeentelijke it').challenge, 'c1');
  assert.equal(preview.json.unmatched_answers, 1);
  // The organiser: the second-choice column is not used, "Geen voorkeur" means c3, and
  // "Challenge 1" means c2 (say the form numbered them differently).
  const map = preview.json.map.replace(/choice2=\d+/, 'choice2=-');
  const choices = [{ answer: 'Geen voorkeur', challenge: 'c3' }, { answer: 'challenge 1', challenge: 'c2' }];
  const done = await postJson(server, '?id=exports-1', { csv, map, choices });
  assert.equal(done.status, 200, JSON.stringify(done.json));
  assert.equal(done.json.new, 6);
  assert.equal(done.json.unmatched_answers, 0);
  assert.equal(done.json.map, map);
  await org.client.waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.type === 'registrations.imported'), 10000, 'imported');
  const people = org.client.events.filter((e) => e.type === 'registrations.imported').flatMap((e) => e.data.people);
  const byName = new Map(people.map((p) => [p.name, p]));
  assert.equal(byName.get('Ruud van Dijk').choice1, 'c3');
  assert.equal(byName.get('Jeroen Mulder').choice1, 'c2');
  assert.ok(people.every((p) => p.choice2 === null), 'the unmapped column is not read');
  assert.equal(byName.get('Çağla Öztürk').email, 'çağla.öztürk@rijksoverheid.nl');
  // The same request again: nothing new, nothing changed.
  const again = await postJson(server, '', { csv, map, choices });
  assert.equal(again.json.new, 0);
  assert.equal(again.json.unchanged, 6);
  const broken = await postJson(server, '', { map });
  assert.equal(broken.status, 422);
  assert.equal(broken.json.code, 'bad_message');
});

test('HTTP, as the browser sends it: every tool’s export with the organiser’s answer matches, twice', async (t) => {
  const server = await startServer(t);
  await organiser(server);
  for (const fx of FIXTURES) {
    const csv = fs.readFileSync(path.join(EXPORTS, fx.file), 'utf8').replace(/^\ufeff/, '');
    const choices = fx.choices.map((c) => {
      const [answer, challenge] = c.split('=');
      return { answer, challenge: challenge === '-' ? null : challenge };
    });
    const preview = await postJson(server, '?preview=1', { csv, choices });
    assert.equal(preview.status, 200, fx.file);
    assert.equal(preview.json.unmatched_answers, 0, `${fx.file}: every answer matched or decided`);
    for (const f of fx.fields) assert.ok(preview.json.mapping.find((m) => m.field === f).column !== null, `${fx.file}: ${f}`);
    const first = await postJson(server, '', { csv, map: preview.json.map, choices });
    assert.equal(first.json.new, fx.people, fx.file);
    assert.equal(first.json.no_choice, fx.noChoice, fx.file);
    assert.equal(first.json.shared_email, fx.shared, fx.file);
    const again = await postJson(server, '', { csv, map: preview.json.map, choices });
    assert.equal(again.json.new, 0, fx.file);
    assert.equal(again.json.updated, 0, fx.file);
    assert.equal(again.json.unchanged, fx.people, fx.file);
  }
});
