// organiser.test.mjs – the organiser's registrations, assignment and join sheets in a real browser
// against the real server: import a Google Forms export through the file input (mapping step,
// preview, the report of rejected rows), run the assignment, move one person with the keyboard
// and one by drag and drop, pin and re-run around the pins, print the join sheets (a PDF),
// follow a sheet's #/join/CODE in a second browser, export and delete one participant, edit the
// day and a brief – and axe finds no WCAG 2.1 A/AA violations on any of it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nl from '../../web/js/i18n/nl.js';
import en from '../../web/js/i18n/en.js';
import { checkA11y, fetchEvents, launchBrowser, newPage, startServer, waitUntil } from './lib.mjs';
import { applyOrgEvent, colleaguePairs, createOrgState, teamPeople } from '../../web/js/org-state.js';

const CSV = fileURLToPath(new URL('../data/registrations-google.csv', import.meta.url));

/** Fills the {placeholders} of a catalogue string; plural entries use `count`. */
function fill(entry, params = {}) {
  const text = typeof entry === 'object' ? (params.count === 1 ? entry.one : entry.other) : entry;
  return text.replace(/\{(\w+)\}/g, (m, k) => String(params[k] ?? m));
}

let server;
let browser;
let page;
/** Registrations as the server holds them after the import (from the organiser's events). */
let people = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await newPage(context);
  page.setDefaultTimeout(15000);
  await page.goto(`${server.url}/#/o/${server.organiserToken}`);
  await page.getByRole('heading', { level: 2, name: nl['org.import.title'] }).waitFor();
  await waitUntil(page, (text) => document.querySelector('.js-status-text')?.textContent === text, nl['conn.online'], 'the organiser page to be online');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Polls fn until it returns something truthy. */
async function eventually(fn, what, timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The events the organiser's connection receives now. */
async function organiserEvents() {
  return (await fetchEvents(server.wsUrl, server.organiserToken)).events;
}

function teamCard(teamId) {
  return page.locator(`.js-org-team[data-team="${teamId}"]`);
}

function personItem(personId) {
  return page.locator(`.js-org-team li[data-person="${personId}"]`);
}

/** The team a person's card is in on the page. */
async function teamOnPage(personId) {
  return personItem(personId).evaluate((li) => li.closest('.js-org-team')?.dataset.team ?? null);
}

test('the organiser fold: registrations, placements, pins, moves, deletions, links', () => {
  const st = createOrgState();
  const ev = (type, data) => applyOrgEvent(st, { type, data });
  ev('registrations.imported', { people: [
    { id: 'p1', name: 'Anna', email: 'a@x.nl', organisation: 'DUO', captain: true },
    { id: 'p2', name: 'Bram', organisation: 'duo ' },
    { id: 'p3', name: 'Cato', organisation: 'SVB' },
  ] });
  // A replay after a deletion carries the person as {id, deleted}.
  ev('registrations.imported', { people: [{ id: 'p3', deleted: true }] });
  assert.deepEqual([...st.people.keys()], ['p1', 'p2']);
  ev('assign.result', { seed: 1, team_size_min: 1, team_size_max: 2, teams: [{ team: 't1', challenge: 'c1', members: ['p1', 'p2'], captain: 'p1', timekeeper: null }], unplaced: [] });
  assert.deepEqual(teamPeople(st, 't1').map((p) => p.id), ['p1', 'p2']);
  assert.equal(colleaguePairs(teamPeople(st, 't1')), 1, 'DUO and "duo " are colleagues');
  assert.equal(st.suggestions.get('t1').captain, 'p1');
  ev('assign.moved', { person: 'p2', from: 't1', team: 't2', challenge: 'c1' });
  assert.equal(st.placement.get('p2'), 't2');
  assert.deepEqual(st.pins.get('p2'), { team: 't2', challenge: 'c1' }, 'a move pins');
  ev('assign.pinned', { person: 'p2', team: null, challenge: null });
  assert.equal(st.pins.has('p2'), false, 'unpinned');
  ev('member.linked', { member: 'm1', person: 'p1' });
  ev('member.linked', { member: 'm1', person: 'p2' });
  assert.deepEqual([...st.linked], [['p2', 'm1']], 'a member is linked to one registration');
  ev('person.deleted', { id: 'p2' });
  assert.equal(st.people.has('p2') || st.placement.has('p2') || st.linked.has('p2'), false);
  ev('sprint.updated', { venue: 'Utrecht' });
  ev('room.updated', { id: 'r1', name: { nl: 'Zaal A', en: 'Room A' }, challenge: 'c2', facilitators: ['Eva'] });
  assert.equal(st.sprint.venue, 'Utrecht');
  assert.deepEqual(st.rooms.get('r1').facilitators, ['Eva']);
  assert.equal(applyOrgEvent(st, { type: 'note.added', data: {} }), false, 'other events are not ours');
});

test('the organiser page, every section in it, passes axe before anything is imported', async () => {
  for (const key of ['org.event.title', 'org.brief.title', 'org.rooms.title', 'org.import.title', 'org.assign.title', 'org.sheets.title', 'org.people.title']) {
    await page.getByRole('heading', { level: 2, name: nl[key], exact: true }).waitFor();
  }
  // The table of contents moves focus to a section without touching the router's address.
  const hash = await page.evaluate(() => location.hash);
  await page.getByRole('navigation', { name: nl['org.toc'] }).getByRole('link', { name: nl['org.assign.title'] }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), nl['org.assign.title']);
  assert.equal(await page.evaluate(() => location.hash), hash);
  await checkA11y(page, 'the organiser page before an import');
});

