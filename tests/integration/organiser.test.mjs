// The organiser's side against the real binary: CSV import over HTTP (Google Forms export
// with `;` and a BOM), the assignment over WebSocket, a move, the join sheets PDF, the AVG
// export and deletion, what participants never see, and the command-line import/assign.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, organiser, member, runBin, tempDir, barrier, sanitizerReport } from './lib.mjs';
import { registrationsCsv } from '../data/gen-registrations.mjs';

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data');
const GOOGLE_CSV = fs.readFileSync(path.join(DATA, 'registrations-google.csv'));

async function api(server, method, p, { token, body, timeout = 30000 } = {}) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout);
  try {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'text/csv; charset=utf-8';
    const res = await fetch(`${server.url}${p}`, { method, headers, body, signal: ctl.signal });
    const buf = Buffer.from(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type'), buf, json: () => JSON.parse(buf.toString('utf8')) };
  } finally {
    clearTimeout(timer);
  }
}

function pdfPages(buf) {
  const dir = tempDir('staatsprint-pdf-');
  const f = path.join(dir, 'sheets.pdf');
  fs.writeFileSync(f, buf);
  const info = execFileSync('pdfinfo', [f]).toString();
  const m = /Pages:\s+(\d+)/.exec(info);
  return m ? Number(m[1]) : -1;
}

const lastEv = (client, type) => client.events.filter((e) => e.type === type).at(-1);

