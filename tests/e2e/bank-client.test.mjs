// bank-client.test.mjs – the browser's side of issue 20 without the server parts of H1/H2: the
// pure functions of web/js/bank.js, the folds of idea.before and sprint.archived, the connection's
// answer to sprint_archived – against fixtures written from SPRINTS.md and
// docs/report-schema.json (fixtures/sprints.mjs). The renderers run in Chromium on those same
// fixtures (the answers of the contract, served to the page's own fetch), with axe and at 360 px.
// The real server's endpoints are tested in sprints.test.mjs.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, ConnState } from '../../web/js/conn.js';
import { applyEvent, createState } from '../../web/js/state.js';
import { archivedSprint, bankSearchPath, beforeOutcomeKey, beforeText, outcome, reportRoute, reportTarget, sameOriginHash, snippetParts, sprintList, teamReport } from '../../web/js/bank.js';
import { setLang, t } from '../../web/js/i18n.js';
import nl from '../../web/js/i18n/nl.js';
import en from '../../web/js/i18n/en.js';
import { FakeSocket } from './fake-socket.mjs';
import { ARCHIVED_ERR, BEFORE, HITS, REPORT, SPRINTS } from './fixtures/sprints.mjs';
import { checkA11y, closeDay, openDay, openViewport } from './lib.mjs';

test('the sprint list keeps the server order, marks the live sprint and reads every field', () => {
  const { live, sprints } = sprintList(SPRINTS);
  assert.equal(live, 's-2027-03');
  assert.deepEqual(sprints.map((s) => [s.id, s.state, s.live]), [['s-2027-03', 'live', true], ['s-2026-09', 'archived', false], ['s-2026-03', 'archived', false]]);
  assert.deepEqual([sprints[1].bank, sprints[1].orgs, sprints[1].public, sprints[1].teams, sprints[1].people, sprints[1].ideas], [true, true, true, 40, 300, 812]);
  assert.deepEqual(sprintList({ sprints: [null, { title: 'no id' }, { id: 'x', title: { nl: 'Dag', en: 'Day' }, teams: -3 }] }).sprints.map((s) => [s.id, s.title, s.teams, s.state]), [['x', 'Dag', 0, 'live']]);
  assert.deepEqual(sprintList(null), { live: null, sprints: [] });
});

test('a bank search address carries q and only the filters that are set', () => {
  assert.equal(bankSearchPath('/api/bank', { q: ' inloggen ' }), '/api/bank?q=inloggen&limit=20');
  const path = bankSearchPath('/api/bank', { q: 'DigiD inlog', sprint: 's-2026-09', challenge: 'c2', kind: 'gekozen', chosen: '1', won: '0', limit: 20, offset: 40 });
  const params = new URL(path, 'http://x').searchParams;
  assert.deepEqual(Object.fromEntries(params), { q: 'DigiD inlog', sprint: 's-2026-09', challenge: 'c2', kind: 'gekozen', chosen: '1', won: '0', limit: '20', offset: '40' });
  assert.equal(new URL(bankSearchPath('/api/public/bank', { q: 'a&b=c' }), 'http://x').searchParams.get('q'), 'a&b=c');
  assert.equal(bankSearchPath('/api/bank', { q: '', chosen: '', won: null }), '/api/bank?q=&limit=20');
});

test('snippets: words between [ and ] are marked, ranges too; nothing is parsed as markup', () => {
  assert.deepEqual(snippetParts(HITS.hits[0].snippet), [
    { text: 'Eén keer ', mark: false }, { text: 'inloggen', mark: true }, { text: ' met ', mark: false }, { text: 'DigiD', mark: true }, { text: ' voor alle loketten', mark: false },
  ]);
  assert.deepEqual(snippetParts('[Ingelogd] blijven'), [{ text: 'Ingelogd', mark: true }, { text: ' blijven', mark: false }]);
  assert.deepEqual(snippetParts('a [open end'), [{ text: 'a [open end', mark: false }]);
  assert.deepEqual(snippetParts('<b>x</b>'), [{ text: '<b>x</b>', mark: false }]);
  // Ranges count code points: the emoji is one.
  assert.deepEqual(snippetParts([[2, 10], [0, 1]], '🙂 inloggen nu'), [{ text: '🙂', mark: true }, { text: ' ', mark: false }, { text: 'inloggen', mark: true }, { text: ' nu', mark: false }]);
  assert.deepEqual(snippetParts(null, 'alleen tekst'), [{ text: 'alleen tekst', mark: false }]);
});