test('importing a CSV: the guessed mapping, a preview, a changed mapping, and the rejected rows with their lines', async () => {
  await page.getByLabel(nl['org.import.file'], { exact: true }).setInputFiles(CSV);
  await page.getByRole('button', { name: nl['org.import.read'], exact: true }).click();
  const step2 = page.getByRole('heading', { name: fill(nl['org.import.step2'], { file: 'registrations-google.csv' }) });
  await step2.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sp-org-import-step2', 'focus moves to the preview');

  // The guessed mapping, one select per field, labelled in Dutch (columns are 0-based values).
  const mapping = page.locator('.js-org-mapping');
  const expected = { email: '1', first_name: '2', last_name: '3', organisation: '4', role: '5', motivation: '6', choice1: '7', choice2: '8', timestamp: '0', name: '' };
  for (const [field, column] of Object.entries(expected)) {
    assert.equal(await mapping.locator(`select[data-field="${field}"]`).inputValue(), column, `the guessed column of ${field}`);
  }
  assert.equal(await page.getByLabel('E-mailadres', { exact: true }).locator('option:checked').textContent(), 'Kolom 2: E-mailadres');

  // The preview: the first rows, with names joined from first and last name.
  const preview = page.locator('.js-org-preview');
  assert.equal(await preview.locator('tbody tr').count(), 10);
  const first = preview.locator('tbody tr').first();
  assert.match(await first.textContent(), /Anna de Groot 1/);
  assert.match(await first.textContent(), /Beleidsadviseur/);
  assert.match(await first.textContent(), /Moderniseren van de gemeentelijke IT/);

  // Counts and the report: line 9 has no name and is rejected, line 23 only warns.
  const counts = page.locator('.js-org-import-counts');
  assert.equal(await counts.locator('[data-key="willNew"] dd').textContent(), '58');
  assert.equal(await counts.locator('[data-key="rejected"] dd').textContent(), '1');
  const issues = page.locator('.js-org-issues').first();
  const line9 = issues.locator('tr', { has: page.locator('th', { hasText: /^9$/ }) });
  assert.match(await line9.textContent(), new RegExp(nl['org.import.rejectedRow']));
  assert.match(await line9.textContent(), /geen naam/);
  const line23 = issues.locator('tr', { has: page.locator('th', { hasText: /^23$/ }) });
  assert.match(await line23.textContent(), new RegExp(nl['org.import.warning']));
  assert.match(await line23.textContent(), /geen-adres/);
  await checkA11y(page, 'the import preview');

  // Changing the mapping: without the role column the preview shows no role.
  await mapping.locator('select[data-field="role"]').selectOption('');
  await page.getByRole('button', { name: nl['org.import.remap'], exact: true }).click();
  await waitUntil(page, () => !/Beleidsadviseur/.test(document.querySelector('.js-org-preview tbody tr')?.textContent ?? 'Beleidsadviseur'), null, 'the preview without roles');
  assert.equal(await page.locator('.js-org-mapping select[data-field="role"]').inputValue(), '', 'the chosen mapping is kept');
  await page.locator('.js-org-mapping select[data-field="role"]').selectOption('5');
  await page.getByRole('button', { name: nl['org.import.remap'], exact: true }).click();
  await waitUntil(page, () => /Beleidsadviseur/.test(document.querySelector('.js-org-preview tbody tr')?.textContent ?? ''), null, 'the preview with roles again');

  // The distinct answers with their counts and challenge; correct a column and an answer
  // match: no second-choice column, and "Tekort aan IT-personeel" taken as challenge 1.
  const answers = page.locator('.js-org-answers');
  const tekort = answers.getByLabel(fill(nl['org.import.answerLabel'], { answer: 'Tekort aan IT-personeel' }), { exact: true });
  assert.equal(await tekort.inputValue(), 'c3', 'matched automatically');
  assert.equal(await answers.locator('tbody tr').count(), 3);
  await page.locator('.js-org-mapping select[data-field="choice2"]').selectOption('');
  await tekort.selectOption('c1');
  await page.getByRole('button', { name: nl['org.import.remap'], exact: true }).click();
  await waitUntil(page, () => document.querySelector('.js-org-mapping select[data-field="choice2"]')?.value === '' &&
    [...document.querySelectorAll('.js-org-preview tbody tr')].every((tr) => !/Tekort aan IT-personeel/.test(tr.textContent)), null, 'the preview with the corrections');
  assert.equal(await answers.getByLabel(fill(nl['org.import.answerLabel'], { answer: 'Tekort aan IT-personeel' }), { exact: true }).inputValue(), 'c1', 'the chosen match is kept');

  // Import.
  await page.getByRole('button', { name: fill(nl['org.import.confirm'], { count: 58 }), exact: true }).click();
  const done = page.locator('.js-org-import-result');
  await done.waitFor();
  assert.equal(await done.locator('[data-key="new"] dd').textContent(), '58');
  assert.equal(await done.locator('[data-key="willReplace"] dd').textContent(), '1');
  assert.equal(await done.locator('[data-key="rejected"] dd').textContent(), '1');
  assert.match(await done.locator('.js-org-issues tr', { has: page.locator('th', { hasText: /^9$/ }) }).textContent(), /geen naam/);
  assert.equal(await page.locator('.js-org-preview').count(), 0, 'the preview is gone after the import');
  await checkA11y(page, 'the import report');

  const imported = (await organiserEvents()).filter((e) => e.type === 'registrations.imported');
  people = imported.flatMap((e) => e.data.people);
  assert.equal(people.length, 58, 'the server holds 58 registrations');
  assert.equal(people.find((p) => p.email === 'deelnemer1@voorbeeld.nl')?.role, 'Beleidsadviseur', 'imported with the role column');
  // Stored exactly as corrected in the preview: no second choices, nobody's first choice c3.
  assert.ok(people.every((p) => p.choice2 === null), 'the second-choice column was left out');
  assert.ok(!people.some((p) => p.choice1 === 'c3'), 'the answer for challenge 3 went to challenge 1');
  assert.equal(people.find((p) => p.email === 'deelnemer3@voorbeeld.nl')?.choice1, 'c1', 'row 3 chose Tekort aan IT-personeel');
});