test('import, assign, move, sheets, AVG export and deletion; participants see none of it', async (t) => {
  const server = await startServer(t);
  const org = await organiser(server);
  const tok = server.organiserToken;
  // A participant who is already in a team before the import.
  const firstCode = [...org.codes.values()][0];
  const early = await member(server, firstCode, 'Vroege Vogel');

  // Refusals: no token, a wrong token, GET on the import.
  assert.equal((await api(server, 'POST', '/api/import', { body: GOOGLE_CSV })).status, 401);
  assert.equal((await api(server, 'POST', '/api/import', { token: 'nope', body: GOOGLE_CSV })).status, 401);
  assert.equal((await api(server, 'GET', '/api/import', { token: tok })).status, 405);
  assert.equal((await api(server, 'GET', '/api/sheets.pdf')).status, 401);

  // Preview: the guessed mapping and the first rows, nothing stored.
  const headBefore = org.client.lastSeq;
  const pv = await api(server, 'POST', '/api/import?preview=1', { token: tok, body: GOOGLE_CSV });
  assert.equal(pv.status, 200, pv.buf.toString());
  const preview = pv.json();
  assert.equal(preview.delimiter, ';');
  assert.equal(preview.bom, true);
  const col = (f) => preview.mapping.find((m) => m.field === f).header;
  assert.equal(col('email'), 'E-mailadres');
  assert.equal(col('first_name'), 'Voornaam');
  assert.equal(col('choice1'), 'Eerste keuze challenge');
  assert.equal(preview.preview.length, 10);
  const mark = await barrier(org.client, [org.client]);
  assert.equal(org.client.events.filter((e) => e.type === 'registrations.imported').length, 0);
  assert.deepEqual(org.client.events.filter((e) => e.seq > headBefore).map((e) => e.seq), [mark], 'a preview stored something');

  // The import: 60 rows, one without a name, one repeated address, one bad address.
  const imp = await api(server, 'POST', '/api/import', { token: tok, body: GOOGLE_CSV });
  assert.equal(imp.status, 200, imp.buf.toString());
  const sum = imp.json();
  assert.equal(sum.rows, 60);
  assert.equal(sum.imported, 58);
  assert.equal(sum.replaced, 1);
  assert.equal(sum.rejected, 1);
  const rejected = sum.issues.filter((i) => i.rejects);
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0].code, 'missing_name');
  assert.equal(rejected[0].line, 9);          // data row 7 + header, on physical line 9 (row 5 spans two lines)
  assert.ok(rejected[0].nl.length > 0 && rejected[0].en.length > 0);
  assert.ok(sum.issues.some((i) => i.code === 'invalid_email' && i.line === 23));
  await org.client.waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.type === 'registrations.imported' && m.seq <= sum.seq),
    10000, 'registrations.imported');
  const people = org.client.events.filter((e) => e.type === 'registrations.imported').flatMap((e) => e.data.people);
  assert.equal(people.length, 58);
  assert.ok(people.every((p) => /^p\d+$/.test(p.id)));

  // The same file again changes nothing: people are found by address and name, without
  // a usable address by name and organisation.
  const again = (await api(server, 'POST', '/api/import', { token: tok, body: GOOGLE_CSV })).json();
  assert.equal(again.new, 0);
  assert.equal(again.updated, 0);
  assert.equal(again.unchanged, 58);
  assert.equal(again.imported, 0);
  assert.equal(again.replaced, 1);       // the repeat inside the file

  // Facilitators connected before the assignment, one per room.
  const facs = new Map();
  for (const l of org.links.filter((x) => x.role === 'facilitator')) {
    const f = await server.client();
    const fh = await f.hello(l.token, 0);
    assert.ok(!fh.err, JSON.stringify(fh.err));
    facs.set(l.room, f);
  }

  // The assignment over WebSocket, teams of 4 to 6: new teams appear for the organiser.
  const ack = await org.client.cmd('assign.run', { team_size_min: 4, team_size_max: 6, seed: 2 });
  assert.equal(ack.t, 'ack', JSON.stringify(ack));
  await org.client.waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.type === 'assign.figures' && m.seq === ack.seq), 10000, 'assign.figures');
  const result = lastEv(org.client, 'assign.result').data;
  const figures = lastEv(org.client, 'assign.figures').data.figures;
  assert.equal(figures.people, 58);
  assert.ok(figures.share_first > 0.9, JSON.stringify(figures));
  assert.ok(figures.team_size_min >= 4 && figures.team_size_max <= 6, JSON.stringify(figures));
  const created = org.client.events.filter((e) => e.type === 'team.created').map((e) => e.data.id);
  assert.ok(created.length > 9, `teams: ${created.length}`);

  // A new team's channel reaches the organiser connection opened before it existed.
  const newTeam = result.teams.find((x) => !org.teams.some((o) => o.id === x.team));
  assert.ok(newTeam, 'the assignment created a team');
  const newCode = org.client.events.find((e) => e.type === 'team.code' && e.data.team === newTeam.team).data.code;
  const late = await member(server, newCode, 'Late Deelnemer');
  await org.client.waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.type === 'member.joined' && m.data.team === newTeam.team),
    10000, 'member.joined of a new team at the organiser');
  // …and the facilitator of its room, but not those of other rooms.
  const room = org.client.events.find((e) => e.type === 'team.created' && e.data.id === newTeam.team).data.room;
  await facs.get(room).waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.type === 'member.joined' && m.data.team === newTeam.team),
    10000, 'member.joined of a new team at its facilitator');
  await barrier(org.client, [...facs.values()]);
  for (const [r, f] of facs) {
    if (r !== room) assert.ok(!f.events.some((e) => e.type === 'member.joined' && e.data.team === newTeam.team));
    assert.ok(!f.events.some((e) => e.type === 'registrations.imported' || e.type === 'assign.result'));
  }

  // Someone planned in that team joins under their registered name: linked for the
  // organiser, their organisation shared with the team (and nothing else).
  const plannedId = newTeam.members.find((id) => id !== result.teams[0].members[0]);
  const plannedReg = people.find((p) => p.id === plannedId);
  const joiner = await member(server, newCode, plannedReg.name.toUpperCase());
  await org.client.waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.type === 'member.linked' && m.data.person === plannedId),
    10000, 'member.linked');
  await late.waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.type === 'member.profile' && m.data.member === joiner.member),
    10000, 'member.profile of the linked member at a teammate');
  assert.equal(late.events.find((e) => e.type === 'member.profile' && e.data.member === joiner.member).data.organisation,
    plannedReg.organisation);

  // Move one person to another team of another challenge: pinned, figures updated.
  const from = result.teams[0];
  const to = result.teams.find((x) => x.challenge !== from.challenge);
  const who = from.members[0];
  const mv = await org.client.cmd('assign.move', { person: who, team: to.team });
  assert.equal(mv.t, 'ack', JSON.stringify(mv));
  await org.client.waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.type === 'assign.moved' && m.data.person === who), 10000, 'assign.moved');
  const moved = lastEv(org.client, 'assign.moved').data;
  assert.equal(moved.from, from.team);
  assert.equal(moved.team, to.team);
  await org.client.waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.type === 'assign.figures' && m.seq === mv.seq), 10000, 'figures after the move');
  const fig2 = lastEv(org.client, 'assign.figures').data.figures;
  assert.equal(fig2.first, figures.first - 1);

  // The join sheets: a PDF with one page per team that has planned members.
  const pdf = await api(server, 'GET', '/api/sheets.pdf', { token: tok });
  assert.equal(pdf.status, 200);
  assert.match(pdf.type, /application\/pdf/);
  assert.equal(pdf.buf.subarray(0, 5).toString(), '%PDF-');
  const planned = new Set(result.teams.filter((x) => x.members.length > 0).map((x) => x.team));
  planned.add(to.team);
  if (from.members.length === 1) planned.delete(from.team);
  assert.equal(pdfPages(pdf.buf), planned.size);

  // AVG: everything about one person, then deletion.
  const target = people.find((p) => p.email && p.id !== who);
  const ex = await api(server, 'GET', `/api/person/${target.id}`, { token: tok });
  assert.equal(ex.status, 200);
  assert.equal(ex.json().registration.email, target.email);
  assert.equal((await api(server, 'GET', '/api/person/p99999', { token: tok })).status, 404);
  const del = await org.client.cmd('person.delete', { person: target.id });
  assert.equal(del.t, 'ack', JSON.stringify(del));
  const gone = (await api(server, 'GET', `/api/person/${target.id}`, { token: tok })).json();
  assert.equal(gone.registration.deleted, true);
  assert.equal(gone.registration.name, undefined);
  assert.equal(gone.registration.email, undefined);

  // Deleting a person who joined: the team is told to forget the name; notes would stay.
  const del2 = await org.client.cmd('person.delete', { person: plannedId });
  assert.equal(del2.t, 'ack', JSON.stringify(del2));
  await late.waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.type === 'member.forgotten' && m.data.id === joiner.member),
    10000, 'member.forgotten at a teammate');

  // Participants received no registration data at all.
  await barrier(org.client, [early, late]);
  for (const p of [early, late]) {
    const types = new Set(p.events.map((e) => e.type));
    for (const bad of ['registrations.imported', 'assign.result', 'assign.figures', 'assign.moved', 'person.deleted']) {
      assert.ok(!types.has(bad), `a participant received ${bad}`);
    }
    assert.ok(!p.rawText.includes('@voorbeeld.nl'), 'a participant received an e-mail address');
    assert.ok(!p.rawText.includes('Omdat het nodig is'), 'a participant received a motivation');
    for (const reg of people.slice(0, 20)) assert.ok(!p.rawText.includes(reg.name), `a participant received the name ${reg.name}`);
    const forbidden = await p.cmd('assign.run', {});
    assert.equal(forbidden.code, 'forbidden');
  }
  const pTok = await api(server, 'GET', '/api/sheets.pdf', { token: early.token });
  assert.equal(pTok.status, 403);

  // After a restart the replay holds nothing of the deleted people any more.
  const lateToken = late.token;
  await server.restart();
  const org2 = await organiser(server);
  assert.ok(!org2.client.rawText.includes(target.email), 'the deleted address is replayed');
  assert.ok(!org2.client.rawText.includes(plannedReg.email), 'the deleted address is replayed');
  assert.ok(org2.client.rawText.includes(people.find((p) => p.id !== target.id && p.id !== plannedId && p.email).email));
  const mate = await server.client();
  const h = await mate.hello(lateToken, 0);
  assert.ok(!h.err, JSON.stringify(h.err));
  const joinedEv = h.events.find((e) => e.type === 'member.joined' && e.data.id === joiner.member);
  assert.equal(joinedEv.data.name, '');
  const profileEv = h.events.find((e) => e.type === 'member.profile' && e.data.member === joiner.member);
  assert.equal(profileEv.data.organisation, '');
  assert.ok(!mate.rawText.includes(plannedReg.name.toUpperCase()), 'the deleted name is replayed to the team');
});

