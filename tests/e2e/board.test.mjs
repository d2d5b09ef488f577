// board.test.mjs – people on the team board in a real browser against the real server:
// two members of one team (one on a 360×640 phone) see each other's notes live, edits and
// deletes propagate, another team sees nothing, a reload keeps the session, and axe finds
// no WCAG 2.1 AA violations on the join page, the board, the organiser, screen, facilitator
// and jury views.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import nl from '../../web/js/i18n/nl.js';
import en from '../../web/js/i18n/en.js';
import { checkA11y, closeDay, openDay, openViewport, waitUntil } from './lib.mjs';

/** Fills the {placeholders} of a catalogue string. */
function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (m, k) => String(params[k] ?? m));
}

/** Dutch text of bilingual server content. */
function dutch(value) {
  return value && typeof value === 'object' ? value.nl ?? value.en : value;
}

let server;
let browser;
const pages = [];
const notes = {
  first: 'Burgers vullen dezelfde gegevens steeds opnieuw in',
  edited: 'Burgers vullen hun adres bij elke aanvraag opnieuw in',
  second: 'Te veel losse systemen',
  otherTeam: 'Eigen notitie van het tweede team',
  afterReload: 'Geschreven na het herladen',
  whileDown: 'Geschreven terwijl de server even weg was',
};
let anna;
let bram;
let cato;

before(async () => ({ server, browser } = await openDay()));
after(() => closeDay({ server, browser }));

async function openPage(viewport) {
  const page = await openViewport(browser, viewport);
  pages.push(page);
  return page;
}

function noteItem(page, text) {
  return page.locator('.js-note', { has: page.locator('.sp-note__text', { hasText: text }) });
}

async function boardHeading(page, team) {
  await page.getByRole('heading', { level: 1, name: fill(nl['board.heading'], { team: dutch(team.name) }) }).waitFor();
}

async function join(page, team, name) {
  await page.goto(`${server.url}/`);
  await page.getByLabel(nl['join.code.label'], { exact: true }).fill(team.code.toLowerCase());
  await page.getByLabel(nl['join.name.label'], { exact: true }).fill(name);
  await page.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  await boardHeading(page, team);
  // The route changed: focus is on the new page's main heading, so a screen reader starts there.
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
}

async function addNote(page, text) {
  const input = page.getByLabel(nl['board.add.label'], { exact: true });
  await input.fill(text);
  await input.press('Enter');
  await noteItem(page, text).waitFor();
}

async function countText(page) {
  return (await page.locator('.js-note-count').textContent()).trim();
}

test('the join page explains its errors and passes axe', async () => {
  const page = await openPage();
  await page.goto(`${server.url}/`);
  await page.getByRole('heading', { level: 1, name: nl['join.heading'] }).waitFor();
  await waitUntil(page, (text) => document.querySelector('.js-status-text')?.textContent === text, nl['conn.online'], 'the indicator to say "verbonden"');
  await checkA11y(page, 'the join page');

  // Keyboard: the first Tab reaches the skip link, Enter moves focus to the main heading and
  // leaves the address (the router's) alone.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), nl['shell.skip']);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  assert.equal(await page.evaluate(() => location.hash), '');

  // Submitting nothing: an error summary gets focus and links to the fields.
  await page.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  const summary = page.locator('.sp-error-summary');
  await summary.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('sp-error-summary')), true, 'focus moves to the error summary');
  assert.match(await summary.textContent(), new RegExp(nl['join.code.missing']));
  await checkA11y(page, 'the join page with errors');

  // A wrong code is refused by the server and said next to the field.
  await page.getByLabel(nl['join.code.label'], { exact: true }).fill('ZZZZ-ZZZZ');
  await page.getByLabel(nl['join.name.label'], { exact: true }).fill('Iemand');
  await page.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  await page.locator('#sp-join-code-error', { hasText: nl['error.bad_code'] }).waitFor();
  assert.equal(await page.getByLabel(nl['join.code.label'], { exact: true }).getAttribute('aria-invalid'), 'true');
});

test('two members of one team see a new note live, with its author', async () => {
  const team = server.teams[0];
  anna = await openPage();
  bram = await openPage({ width: 360, height: 640 });
  await join(anna, team, 'Anna');
  await join(bram, team, 'Bram');

  await addNote(anna, notes.first);
  await noteItem(bram, notes.first).waitFor();
  assert.equal((await noteItem(bram, notes.first).locator('.sp-note__author').textContent()).trim(), fill(nl['board.note.by'], { name: 'Anna' }));
  assert.equal((await noteItem(anna, notes.first).locator('.sp-note__author').textContent()).trim(), fill(nl['board.note.byMe'], { name: 'Anna' }));
  assert.equal(await countText(bram), '1 notitie');
  // Bram's screen reader hears about Anna's note; Anna's own input box is empty again.
  await waitUntil(
    bram,
    (text) => document.querySelector('.js-announcer')?.textContent.includes(text),
    fill(nl['board.announce.added'], { name: 'Anna', text: notes.first }),
    'the live region on Bram’s board to announce Anna’s note',
  );
  assert.equal(await anna.getByLabel(nl['board.add.label'], { exact: true }).inputValue(), '');
});

