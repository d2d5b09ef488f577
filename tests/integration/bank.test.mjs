// The idea bank across sprints (issue 20), on SQLite and on PostgreSQL: three sprints on one
// server. A's race ideas are archived into the bank (not public); B searches the bank and
// finds A's idea from a differently worded, differently inflected query; B is archived
// WITHOUT the bank; in C, A's idea is still found and B's never, a private note of A never,
// the public page is 404 not_public until A is published, and a near-duplicate race idea
// in C gets the hint idea.before with what became of A's idea – B's gives none.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, organiser, barrier, runBin, REPO_DIR } from './lib.mjs';
import { validate, parseCsv } from './opendata.mjs';
import { privatePg, node, waitLeader } from './pg-cluster.mjs';

const pg = privatePg();

const IDEA_A = 'Inloggen met DigiD makkelijker maken voor ouderen';
const FORM_A = 'Eén aanvraagformulier voor alle toeslagen';
const SECRET_A = 'Geheime wachtwoordkluis voor ambtenaren';
const IDEA_B = 'Parkeervergunning automatisch verlengen via de gemeente';

async function api(srv, p, token) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${srv.url}${p}`, { headers });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json };
}

async function post(srv, p, token, body) {
  const res = await fetch(`${srv.url}${p}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) };
}

const ok = (r, what) => assert.equal(r.t, 'ack', `${what}: ${JSON.stringify(r)}`);

// The organiser moves a team step by step to `step` (revealing votes on the way).
async function stepTo(org, team, step) {
  for (let i = 0; i < 30; i++) {
    const from = org.client.frames.length;
    let r = await org.client.cmd('step.next', { team });
    if (r.code === 'vote_not_revealed') {
      ok(await org.client.cmd('vote.reveal', { team }), 'vote.reveal');
      r = await org.client.cmd('step.next', { team });
    }
    ok(r, `step.next towards ${step}`);
    const ev = await org.client.waitFor((m) => m.t === 'ev' && m.type === 'step.changed' && m.data.team === team,
      undefined, { from, what: 'step.changed' });
    if (ev.data.step === step) return;
  }
  throw new Error(`never reached ${step}`);
}

// A sprint with one playing team: two members, race ideas in round 1 (and a second team
// with a note that stays private). Returns the clients.
async function playRace(srv, ideas, secret) {
  const org = await organiser(srv);
  const [[team, code], [team2, code2]] = [...org.codes.entries()];
  const room = org.teams.find((t) => t.id === team).room;
  const anna = await srv.client();
  assert.ok(!(await anna.join(code, 'Anna Eerder')).err);
  const bram = await srv.client();
  assert.ok(!(await bram.join(code, 'Bram Eerder')).err);
  if (secret) {
    const dirk = await srv.client();
    assert.ok(!(await dirk.join(code2, 'Dirk Geheim')).err);
    await stepTo(org, team2, 'p1-dump');
    ok(await dirk.cmd('note.add', { text: secret }), 'private note');
  }
  await stepTo(org, team, 'p3-race');
  ok(await org.client.cmd('race.start', { room, minutes: 5 }), 'race.start');
  for (const [i, text] of ideas.entries()) ok(await (i % 2 ? bram : anna).cmd('note.add', { text }), `idea ${text}`);
  return { org, team, room, anna, bram };
}

async function endRound(org, room) {
  ok(await org.client.cmd('race.end', { room }), 'race.end');
}