test('a 10,000-row export (2 MB, far above the WebSocket limit) imports over HTTP', async (t) => {
  const server = await startServer(t);
  const org = await organiser(server);
  const csv = registrationsCsv(10000, { seed: 7 });
  assert.ok(Buffer.byteLength(csv) > 64 * 1024 * 16);
  // The service thread stays responsive while the worker parses.
  const started = Date.now();
  const pending = api(server, 'POST', '/api/import', { token: server.organiserToken, body: csv, timeout: 120000 });
  org.client.send({ t: 'ping', now: 1 });
  await org.client.waitFor((m) => m.t === 'pong' && m.echo === 1, 10000);
  const res = await pending;
  assert.equal(res.status, 200, res.buf.toString().slice(0, 300));
  const sum = res.json();
  assert.equal(sum.rows, 10000);
  assert.equal(sum.imported, 9998);
  assert.equal(sum.rejected, 1);
  t.diagnostic(`10,000 rows imported in ${Date.now() - started} ms`);
  await org.client.waitUntil((ms) => ms.some((m) => m.t === 'ev' && m.seq >= sum.seq), 30000, 'the imported events');
  const n = org.client.events.filter((e) => e.type === 'registrations.imported').reduce((a, e) => a + e.data.people.length, 0);
  assert.equal(n, 9998);
});