test('an edit and a delete reach the other member', async () => {
  // Bram edits Anna's note by keyboard: the edit button, then Enter in the editor.
  await noteItem(bram, notes.first).getByRole('button', { name: new RegExp(`^${nl['board.note.edit']}`) }).click();
  const editor = bram.getByLabel(nl['board.edit.label'], { exact: true });
  await editor.fill(notes.edited);
  await editor.press('Enter');
  await noteItem(anna, notes.edited).waitFor();
  assert.equal(await noteItem(anna, notes.first).count(), 0, 'the old text is gone');

  await addNote(anna, notes.second);
  await noteItem(bram, notes.second).waitFor();
  assert.equal(await countText(anna), '2 notities');
  await noteItem(bram, notes.second).getByRole('button', { name: new RegExp(`^${nl['board.note.delete']}`) }).click();
  await noteItem(anna, notes.second).waitFor({ state: 'detached' });
  await noteItem(bram, notes.second).waitFor({ state: 'detached' });
  assert.equal(await countText(anna), '1 notitie');
  assert.equal(await countText(bram), '1 notitie');
  // Bram's focus was on the deleted note's button; it must land somewhere useful, not on <body>.
  assert.equal(await bram.evaluate(() => document.activeElement !== document.body && document.activeElement !== null), true);
});

test('a member of another team sees none of these notes', async () => {
  const other = server.teams[1];
  cato = await openPage();
  await join(cato, other, 'Cato');
  await addNote(cato, notes.otherTeam);
  // Cato's own note comes after Anna's in the log: had Anna's been sent, it would be here.
  assert.equal(await noteItem(cato, notes.edited).count(), 0);
  assert.equal(await countText(cato), '1 notitie');
  await addNote(anna, notes.second);
  await addNote(cato, `${notes.otherTeam} (2)`);
  assert.equal(await noteItem(cato, notes.second).count(), 0);
  assert.equal(await noteItem(anna, notes.otherTeam).count(), 0);
  assert.equal(await noteItem(bram, notes.otherTeam).count(), 0);
});

test('a reload keeps the session and the notes', async () => {
  const before = await bram.evaluate(() => localStorage.getItem('sp.session'));
  assert.ok(before, 'a session is stored');
  await bram.reload();
  await boardHeading(bram, server.teams[0]);
  await noteItem(bram, notes.edited).waitFor();
  await noteItem(bram, notes.second).waitFor();
  assert.equal(await countText(bram), '2 notities');
  assert.equal(await bram.evaluate(() => localStorage.getItem('sp.session')), before, 'the same session token');
  await addNote(bram, notes.afterReload);
  await noteItem(anna, notes.afterReload).waitFor();
  assert.equal((await noteItem(anna, notes.afterReload).locator('.sp-note__author').textContent()).trim(), fill(nl['board.note.by'], { name: 'Bram' }), 'still the same member');
});

test('after a server restart both members reconnect by themselves; a note written meanwhile arrives', async () => {
  const marks = pages.map((p) => p.problems.length);
  await server.kill();
  for (const page of [anna, bram]) {
    await waitUntil(page, (text) => document.querySelector('.js-status-text')?.textContent === text, nl['conn.reconnecting'], 'the indicator to say "opnieuw verbinden…"');
  }
  const input = anna.getByLabel(nl['board.add.label'], { exact: true });
  await input.fill(notes.whileDown);
  await input.press('Enter');
  await anna.locator('.sp-board__pending', { hasText: fill(nl['board.pending'].one, {}) }).waitFor();
  assert.equal(await noteItem(anna, notes.whileDown).count(), 0, 'not shown before the server has it');

  await server.restart();
  await noteItem(anna, notes.whileDown).waitFor({ timeout: 20000 });
  await noteItem(bram, notes.whileDown).waitFor({ timeout: 20000 });
  for (const page of [anna, bram]) {
    await waitUntil(page, (text) => document.querySelector('.js-status-text')?.textContent === text, nl['conn.online'], 'the indicator to say "verbonden" again');
    assert.equal(await noteItem(page, notes.whileDown).count(), 1);
    assert.equal(await countText(page), '4 notities');
  }
  assert.equal(await anna.locator('.sp-board__pending').isHidden(), true, 'nothing waits any more');
  // While the server was down, Chromium logged each failed WebSocket attempt: expected here.
  pages.forEach((p, i) => {
    const during = p.problems.splice(marks[i] ?? 0);
    p.problems.push(...during.filter((text) => !/WebSocket connection to .* failed/.test(text)));
  });
});