test('the outcome of an entry: won, chosen, not chosen, and the jury place', () => {
  setLang('nl');
  assert.deepEqual(outcome(HITS.hits[0]), { key: 'bank.outcome.won', params: {} });
  assert.deepEqual(outcome(HITS.hits[1]), { key: 'bank.outcome.notChosen', params: {} });
  assert.deepEqual(outcome({ kind: 'idee', chosen: 1, won: 0 }), { key: 'bank.outcome.chosen', params: {} });
  assert.deepEqual(outcome(HITS.hits[2]), { key: 'bank.outcome.juryWon', params: { place: 1 } });
  assert.deepEqual(outcome({ kind: 'jury', won: 0, detail: { place: 3 } }), { key: 'bank.outcome.jury', params: { place: 3 } });
  assert.equal(t('bank.outcome.jury', { place: 3 }), 'Plaats 3 bij de jury');
});

test('a hit links to its team page through the staff link; other addresses do not', () => {
  assert.deepEqual(reportTarget('/r/s-2026-09/t7'), { sprint: 's-2026-09', team: 't7' });
  assert.deepEqual(reportTarget('http://host:8080/#/r/s-2026-09/t7'), { sprint: 's-2026-09', team: 't7' });
  assert.equal(reportTarget('/x/s/t'), null);
  assert.equal(reportTarget('/r/s 1/t7'), null);
  assert.equal(reportRoute('f', 'tok/en', { sprint: 's-2026-09', team: 't7' }), '#/f/tok%2Fen/r/s-2026-09/t7');
});

test('the new organiser link: a hash on this origin, otherwise a page load', () => {
  assert.equal(sameOriginHash('http://localhost:8080/#/o/NEW', 'http://localhost:8080/#/o/OLD'), '#/o/NEW');
  assert.equal(sameOriginHash('/#/o/NEW', 'http://localhost:8080/#/o/OLD'), '#/o/NEW');
  assert.equal(sameOriginHash('https://sprint.example.nl/#/o/NEW', 'http://localhost:8080/#/o/OLD'), null);
  assert.equal(sameOriginHash('not a url at all ::', 'nonsense'), null);
});

test('sprint_archived names the sprint; other refusals are not archive messages', () => {
  assert.deepEqual(archivedSprint(ARCHIVED_ERR), { sprint: 's-2026-09', title: 'Staatsprint september 2026' });
  assert.deepEqual(archivedSprint({ code: 'sprint_archived', sprint: 'a', title: { nl: 'Dag', en: 'Day' } }), { sprint: 'a', title: { nl: 'Dag', en: 'Day' } });
  assert.equal(archivedSprint({ code: 'bad_token' }), null);
  assert.equal(archivedSprint(undefined), null);
});

test('idea.before is kept per idea and says what became of the earlier one; sprint.archived is folded', () => {
  setLang('nl');
  const s = createState();
  applyEvent(s, { seq: 5, type: 'idea.before', data: { ...BEFORE, chosen: false, won: false } });
  applyEvent(s, { seq: 9, type: 'idea.before', data: BEFORE });
  applyEvent(s, { seq: 10, type: 'idea.before', data: { text: 'no note' } });
  assert.equal(s.before.size, 1);
  assert.equal(s.before.get('n3').seq, 9);
  assert.equal(beforeOutcomeKey(s.before.get('n3')), 'before.chosen');
  assert.equal(beforeOutcomeKey({ chosen: 1, won: 1 }), 'before.won');
  assert.equal(beforeOutcomeKey({ chosen: 0, won: 0 }), 'before.notChosen');
  const text = beforeText(BEFORE);
  assert.match(text, /Staatsprint september 2026 \(donderdag 24 september 2026\)/);
  assert.match(text, /‘Eén keer inloggen met DigiD voor alle loketten’/);
  assert.ok(text.endsWith(nl['before.chosen']), text);

  assert.equal(s.archived, null);
  applyEvent(s, { seq: 11, ts: 1000, type: 'sprint.archived', data: { bank: true, orgs: false, public: true, at: 999 } });
  assert.deepEqual(s.archived, { bank: true, orgs: false, public: true, at: 999 });
  applyEvent(s, { seq: 12, type: 'sprint.published', data: { bank: true, orgs: true, public: false } });
  assert.deepEqual(s.archived, { bank: true, orgs: true, public: false, at: 999 });
});