test('the assignment: figures, teams, a keyboard move, a drag-and-drop move, a pin, and a re-run around the pins', async () => {
  await page.getByLabel(nl['org.assign.min'], { exact: true }).fill('5');
  await page.getByLabel(nl['org.assign.max'], { exact: true }).fill('7');
  await page.getByLabel(nl['org.assign.seed'], { exact: true }).fill('3');
  await page.getByRole('button', { name: nl['org.assign.run'], exact: true }).click();
  const figures = page.locator('.js-org-figures');
  await figures.waitFor();
  assert.equal(await figures.locator('[data-key="people"] dd').textContent(), '58');
  assert.match(await figures.locator('[data-key="first"] dd').textContent(), /%/);
  assert.match(await figures.locator('[data-key="colleagues"] dd').textContent(), /\d+ \(kleinst mogelijk: \d+\)/);
  assert.match(await figures.locator('[data-key="sizes"] dd').textContent(), /\d+ tot \d+ mensen/);
  // Per challenge: people, first/second/no choice, teams and rooms; the people add up.
  const perChallenge = page.locator('.js-org-per-challenge tbody tr');
  assert.equal(await perChallenge.count(), 3);
  let sum = 0;
  for (let i = 0; i < 3; i++) sum += Number(await perChallenge.nth(i).locator('[data-key="people"]').textContent());
  assert.equal(sum, 58);
  await page.getByRole('button', { name: nl['org.assign.rerun'], exact: true }).waitFor();

  const result = (await organiserEvents()).filter((e) => e.type === 'assign.result').at(-1).data;
  const placed = result.teams.reduce((n, tm) => n + tm.members.length, 0);
  assert.equal(placed, 58);
  assert.equal(await page.locator('.js-org-team li[data-person]').count(), 58, 'every placed person is on the page');
  // Suggestions from the stated willingness appear in their team.
  const withCaptain = result.teams.find((tm) => tm.captain);
  assert.match(await personItem(withCaptain.captain).textContent(), new RegExp(nl['org.assign.suggestCaptain']));
  await checkA11y(page, 'the assignment');

  // Keyboard only: arrow to another team in the person's "move to" list, Tab to Verplaats, Enter.
  const [from, to, third] = result.teams.filter((tm) => tm.challenge === result.teams[0].challenge);
  const mover = people.find((p) => p.id === from.members[0]);
  const select = personItem(mover.id).getByLabel(fill(nl['org.assign.moveLabel'], { name: mover.name }), { exact: true });
  await select.focus();
  // The teams of one challenge follow each other in the list: one arrow down is the next team.
  assert.equal(await select.inputValue(), from.team);
  await page.keyboard.press('ArrowDown');
  assert.equal(await select.inputValue(), to.team);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.focusKey), `moveb-${mover.id}`);
  await page.keyboard.press('Enter');
  await waitUntil(page, ([id, team]) => document.querySelector(`.js-org-team[data-team="${team}"] li[data-person="${id}"]`), [mover.id, to.team], 'the moved person in the new team');
  assert.match(await personItem(mover.id).textContent(), new RegExp(nl['org.assign.pinned']));
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.focusKey), `moveb-${mover.id}`, 'focus follows the moved person');

  // Drag and drop: the first person of the third team onto the first team (the teams of one
  // challenge sit side by side, so both ends of the drag are on screen). The card is grabbed
  // by its name, not by the controls in it.
  const dragged = people.find((p) => p.id === third.members[0]);
  await personItem(dragged.id).dragTo(teamCard(from.team), { sourcePosition: { x: 12, y: 10 }, targetPosition: { x: 20, y: 20 } });
  await waitUntil(page, ([id, team]) => document.querySelector(`.js-org-team[data-team="${team}"] li[data-person="${id}"]`), [dragged.id, from.team], 'the dragged person in the team it was dropped on');

  const moves = (await organiserEvents()).filter((e) => e.type === 'assign.moved').map((e) => e.data);
  assert.deepEqual(
    moves.map((m) => [m.person, m.from, m.team]),
    [
      [mover.id, from.team, to.team],
      [dragged.id, third.team, from.team],
    ],
  );
  // Within one challenge the person keeps the choice they had; the badge says which.
  assert.match(await personItem(dragged.id).locator('.sp-org-badge').first().textContent(), /^(1e|2e) keuze$/);

  // Pin someone in place, and unpin the keyboard-moved person.
  const stayer = people.find((p) => p.id === from.members[1]);
  const pin = personItem(stayer.id).getByRole('button', { name: `${nl['org.assign.pin']} ${stayer.name}`, exact: true });
  await pin.click();
  await waitUntil(page, (id) => document.querySelector(`li[data-person="${id}"] button[aria-pressed="true"]`), stayer.id, 'the pin to be pressed');
  const unpin = personItem(mover.id).getByRole('button', { name: `${nl['org.assign.pin']} ${mover.name}`, exact: true });
  assert.equal(await unpin.getAttribute('aria-pressed'), 'true');
  await unpin.click();
  await waitUntil(page, (id) => document.querySelector(`li[data-person="${id}"] button[aria-pressed="false"]`), mover.id, 'the move pin to be released');

  // Re-run around the pins: the pinned people stay where they were put.
  await page.getByRole('button', { name: nl['org.assign.rerun'], exact: true }).click();
  const results = await eventually(async () => {
    const runs = (await organiserEvents()).filter((e) => e.type === 'assign.result');
    return runs.length === 2 ? runs : null;
  }, 'the second assign.result');
  assert.equal(results.length, 2, 'a second run');
  const second = results[1].data;
  const teamOf = (id) => second.teams.find((tm) => tm.members.includes(id))?.team;
  assert.equal(teamOf(dragged.id), from.team, 'the dragged person stays pinned in their new team');
  assert.equal(teamOf(stayer.id), from.team, 'the pinned person stays');
  await waitUntil(page, ([id, team]) => document.querySelector(`.js-org-team[data-team="${team}"] li[data-person="${id}"]`), [dragged.id, from.team], 'the page to show the second run');
  assert.equal(await teamOnPage(stayer.id), from.team);
  await checkA11y(page, 'the assignment after moves');
});

