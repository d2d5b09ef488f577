// sprints.test.mjs – issue 20 in the browser, against the real server: a simulated day (sprint A)
// is archived from the organiser's page with its results published, a new sprint B is made from
// the default and then C from A – each time the page follows the organiser link the server
// answers; A's old link says that its sprint is over; the idea bank is searched by the organiser
// and a facilitator and leads to a team's page of A's report; the public page finds A's ideas
// without a token; and in C a team that writes one of A's ideas in the Idee Race sees what became
// of it, as does the room's facilitator. axe on every page; the phone pages at 360 px.
//
// Needs the server parts of H2 (sprint.archive, POST/GET /api/sprints, /api/sprints/<id>/report.json,
// sprint_archived) and H1 (/api/bank, /api/public/bank, priors and idea.before).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nl from '../../web/js/i18n/nl.js';
import { checkA11y, closeDay, fetchEvents, joinAs, openDay, openViewport, serverBinary, wsClient } from './lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'staatsprint-sprints-'));
const db = join(dir, 'a.db');
let day;
let server;
let browser;
let org; // the organiser page (laptop)
const tokens = {}; // sprint letter → organiser token
const ids = {}; // sprint letter → sprint id
let ideaA = null; // an idea of sprint A, as its report has it
let titleA = null; // sprint A's title, as its report has it

function fill(text, params = {}) {
  const s = typeof text === 'object' ? (params.count === 1 ? text.one : text.other) : text;
  return s.replace(/\{(\w+)\}/g, (m, k) => String(params[k] ?? m));
}

before(async () => {
  // Sprint A: a whole day of two teams, played by the simulator's bots through the real server.
  const sim = spawnSync(serverBinary(), ['simulate', '--db', db, '--teams', '2', '--speed', '50'], { encoding: 'utf8', timeout: 240000 });
  assert.equal(sim.status, 0, `simulate failed:\n${sim.stdout}\n${sim.stderr}`);
  day = await openDay({ args: ['--db', db] });
  ({ server, browser } = day);
  tokens.A = server.organiserToken;
  org = await openViewport(browser);
});

after(async () => {
  await closeDay(day);
  rmSync(dir, { recursive: true, force: true });
});