test('a team page from the report: its challenge, room, results in order, timeline sorted, jury place', () => {
  const m = teamReport(REPORT, 't7');
  assert.equal(m.team.name, 'Team Bron');
  assert.equal(m.challenge.title, 'Digitaal inloggen voor iedereen');
  assert.equal(m.room, 'Zaal Utrecht');
  assert.deepEqual(m.knelpunten.map((k) => [k.text, k.dots]), [['Inloggen lukt ouderen niet', 6], ['SMS komt niet aan', 2]]);
  assert.deepEqual(m.problems.loose, ['Los briefje']);
  assert.equal(m.themes.clusters[0].dots, null, 'an unrevealed count stays unknown');
  assert.deepEqual(m.canvases, [{ id: 'plan', name: 'Actieplan', fields: [{ name: 'Wie', text: 'Logius en gemeenten' }, { name: 'Eerste stap', text: 'Pilot in Utrecht' }] }]);
  assert.deepEqual([m.race.total, m.race.won], [12, true]);
  assert.deepEqual(m.chosen[0].milestones.map((x) => x.at), [0, 5]);
  assert.deepEqual(m.jury, { rank: 1, mean: 8.4, won: true });
  assert.deepEqual(m.members.map((x) => x.name), ['', ''], 'no names in a report without names');
  assert.equal(teamReport(REPORT, 't99'), null);
  assert.equal(teamReport({}, 't7'), null);
});

test('sprint_archived ends the connection for good, at hello and on a live connection', async () => {
  for (const authed of [false, true]) {
    const conn = new Connection({ url: 'ws://x/ws', token: 'old', WebSocketImpl: FakeSocket, random: () => 0, storage: null });
    const failed = [];
    conn.on('auth-failed', (m) => failed.push(m));
    conn.open();
    const ws = FakeSocket.all.at(-1);
    ws.open();
    if (authed) ws.recv({ t: 'welcome', role: 'organiser', me: { role: 'organiser', actor: 'o' }, sprint: 's-2026-09', head: 3, now: Date.now() });
    ws.recv(ARCHIVED_ERR);
    assert.equal(conn.state, ConnState.CLOSED, `closed (authenticated before: ${authed})`);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].detail.title, 'Staatsprint september 2026');
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(FakeSocket.all.at(-1), ws, 'no reconnect after sprint_archived');
  }
});

// ---- the renderers in Chromium, on the contract's fixtures -------------------------------------

let day;
let server;
let browser;

before(async () => {
  day = await openDay();
  ({ server, browser } = day);
});

after(() => closeDay(day));

/**
 * A phone-sized page whose calls to the issue-20 endpoints are answered with the fixtures: the
 * answers SPRINTS.md promises, so the views are checked before (and apart from) H1/H2's server.
 * Everything else (the app itself) comes from the real server.
 */
async function fixturePage(answers, lang = 'nl') {
  const page = await openViewport(browser, { width: 360, height: 740, lang });
  const context = page.context();
  page.requests = [];
  await context.route((url) => url.pathname.startsWith('/api/') && Object.keys(answers).some((p) => url.pathname === p), (route) => {
    const url = new URL(route.request().url());
    page.requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), auth: route.request().headers().authorization ?? null });
    const [status, body] = answers[url.pathname];
    return route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  });
  return { page, context };
}