test('the board passes axe on a laptop and on a 360×640 phone, without sideways scrolling', async () => {
  await checkA11y(anna, 'the board (1280×800)');
  await checkA11y(bram, 'the board (360×640)');
  const width = await bram.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the phone page is ${width}px wide`);
  // And with an editor open, which adds a form inside a note.
  await noteItem(anna, notes.edited).getByRole('button', { name: new RegExp(`^${nl['board.note.edit']}`) }).click();
  await checkA11y(anna, 'the board with a note in edit mode');
  await anna.keyboard.press('Escape');
  assert.equal(await anna.getByLabel(nl['board.edit.label'], { exact: true }).count(), 0, 'Escape closes the editor');
});

test('the language switch turns the board English and is remembered', async () => {
  await anna.getByRole('button', { name: 'English', exact: true }).click();
  await anna.getByRole('heading', { level: 1, name: fill(en['board.heading'], { team: dutch(server.teams[0].name) }) }).waitFor();
  assert.equal(await anna.evaluate(() => document.documentElement.lang), 'en');
  await anna.reload();
  await anna.getByRole('heading', { level: 1, name: fill(en['board.heading'], { team: dutch(server.teams[0].name) }) }).waitFor();
  await anna.getByRole('button', { name: 'Nederlands', exact: true }).click();
  await boardHeading(anna, server.teams[0]);
});

test('the organiser sees every team code and the role links, and the view passes axe', async () => {
  const page = await openPage();
  await page.goto(`${server.url}/#/o/${server.organiserToken}`);
  await page.getByRole('heading', { level: 1, name: dutch(server.sprint.title) }).waitFor();
  for (const team of server.teams) {
    const code = page.locator(`.js-team-code[data-team="${team.id}"]`);
    await code.waitFor();
    assert.equal((await code.textContent()).trim(), team.code);
  }
  for (const link of server.links) {
    const letter = { organiser: 'o', facilitator: 'f', jury: 'j', screen: 's' }[link.role];
    assert.ok(letter, `known link role ${link.role}`);
    const href = `${server.url}/#/${letter}/${link.token}`;
    assert.equal(await page.locator(`a[href="${href}"]`).count(), 1, `a link ${href}`);
  }
  const row = page.locator('tr', { has: page.locator('th', { hasText: dutch(server.teams[0].name) }) });
  assert.equal((await row.locator('td').last().textContent()).trim(), '2', 'Anna and Bram in the first team');
  await checkA11y(page, 'the organiser view');
});

test('the screen shows the sprint, a clock and the programme, and passes axe', async () => {
  const screen = server.links.find((l) => l.role === 'screen');
  const page = await openPage({ width: 1920, height: 1080 });
  await page.goto(`${server.url}/#/s/${screen.token}`);
  await page.getByRole('heading', { level: 1, name: dutch(server.sprint.title) }).waitFor();
  assert.match((await page.locator('.js-clock').textContent()).trim(), /^\d{2}:\d{2}$/);
  await page.getByRole('heading', { level: 2, name: nl['screen.now'] }).waitFor();
  await page.getByRole('heading', { level: 2, name: nl['screen.next'] }).waitFor();
  assert.ok((await page.locator('.js-now li').count()) >= 1);
  await checkA11y(page, 'the screen view');
});

test('the facilitator sees the room’s teams with live note counts; facilitator and jury views pass axe', async () => {
  const room = server.teams[0].room;
  const fac = server.links.find((l) => l.role === 'facilitator' && l.room === room);
  assert.ok(fac, `a facilitator link for room ${room}`);
  const page = await openPage();
  await page.goto(`${server.url}/#/f/${fac.token}`);
  const cell = page.locator(`.js-team-row[data-team="${server.teams[0].id}"] .js-note-total`);
  await waitUntil(page, (id) => document.querySelector(`.js-team-row[data-team="${id}"] .js-note-total`)?.textContent === '4', server.teams[0].id, 'the facilitator to count 4 notes');
  await addNote(anna, 'Nog een gedachte');
  await waitUntil(page, (id) => document.querySelector(`.js-team-row[data-team="${id}"] .js-note-total`)?.textContent === '5', server.teams[0].id, 'the count to follow a new note live');
  assert.equal(await cell.count(), 1);
  await checkA11y(page, 'the facilitator view');

  const jury = server.links.find((l) => l.role === 'jury');
  const juryPage = await openPage();
  await juryPage.goto(`${server.url}/#/j/${jury.token}`);
  await juryPage.getByText(nl['jury.scoringLater']).waitFor();
  await waitUntil(juryPage, () => document.querySelectorAll('.sp-card').length >= 3, null, 'the three challenges on the jury page');
  await checkA11y(juryPage, 'the jury view');
});

test('no page logged an error or a Content-Security-Policy refusal', () => {
  const problems = pages.flatMap((p) => p.problems);
  assert.deepEqual(problems, []);
});