async function api(token, path, init = {}) {
  const res = await fetch(`${server.url}${path}`, { ...init, headers: { ...(init.headers ?? {}), Authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function tokenOf(hash) {
  return decodeURIComponent(/^#\/o\/([^/]+)$/.exec(hash)?.[1] ?? '');
}

/** The one confirmation of archiving, with the three publish choices: bank and public. */
async function confirmArchive() {
  const dialog = org.locator('.js-archive-dialog');
  await dialog.waitFor();
  assert.equal(await org.evaluate(() => document.querySelector('.js-archive-dialog').open), true);
  assert.equal(await dialog.getByLabel(nl['org.sprints.choice.bank'], { exact: true }).isChecked(), true, 'the bank is the default');
  assert.equal(await dialog.getByLabel(nl['org.sprints.choice.public'], { exact: true }).isChecked(), false, 'public is never the default');
  await checkA11y(org, 'the archive confirmation');
  await dialog.getByLabel(nl['org.sprints.choice.public'], { exact: true }).check();
  await dialog.getByRole('button', { name: nl['org.sprints.archiveConfirm'], exact: true }).click();
}

/** Makes a new sprint on the organiser page: the form, the one confirmation if the live sprint
 * is not archived yet, then the new link. */
async function newSprint(from, title, date, { archived = false } = {}) {
  const before = await org.evaluate(() => location.hash);
  await org.selectOption('#sp-new-sprint-from', from);
  await org.getByLabel(nl['org.sprints.newTitle'], { exact: true }).fill(title);
  await org.getByLabel(nl['org.sprints.newDate'], { exact: true }).fill(date);
  await org.getByRole('button', { name: nl['org.sprints.create'], exact: true }).click();
  if (!archived) await confirmArchive();
  await org.waitForFunction((old) => location.hash !== old && /^#\/o\/[^/]+$/.test(location.hash), before, { timeout: 30000 });
  await org.locator('h1', { hasText: title }).waitFor({ timeout: 20000 });
  await org.locator('.js-sprints .js-sprint').first().waitFor({ timeout: 20000 });
  // The server restarted in-process for the new sprint: while it did, the browser logged the
  // refused connections of the old and the not-yet-served new link (the page retried them).
  // What counts is that nothing goes wrong from here on.
  org.problems.length = 0;
  return tokenOf(await org.evaluate(() => location.hash));
}

test('the organiser archives the day and makes a sprint from the default, then one from an earlier sprint', { timeout: 400000 }, async () => {
  await org.goto(`${server.url}/#/o/${tokens.A}`);
  const list = org.locator('.js-sprints .js-sprint');
  await list.first().waitFor();
  assert.equal(await list.count(), 1);
  assert.equal(await list.first().getAttribute('data-state'), 'live');
  ids.A = await list.first().getAttribute('data-sprint');
  const report = await api(tokens.A, `/api/sprints/${ids.A}/report.json`);
  assert.equal(report.status, 200);
  ideaA = report.body.teams.flatMap((tm) => tm.ideas ?? []).find((i) => [...i.text.matchAll(/\p{L}{6,}/gu)].length >= 2)?.text;
  assert.ok(ideaA, 'sprint A has race ideas with words to find');
  titleA = report.body.sprint.title;
  await checkA11y(org, 'the organiser page with its sprints');

  tokens.B = await newSprint('default', 'Staatsprint B', '2027-03-18');
  assert.notEqual(tokens.B, tokens.A);
  await org.locator('.js-sprints .js-sprint').nth(1).waitFor();
  assert.deepEqual(await org.locator('.js-sprints .js-sprint').evaluateAll((els) => els.map((e) => e.dataset.state)), ['live', 'archived']);
  ids.B = await org.locator('.js-sprints .js-sprint').first().getAttribute('data-sprint');
  const a = org.locator(`.js-sprint[data-sprint="${ids.A}"]`);
  assert.match(await a.locator('.js-sprint-pub').textContent(), new RegExp(`${nl['org.sprints.pub.bank']}.*${nl['org.sprints.pub.public']}`));
  // What A publishes can still change: its organisations too.
  await a.locator('summary').click();
  await a.getByLabel(nl['org.sprints.choice.orgs'], { exact: true }).check();
  await a.getByRole('button', { name: nl['org.sprints.publishSave'], exact: true }).click();
  await a.locator('.js-sprint-pub', { hasText: nl['org.sprints.pub.orgs'] }).waitFor();
  assert.equal(await org.locator('.js-public-bank').getAttribute('href'), '#/bank', 'A is public: the page links its public bank');
  const listed = (await api(tokens.B, '/api/sprints')).body.sprints.find((x) => x.id === ids.A);
  assert.deepEqual([listed.state, listed.bank, listed.orgs, listed.public], ['archived', true, true, true]);
  // Its own report stays: A's JSON from B's organiser.
  assert.equal((await api(tokens.B, `/api/sprints/${ids.A}/report.json`)).status, 200);

  // B is closed on its own first (the button, the same confirmation): the page says so.
  await org.locator('.js-archive').click();
  await confirmArchive();
  await org.locator('.js-archived-line').waitFor();
  assert.equal(await org.locator('.js-archive').isHidden(), true);
  await org.locator(`.js-sprint[data-sprint="${ids.B}"][data-state="archived"]`).waitFor();

  // C from A: A's challenges and rooms come along, never its people or links.
  tokens.C = await newSprint(ids.A, 'Staatsprint C', '2027-09-23', { archived: true });
  ids.C = await org.locator('.js-sprints .js-sprint').first().getAttribute('data-sprint');
  assert.deepEqual(await org.locator('.js-sprints .js-sprint').evaluateAll((els) => els.map((e) => e.dataset.state)), ['live', 'archived', 'archived']);
  const { events } = await fetchEvents(server.wsUrl, tokens.C);
  const challengesC = events.filter((e) => e.type === 'challenge.set').map((e) => e.data.title?.nl ?? e.data.title).sort();
  const challengesA = report.body.challenges.map((c) => c.title).sort();
  assert.deepEqual(challengesC, challengesA, 'C has the challenges of A');
  assert.equal(events.filter((e) => e.type === 'member.joined').length, 0, 'nobody of A came along');
  await checkA11y(org, 'the organiser page of sprint C');

  // A's link now says its sprint is over, with its title – on a phone too.
  const phone = await openViewport(browser, { width: 360, height: 740 });
  try {
    await phone.goto(`${server.url}/#/o/${tokens.A}`);
    await phone.locator('h1', { hasText: nl['archived.heading'] }).waitFor({ timeout: 20000 });
    assert.match(await phone.locator('.js-archived').textContent(), new RegExp(titleA));
    await checkA11y(phone, 'the message for a link of an archived sprint (360 px)');
    // A team code of A joins nothing in C, and says which sprint it belonged to.
    await joinAs(phone, server.url, server.teams[0], 'Bram');
    await phone.locator('#sp-join-code-error, .sp-field__error', { hasText: fill(nl['archived.code'], { title: titleA }) }).first().waitFor();
    await checkA11y(phone, 'joining with a team code of an archived sprint (360 px)');
  } finally {
    await phone.context().close();
  }
  assert.deepEqual(org.problems, []);
});

test('the organiser and a facilitator search the idea bank and open a team page of sprint A', { timeout: 120000 }, async () => {
  assert.ok(tokens.C, 'needs the sprints of the first test');
  const word = [...ideaA.matchAll(/\p{L}{6,}/gu)].map((m) => m[0]).sort((x, y) => y.length - x.length)[0];
  await org.goto(`${server.url}/#/o/${tokens.C}`);
  await org.locator('.js-bank-link').click();
  await org.getByLabel(nl['bank.q.label'], { exact: true }).waitFor();
  await org.locator(`#sp-bank-sprint option[value="${ids.A}"]`).waitFor({ state: 'attached' });
  await org.getByLabel(nl['bank.q.label'], { exact: true }).fill(word);
  await org.getByRole('button', { name: nl['bank.search'], exact: true }).click();
  await org.locator('.js-bank-hit').first().waitFor();
  assert.ok((await org.locator('.js-bank-hit').evaluateAll((els) => els.map((e) => e.dataset.sprint))).every((s) => s === ids.A), 'every hit is from A');
  assert.ok((await org.locator('.js-bank-hit mark').count()) >= 1, 'the matched words are marked');
  await checkA11y(org, 'the idea bank with hits');

  await org.selectOption('#sp-bank-kind', 'idee');
  await org.getByRole('button', { name: nl['bank.search'], exact: true }).click();
  await org.waitForFunction(() => [...document.querySelectorAll('.js-bank-hit')].every((e) => e.dataset.kind === 'idee') && document.querySelector('.js-bank-hit'));

  await org.locator('.js-bank-report').first().click();
  await org.locator('.js-report').and(org.locator(':not([aria-busy])')).waitFor();
  await org.locator('.js-report-ideas li').first().waitFor();
  assert.match(await org.evaluate(() => location.hash), new RegExp(`^#/o/[^/]+/r/${ids.A}/t\\d+$`));
  await checkA11y(org, 'a team page of sprint A');
  // The entry's own address, /r/SPRINT/TEAM (open data), opens the same page in this tab.
  const teamId = /\/r\/[^/]+\/([^/]+)$/.exec(await org.evaluate(() => location.hash))[1];
  await org.goto(`${server.url}/r/${ids.A}/${teamId}`);
  await org.locator('.js-report-ideas li').first().waitFor();
  assert.equal(await org.evaluate(() => location.pathname + location.hash), `/#/r/${ids.A}/${teamId}`);
  assert.deepEqual(org.problems, []);

  // A facilitator of C searches from the console's link, on a phone.
  const { events } = await fetchEvents(server.wsUrl, tokens.C);
  const fac = events.find((e) => e.type === 'links.set').data.links.find((l) => l.role === 'facilitator');
  const phone = await openViewport(browser, { width: 360, height: 740 });
  try {
    await phone.goto(`${server.url}/#/f/${fac.token}/bank`);
    await phone.getByLabel(nl['bank.q.label'], { exact: true }).fill(word);
    await phone.getByRole('button', { name: nl['bank.search'], exact: true }).click();
    await phone.locator('.js-bank-hit').first().waitFor();
    await checkA11y(phone, 'the idea bank of a facilitator (360 px)');
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling at 360 px');
    assert.deepEqual(phone.problems, []);
  } finally {
    await phone.context().close();
  }
});

test('the public page finds what A published, without a token and without team links', { timeout: 60000 }, async () => {
  assert.ok(ideaA, 'needs the sprints of the first test');
  const word = [...ideaA.matchAll(/\p{L}{6,}/gu)].map((m) => m[0]).sort((x, y) => y.length - x.length)[0];
  const phone = await openViewport(browser, { width: 360, height: 740 });
  try {
    await phone.goto(`${server.url}/#/bank`);
    await phone.getByLabel(nl['bank.q.label'], { exact: true }).fill(word);
    await phone.getByRole('button', { name: nl['bank.search'], exact: true }).click();
    await phone.locator('.js-bank-hit').first().waitFor();
    assert.equal(await phone.locator('.js-bank-report').count(), 0);
    assert.ok((await phone.locator('.js-bank-hit').evaluateAll((els) => els.map((e) => e.dataset.sprint))).every((s) => s === ids.A));
    await checkA11y(phone, 'the public idea bank (360 px)');
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling at 360 px');
    assert.deepEqual(phone.problems, []);
  } finally {
    await phone.context().close();
  }
});

/** Moves a team to a step as the organiser: step.next, revealing votes and playing the race as needed. */
async function advanceTo(client, events, team, stepId) {
  const pb = events.find((e) => e.type === 'playbook.set').data;
  const target = pb.phases.flatMap((p) => p.steps.map((s) => s.id)).indexOf(stepId);
  for (let guard = 0; guard < 40; guard++) {
    const changed = client.events.filter((e) => e.type === 'step.changed' && e.data.team === team.id).pop();
    if (changed && changed.data.index === target) return;
    try {
      await client.cmd('step.next', { team: team.id });
    } catch (err) {
      const code = String(err.message).split(':')[0];
      if (code === 'vote_not_revealed') await client.cmd('vote.reveal', { team: team.id });
      else if (code === 'race_not_started') {
        await client.cmd('race.start', { room: team.room, minutes: 5 });
        await client.cmd('race.end', { room: team.room });
      } else if (code === 'race_running') await client.cmd('race.end', { room: team.room });
      else throw err;
    }
  }
  throw new Error(`team ${team.id} did not reach ${stepId}`);
}

test('in sprint C, an idea of A in the Idee Race shows what became of it, to the team and the facilitator', { timeout: 120000 }, async () => {
  assert.ok(tokens.C && ideaA, 'needs the sprints of the first test');
  const { events } = await fetchEvents(server.wsUrl, tokens.C);
  const team = { ...events.find((e) => e.type === 'team.created').data };
  team.code = events.find((e) => e.type === 'team.code' && e.data.team === team.id).data.code;
  const fac = events.find((e) => e.type === 'links.set').data.links.find((l) => l.role === 'facilitator' && l.room === team.room);
  const organiser = await wsClient(server.wsUrl, tokens.C);
  const phone = await openViewport(browser, { width: 360, height: 740 });
  const consolePage = await openViewport(browser);
  try {
    await joinAs(phone, server.url, team, 'Anna');
    await phone.locator('.js-step-title, #sp-step-title').first().waitFor();
    await advanceTo(organiser, events, team, 'p3-race');
    await phone.locator('.js-race-input').waitFor();
    await organiser.cmd('race.start', { room: team.room, minutes: 5 });
    await phone.locator('.js-race-round', { hasText: fill(nl['team.race.running'], { round: 1, rounds: 2 }) }).waitFor();
    // Nearly the same words as A's idea: other case, no final stop.
    const near = ideaA.toLowerCase().replace(/[.!?]+$/, '');
    await phone.locator('.js-race-input').fill(near);
    await phone.locator('.js-race-input').press('Enter');
    const hint = phone.locator('.js-before .js-before-item');
    await hint.first().waitFor({ timeout: 15000 });
    const text = await hint.first().textContent();
    assert.ok(text.includes(titleA), `the hint names sprint A: ${text}`);
    assert.ok([nl['before.won'], nl['before.chosen'], nl['before.notChosen']].some((s) => text.includes(s)), `the hint says what became of it: ${text}`);
    await checkA11y(phone, 'the race with a hint of an earlier sprint (360 px)');
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling at 360 px');

    // Round 1 ends: the team reads the idea, and the room's facilitator hears what came before.
    await organiser.cmd('race.end', { room: team.room });
    await consolePage.goto(`${server.url}/#/f/${fac.token}`);
    await consolePage.locator('.js-console-before .js-before-item').first().waitFor({ timeout: 15000 });
    assert.equal(await consolePage.locator('.js-console-before .js-before-item').first().getAttribute('data-team'), team.id);
    await checkA11y(consolePage, 'the console with a hint of an earlier sprint');
    assert.deepEqual(consolePage.problems, []);

    // The idea vote: the idea is on the ballot, with what became of the earlier one.
    await advanceTo(organiser, events, team, 'p3-vote');
    await phone.locator('.js-vote .js-before .js-before-item').first().waitFor({ timeout: 15000 });
    assert.ok((await phone.locator('.js-vote .js-before-item').first().textContent()).includes(titleA));
    await checkA11y(phone, 'the idea vote with a hint of an earlier sprint (360 px)');

    // The organiser closes C: the team reads that nothing changes any more.
    await organiser.cmd('sprint.archive', { bank: true, orgs: false, public: false, confirm: true });
    await phone.locator('.js-team-archived', { hasText: nl['team.archived'] }).waitFor();
    await checkA11y(phone, 'a team page of a closed sprint (360 px)');

    assert.deepEqual(phone.problems, []);
    // A new sprint starts: the member's session of C ends, and the join page says why.
    const made = await api(tokens.C, '/api/sprints', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from: 'default', title: 'Staatsprint D', date: '2028-03-16' }) });
    assert.equal(made.status, 201);
    await phone.locator('.sp-notice', { hasText: fill(nl['archived.notice'], { title: 'Staatsprint C' }) }).waitFor({ timeout: 20000 });
    await phone.getByLabel(nl['join.code.label'], { exact: true }).waitFor();
  } finally {
    organiser.close();
    await phone.context().close();
    await consolePage.context().close();
  }
});