async function noSideScroll(page, label) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${label}: the phone page is ${width}px wide`);
}

test('the bank view renders hits from the contract: marks, outcome, orgs, a team link with the token; axe at 360 px', { timeout: 60000 }, async () => {
  const { page, context } = await fixturePage({ '/api/bank': [200, HITS], '/api/sprints': [200, SPRINTS] });
  try {
    await page.goto(`${server.url}/#/o/${server.organiserToken}/bank`);
    await page.locator('#sp-bank-sprint option[value="s-2026-09"]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#sp-bank-sprint option[value="s-2027-03"]').count(), 0, 'only archived sprints are a filter');
    await page.getByLabel(nl['bank.q.label'], { exact: true }).fill('inloggen DigiD');
    await page.selectOption('#sp-bank-kind', 'gekozen');
    await page.selectOption('#sp-bank-chosen', '1');
    await page.getByRole('button', { name: nl['bank.search'], exact: true }).click();
    await page.locator('.js-bank-hit').nth(2).waitFor();
    const req = page.requests.filter((r) => r.path === '/api/bank').pop();
    assert.deepEqual([req.query.q, req.query.kind, req.query.chosen, req.query.won, req.auth], ['inloggen DigiD', 'gekozen', '1', undefined, `Bearer ${server.organiserToken}`]);
    assert.deepEqual(await page.locator('.js-bank-hit').first().locator('mark').allTextContents(), ['inloggen', 'DigiD']);
    assert.match(await page.locator('.js-bank-outcome').first().textContent(), /Gewonnen 5 stemmen/);
    assert.match(await page.locator('.js-bank-hit').first().textContent(), /Organisaties: Logius, Gemeente Utrecht/);
    assert.match(await page.locator('.js-bank-outcome').nth(2).textContent(), /Winnaar \(plaats 1\)/);
    assert.equal(await page.locator('.js-bank-report').first().getAttribute('href'), `#/o/${server.organiserToken}/r/s-2026-09/t7`);
    assert.equal(await page.locator('.js-bank-status').textContent(), '3 resultaten voor ‘inloggen DigiD’.');
    await checkA11y(page, 'the bank search with hits (360 px)');
    await noSideScroll(page, 'bank search');
    assert.deepEqual(page.problems, []);
  } finally {
    await context.close();
  }
});

test('the team page renders the report of the contract, read-only, with the token of the route; axe at 360 px', { timeout: 60000 }, async () => {
  const { page, context } = await fixturePage({ '/api/sprints/s-2026-09/report.json': [200, REPORT] });
  try {
    await page.goto(`${server.url}/#/f/FACTOKEN/r/s-2026-09/t7`);
    await page.locator('.js-report-heading', { hasText: 'Team Bron' }).waitFor();
    assert.equal(page.requests[0].auth, 'Bearer FACTOKEN');
    assert.match(await page.locator('.js-report-lead').textContent(), /Staatsprint september 2026 · .*2026 · Zaal Utrecht/);
    assert.equal(await page.locator('.js-report-ideas li').count(), 2);
    assert.match(await page.locator('.js-report-jury').textContent(), /Winnaar: plaats 1/);
    assert.match(await page.locator('.sp-report-timeline').textContent(), /^Nu: Pilot in Utrecht.*Over 5 jaar: Landelijk/);
    assert.equal(await page.locator('input, textarea, [contenteditable]').count(), 0, 'nothing to edit');
    assert.equal(await page.locator('.js-report-back').getAttribute('href'), '#/f/FACTOKEN/bank');
    await checkA11y(page, 'a team page of an archived report (360 px)');
    await noSideScroll(page, 'team page');
    assert.deepEqual(page.problems, []);
  } finally {
    await context.close();
  }
});

test('the public page shows what is published without a token and no team links; "not public" is said', { timeout: 60000 }, async () => {
  let { page, context } = await fixturePage({ '/api/public/bank': [200, HITS] });
  try {
    await page.goto(`${server.url}/#/bank`);
    await page.locator('.js-bank-hit').nth(2).waitFor();
    assert.equal(page.requests[0].auth, null, 'no token on the public page');
    assert.equal(await page.locator('.js-bank-report').count(), 0);
    assert.equal(await page.locator('#sp-bank-sprint').count(), 0, 'no staff filters');
    assert.equal(await page.locator('.js-status').isHidden(), true, 'no connection indicator: no WebSocket');
    await checkA11y(page, 'the public bank (360 px)');
    await noSideScroll(page, 'public bank');
  } finally {
    await context.close();
  }
  // In English: the page's own words, the same axe verdict.
  ({ page, context } = await fixturePage({ '/api/public/bank': [200, HITS] }, 'en'));
  try {
    await page.goto(`${server.url}/#/bank`);
    await page.locator('.js-bank-hit').first().waitFor();
    assert.equal(await page.locator('h1').textContent(), en['bank.public.heading']);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.match(await page.locator('.js-bank-outcome').first().textContent(), new RegExp(en['bank.outcome.won']));
    await checkA11y(page, 'the public bank in English (360 px)');
  } finally {
    await context.close();
  }
  ({ page, context } = await fixturePage({ '/api/public/bank': [404, { code: 'not_public', nl: 'Niet openbaar.', en: 'Not public.' }] }));
  try {
    await page.goto(`${server.url}/#/bank`);
    await page.locator('.js-bank-none').waitFor();
    assert.equal(await page.locator('.js-bank-form').isHidden(), true);
  } finally {
    await context.close();
  }
});

