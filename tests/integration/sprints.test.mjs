// Several sprints on one server (issue 20), on SQLite and on PostgreSQL: sprint A is run
// and archived, sprint B is made from A; links of A are refused in B with
// sprint_archived, B's links open nothing of A, A's reports are still served to B's
// organiser, forgetting a person (AVG) reaches both sprints, and a restart keeps B live.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, organiser, newId, sleep, runBin, Server } from './lib.mjs';
import { privatePg, node, waitLeader, twoNodes } from './pg-cluster.mjs';

const pg = privatePg();

async function api(srv, method, p, token, body) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${srv.url}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const buf = Buffer.from(await res.arrayBuffer());
  let json;
  try { json = JSON.parse(buf.toString('utf8')); } catch { json = undefined; }
  return { status: res.status, type: res.headers.get('content-type'), buf, text: buf.toString('utf8'), json };
}

// A join as a walk-in with this name; resolves the client with token, member, team.
async function walkIn(srv, code, name) {
  const c = await srv.client();
  const r = await c.join(code, name);
  assert.ok(!r.err, `join ${name} refused: ${JSON.stringify(r.err)}`);
  return c;
}

// Registers a person by e-mail and links the member who joined under that name.
async function registerAndLink(org, member, name, email, organisation) {
  const from = org.client.frames.length;
  const imp = await org.client.cmd('registrations.import', { people: [{ name, email, organisation }] });
  assert.equal(imp.t, 'ack', JSON.stringify(imp));
  const ev = await org.client.waitFor((m) => m.t === 'ev' && m.type === 'registrations.imported' &&
    m.data.people.some((p) => p.name === name), undefined, { from, what: 'registrations.imported' });
  const person = ev.data.people.find((p) => p.name === name).id;
  const link = await org.client.cmd('person.link', { person, member: member.member });
  assert.equal(link.t, 'ack', JSON.stringify(link));
  return person;
}

// A hello that may meet the server while it starts again: retried until it is answered.
async function helloWhenUp(srv, token, timeout = 20000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      const c = await srv.client();
      const h = await c.hello(token, 0);
      return { c, h };
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(100);
    }
  }
}