test('rooms: each room lists its teams with a screen link once it has one, and a team moves to another room', async () => {
  const rows = page.locator('.js-org-room-teams');
  const fromBox = rows.filter({ has: page.locator('li') }).first();
  const from = await fromBox.getAttribute('data-room');
  const select = fromBox.locator('select').first();
  const teamLabel = await fromBox.locator('li label').first().textContent();
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
  const to = options.find((v) => v !== from);
  await select.selectOption(to);
  await fromBox.locator('li button').first().click();
  const toBox = page.locator(`.js-org-room-teams[data-room="${to}"]`);
  await toBox.locator('li label', { hasText: teamLabel }).waitFor();
  const moved = (await organiserEvents()).filter((e) => e.type === 'team.moved').at(-1);
  assert.equal(moved.data.from, from);
  assert.equal(moved.data.room, to);
  // And back, so the rest of the day is as assigned.
  await toBox.locator('li', { hasText: teamLabel }).locator('select').selectOption(from);
  await toBox.locator('li', { hasText: teamLabel }).locator('button').click();
  await fromBox.locator('li label', { hasText: teamLabel }).waitFor();
  await checkA11y(page, 'the rooms with their teams');
});

test('links and codes: every link in full, every team code, and the join sheets as a PDF', async () => {
  for (const link of server.links) {
    const letter = { organiser: 'o', facilitator: 'f', jury: 'j', screen: 's' }[link.role];
    assert.equal(await page.locator(`.js-org-links a[href="${server.url}/#/${letter}/${link.token}"]`).count(), 1, `the ${link.role} link`);
  }
  for (const team of server.teams) {
    assert.equal((await page.locator(`.js-org-code[data-team="${team.id}"]`).textContent()).trim(), team.code);
    assert.equal(await page.locator(`a[href="${server.url}/#/join/${team.code}"]`).count(), 1, `the join link of ${team.id}`);
  }
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: nl['org.sheets.print'], exact: true }).click()]);
  assert.equal(download.suggestedFilename(), nl['org.sheets.file']);
  const pdf = readFileSync(await download.path());
  assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF');
  assert.ok(pdf.length > 1000, `a PDF of ${pdf.length} bytes`);
  await page.locator('.sp-org-status--ok', { hasText: nl['org.sheets.ready'] }).waitFor();
  // The door list: everyone by surname with team and room, a PDF of its own.
  const [doorDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: nl['org.sheets.door'], exact: true }).click()]);
  assert.equal(doorDl.suggestedFilename(), nl['org.sheets.doorFile']);
  const doorPdf = readFileSync(await doorDl.path());
  assert.equal(doorPdf.subarray(0, 4).toString('latin1'), '%PDF');
  assert.ok(doorPdf.length > 1000 && !doorPdf.equals(pdf), `a door list of ${doorPdf.length} bytes`);
  await page.locator('.sp-org-status--ok', { hasText: nl['org.sheets.doorReady'] }).waitFor();
  await checkA11y(page, 'links and join sheets');
});