test('a bare report address without a staff link says which link opens it', { timeout: 30000 }, async () => {
  const page = await openViewport(browser, { width: 360, height: 740 });
  const context = page.context();
  try {
    await page.goto(`${server.url}/#/r/s-2026-09/t7`);
    await page.locator('.js-report-nolink').waitFor();
    await checkA11y(page, 'a bare report address (360 px)');
    assert.deepEqual(page.problems, []);
  } finally {
    await context.close();
  }
});

test('script in bank entries and reports stays text: no element, no dialog', { timeout: 60000 }, async () => {
  const bad = '<img src=x onerror=alert(1)><script>alert(1)</script>';
  const hit = { ...HITS.hits[0], text: `${bad} inloggen`, snippet: `${bad} [inloggen]`, team_name: bad, sprint_title: bad, challenge_title: bad, orgs: [bad], url: '/r/s-2026-09/t7' };
  const report = structuredClone(REPORT);
  const team = report.teams[0];
  team.name = bad;
  team.ideas[0].text = bad;
  team.knelpunten.items[0].text = bad;
  team.chosen[0].milestones[0].text = bad;
  team.canvases.plan.who = bad;
  report.sprint.title = bad;
  const { page, context } = await fixturePage({ '/api/bank': [200, { total: 1, hits: [hit] }], '/api/sprints/s-2026-09/report.json': [200, report] });
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  try {
    await page.goto(`${server.url}/#/f/FAC/bank`);
    await page.getByLabel(nl['bank.q.label'], { exact: true }).fill('inloggen');
    await page.getByRole('button', { name: nl['bank.search'], exact: true }).click();
    await page.locator('.js-bank-hit').waitFor();
    assert.match(await page.locator('.js-bank-snippet').textContent(), /<img src=x onerror=alert\(1\)>/);
    assert.equal(await page.locator('main img, main script, main iframe, main svg').count(), 0);
    await page.locator('.js-bank-report').click();
    await page.locator('.js-report-ideas').waitFor();
    assert.equal(await page.locator('h1').textContent(), bad);
    assert.equal(await page.locator('main img, main script, main iframe, main svg').count(), 0);
    assert.deepEqual(dialogs, []);
  } finally {
    await context.close();
  }
});

test('more results: the next page is asked with an offset, and focus goes to its first hit', { timeout: 60000 }, async () => {
  const entry = (n) => ({ ...HITS.hits[1], team: `t${n}`, team_name: `Team ${n}`, url: `/r/s-2026-09/t${n}`, snippet: `[Ingelogd] blijven ${n}` });
  const page = await openViewport(browser, { width: 360, height: 740 });
  const context = page.context();
  const offsets = [];
  await context.route((url) => url.pathname === '/api/bank', (route) => {
    const q = new URL(route.request().url()).searchParams;
    const offset = Number(q.get('offset') ?? 0);
    offsets.push(offset);
    const hits = Array.from({ length: Math.min(Number(q.get('limit')), 25 - offset) }, (_, i) => entry(offset + i + 1));
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ total: 25, hits }) });
  });
  try {
    await page.goto(`${server.url}/#/f/FAC/bank`);
    await page.getByLabel(nl['bank.q.label'], { exact: true }).fill('ingelogd');
    await page.getByRole('button', { name: nl['bank.search'], exact: true }).click();
    await page.locator('.js-bank-hit').nth(19).waitFor();
    assert.equal(await page.locator('.js-bank-more').isVisible(), true);
    await page.locator('.js-bank-more').click();
    await page.locator('.js-bank-hit').nth(24).waitFor();
    assert.deepEqual(offsets, [0, 20]);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), `${nl['bank.kind.idee']} Team 21`);
    assert.equal(await page.locator('.js-bank-more').isHidden(), true, 'all 25 shown');
    assert.deepEqual(page.problems, []);
  } finally {
    await context.close();
  }
});