async function archiveAndNext(srv, org, choices, title, date) {
  ok(await org.client.cmd('sprint.archive', { ...choices, confirm: true }), 'sprint.archive');
  const created = await post(srv, '/api/sprints', srv.organiserToken, { from: 'default', title, date });
  assert.equal(created.status, 201, created.text);
  const tok = /#\/o\/([A-Za-z0-9_\-.~%]+)$/.exec(created.json.organiser)[1];
  // The switch: wait until the new sprint answers (the server boots it in-process).
  for (let i = 0; i < 200; i++) {
    const r = await api(srv, '/api/bank?q=x', tok).catch(() => ({ status: 0 }));
    if (r.status === 200) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  srv.organiserToken = tok;
  return created.json.sprint;
}

const texts = (r) => r.json.hits.map((h) => h.text);

async function threeSprints(srv) {
  // ---- A: ideas in the race, archived into the bank, not public ------------------------------
  const a = await playRace(srv, [IDEA_A, FORM_A], SECRET_A);
  const sprintA = a.org.hello.welcome.sprint;
  const tokA = srv.organiserToken;
  await endRound(a.org, a.room);
  const sprintB = await archiveAndNext(srv, a.org, { bank: true, orgs: false, public: false }, 'Sprint B', '2026-09-18');

  // ---- B: the bank finds A's idea from other words and other forms --------------------------
  const orgB = await organiser(srv);
  const facB = orgB.links.find((l) => l.role === 'facilitator').token;
  let r = await api(srv, `/api/bank?q=${encodeURIComponent('Hoe blijven senioren makkelijk ingelogd met hun DigiD-inlog?')}`, srv.organiserToken);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.hits[0].text, IDEA_A, JSON.stringify(r.json));
  const hit = r.json.hits[0];
  assert.equal(hit.sprint, sprintA);
  assert.equal(hit.kind, 'idee');
  assert.match(hit.snippet, /\[Inloggen\]/);
  assert.match(hit.snippet, /\[DigiD\]/);
  assert.match(hit.url, new RegExp(`^/r/${sprintA}/t\\d+$`));
  assert.deepEqual(hit.orgs, [], 'organisations only when allowed');
  // A facilitator may search too; filters; compounds.
  r = await api(srv, `/api/bank?q=formulieren&kind=idee&sprint=${sprintA}`, facB);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(texts(r), [FORM_A]);
  r = await api(srv, '/api/bank?q=formulieren&kind=knelpunt', facB);
  assert.equal(r.json.total, 0);
  r = await api(srv, '/api/bank?q=formulier&kind=geheim', facB);
  assert.equal(r.status, 400);
  r = await api(srv, '/api/bank?q=formulier');
  assert.equal(r.status, 401);
  r = await api(srv, '/api/bank?q=formulier', tokA);
  assert.equal(r.status, 401, 'a link of an archived sprint opens no bank');
  assert.equal(r.json.code, 'sprint_archived');
  const team = [...orgB.codes.values()][0];
  const bert = await srv.client();
  assert.ok(!(await bert.join(team, 'Bert')).err);
  r = await api(srv, '/api/bank?q=formulier', bert.token);
  assert.equal(r.status, 403, 'a participant does not search the bank');
  // A private note is never found; nor is anything while nothing is public.
  r = await api(srv, `/api/bank?q=${encodeURIComponent('wachtwoordkluis ambtenaren')}`, srv.organiserToken);
  assert.equal(r.json.total, 0, JSON.stringify(r.json));
  r = await api(srv, '/api/public/bank?q=inloggen');
  assert.equal(r.status, 404);
  assert.equal(r.json.code, 'not_public');

  // ---- B plays and is archived WITHOUT the bank -------------------------------------------
  const b = await playRace(srv, [IDEA_B], null);
  await endRound(b.org, b.room);
  await archiveAndNext(srv, b.org, { bank: false, orgs: false, public: true }, 'Sprint C', '2027-03-11');

  // ---- C: A is found, B never ---------------------------------------------------------------
  r = await api(srv, `/api/bank?q=${encodeURIComponent('parkeervergunningen verlengd ingelogd')}`, srv.organiserToken);
  assert.equal(r.status, 200, r.text);
  assert.ok(texts(r).includes(IDEA_A), JSON.stringify(r.json));
  assert.ok(!texts(r).some((t) => t === IDEA_B), 'an unpublished sprint is never found');
  assert.ok(!r.json.hits.some((h) => h.sprint === sprintB));
  // Publishing A makes the public page answer – with A only.
  const pub = await post(srv, `/api/sprints/${sprintA}/publish`, srv.organiserToken, { bank: true, orgs: true, public: true });
  assert.equal(pub.status, 200, pub.text);
  let pubHits;
  for (let i = 0; i < 100; i++) {   // the re-sync runs in the background: wait for its fact
    pubHits = await api(srv, `/api/public/bank?q=${encodeURIComponent('ingelogd parkeervergunning')}`);
    if (pubHits.status === 200) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(pubHits.status, 200, pubHits.text);
  assert.deepEqual(texts(pubHits), [IDEA_A]);
  assert.ok(!pubHits.text.includes('Anna Eerder'), 'no names');
  // A burst on the public page: searches at once are capped (429), none fails otherwise,
  // and the cap frees again.
  const burst = await Promise.all(Array.from({ length: 40 }, () => api(srv, '/api/public/bank?q=inloggen')));
  assert.ok(burst.every((x) => x.status === 200 || x.status === 429), burst.map((x) => x.status).join(','));
  assert.ok(burst.some((x) => x.status === 200));
  for (const x of burst.filter((y) => y.status === 429)) assert.equal(x.json.code, 'rate_limited');
  let after;
  for (let i = 0; i < 50; i++) {
    after = await api(srv, '/api/public/bank?q=inloggen');
    if (after.status === 200) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(after.status, 200, 'the cap frees once the searches are done');

  // ---- the hint in C's race: A's idea comes back, B's does not ------------------------------
  const c = await playRace(srv, ['Digid inloggen makkelijker maken voor ouderen', 'Parkeervergunning automatisch verlengen via gemeente'], null);
  const before = await c.anna.waitFor((m) => m.t === 'ev' && m.type === 'idea.before', undefined, { what: 'idea.before for the author' });
  assert.equal(before.data.text, IDEA_A);
  assert.equal(before.data.sprint, sprintA);
  assert.equal(before.data.kind, 'idee');
  assert.ok(before.data.score >= 0.5);
  await barrier(c.org.client, [c.anna, c.bram]);
  assert.ok(!c.bram.messages.some((m) => m.t === 'ev' && m.type === 'idea.before'), 'no hint from an unpublished sprint, none of a round-1 idea of another');
  await endRound(c.org, c.room);
  const teamHint = await c.bram.waitFor((m) => m.t === 'ev' && m.type === 'idea.before', undefined, { what: 'idea.before for the team after round 1' });
  assert.equal(teamHint.data.text, IDEA_A);
  return { sprintA, sprintB };
}

test('the idea bank across three sprints (SQLite): search, filters, unpublished and private never found, public page, hints', { timeout: 180000 }, async (t) => {
  const srv = await startServer(t);
  const { sprintA } = await threeSprints(srv);
  // Open data across sprints: the public sprint's entries only, as JSON and CSV.
  const js = path.join(srv.dir, 'bank.json');
  const csv = path.join(srv.dir, 'bank.csv');
  const out = await runBin(['export', '--all', '--db', srv.db, '--json', js, '--csv', csv], 60000);
  assert.equal(out.code, 0, out.stderr);
  const doc = JSON.parse(fs.readFileSync(js, 'utf8'));
  assert.equal(doc.$schema, 'https://staatsprint.nl/schema/bank-1.json');
  assert.equal(doc.version, 1);
  assert.ok(doc.entries.length >= 2);
  assert.ok(doc.entries.every((e) => e.sprint === sprintA), 'only the public sprint');
  const idea = doc.entries.find((e) => e.text === IDEA_A);
  assert.ok(idea);
  assert.deepEqual(Object.keys(idea).sort(), ['challenge', 'challenge_title', 'chosen', 'count', 'date', 'detail', 'kind',
    'orgs', 'sprint', 'sprint_title', 'team', 'team_name', 'text', 'url', 'won']);
  const all = fs.readFileSync(js, 'utf8') + fs.readFileSync(csv, 'utf8');
  for (const word of ['Anna Eerder', 'Bram Eerder', 'Dirk Geheim', SECRET_A, IDEA_B]) assert.ok(!all.includes(word), `export must not hold ${word}`);
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'docs/bank-schema.json'), 'utf8'));
  assert.deepEqual(validate(schema, doc), [], 'the export must validate against docs/bank-schema.json');
  const broken = structuredClone(doc);
  broken.entries[0].kind = 'geheim';
  delete broken.entries[1].url;
  assert.equal(validate(schema, broken).length, 2, 'the validator must catch a bad kind and a missing field');
  const lines = fs.readFileSync(csv, 'utf8').replace(/^\uFEFF/, '').split('\r\n');
  assert.equal(lines[0], 'sprint,sprint_title,date,challenge,challenge_title,kind,team,team_name,text,count,chosen,won,orgs,url,detail');
  const rows = parseCsv(fs.readFileSync(csv, 'utf8'));
  assert.equal(rows.length, doc.entries.length, 'one CSV row per entry');
  const row = rows.find((x) => x.text === IDEA_A);
  assert.deepEqual([row.sprint, row.kind, row.chosen, row.orgs], [sprintA, 'idee', String(idea.chosen), idea.orgs.join('; ')]);
  assert.deepEqual(JSON.parse(row.detail), idea.detail);
  const bad = await runBin(['export', '--all', '--db', srv.db], 60000);
  assert.equal(bad.code, 2, 'an output is required');
  // The server's writes stay visible to other processes after its bank work and theirs
  // (a descriptor of the database closed in the server would drop SQLite's locks, and
  // the exporting process would then take the WAL away).
  const org = await organiser(srv);
  const venue = `Zaal na de export ${Date.now()}`;
  ok(await org.client.cmd('sprint.update', { venue }), 'sprint.update');
  const rep = path.join(srv.dir, 'live.json');
  assert.equal((await runBin(['export', '--db', srv.db, '--json', rep], 60000)).code, 0);
  assert.equal(JSON.parse(fs.readFileSync(rep, 'utf8')).sprint.venue, venue);
});

test('the idea bank across three sprints (PostgreSQL): the same', { timeout: 240000 }, async (t) => {
  const srv = await node(t, pg.freshDb('bank'));
  await waitLeader(srv);
  await threeSprints(srv);
});
