// AVG art. 17 on every output: after person.delete a participant's name, organisation and
// role are gone from the report as PDF (its text, via pdftotext), JSON, Markdown and CSV,
// and from every frame the running server sends afterwards – also to a connection that
// replays the day from the start – without a restart.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, teamCodes, member, runBin, tempDir, removeDir, sanitizerReport } from './lib.mjs';

const NAME = 'Wilhelmina Vergeetmenietje';
const ORG = 'Stichting Zichtbaar Geheim';
const ROLE = 'Privacyspecialist Achttien';
const PERSONAL = [NAME, ORG, ROLE];

async function reportPdfText(server, dir, label) {
  const res = await fetch(`${server.url}/api/report.pdf?names=1`, {
    headers: { Authorization: `Bearer ${server.organiserToken}` },
  });
  assert.equal(res.status, 200);
  const f = path.join(dir, `${label}.pdf`);
  fs.writeFileSync(f, Buffer.from(await res.arrayBuffer()));
  return execFileSync('pdftotext', ['-layout', f, '-']).toString('utf8');
}

// JSON, Markdown and both CSV files of `staatsprint export --names`, read beside the server.
async function exports(server, dir, label) {
  const out = Object.fromEntries(['json', 'md', 'csv-ideas', 'csv-votes'].map((k) => [k, path.join(dir, `${label}.${k}`)]));
  const r = await runBin(['export', '--db', server.db, '--names', '--json', out.json, '--md', out.md,
    '--csv-ideas', out['csv-ideas'], '--csv-votes', out['csv-votes']], 60000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sanitizerReport(r.stderr + r.stdout), null);
  return Object.fromEntries(Object.entries(out).map(([k, f]) => [k, fs.readFileSync(f, 'utf8')]));
}

function mentions(text, what) { return PERSONAL.filter((p) => text.includes(p)).length > 0 ? what : null; }

test('AVG deletion: gone from the PDF, JSON, Markdown, CSV and from every frame sent afterwards', async (t) => {
  const server = await startServer(t);
  const dir = tempDir('staatsprint-avg-');
  t.after(() => removeDir(dir));
  const { client: org, list } = await teamCodes(server, 1);
  const wilma = await member(server, list[0].code, NAME);
  const mate = await member(server, list[0].code, 'Teamgenoot');
  const prof = await wilma.cmd('profile.set', { organisation: ORG, role: ROLE });
  assert.equal(prof.t, 'ack', JSON.stringify(prof));
  await org.waitFor((m) => m.t === 'ev' && m.type === 'member.profile' && m.data.member === wilma.member, 10000);

  // Before: every place that shows people shows her (so the checks below can fail).
  const before = await exports(server, dir, 'before');
  for (const k of ['json', 'md']) {
    for (const p of PERSONAL) assert.ok(before[k].includes(p), `the ${k} export lacks ${p} before the deletion`);
  }
  const pdfBefore = await reportPdfText(server, dir, 'before');
  assert.ok(pdfBefore.includes(ORG), 'the PDF lacks the organisation before the deletion');
  const early = await server.client();
  assert.ok(!(await early.hello(server.organiserToken, 0)).err);
  for (const p of PERSONAL) assert.ok(early.rawText.includes(p), `a replay lacks ${p} before the deletion`);

  const del = await org.cmd('person.delete', { member: wilma.member });
  assert.equal(del.t, 'ack', JSON.stringify(del));
  await mate.waitFor((m) => m.t === 'ev' && m.type === 'member.forgotten' && m.data.id === wilma.member, 10000);

  // Exports read after the deletion.
  const after = await exports(server, dir, 'after');
  for (const [k, text] of Object.entries(after)) assert.equal(mentions(text, k), null, `the ${k} export still holds personal data`);
  const doc = JSON.parse(after.json);
  const m = doc.teams.flatMap((tm) => tm.members).find((x) => x.id === wilma.member);
  assert.ok(m, 'the member (without her data) is still counted');
  assert.deepEqual([m.name, m.organisation, m.role], ['', '', '']);
  assert.equal(mentions(await reportPdfText(server, dir, 'after'), 'pdf'), null, 'the PDF still holds personal data');

  // The running server: whoever replays from the start now (the organiser, a teammate)
  // gets none of it; nor does a connection that was open all along, from here on.
  const mark = early.frames.length;
  for (const token of [server.organiserToken, mate.token]) {
    const c = await server.client();
    const h = await c.hello(token, 0);
    assert.ok(!h.err, JSON.stringify(h.err));
    assert.ok(h.events.some((e) => e.type === 'member.joined' && e.data.id === wilma.member), 'the replay lacks the join');
    assert.equal(mentions(c.rawText, 'replay'), null, 'a replay after the deletion holds personal data');
  }
  const resumed = await server.client();
  assert.ok(!(await resumed.hello(mate.token, 1)).err);
  assert.equal(mentions(resumed.rawText, 'resume'), null);
  // A last command as the marker every connection of the team sees: all frames up to it are in.
  const marker = await mate.cmd('note.add', { text: 'marker na de verwijdering' });
  assert.equal(marker.t, 'ack');
  await early.waitFor((x) => x.t === 'ev' && x.seq === marker.seq, 10000, { from: mark });
  const sinceDeletion = early.frames.slice(mark).map((f) => String(f.raw)).join('\n');
  assert.equal(mentions(sinceDeletion, 'live'), null, 'an open connection got personal data after the deletion');
});