async function twoSprints(t, srv) {
  // ---- sprint A: some work -------------------------------------------------------------
  const orgA = await organiser(srv);
  const sprintA = orgA.hello.welcome.sprint;
  const [teamA, codeA] = [...orgA.codes.entries()][0];
  const anna = await walkIn(srv, codeA, 'Anna Archief');
  const piet = await walkIn(srv, codeA, 'Piet Vergeet');
  await registerAndLink(orgA, piet, 'Piet Vergeet', 'Piet.Vergeet@Example.NL', 'Gemeente Vergeetdorp');
  const prog = await orgA.client.cmd('programme.set', {
    items: [{ time: '09:00', end: '09:30', kind: 'plenary', title: { nl: 'Aftrap archieftest', en: 'Archive test kick-off' } }],
  });
  assert.equal(prog.t, 'ack');
  const facA = orgA.links.find((l) => l.role === 'facilitator').token;
  assert.ok(facA);

  // A new sprint only once this one is archived.
  const early = await api(srv, 'POST', '/api/sprints', srv.organiserToken, { from: 'default', title: 'Te vroeg' });
  assert.equal(early.status, 409, early.text);
  assert.equal(early.json.code, 'not_archived');

  // ---- archive A -------------------------------------------------------------------------
  const un = await orgA.client.cmd('sprint.archive', { bank: true, orgs: false, public: false });
  assert.equal(un.code, 'jury_unannounced', JSON.stringify(un));
  const arch = await orgA.client.cmd('sprint.archive', { bank: true, orgs: false, public: false, confirm: true });
  assert.equal(arch.t, 'ack', JSON.stringify(arch));
  const archived = await anna.waitFor((m) => m.t === 'ev' && m.type === 'sprint.archived', undefined, { what: 'sprint.archived' });
  assert.equal(archived.data.bank, true);
  const refused = await anna.cmd('profile.set', { organisation: 'Nog iets' });
  assert.equal(refused.code, 'archived', JSON.stringify(refused));
  const list1 = await api(srv, 'GET', '/api/sprints', srv.organiserToken);
  assert.equal(list1.status, 200, list1.text);
  assert.equal(list1.json.live, sprintA);
  assert.equal(list1.json.sprints.length, 1);
  assert.equal(list1.json.sprints[0].state, 'archived');
  assert.equal(list1.json.sprints[0].people, 2);

  // ---- sprint B from A ---------------------------------------------------------------------
  const bad = await api(srv, 'POST', '/api/sprints', srv.organiserToken, { from: sprintA, date: '18-09-2026' });
  assert.equal(bad.status, 400, bad.text);
  const unknown = await api(srv, 'POST', '/api/sprints', srv.organiserToken, { from: 'geen-sprint', date: '2026-09-18' });
  assert.equal(unknown.status, 404, unknown.text);
  const created = await api(srv, 'POST', '/api/sprints', srv.organiserToken, { from: sprintA, title: 'Tweede sprint', date: '2026-09-18' });
  assert.equal(created.status, 201, created.text);
  const sprintB = created.json.sprint;
  assert.notEqual(sprintB, sprintA);
  const m = /#\/o\/([A-Za-z0-9_\-.~%]+)$/.exec(created.json.organiser);
  assert.ok(m, `organiser URL ${created.json.organiser}`);
  const tokB = m[1];
  assert.notEqual(tokB, srv.organiserToken);
  // Every connection of A hears it and is closed.
  for (const c of [anna, piet, orgA.client]) {
    const e = await c.waitFor((x) => x.t === 'err' && x.code === 'sprint_archived', undefined, { what: 'sprint_archived on the switch' });
    assert.equal(e.sprint, sprintA);
    assert.ok(!e.id, 'the switch is no answer to a message');
    await c.closed;
  }

  // ---- B is live ---------------------------------------------------------------------------
  const { c: orgB, h: hB } = await helloWhenUp(srv, tokB);
  assert.ok(!hB.err, JSON.stringify(hB.err));
  assert.equal(hB.welcome.sprint, sprintB);
  assert.equal(hB.welcome.role, 'organiser');
  assert.ok(srv.stdout.includes(`/#/o/${tokB}`), 'the server prints the links of the new sprint');
  const evB = hB.events;
  const progB = evB.filter((e) => e.type === 'programme.set').pop();
  assert.equal(progB.data.items[0].title.nl, 'Aftrap archieftest', 'the programme is copied');
  assert.ok(evB.some((e) => e.type === 'playbook.set'), 'the playbook is copied');
  const textB = JSON.stringify(evB);
  for (const word of ['Anna Archief', 'Piet Vergeet', 'Vergeetdorp']) assert.ok(!textB.includes(word), `B must not hold ${word}`);
  assert.ok(!evB.some((e) => e.type === 'member.joined' || e.type === 'sprint.archived'));
  const codesB = new Map(evB.filter((e) => e.type === 'team.code').map((e) => [e.data.team, e.data.code]));
  assert.ok(codesB.size > 0);
  for (const code of codesB.values()) assert.ok(![...orgA.codes.values()].includes(code), 'fresh codes');

  // ---- links of A are refused in B ------------------------------------------------------------
  for (const [what, token] of [['organiser', srv.organiserToken], ['facilitator', facA], ['participant', anna.token]]) {
    const c = await srv.client();
    const h = await c.hello(token, 0);
    assert.ok(h.err, `${what} of A must be refused`);
    assert.equal(h.err.code, 'sprint_archived', `${what} of A: ${JSON.stringify(h.err)}`);
    assert.equal(h.err.sprint, sprintA);
    assert.equal(typeof h.err.title, 'string');
    c.close();
  }
  const jc = await srv.client();
  const j = await jc.join(codeA, 'Nieuwkomer');
  assert.equal(j.err && j.err.code, 'sprint_archived', `a team code of A: ${JSON.stringify(j)}`);
  assert.equal(j.err.sprint, sprintA);
  const rc = await srv.client();
  rc.send({ t: 'roster', id: newId('r'), code: codeA });
  const ro = await rc.waitFor((x) => x.t === 'err' || x.t === 'roster');
  assert.equal(ro.code, 'sprint_archived');
  // Something that never was a link is still bad_token.
  const nc = await srv.client();
  const nh = await nc.hello('geen-token-van-wie-dan-ook', 0);
  assert.equal(nh.err.code, 'bad_token');
  const oldApi = await api(srv, 'GET', '/api/sprints', srv.organiserToken);
  assert.equal(oldApi.status, 401);
  assert.equal(oldApi.json.code, 'sprint_archived');

  // ---- B's links open nothing of A ----------------------------------------------------------
  const [teamB, codeB] = [...codesB.entries()][0];
  assert.ok(teamB);
  const bert = await walkIn(srv, codeB, 'Bert Nieuw');
  const asBert = await api(srv, 'GET', `/api/sprints/${sprintA}/report.json`, bert.token);
  assert.equal(asBert.status, 403, 'a participant of B opens no report of A');
  assert.ok(!bert.rawText.includes('Anna Archief'));
  assert.ok(!JSON.stringify(orgB.messages).includes('Anna Archief'));
  const facB = evB.filter((e) => e.type === 'links.set').pop().data.links.find((l) => l.role === 'facilitator').token;
  assert.notEqual(facB, facA);
  const asFac = await api(srv, 'GET', '/api/sprints', facB);
  assert.equal(asFac.status, 403);

  // ---- A's reports are still served -----------------------------------------------------------
  const repA = await api(srv, 'GET', `/api/sprints/${sprintA}/report.json`, tokB);
  assert.equal(repA.status, 200, repA.text);
  assert.equal(repA.json.sprint.id, sprintA);
  assert.deepEqual(repA.json.archive && [repA.json.archive.bank, repA.json.archive.orgs, repA.json.archive.public], [true, false, false]);
  assert.ok(repA.json.teams.some((x) => x.id === teamA && x.members.length === 2));
  const mdA = await api(srv, 'GET', `/api/sprints/${sprintA}/report.md`, tokB);
  assert.equal(mdA.status, 200);
  assert.match(mdA.type, /markdown/);
  assert.match(mdA.text, /Aftrap archieftest/);
  const pdfA = await api(srv, 'GET', `/api/sprints/${sprintA}/report.pdf`, tokB);
  assert.equal(pdfA.status, 200);
  assert.equal(pdfA.buf.subarray(0, 5).toString('latin1'), '%PDF-');
  // A facilitator of B reads the team pages of an archive in the idea bank: no names, never
  // the live sprint's report, nothing else.
  const facRep = await api(srv, 'GET', `/api/sprints/${sprintA}/report.json?names=1`, facB);
  assert.equal(facRep.status, 200, facRep.text);
  assert.equal(facRep.json.names, false);
  assert.ok(!facRep.text.includes('Anna Archief'), 'no names for a facilitator');
  assert.equal((await api(srv, 'GET', `/api/sprints/${sprintB}/report.json`, facB)).status, 403);
  assert.equal((await api(srv, 'POST', `/api/sprints/${sprintA}/publish`, facB, { bank: false })).status, 403);
  const none = await api(srv, 'GET', '/api/sprints/geen-sprint/report.json', tokB);
  assert.equal(none.status, 404);
  const wrongFmt = await api(srv, 'GET', `/api/sprints/${sprintA}/report.exe`, tokB);
  assert.equal(wrongFmt.status, 404);

  // ---- the list and publishing ------------------------------------------------------------------
  const list2 = await api(srv, 'GET', '/api/sprints', tokB);
  assert.equal(list2.status, 200, list2.text);
  assert.equal(list2.json.live, sprintB);
  assert.deepEqual(list2.json.sprints.map((s) => [s.id, s.state]), [[sprintB, 'live'], [sprintA, 'archived']]);
  const a2 = list2.json.sprints[1];
  assert.deepEqual([a2.bank, a2.orgs, a2.public, a2.people], [true, false, false, 2]);
  assert.equal(list2.json.sprints[0].title, 'Tweede sprint');
  assert.equal(list2.json.sprints[0].date, '2026-09-18');
  const unpub = await api(srv, 'POST', `/api/sprints/${sprintA}/publish`, tokB, { bank: false });
  assert.equal(unpub.status, 200, unpub.text);
  const facNoBank = await api(srv, 'GET', `/api/sprints/${sprintA}/report.json`, facB);
  assert.equal(facNoBank.status, 403, 'an archive outside the bank is the organiser\'s only');
  const pub = await api(srv, 'POST', `/api/sprints/${sprintA}/publish`, tokB, { bank: true, orgs: true, public: true });
  assert.equal(pub.status, 200, pub.text);
  const pubBad = await api(srv, 'POST', `/api/sprints/${sprintA}/publish`, tokB, { bank: 'ja' });
  assert.equal(pubBad.status, 400, pubBad.text);
  const pubLive = await api(srv, 'POST', `/api/sprints/${sprintB}/publish`, tokB, { bank: true });
  assert.equal(pubLive.status, 409, pubLive.text);
  assert.equal(pubLive.json.code, 'not_archived');
  const list3 = await api(srv, 'GET', '/api/sprints', tokB);
  assert.deepEqual(['bank', 'orgs', 'public'].map((k) => list3.json.sprints[1][k]), [true, true, true]);
  const repA2 = await api(srv, 'GET', `/api/sprints/${sprintA}/report.json`, tokB);
  assert.deepEqual([repA2.json.archive.public, repA2.json.archive.at], [true, repA.json.archive.at]);
  const repB = await api(srv, 'GET', `/api/sprints/${sprintB}/report.json`, tokB);
  assert.equal(repB.json.archive, null, 'the live sprint is no archive');

  // ---- forget across sprints ----------------------------------------------------------------------
  const orgBx = { client: orgB };
  const pietB = await walkIn(srv, codeB, 'Piet Vergeet');
  await registerAndLink(orgBx, pietB, 'Piet Vergeet', 'piet.vergeet@example.nl', 'Gemeente Vergeetdorp');
  const before = await api(srv, 'GET', `/api/sprints/${sprintA}/report.json?names=1`, tokB);
  assert.match(before.text, /Piet Vergeet/);
  const beforeB = await api(srv, 'GET', `/api/sprints/${sprintB}/report.json?names=1`, tokB);
  assert.match(beforeB.text, /Piet Vergeet/);
  const forgetBad = await api(srv, 'POST', '/api/people/forget', tokB, { mail: 'x' });
  assert.equal(forgetBad.status, 400);
  const forget = await api(srv, 'POST', '/api/people/forget', tokB, { email: ' PIET.Vergeet@example.nl'.trim() });
  assert.equal(forget.status, 200, forget.text);
  assert.deepEqual([...forget.json.sprints].sort(), [sprintA, sprintB].sort());
  assert.equal(forget.json.people, 2);
  for (const [id, label] of [[sprintA, 'A'], [sprintB, 'B']]) {
    for (const fmt of ['json', 'md']) {
      const r = await api(srv, 'GET', `/api/sprints/${id}/report.${fmt}?names=1`, tokB);
      assert.equal(r.status, 200);
      assert.ok(!r.text.includes('Piet Vergeet'), `${label}'s ${fmt} export must not name the forgotten person`);
      assert.ok(!r.text.includes('Vergeetdorp'), `${label}'s ${fmt} export must not hold their organisation`);
    }
  }
  const again = await api(srv, 'POST', '/api/people/forget', tokB, { email: 'piet.vergeet@example.nl' });
  assert.deepEqual([again.json.sprints, again.json.people], [[], 0]);
  // Anna is still there: only that person went.
  const annaStill = await api(srv, 'GET', `/api/sprints/${sprintA}/report.json?names=1`, tokB);
  assert.match(annaStill.text, /Anna Archief/);

  return { sprintA, sprintB, tokB, tokA: srv.organiserToken, facA };
}