test('command line: import and assign print the figures', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'cli.db');
  const csv = path.join(DATA, 'registrations-google.csv');
  const imp = await runBin(['import', '--db', db, csv], 60000);
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, /new:\s+58/);
  assert.match(imp.stdout, /duplicates in the file:\s+1/);
  assert.match(imp.stdout, /rejected:\s+1/);
  assert.match(imp.stdout, /line 9 AFGEWEZEN\/REJECTED missing_name/);
  const again = await runBin(['import', '--db', db, csv], 60000);
  assert.match(again.stdout, /new:\s+0/);
  assert.match(again.stdout, /unchanged:\s+58/);
  const bad = await runBin(['import', '--db', db, '--map', 'nonsense=3', csv], 60000);
  assert.notEqual(bad.code, 0);
  const asg = await runBin(['assign', '--db', db, '--team-size', '4-6', '--seed', '5'], 60000);
  assert.equal(asg.code, 0, asg.stderr);
  assert.match(asg.stdout, /participants:\s+58/);
  assert.match(asg.stdout, /first choice:\s+\d+\.\d% \(\d+\)/);
  assert.match(asg.stdout, /neither choice:\s+\d+\.\d%/);
  assert.match(asg.stdout, /colleague pairs:\s+\d+/);
  const size = /team size:\s+(\d+)–(\d+)/.exec(asg.stdout);
  assert.ok(size && Number(size[1]) >= 4 && Number(size[2]) <= 6, asg.stdout);
  for (const r of [imp, again, bad, asg]) assert.equal(sanitizerReport(r.stderr), null, r.stderr);
  const help = await runBin(['--help']);
  assert.match(help.stdout, /staatsprint import/);
  assert.match(help.stdout, /not while a server uses it/);
});
