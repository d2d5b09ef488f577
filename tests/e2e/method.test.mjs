// method.test.mjs – a whole Staatsprint day in the browser: three members of one team (one on a
// 360×640 phone) go through every step of the playbook with its real rules – private notes,
// clustering (suggested, by drag and drop and by keyboard), knelpunten, hidden dot voting, the
// captain's tie-break, canvases, the Idee Race (rounds started by a facilitator, shortened),
// the idea vote, the Crystal Ball and the pitch – going back once to amend a step, and axe
// finds no WCAG 2.1 A/AA violations on any step's view.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nl from '../../web/js/i18n/nl.js';
import { checkA11y, closeDay, joinAs, openDay, openViewport, waitUntil, wsClient } from './lib.mjs';

const playbook = JSON.parse(readFileSync(new URL('../../data/playbooks/staatsprint.json', import.meta.url), 'utf8'));
const steps = playbook.phases.flatMap((p) => p.steps);
const stepName = (id) => steps.find((s) => s.id === id).name.nl;
const fields = (id) => steps.find((s) => s.id === id).params.fields;

/** Fills the {placeholders} of a catalogue string (plural entries take their "other" form). */
function fill(text, params = {}) {
  const s = typeof text === 'object' ? (params.count === 1 ? text.one : text.other) : text;
  return s.replace(/\{(\w+)\}/g, (m, k) => String(params[k] ?? m));
}

let server;
let browser;
let facilitator;
const pages = [];
let anna;
let bram;
let cato;
let all;

before(async () => ({ server, browser } = await openDay()));
after(async () => {
  facilitator?.close();
  await closeDay({ server, browser });
});

async function openPage(viewport) {
  const page = await openViewport(browser, viewport);
  pages.push(page);
  return page;
}

async function join(page, team, name) {
  await joinAs(page, server.url, team, name);
  await atStep(page, 'intro');
}

/** Waits until the page shows the step as its step heading. */
async function atStep(page, id) {
  await waitUntil(page, (name) => document.querySelector('.js-step-title')?.textContent === name, stepName(id), `the step heading "${stepName(id)}"`);
}

/** The captain moves the team on; every member's view follows. */
async function next(id) {
  await anna.locator('.js-step-next').click();
  for (const page of all) await atStep(page, id);
  // The step changed: focus goes to its heading, so a screen reader starts there.
  assert.equal(await anna.evaluate(() => document.activeElement?.id), 'sp-step-title');
}

async function axeAll(label, which = all) {
  for (const page of which) await checkA11y(page, `${label} (${page === cato ? '360×640' : '1280×800'})`);
}