async function afterRestart(srv, s) {
  assert.equal(srv.organiserToken, s.tokB, 'the restarted server prints the organiser link of B');
  const { h } = await helloWhenUp(srv, s.tokB);
  assert.ok(!h.err);
  assert.equal(h.welcome.sprint, s.sprintB);
  const c = await srv.client();
  const old = await c.hello(s.tokA, 0);
  assert.equal(old.err.code, 'sprint_archived');
  assert.equal(old.err.sprint, s.sprintA);
  const list = await api(srv, 'GET', '/api/sprints', s.tokB);
  assert.equal(list.json.live, s.sprintB);
  assert.equal(list.json.sprints.length, 2);
}

test('two sprints on one server (SQLite): archive, copy, refuse old links, reports, forget, restart', { timeout: 120000 }, async (t) => {
  const srv = await startServer(t);
  const s = await twoSprints(t, srv);
  await srv.restart();
  await afterRestart(srv, s);
});

test('two sprints on one server (PostgreSQL): the same', { timeout: 180000 }, async (t) => {
  const srv = await node(t, pg.freshDb('sprints'));
  await waitLeader(srv);
  const s = await twoSprints(t, srv);
  await srv.restart();
  await afterRestart(srv, s);
});

test('two nodes on PostgreSQL: the other node switches to the new sprint too', { timeout: 180000 }, async (t) => {
  const { a, b } = await twoNodes(t, pg);
  const orgA = await organiser(a);
  const sprintA = orgA.hello.welcome.sprint;
  const [, code] = [...orgA.codes.entries()][0];
  const onB = await walkIn(b, code, 'Bea op node b');
  const arch = await orgA.client.cmd('sprint.archive', { confirm: true });
  assert.equal(arch.t, 'ack', JSON.stringify(arch));
  const created = await api(a, 'POST', '/api/sprints', a.organiserToken, { from: 'default', title: 'Volgende' });
  assert.equal(created.status, 201, created.text);
  const tokB = /#\/o\/(.+)$/.exec(created.json.organiser)[1];
  // The follower's participant hears that her sprint is archived and is closed.
  const e = await onB.waitFor((x) => x.t === 'err' && x.code === 'sprint_archived', 15000, { what: 'sprint_archived on node b' });
  assert.equal(e.sprint, sprintA);
  await onB.closed;
  // Node b serves the new sprint; the old link is refused there as archived.
  const { h } = await helloWhenUp(b, tokB);
  assert.ok(!h.err, JSON.stringify(h.err));
  assert.equal(h.welcome.sprint, created.json.sprint);
  const c = await b.client();
  const old = await c.hello(onB.token, 0);
  assert.equal(old.err.code, 'sprint_archived');
});