test('results: the report downloads as a PDF, with names only when asked', async () => {
  const [plain] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: nl['org.report.pdf'], exact: true }).click()]);
  assert.equal(plain.suggestedFilename(), nl['org.report.file']);
  const pdf = readFileSync(await plain.path());
  assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF');
  await page.locator('.sp-org-status--ok', { hasText: nl['org.report.ready'] }).first().waitFor();
  const [named] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: nl['org.report.pdfNames'], exact: true }).click()]);
  assert.equal(named.suggestedFilename(), nl['org.report.fileNames']);
  assert.equal(readFileSync(await named.path()).subarray(0, 4).toString('latin1'), '%PDF');
  await checkA11y(page, 'the results section');
});

test('a join sheet’s QR address opens the join form, a participant picks their name, and re-claims it on a second phone with a teammate’s code', async () => {
  // Someone as the page shows them now, after the moves.
  const card = page.locator('.js-org-team', { has: page.locator('li[data-person]') }).first();
  const teamId = await card.getAttribute('data-team');
  const personId = await card.locator('li[data-person]').first().getAttribute('data-person');
  const person = people.find((p) => p.id === personId);
  const mateId = await card.locator('li[data-person]').nth(1).getAttribute('data-person');
  const mateName = people.find((p) => p.id === mateId).name;
  const code = (await page.locator(`.js-org-code[data-team="${teamId}"]`).textContent()).trim();

  const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const phone = await newPage(context);
  await phone.goto(`${server.url}/#/join/${code}`);
  await phone.getByRole('heading', { level: 1, name: nl['join.heading'] }).waitFor();
  const input = phone.getByLabel(nl['join.code.label'], { exact: true });
  assert.equal(await input.inputValue(), code);
  assert.equal(await phone.locator('.js-join-prefilled').textContent(), fill(nl['org.join.prefilled'], { code }));
  // The team's registered names, to pick from.
  const pickList = phone.getByRole('group', { name: nl['join.pick.legend'] });
  await pickList.waitFor();
  assert.ok((await pickList.getByRole('radio').count()) >= 2, 'the team’s names are listed');
  await checkA11y(phone, 'the join page with the names of the team');
  await pickList.getByLabel(person.name, { exact: true }).check();
  await phone.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  await phone.waitForURL(/#\/team$/);
  // The organiser sees that this planned person has come.
  await personItem(person.id).locator('.sp-org-badge', { hasText: nl['org.assign.joined'] }).waitFor();
  const first = await phone.evaluate(() => JSON.parse(localStorage.getItem('sp.session')));

  // A teammate joins too, by picking their name.
  const mateContext = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const mate = await newPage(mateContext);
  await mate.goto(`${server.url}/#/join/${code}`);
  await mate.getByRole('group', { name: nl['join.pick.legend'] }).getByLabel(mateName, { exact: true }).check();
  await mate.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  await mate.waitForURL(/#\/team$/);

  // The same person on a second phone: the name is in use, so a teammate's code is needed.
  const context2 = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const phone2 = await newPage(context2);
  await phone2.goto(`${server.url}/#/join/${code}`);
  const pick2 = phone2.getByRole('group', { name: nl['join.pick.legend'] });
  await pick2.getByLabel(`${person.name} ${nl['join.pick.taken']}`, { exact: true }).check();
  await phone2.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  const claimInput = phone2.getByLabel(nl['join.claim.label'], { exact: true });
  await claimInput.waitFor();
  assert.equal(await phone2.evaluate(() => document.activeElement?.id), 'sp-join-claim', 'focus on the code field');
  const notice = mate.locator('.js-claim');
  await notice.waitFor();
  // The room's facilitator sees the same code in the team's card.
  const evs = await organiserEvents();
  const room = [...evs.filter((e) => (e.type === 'team.created' && e.data.id === teamId) || (e.type === 'team.moved' && e.data.team === teamId))].at(-1).data.room;
  const facLink = evs.filter((e) => e.type === 'links.set').at(-1).data.links.find((l) => l.role === 'facilitator' && l.room === room);
  const facContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const fac = await newPage(facContext);
  await fac.goto(`${server.url}/#/f/${facLink.token}`);
  const facNotice = fac.locator(`.js-claim[data-team="${teamId}"]`);
  await facNotice.waitFor();
  assert.match(await notice.textContent(), new RegExp(person.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  const confirmCode = (await notice.locator('.sp-board__claim-code').textContent()).trim();
  assert.match(confirmCode, /^[A-Z0-9]{4}$/);
  assert.match(await facNotice.textContent(), new RegExp(`${confirmCode}$`));
  await facContext.close();
  // A wrong code first, then the right one.
  await claimInput.fill(confirmCode === 'ZZZZ' ? 'YYYY' : 'ZZZZ');
  await phone2.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  await phone2.locator('#sp-join-claim-error:not([hidden])').waitFor();
  await claimInput.fill(confirmCode);
  await phone2.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  await phone2.waitForURL(/#\/team$/);
  const second = await phone2.evaluate(() => JSON.parse(localStorage.getItem('sp.session')));
  assert.equal(second.member, first.member, 'the same member moved to the second phone, not a second member');
  const joinedAs = (await organiserEvents()).filter((e) => e.type === 'member.joined' && e.data.name === person.name);
  assert.equal(joinedAs.length, 1, 'one member with that name');
  await mate.locator('.js-claim').waitFor({ state: 'detached' });

  // Leaving asks first; "No" keeps the session.
  await phone2.getByRole('button', { name: nl['board.leave'], exact: true }).click();
  await phone2.getByRole('button', { name: nl['board.leaveNo'], exact: true }).click();
  assert.ok(await phone2.evaluate(() => localStorage.getItem('sp.session') !== null));
  await phone2.getByRole('button', { name: nl['board.leave'], exact: true }).click();
  await phone2.getByRole('button', { name: nl['board.leaveYes'], exact: true }).click();
  await phone2.waitForURL(/#\/$/);
  assert.equal(await phone2.evaluate(() => localStorage.getItem('sp.session')), null);
  // Walk-ins closed by the organiser: the join page offers only the list.
  await page.getByLabel(nl['org.sheets.walkins'], { exact: true }).uncheck();
  await page.locator('.sp-org-status--ok', { hasText: nl['org.sheets.walkinsOff'] }).waitFor();
  await phone2.goto(`${server.url}/#/join/${code}`);
  await phone2.getByRole('group', { name: nl['join.pick.legend'] }).waitFor();
  assert.equal(await phone2.getByLabel(nl['join.pick.other'], { exact: true }).count(), 0);
  assert.ok(await phone2.locator('#sp-join-name').isHidden(), 'no name of one’s own');
  await page.getByLabel(nl['org.sheets.walkins'], { exact: true }).check();
  await page.locator('.sp-org-status--ok', { hasText: nl['org.sheets.walkinsOn'] }).waitFor();
  assert.deepEqual(phone.problems, []);
  assert.deepEqual(phone2.problems, []);
  await context.close();
  await context2.close();
  await mateContext.close();
});

test('personal data: find a participant, download what is held, delete after an accessible confirmation', async () => {
  const target = people.find((p) => p.email === 'deelnemer5@voorbeeld.nl');
  const search = page.getByLabel(nl['org.people.search'], { exact: true });
  await search.fill('deelnemer5@');
  const row = page.locator(`.js-org-people tr[data-person="${target.id}"]`);
  await row.waitFor();
  assert.equal(await page.locator('.js-org-people tbody tr').count(), 1);

  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: `${nl['org.people.export']} ${target.name}`, exact: true }).click()]);
  const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(data.registration.id, target.id);
  assert.equal(data.registration.email, 'deelnemer5@voorbeeld.nl');
  assert.equal(data.registration.name, target.name);

  // The dialog: modal, labelled, focus on "Annuleren"; Escape closes it and nothing happens.
  await row.getByRole('button', { name: `${nl['org.people.delete']} ${target.name}`, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: nl['org.people.deleteTitle'] });
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), nl['org.people.deleteCancel']);
  await checkA11y(page, 'the delete confirmation');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await row.count(), 1, 'Escape deletes nothing');

  await row.getByRole('button', { name: `${nl['org.people.delete']} ${target.name}`, exact: true }).click();
  await dialog.getByRole('button', { name: nl['org.people.deleteConfirm'], exact: true }).click();
  await row.waitFor({ state: 'detached' });
  await page.locator('.sp-org-status--ok', { hasText: fill(nl['org.people.deleted'], { name: target.name }) }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sp-org-people-search', 'focus returns to the search field');
  assert.equal(await page.locator(`li[data-person="${target.id}"]`).count(), 0, 'gone from the teams too');
  const res = await fetch(`${server.url}/api/person/${target.id}`, { headers: { Authorization: `Bearer ${server.organiserToken}` } });
  assert.deepEqual(await res.json(), { registration: { id: target.id, deleted: true } });
  await checkA11y(page, 'personal data');
});