async function noSideScroll(page, label) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${label}: the phone page is ${width}px wide`);
}

async function addNote(page, text) {
  const input = page.getByLabel(nl['team.brainstorm.label'], { exact: true });
  await input.fill(text);
  await input.press('Enter');
  await page.locator('.js-note', { hasText: text }).first().waitFor();
}

function zone(page, name) {
  return page.locator('.js-zone', { has: page.getByRole('heading', { name, exact: true }) });
}

async function vote(page, text, times, { keyboard = false } = {}) {
  const plus = page.getByRole('button', { name: fill(nl['team.vote.add'], { text }), exact: true });
  if (keyboard) {
    await plus.focus();
    for (let i = 0; i < times; i++) {
      const before = await page.locator('.js-budget').textContent();
      await page.keyboard.press('Enter');
      await waitUntil(page, (b) => document.querySelector('.js-budget')?.textContent !== b, before, 'the budget to follow a dot');
    }
    // The redraw keeps the focus on the same button: a keyboard user can press on.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), fill(nl['team.vote.add'], { text }));
  } else {
    for (let i = 0; i < times; i++) {
      const before = await page.locator('.js-budget').textContent();
      await plus.click();
      await waitUntil(page, (b) => document.querySelector('.js-budget')?.textContent !== b, before, 'the budget to follow a dot');
    }
  }
}

async function fillCanvas(page, step, ids) {
  for (const f of fields(step).filter((x) => ids.includes(x.id))) {
    const area = page.getByLabel(f.name.nl, { exact: true });
    await area.fill(`${f.name.nl}: antwoord van het team`);
    await area.press('Tab');
    await waitUntil(page, (id) => document.querySelector(`.js-canvas-field[data-field="${id}"]`)?.parentElement.querySelector('.sp-canvas__status')?.dataset.state === 'saved', f.id, `field ${f.id} saved`);
  }
}

async function canvasFilledEverywhere(step) {
  for (const page of all) {
    for (const f of fields(step)) {
      await waitUntil(page, (id) => document.querySelector(`.js-canvas-field[data-field="${id}"]`)?.value.endsWith('antwoord van het team'), f.id, `field ${f.id} filled on every page`);
    }
  }
}

test('three members join one team, introduce themselves and share out the roles', async () => {
  const team = server.teams[0];
  anna = await openPage();
  bram = await openPage();
  cato = await openPage({ width: 360, height: 640 });
  all = [anna, bram, cato];
  await join(anna, team, 'Anna');
  await join(bram, team, 'Bram');
  await join(cato, team, 'Cato');
  await axeAll('the intro step');
  await noSideScroll(cato, 'intro');

  await anna.getByLabel(nl['team.profile.organisation'], { exact: true }).fill('Gemeente Utrecht');
  await anna.getByLabel(nl['team.profile.role'], { exact: true }).fill('Informatieadviseur');
  await anna.getByLabel(nl['team.profile.motivation'], { exact: true }).fill('Ik wil dat burgers minder hoeven in te vullen.');
  await anna.getByRole('button', { name: nl['team.profile.save'] }).click();
  await bram.locator('.js-members', { hasText: 'Gemeente Utrecht' }).waitFor();

  // No captain yet: any member may share out the roles.
  await anna.getByLabel(nl['team.role.captain'], { exact: true }).selectOption({ label: 'Anna' });
  await anna.getByLabel(nl['team.role.timekeeper'], { exact: true }).selectOption({ label: 'Anna' });
  await anna.getByLabel(nl['team.role.presenter'], { exact: true }).selectOption({ label: 'Cato' });
  await anna.getByRole('button', { name: nl['team.roles.save'] }).click();
  for (const page of [bram, cato]) {
    await page.locator('.js-roles-list', { hasText: `${nl['team.role.captain']}: Anna` }).waitFor();
    await page.getByText(fill(nl['team.step.ledBy'], { name: 'Anna' })).waitFor();
    assert.equal(await page.locator('.js-roles-form').count(), 0, 'now only the captain assigns roles');
  }

  // The timekeeper runs the team timer; every member sees it from the server's end time.
  await anna.getByLabel(nl['team.timer.minutes'], { exact: true }).fill('2');
  await anna.locator('.js-timer-start').click();
  for (const page of all) await page.locator('.js-timer-state', { hasText: nl['team.timer.state.running'] }).waitFor();
  const shown = await cato.locator('.js-timer').textContent();
  assert.match(shown, /^(1:5\d|2:00)$/, `a 2-minute timer shows ${shown}`);
  await anna.locator('.js-timer-pause').click();
  await bram.locator('.js-timer-state', { hasText: nl['team.timer.state.paused'] }).waitFor();
  await anna.locator('.js-timer-extend').click();
  await waitUntil(bram, () => /^2:5\d|^3:00/.test(document.querySelector('.js-timer')?.textContent), null, 'a minute more on the paused timer');
  await anna.locator('.js-timer-resume').click();
  await bram.locator('.js-timer-state', { hasText: nl['team.timer.state.running'] }).waitFor();
  assert.equal(await bram.locator('.js-timer-start').count(), 0, 'only the timekeeper has timer controls');
  await axeAll('the intro step with roles and a running timer', [anna]);
});

test('phase 1: private notes stay private until shared; the next step shares the rest', async () => {
  await next('p1-dump');
  await addNote(anna, 'Burgers vullen steeds dezelfde gegevens opnieuw in');
  await addNote(anna, 'Gemeenten hebben te veel losse systemen');
  await addNote(bram, 'Gegevens zitten opgesloten in systemen per taak');
  await addNote(bram, 'Kleine gemeenten hebben geen geld voor vernieuwing');
  await addNote(cato, 'Burgers zien niet welke gegevens de gemeente heeft');
  const privateNote = anna.locator('.js-private-notes .js-note', { hasText: 'Burgers vullen steeds' });
  assert.match(await privateNote.textContent(), new RegExp(nl['team.note.private']));
  assert.equal(await bram.getByText('Burgers vullen steeds dezelfde gegevens opnieuw in').count(), 0, 'Bram cannot see Anna’s private note');
  await axeAll('the private brainstorm', [anna, cato]);
  await noSideScroll(cato, 'brainstorm');

  await privateNote.getByRole('button', { name: new RegExp(`^${nl['team.note.share']}`) }).click();
  await bram.locator('.js-shared-notes .js-note', { hasText: 'Burgers vullen steeds' }).waitFor();
  assert.equal(await bram.getByText('Gemeenten hebben te veel losse systemen').count(), 0, 'the other note is still Anna’s alone');

  await next('p1-cluster');
  // Laptops open the step on the wall (tests/e2e/wall.test.mjs); this day uses the compact list.
  for (const page of [anna, bram]) await page.locator('.js-view-list').click();
  for (const page of all) await waitUntil(page, () => document.querySelectorAll('.js-zones .js-note').length === 5, null, 'all five notes on the wall');
});

test('phase 1: clustering by suggestion, by drag and drop and by keyboard', async () => {
  // The text engine proposes groups; nothing moves until the team accepts.
  await anna.locator('.js-suggest').click();
  for (const page of all) await page.locator('.js-proposal').waitFor();
  assert.ok((await anna.locator('.js-proposal input').count()) >= 1, 'the proposal has at least one group');
  assert.equal(await bram.locator('.js-zone').count(), 1, 'a proposal moves nothing');
  await axeAll('the cluster step with a proposal', [cato]);
  // Anna renames the first group before accepting; the team sees the groups, then Anna undoes them.
  await anna.locator('.js-proposal input').first().fill('Voorstel A');
  await anna.locator('.js-accept').click();
  await zone(bram, 'Voorstel A').waitFor();
  await waitUntil(bram, () => document.querySelectorAll('.js-zone').length >= 2 && document.querySelectorAll('.js-zone')[0].querySelectorAll('.js-note').length < 5, null, 'notes moved into the accepted groups');
  await axeAll('the cluster step after a suggestion', [bram]);
  await anna.locator('.js-undo').click();
  await zone(bram, 'Voorstel A').waitFor({ state: 'detached' });
  assert.equal(await bram.locator('.js-zone').first().locator('.js-note').count(), 5, 'the undo puts every note back');
  assert.equal(await bram.locator('.js-zone').count(), 1, 'only the ungrouped zone is left');

  const name = anna.getByLabel(nl['team.cluster.newLabel'], { exact: true });
  await name.fill('Gegevens');
  await name.press('Enter');
  await name.fill('Systemen');
  await name.press('Enter');
  for (const page of all) await zone(page, 'Systemen').waitFor();

  // Bram moves a note by keyboard only: the note's handle, then "Move here" at the group.
  const note = bram.locator('.js-note', { hasText: 'Burgers vullen steeds' });
  await note.locator('.js-pick').focus();
  await bram.keyboard.press('Enter');
  assert.equal(await note.locator('.js-pick').getAttribute('aria-pressed'), 'true');
  await zone(bram, 'Gegevens').locator('.js-move-here').focus();
  await bram.keyboard.press('Enter');
  await zone(anna, 'Gegevens').locator('.js-note', { hasText: 'Burgers vullen steeds' }).waitFor();

  // Anna drags one with the mouse.
  await anna.locator('.js-note', { hasText: 'te veel losse systemen' }).dragTo(zone(anna, 'Systemen'), { sourcePosition: { x: 12, y: 12 } });
  await zone(cato, 'Systemen').locator('.js-note', { hasText: 'te veel losse systemen' }).waitFor();

  // Cato, on the phone, names a cluster better.
  const rename = zone(cato, 'Systemen').getByLabel(nl['team.cluster.renameLabel'], { exact: true });
  await rename.fill('Systemen en silo’s');
  await rename.press('Enter');
  await zone(anna, 'Systemen en silo’s').waitFor();
  await axeAll('the cluster step');
  await noSideScroll(cato, 'clusters');
  // Fingers need room: every control of the team view is at least 44px high on the phone.
  const small = await cato.evaluate(() =>
    [...document.querySelectorAll('.sp-team button, .sp-team select, .sp-team input, .sp-team textarea, .sp-team summary')]
      .filter((el) => el.getClientRects().length > 0)
      .filter((el) => el.getBoundingClientRect().height < 44)
      .map((el) => `${el.tagName} ${el.textContent.trim().slice(0, 30)} ${el.getBoundingClientRect().height}`),
  );
  assert.deepEqual(small, [], 'touch targets under 44px on the phone');
});

test('phase 1: knelpunten, then hidden dot voting with 10 dots and a ranked tally', async () => {
  await next('p1-knelpunten');
  const add = async (page, text, cluster) => {
    if (cluster) await page.getByLabel(nl['team.items.fromLabel'], { exact: true }).selectOption({ label: cluster });
    const input = page.getByLabel(nl['team.items.label'], { exact: true });
    await input.fill(text);
    await input.press('Enter');
    await page.locator('.js-item', { hasText: text }).waitFor();
  };
  await add(anna, 'Dubbele uitvraag van gegevens', 'Gegevens');
  await add(bram, 'Versnipperde systemen');
  await add(cato, 'Te weinig geld bij kleine gemeenten');
  for (const page of all) await waitUntil(page, () => document.querySelectorAll('.js-item').length === 3, null, 'three knelpunten');
  await axeAll('the knelpunten step', [anna, cato]);

  await next('p1-vote');
  // Anna places her dots by keyboard.
  await vote(anna, 'Dubbele uitvraag van gegevens', 6, { keyboard: true });
  await vote(anna, 'Versnipperde systemen', 4, { keyboard: true });
  assert.equal(await anna.locator('.js-budget').textContent(), fill(nl['team.vote.left'], { left: 0, budget: 10 }));
  await anna.locator('.js-plus').first().click();
  await anna.locator('.js-team-alert', { hasText: nl['error.vote_budget_exhausted'] }).waitFor();
  await vote(bram, 'Versnipperde systemen', 5);
  await vote(bram, 'Te weinig geld bij kleine gemeenten', 5);
  await vote(cato, 'Dubbele uitvraag van gegevens', 10);
  await axeAll('the vote with dots placed', [cato]);
  await noSideScroll(cato, 'vote');
  // Dots are secret: Bram sees his own, never Anna's.
  const bramRow = bram.locator('.js-option', { hasText: 'Dubbele uitvraag' });
  assert.equal(await bramRow.locator('.js-mine').textContent(), fill(nl['team.vote.mine'], { count: 0 }));

  // Leaving before the reveal is refused, and said.
  await anna.locator('.js-step-next').click();
  await anna.locator('.js-team-alert', { hasText: nl['error.vote_not_revealed'] }).waitFor();

  await anna.locator('.js-vote-done').click();
  await bram.locator('.js-vote-progress', { hasText: fill(nl['team.vote.progress'], { done: 1, total: 3, names: 'Anna' }) }).waitFor();
  assert.equal(await bram.locator('.js-tally').count(), 0, 'no tally before everyone is done');
  await bram.locator('.js-vote-done').click();
  await cato.locator('.js-vote-done').click();
  for (const page of all) await page.locator('.js-tally').waitFor();
  const ranked = await bram.locator('.js-tally .sp-tally__text').allTextContents();
  assert.deepEqual(ranked, ['Dubbele uitvraag van gegevens', 'Versnipperde systemen', 'Te weinig geld bij kleine gemeenten']);
  assert.match(await bram.locator('.js-tally li').first().textContent(), /16 stippen/);
  await axeAll('the vote results');
});

test('phase 1: Build Your Vehicle, and going back to amend the knelpunten', async () => {
  await next('p1-vehicle');
  await fillCanvas(anna, 'p1-vehicle', ['driver', 'passengers']);
  await fillCanvas(bram, 'p1-vehicle', ['chassis', 'engine']);
  await fillCanvas(cato, 'p1-vehicle', ['fuel', 'road']);
  await canvasFilledEverywhere('p1-vehicle');
  await axeAll('the vehicle canvas', [anna, cato]);
  await noSideScroll(cato, 'vehicle');

  // Iteration: back to the knelpunten, add one, and on again.
  await anna.getByLabel(nl['team.step.backLabel'], { exact: true }).selectOption({ label: `${steps.findIndex((x) => x.id === 'p1-knelpunten') + 1}. ${stepName('p1-knelpunten')}` });
  await anna.getByRole('button', { name: nl['team.step.back'], exact: true }).click();
  for (const page of all) await atStep(page, 'p1-knelpunten');
  const input = bram.getByLabel(nl['team.items.label'], { exact: true });
  await input.fill('Niemand overziet de hele keten');
  await input.press('Enter');
  await anna.locator('.js-item', { hasText: 'Niemand overziet' }).waitFor();
  await next('p1-vote');
  await next('p1-vehicle');
  assert.match(await cato.getByLabel(fields('p1-vehicle')[0].name.nl, { exact: true }).inputValue(), /antwoord van het team/, 'the canvas kept its answers');
});

test('phase 2: HKW questions, themes, a tied vote the captain decides, the problem statement', async () => {
  await next('p2-hkw');
  await addNote(anna, 'Hoe kunnen we gegevens maar één keer vragen?');
  await addNote(bram, 'Hoe kunnen we systemen laten samenwerken?');
  await addNote(cato, 'Hoe kunnen we kleine gemeenten helpen vernieuwen?');
  await addNote(anna, 'Hoe kunnen we burgers inzage geven in hun gegevens?');
  await next('p2-themes');
  const name = anna.getByLabel(nl['team.cluster.newLabel'], { exact: true });
  await name.fill('Eenmalige uitvraag');
  await name.press('Enter');
  await name.fill('Samenwerking');
  await name.press('Enter');
  await zone(anna, 'Samenwerking').waitFor();
  const moveTo = async (text, cluster) => {
    await anna.locator('.js-note', { hasText: text }).locator('.js-pick').click();
    await zone(anna, cluster).locator('.js-move-here').click();
    await zone(bram, cluster).locator('.js-note', { hasText: text }).waitFor();
  };
  await moveTo('één keer vragen', 'Eenmalige uitvraag');
  await moveTo('inzage geven', 'Eenmalige uitvraag');
  await moveTo('systemen laten samenwerken', 'Samenwerking');
  await moveTo('kleine gemeenten helpen', 'Samenwerking');
  await axeAll('the themes step', [cato]);

  await next('p2-vote');
  await vote(anna, 'Eenmalige uitvraag', 2, { keyboard: true });
  await vote(bram, 'Samenwerking', 2);
  await vote(cato, 'Eenmalige uitvraag', 1);
  await vote(cato, 'Samenwerking', 1);
  for (const page of all) await page.locator('.js-vote-done').click();
  for (const page of all) await page.locator('.js-tie').waitFor();
  await bram.getByText(nl['team.vote.captainDecides']).waitFor();
  await anna.locator('.js-step-next').click();
  await anna.locator('.js-team-alert', { hasText: nl['error.tie_unresolved'] }).waitFor();
  await axeAll('the tie', [anna, bram]);
  await anna.getByLabel('Eenmalige uitvraag', { exact: true }).check();
  await anna.getByRole('button', { name: nl['team.vote.decide'], exact: true }).click();
  for (const page of all) await page.locator('.js-selected', { hasText: 'Eenmalige uitvraag' }).waitFor();

  await next('p2-statement');
  await fillCanvas(anna, 'p2-statement', ['issue', 'owner']);
  await fillCanvas(cato, 'p2-statement', ['activity', 'result']);
  await canvasFilledEverywhere('p2-statement');
  // A reload folds the whole day again from the log: same step, same answers, same session.
  await cato.reload();
  await atStep(cato, 'p2-statement');
  await waitUntil(cato, () => [...document.querySelectorAll('.js-canvas-field')].every((a) => a.value.endsWith('antwoord van het team')), null, 'the statement after a reload');
  await axeAll('the problem statement', [cato]);
});

test('phase 3: the Idee Race with two short rounds, a leaderboard and a winner', async () => {
  await next('p3-race');
  const room = server.teams[0].room;
  const link = server.links.find((l) => l.role === 'facilitator' && l.room === room);
  facilitator = await wsClient(server.wsUrl, link.token);
  await axeAll('the race before the start', [cato]);

  const idea = async (page, text) => {
    const input = page.getByLabel(nl['team.race.label'], { exact: true });
    await input.fill(text);
    await input.press('Enter');
    await page.locator('.js-race-mine .js-note', { hasText: text }).waitFor();
    // Fast entry: the field is empty again and keeps the focus.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'sp-race-idea');
  };
  await facilitator.cmd('race.start', { room, minutes: 0.2 });
  for (const page of all) await page.locator('.js-race-round', { hasText: fill(nl['team.race.running'], { round: 1, rounds: 2 }) }).waitFor();
  await idea(anna, 'Eén gegevenskluis voor alle burgers');
  await idea(bram, 'Een gedeelde app-winkel voor gemeenten');
  await idea(cato, 'Een inzageportaal voor burgers');
  await idea(anna, 'Samen inkopen per regio');
  await cato.locator('.js-race-live', { hasText: `${server.teams[0].name.nl ?? server.teams[0].name} 4` }).waitFor();
  await waitUntil(anna, (text) => document.querySelector('.js-race-counts')?.textContent === text, fill(nl['team.race.counts'], { mine: 2, team: 4 }), 'Anna’s count and the team’s live count');
  assert.equal(await bram.locator('.js-race-team .js-note').count(), 0, 'in round 1 nobody reads along');
  for (const page of all) await page.locator('.js-leaderboard').first().waitFor({ timeout: 20000 });
  await bram.locator('.js-race-team .js-note', { hasText: 'gegevenskluis' }).waitFor();
  assert.match(await cato.locator('.js-leaderboard').first().textContent(), /4 ideeën \(jullie\)/);
  await axeAll('the race between rounds', [bram]);

  await facilitator.cmd('race.start', { room, minutes: 0.2 });
  for (const page of all) await page.locator('.js-race-round', { hasText: fill(nl['team.race.running'], { round: 2, rounds: 2 }) }).waitFor();
  await idea(bram, 'Een landelijk team voor wachtwoordherstel');
  for (const page of all) await page.locator('.js-race-winner', { hasText: fill(nl['team.race.weWon'], { count: 5 }) }).waitFor({ timeout: 20000 });
  assert.match(await cato.locator('.js-race-winner').textContent(), /2 flip-overvellen/);
  await axeAll('the race result', [anna, cato]);
  await noSideScroll(cato, 'race');
});

test('phase 3: three votes each, the top three ideas go on to the Crystal Ball', async () => {
  await next('p3-vote');
  await vote(anna, 'Eén gegevenskluis voor alle burgers', 2, { keyboard: true });
  await vote(anna, 'Een gedeelde app-winkel voor gemeenten', 1, { keyboard: true });
  await vote(bram, 'Eén gegevenskluis voor alle burgers', 1);
  await vote(bram, 'Een gedeelde app-winkel voor gemeenten', 1);
  await vote(bram, 'Een inzageportaal voor burgers', 1);
  await vote(cato, 'Een inzageportaal voor burgers', 1);
  await vote(cato, 'Eén gegevenskluis voor alle burgers', 1);
  await vote(cato, 'Een gedeelde app-winkel voor gemeenten', 1);
  await anna.locator('.js-reveal').click();
  for (const page of all) await page.locator('.js-selected').waitFor();
  const chosen = await bram.locator('.sp-tally__row--chosen .sp-tally__text').allTextContents();
  assert.deepEqual(chosen, ['Eén gegevenskluis voor alle burgers', 'Een gedeelde app-winkel voor gemeenten', 'Een inzageportaal voor burgers']);
  await axeAll('the idea vote result', [cato]);

  await next('p3-crystal');
  for (const page of all) await waitUntil(page, () => document.querySelectorAll('.js-timeline').length === 3, null, 'a timeline per chosen idea');
  // Anna adds a milestone by keyboard: year and kind with arrow keys, the text, Enter.
  const first = anna.locator('.js-timeline').first();
  await first.getByLabel(nl['team.timeline.when'], { exact: true }).focus();
  await anna.keyboard.press('ArrowDown');
  await anna.keyboard.press('ArrowDown');
  await anna.keyboard.press('Tab');
  await anna.keyboard.press('ArrowDown');
  await anna.keyboard.press('Tab');
  await anna.keyboard.type('De provincie betaalt mee');
  await anna.keyboard.press('Enter');
  await bram.locator('.js-timeline').first().locator('.js-milestone', { hasText: 'De provincie betaalt mee' }).waitFor();
  assert.match(await bram.locator('.js-timeline').first().locator('.js-milestone').textContent(), new RegExp(nl['team.timeline.kind.role']));
  const add = async (page, index, text) => {
    const block = page.locator('.js-timeline').nth(index);
    await block.getByLabel(nl['team.timeline.text'], { exact: true }).fill(text);
    await block.getByLabel(nl['team.timeline.text'], { exact: true }).press('Enter');
    await block.locator('.js-milestone', { hasText: text }).waitFor();
  };
  await add(bram, 1, 'Twintig gemeenten delen hun apps');
  await add(cato, 2, 'Burgers zien hun gegevens op één plek');
  await add(anna, 0, 'Iedereen gebruikt de kluis');
  // A milestone can be edited and deleted again.
  const ms = bram.locator('.js-milestone', { hasText: 'Twintig gemeenten' });
  await ms.getByRole('button', { name: new RegExp(`^${nl['board.note.edit']}`) }).click();
  const edit = bram.locator('.sp-milestone__edit').getByLabel(nl['team.timeline.text'], { exact: true });
  await edit.fill('Veertig gemeenten delen hun apps');
  await edit.press('Enter');
  await cato.locator('.js-milestone', { hasText: 'Veertig gemeenten' }).waitFor();
  await anna.locator('.js-milestone', { hasText: 'Iedereen gebruikt' }).getByRole('button', { name: new RegExp(`^${nl['board.note.delete']}`) }).click();
  await bram.locator('.js-milestone', { hasText: 'Iedereen gebruikt' }).waitFor({ state: 'detached' });
  await axeAll('the Crystal Ball', [anna, cato]);
  await noSideScroll(cato, 'timeline');
});

test('phase 4: the pitch and the action plan, complete in every member’s overview', async () => {
  await next('p4-pitch');
  await anna.locator('.js-presenter-name', { hasText: 'Cato' }).waitFor();
  await fillCanvas(anna, 'p4-pitch', ['problem', 'for_whom', 'idea']);
  await fillCanvas(bram, 'p4-pitch', ['risks', 'whom', 'path']);
  await fillCanvas(cato, 'p4-pitch', ['cost', 'team_name', 'yell']);
  await canvasFilledEverywhere('p4-pitch');
  await axeAll('the pitch canvas', [anna, cato]);

  await next('p4-plan');
  await fillCanvas(anna, 'p4-plan', ['impact', 'responsible', 'executor']);
  await fillCanvas(bram, 'p4-plan', ['how', 'duration']);
  await fillCanvas(cato, 'p4-plan', ['cost', 'yield', 'unique']);
  await canvasFilledEverywhere('p4-plan');
  await anna.getByText(nl['team.step.last']).waitFor();

  const expected = fields('p4-pitch').length + fields('p4-plan').length;
  for (const page of all) {
    await page.locator('.js-overview summary').click();
    await waitUntil(
      page,
      (n) => [...document.querySelectorAll('.js-overview [data-canvas="pitch"] .js-overview-field, .js-overview [data-canvas="plan"] .js-overview-field')].filter((d) => d.textContent.endsWith('antwoord van het team')).length === n,
      expected,
      `all ${expected} pitch and plan fields in the overview`,
    );
    assert.equal(await page.locator('.js-overview-presenter').textContent(), 'Cato');
    assert.match(await page.locator('.js-overview').textContent(), /Dubbele uitvraag van gegevens – 16 stippen/);
  }
  await axeAll('the overview');
  await noSideScroll(cato, 'overview');
});

test('no page logged an error or a Content-Security-Policy refusal', () => {
  assert.deepEqual(pages.flatMap((p) => p.problems), []);
});