// At the size of the day: a simulated sprint of 40 teams (the bots play every step, the
// race and the jury) is archived and copied; the list, the archive's report and a forget
// stay quick on a full log.
test('a full simulated day of 40 teams: archive, copy, list, report, forget', { timeout: 700000 }, async (t) => {
  const srv = new Server();
  t.after(async () => {
    await srv.stop();
    const rep = srv.sanitizerReport();
    if (rep) throw new Error(`the server printed a sanitizer report:\n${rep}`);
  });
  // --speed 10 as report-day: at full speed a loaded machine makes bots miss race rounds.
  const sim = await runBin(['simulate', '--db', srv.db, '--teams', '40', '--seed', '11', '--speed', '10'], 540000);
  assert.equal(sim.code, 0, `simulate failed: ${sim.stderr.slice(-2000)}`);
  await srv.spawn();
  const org = await organiser(srv);
  const sprintA = org.hello.welcome.sprint;
  const joined = org.hello.events.filter((e) => e.type === 'member.joined').length;
  assert.ok(joined >= 120, `the simulated day has its people (${joined})`);
  // The jury announced: archiving needs no confirmation.
  const arch = await org.client.cmd('sprint.archive', { bank: true, orgs: true, public: true });
  assert.equal(arch.t, 'ack', JSON.stringify(arch));
  let t0 = Date.now();
  const created = await api(srv, 'POST', '/api/sprints', srv.organiserToken, { from: sprintA, title: 'Najaarssprint', date: '2026-10-01' });
  const createMs = Date.now() - t0;
  assert.equal(created.status, 201, created.text);
  const tokB = /#\/o\/(.+)$/.exec(created.json.organiser)[1];
  const { h } = await helloWhenUp(srv, tokB);
  assert.ok(!h.err);
  const teamsB = h.events.filter((e) => e.type === 'team.created').length;
  assert.ok(teamsB > 0 && !h.events.some((e) => e.type === 'member.joined' || e.type === 'note.added'));
  t0 = Date.now();
  const list = await api(srv, 'GET', '/api/sprints', tokB);
  const listMs = Date.now() - t0;
  assert.equal(list.status, 200);
  const a = list.json.sprints.find((x) => x.id === sprintA);
  assert.equal(a.state, 'archived');
  assert.equal(a.teams, 40);
  assert.equal(a.people, joined);
  assert.ok(a.ideas > 100, `race ideas of the day: ${a.ideas}`);
  t0 = Date.now();
  const rep = await api(srv, 'GET', `/api/sprints/${sprintA}/report.json`, tokB);
  const reportMs = Date.now() - t0;
  assert.equal(rep.status, 200);
  assert.equal(rep.json.teams.length, 40);
  assert.equal(rep.json.jury.phase, 'announced');
  t0 = Date.now();
  const pdf = await api(srv, 'GET', `/api/sprints/${sprintA}/report.pdf`, tokB);
  const pdfMs = Date.now() - t0;
  assert.equal(pdf.status, 200);
  t0 = Date.now();
  const forget = await api(srv, 'POST', '/api/people/forget', tokB, { email: 'niemand@example.nl' });
  const forgetMs = Date.now() - t0;
  assert.deepEqual(forget.json, { sprints: [], people: 0 });
  console.log(`# size of the day (ASan): ${joined} people, ${a.ideas} race ideas, log head ${rep.json.head}; ` +
    `new sprint ${createMs} ms, list ${listMs} ms, report.json ${reportMs} ms, report.pdf ${pdfMs} ms, forget ${forgetMs} ms`);
});