test('the day and a brief are edited in Dutch and English and reach everyone', async () => {
  const venue = page.getByLabel(nl['org.event.venue'], { exact: true });
  await venue.fill('Utrecht, Jaarbeurs');
  await page.getByRole('button', { name: nl['org.event.save'], exact: true }).click();
  await page.locator('form[aria-labelledby="sp-org-details-title"] .sp-org-status--ok', { hasText: nl['org.saved'] }).waitFor();
  await page.locator('h1 + .sp-lead', { hasText: 'Utrecht, Jaarbeurs' }).waitFor();

  const brief = page.locator('.sp-org-brief').first();
  await brief.getByRole('group', { name: nl['org.brief.field.question'] }).getByLabel(nl['org.lang.en'], { exact: true }).fill('How do we renew municipal IT faster?');
  await brief.getByRole('button', { name: new RegExp(`^${nl['org.brief.save']}`) }).click();
  await brief.locator('.sp-org-status--ok', { hasText: nl['org.saved'] }).waitFor();

  // The programme: add an item, save; the list is kept in time order.
  await page.getByRole('button', { name: nl['org.programme.add'], exact: true }).click();
  const rows = page.locator('.sp-org-programme__row');
  const last = rows.last();
  await last.getByLabel(nl['org.programme.time'], { exact: true }).fill('08:45');
  await last.getByRole('group', { name: nl['org.programme.what'] }).getByLabel(nl['org.lang.nl'], { exact: true }).fill('Inloop met koffie');
  await last.getByRole('group', { name: nl['org.programme.what'] }).getByLabel(nl['org.lang.en'], { exact: true }).fill('Coffee and arrival');
  await page.getByRole('button', { name: nl['org.programme.save'], exact: true }).click();
  await page.locator('form[aria-labelledby="sp-org-programme-title"] .sp-org-status--ok', { hasText: nl['org.saved'] }).waitFor();

  const events = await organiserEvents();
  assert.equal(events.filter((e) => e.type === 'sprint.updated').at(-1).data.venue, 'Utrecht, Jaarbeurs');
  const c1 = events.filter((e) => e.type === 'challenge.set' && e.data.id === 'c1').at(-1).data;
  assert.equal(c1.question.en, 'How do we renew municipal IT faster?');
  assert.ok(c1.question.nl.length > 10, 'the Dutch question is kept');
  const programme = events.filter((e) => e.type === 'programme.set').at(-1).data.items;
  assert.deepEqual(programme[0], { time: '08:45', title: { nl: 'Inloop met koffie', en: 'Coffee and arrival' }, kind: 'plenary' });
  assert.ok(programme.some((it) => it.phase === 1), 'fields the editor does not show are kept');
  await checkA11y(page, 'the edited day and briefs');
});

test('in English the import report gives the reasons in English', async () => {
  await page.getByRole('button', { name: 'English', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: en['org.import.title'] }).waitFor();
  await page.getByLabel(en['org.import.file'], { exact: true }).setInputFiles(CSV);
  await page.getByRole('button', { name: en['org.import.read'], exact: true }).click();
  const issues = page.locator('.js-org-issues').first();
  await issues.waitFor();
  const line9 = issues.locator('tr', { has: page.locator('th', { hasText: /^9$/ }) });
  assert.match(await line9.textContent(), /This row has no name/);
  assert.match(await line9.textContent(), new RegExp(en['org.import.rejectedRow']));
  await checkA11y(page, 'the organiser page in English');
  await page.getByRole('button', { name: 'Nederlands', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: nl['org.import.title'] }).waitFor();
  assert.deepEqual(page.problems, []);
});
