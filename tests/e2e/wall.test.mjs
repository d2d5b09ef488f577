// wall.test.mjs – the clustering wall in the browser: a team of three clusters 30 notes on the
// wall, two members with the mouse (a note dropped onto a note makes a group, notes dragged into
// groups, a group dragged, a group renamed in place) and one only with the keyboard (pick up,
// arrow keys, put down, announced in the live region); every member sees the same wall live; a
// facilitator puts the team's wall on the projector and it follows the team; axe finds no WCAG
// 2.1 A/AA violations; the frame time while dragging among 60 notes is measured and printed; a
// phone gets the compact list (one line per note, two taps to move).
//
// With WALL_SHOTS=DIR set, it also writes DIR/wall.png (laptop) and DIR/cluster-phone.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import nl from '../../web/js/i18n/nl.js';
import { checkA11y, closeDay, openDay, openViewport, waitUntil } from './lib.mjs';

const playbook = JSON.parse(readFileSync(new URL('../../data/playbooks/staatsprint.json', import.meta.url), 'utf8'));
const stepName = (id) => playbook.phases.flatMap((p) => p.steps).find((s) => s.id === id).name.nl;
const fill = (s, params = {}) => s.replace(/\{(\w+)\}/g, (m, k) => String(params[k] ?? m));

// 30 notes of a real wall, in six themes of five (the themes are what the team makes of them).
const THEMES = {
  Gegevens: ['NAW drie keer invullen', 'Adres staat al in de BRP', 'Eenmalig uitvragen als regel', 'Formulieren vooraf invullen', 'Burger ziet niet wat over hem bekend is'],
  Systemen: ['Te veel losse applicaties', 'Koppelingen breken vaak', 'Data zit in silo’s', 'Afhankelijk van één leverancier', 'Oude systemen zonder plan'],
  DigiD: ['DigiD kwijt: brief duurt dagen', 'Wachtwoord vergeten', 'Machtigen voor ouders lastig', 'Inloggen lukt ouderen niet', 'Hulp bij de balie nodig'],
  Samenwerken: ['Kleine gemeenten kunnen het niet alleen', 'Samen inkopen via de regio', 'Gedeelde bouwstenen', 'Wie heeft de regie?', 'Eén team voor de hele regio'],
  Geld: ['Beheer vreet het budget op', 'Licenties steeds duurder', 'Geen geld voor vernieuwing', 'Subsidie loopt af', 'Kosten per inwoner onbekend'],
  Regels: ['AVG als excuus', 'Grondslag voor delen ontbreekt', 'Juristen zeggen nee', 'Europese regels komen eraan', 'Wet loopt achter op techniek'],
};
const ALL = Object.values(THEMES).flat();

let server;
let browser;
let anna;
let bram;
let cato;
let screen;
let all;
const phones = [];
const SHOTS = process.env.WALL_SHOTS ?? null;

before(async () => ({ server, browser } = await openDay()));
after(() => closeDay({ server, browser }));

const openPage = (viewport) => openViewport(browser, viewport);

async function atStep(page, id) {
  await waitUntil(page, (name) => document.querySelector('.js-step-title')?.textContent === name, stepName(id), `the step heading "${stepName(id)}"`);
}

async function join(page, team, name, step = 'intro') {
  await page.goto(`${server.url}/`);
  await page.getByLabel(nl['join.code.label'], { exact: true }).fill(team.code);
  await page.getByLabel(nl['join.name.label'], { exact: true }).fill(name);
  await page.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  await atStep(page, step);
}

async function next(id) {
  await anna.locator('.js-step-next').click();
  for (const page of all) await atStep(page, id);
}

/** A wall note by its text. */
const note = (page, text) => page.locator('.js-wall-note', { hasText: text });
/** A group's area by its (current) name. */
const group = (page, name) => page.locator(`.js-wall-group[data-name="${name}"]`);
/** A group's bar: where a note is dropped into it (a loose note lying over its area is on top). */
const bar = (page, name) => group(page, name).locator('.js-wall-bar');

/** The wall as a page shows it: which group each note is in, where groups and loose notes lie. */
function wallOf(page) {
  return page.evaluate(() => {
    const notes = {};
    for (const slot of document.querySelectorAll('.js-wall-slot')) {
      const g = slot.closest('.js-wall-group');
      notes[slot.querySelector('.sp-wall__text').textContent] = g ? `group:${g.querySelector('.js-wall-name, h3').value ?? g.querySelector('h3').textContent}` : `loose:${slot.style.left},${slot.style.top}`;
    }
    const groups = {};
    for (const g of document.querySelectorAll('.js-wall-group')) {
      const name = g.querySelector('.js-wall-name')?.value ?? g.querySelector('h3').textContent;
      groups[name] = `${g.style.left},${g.style.top}`;
    }
    return { notes, groups };
  });
}

/** Waits until every page shows the same wall (events still on their way settle), and
 * returns it; fails with the differences after 10 s. */
async function sameWall(pages, what) {
  const until = Date.now() + 10000;
  for (;;) {
    const walls = await Promise.all(pages.map(wallOf));
    const keys = walls.map((w) => JSON.stringify(w));
    if (keys.every((k) => k === keys[0])) return walls[0];
    if (Date.now() > until) {
      const [want, ...rest] = walls;
      const diff = rest.flatMap((got) => [
        ...Object.keys(want.notes).filter((k) => want.notes[k] !== got.notes[k]).map((k) => `${k}: ${want.notes[k]} / ${got.notes[k]}`),
        ...Object.keys({ ...want.groups, ...got.groups }).filter((k) => want.groups[k] !== got.groups[k]).map((k) => `${k}: ${want.groups[k]} / ${got.groups[k]}`),
      ]);
      throw new Error(`${what}: the pages show different walls (waited 10000 ms)\n${diff.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Scrolls the wall to the top of the window, as a member does before working on it. */
async function showWall(page) {
  await page.locator('.js-wall-viewport').evaluate((el) => el.scrollIntoView({ block: 'start' }));
}

/** Drags with the mouse from the middle of one element to a point on another, in steps. */
async function drag(page, from, to, { steps = 12, dx = 0, dy = 0 } = {}) {
  await showWall(page);
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + Math.min(20, a.height / 2));
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2 + dx, b.y + b.height / 2 + dy, { steps });
  await page.mouse.up();
}

/** Keyboard only: Tab until the element matching the selector has the focus. */
async function tabTo(page, selector, max = 250) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

const lastLive = (page) => page.evaluate(() => document.querySelector('.js-team-live')?.lastElementChild?.textContent ?? '');

test('a team of three on the wall at the cluster step, with 30 notes', async () => {
  const team = server.teams[0];
  anna = await openPage();
  bram = await openPage();
  cato = await openPage();
  all = [anna, bram, cato];
  await join(anna, team, 'Anna');
  await join(bram, team, 'Bram');
  await join(cato, team, 'Cato');
  await anna.getByLabel(nl['team.role.captain'], { exact: true }).selectOption({ label: 'Anna' });
  await anna.getByRole('button', { name: nl['team.roles.save'] }).click();
  await anna.locator('.js-step-next').waitFor();
  await next('p1-dump');
  const writers = [anna, bram, cato];
  for (let i = 0; i < ALL.length; i++) {
    const page = writers[i % 3];
    const input = page.getByLabel(nl['team.brainstorm.label'], { exact: true });
    await input.fill(ALL[i]);
    await input.press('Enter');
    await page.locator('.js-private-notes .js-note', { hasText: ALL[i] }).waitFor();
  }
  await next('p1-cluster');
  for (const page of all) {
    await waitUntil(page, (n) => document.querySelectorAll('.js-wall-note').length === n, ALL.length, 'all 30 notes on the wall');
    assert.equal(await page.locator('.js-view-wall').getAttribute('aria-pressed'), 'true', 'the wall is the default on a laptop');
    assert.equal(await page.locator('.js-zones .js-note').count(), 0, 'no list beside the wall');
  }
  await checkA11y(anna, 'the wall with 30 loose notes');
  await sameWall(all, '30 loose notes');
});

test('mouse: a note dropped onto a note makes a group; rename in place; drag notes in; drag the group', async () => {
  // Anna drops the second Gegevens note onto the first: a new group of the two.
  const [g1, g2, ...gRest] = THEMES.Gegevens;
  await drag(anna, note(anna, g2), note(anna, g1));
  await anna.locator('.js-wall-group').first().waitFor();
  const fresh = anna.locator('.js-wall-group').first();
  assert.equal(await fresh.locator('.js-wall-note').count(), 2, 'both notes are in the new group');
  assert.equal(await fresh.locator('.js-wall-name').inputValue(), nl['team.wall.newGroup']);
  // She names it in place.
  await fresh.locator('.js-wall-name').fill('Gegevens');
  await fresh.locator('.js-wall-name').press('Enter');
  for (const page of all) await waitUntil(page, () => [...document.querySelectorAll('.js-wall-name')].some((i) => i.value === 'Gegevens'), null, 'the renamed group everywhere');
  // The rest of the theme: Anna drags three, Bram one.
  for (const text of gRest.slice(0, 2)) {
    await drag(anna, note(anna, text), bar(anna, 'Gegevens'));
    await group(bram, 'Gegevens').locator('.js-wall-note', { hasText: text }).waitFor();
  }
  await drag(bram, note(bram, gRest[2]), bar(bram, 'Gegevens'));
  await group(anna, 'Gegevens').locator('.js-wall-note', { hasText: gRest[2] }).waitFor();

  // Bram makes the Systemen group the same way, names it, and fills it.
  const [s1, s2, ...sRest] = THEMES.Systemen;
  await drag(bram, note(bram, s2), note(bram, s1));
  await waitUntil(bram, (n) => [...document.querySelectorAll('.js-wall-name')].filter((i) => i.value === n).length === 1, nl['team.wall.newGroup'], 'a second new group');
  const sys = group(bram, nl['team.wall.newGroup']);
  await sys.locator('.js-wall-name').fill('Systemen');
  await sys.locator('.js-wall-name').press('Enter');
  await group(anna, 'Systemen').waitFor();
  for (const text of sRest) {
    await drag(bram, note(bram, text), bar(bram, 'Systemen'));
    await group(cato, 'Systemen').locator('.js-wall-note', { hasText: text }).waitFor();
  }

  // Bram drags the Systemen group by its bar to the lower right; everyone sees it there.
  const before = await group(anna, 'Systemen').evaluate((el) => `${el.style.left},${el.style.top}`);
  await showWall(bram);
  const sysBar = bar(bram, 'Systemen');
  const box = await sysBar.boundingBox();
  await bram.mouse.move(box.x + 12, box.y + box.height / 2);
  await bram.mouse.down();
  await bram.mouse.move(box.x + 12 + 300, box.y + box.height / 2 + 250, { steps: 15 });
  await bram.mouse.up();
  await waitUntil(anna, (b) => {
    const g = [...document.querySelectorAll('.js-wall-group')].find((x) => x.querySelector('.js-wall-name')?.value === 'Systemen');
    return g && `${g.style.left},${g.style.top}` !== b;
  }, before, 'the dragged group moved on Anna’s wall');
  await sameWall(all, 'after the drags');
});

test('keyboard only: Cato makes a group by name and moves notes with Space and the arrow keys', async () => {
  // A new group by its name, with the keyboard.
  await tabTo(cato, '#sp-cluster-new');
  await cato.keyboard.type('DigiD');
  await cato.keyboard.press('Enter');
  await waitUntil(cato, () => [...document.querySelectorAll('.js-wall-name')].some((i) => i.value === 'DigiD'), null, 'the DigiD group');
  const order = await cato.evaluate(() => [null, ...[...document.querySelectorAll('.js-wall-group')].map((g) => g.querySelector('.js-wall-name').value)]);
  const target = order.indexOf('DigiD');
  for (const text of THEMES.DigiD) {
    const id = await note(cato, text).getAttribute('data-note');
    await tabTo(cato, `.js-wall-note[data-note="${id}"]`);
    // A keyboard user sees where they are.
    const ring = await cato.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(ring, 'none', 'the focused note shows a focus ring');
    await cato.keyboard.press('Space');
    assert.equal(await note(cato, text).getAttribute('aria-pressed'), 'true', 'the note is picked up');
    assert.match(await lastLive(cato), new RegExp(`^Opgepakt: ${text.slice(0, 10)}`), 'picking up is announced');
    for (let i = 0; i < target; i++) await cato.keyboard.press('ArrowRight');
    assert.equal(await lastLive(cato), fill(nl['team.wall.over'], { group: 'DigiD', n: target + 1, total: order.length }), 'the group it is over is announced');
    await cato.keyboard.press('Space');
    await group(anna, 'DigiD').locator('.js-wall-note', { hasText: text }).waitFor();
    await waitUntil(cato, (t) => document.querySelector('.js-team-live')?.lastElementChild?.textContent.endsWith(t), ' ligt nu bij DigiD.', 'the drop is announced');
    assert.equal(await cato.evaluate(() => document.activeElement?.dataset.note), id, 'the moved note keeps the focus');
  }
  // Escape puts a picked-up note back where it was.
  const stay = THEMES.Samenwerken[0];
  await tabTo(cato, `.js-wall-note[data-note="${await note(cato, stay).getAttribute('data-note')}"]`);
  await cato.keyboard.press('Enter');
  await cato.keyboard.press('ArrowRight');
  await cato.keyboard.press('Escape');
  assert.equal(await lastLive(cato), fill(nl['team.wall.cancelled'], { group: nl['team.wall.loose'] }));
  assert.equal(await note(cato, stay).getAttribute('aria-pressed'), 'false');
  await checkA11y(cato, 'the wall after keyboard moves');
});

test('all 30 notes clustered: mouse and keyboard together, the same wall everywhere', async () => {
  // Anna makes and fills Samenwerken and Geld with the mouse, Bram Regels; Cato checks by keyboard.
  async function theme(page, name) {
    await sameWall(all, `before the ${name} group`);
    const [a, b, ...rest] = THEMES[name];
    await drag(page, note(page, b), note(page, a));
    const fresh = group(page, nl['team.wall.newGroup']);
    await fresh.waitFor();
    await fresh.locator('.js-wall-name').fill(name);
    await fresh.locator('.js-wall-name').press('Enter');
    await group(page, name).waitFor();
    for (const text of rest) {
      await drag(page, note(page, text), bar(page, name));
      await group(page, name).locator('.js-wall-note', { hasText: text }).waitFor();
    }
  }
  await theme(anna, 'Samenwerken');
  await theme(bram, 'Regels');
  await theme(anna, 'Geld');
  for (const page of all) await waitUntil(page, () => document.querySelectorAll('.js-wall-loose .js-wall-note').length === 0, null, 'no loose note left');
  const wall = await sameWall(all, 'the clustered wall');
  for (const [name, texts] of Object.entries(THEMES)) for (const text of texts) assert.equal(wall.notes[text], `group:${name}`, `${text} is in ${name}`);
  // The server has it the same way.
  await checkA11y(anna, 'the clustered wall');
  await checkA11y(bram, 'the clustered wall (Bram)');
  if (SHOTS) await anna.screenshot({ path: joinPath(SHOTS, 'wall.png') });
});

test('the projector shows the team’s wall, live', async () => {
  const team = server.teams[0];
  const link = server.links.find((l) => l.role === 'facilitator' && l.room === team.room);
  // The facilitator's console offers the wall of a team that is grouping.
  const fac = await openPage();
  await fac.goto(`${server.url}/#/f/${link.token}`);
  const open = fac.locator(`.js-team-row[data-team="${team.id}"] .js-wall-screen`);
  await open.waitFor();
  const href = await open.getAttribute('href');
  assert.equal(href, `#/f/${encodeURIComponent(link.token)}/wall/${team.id}`);
  screen = await openPage({ width: 1920, height: 1080 });
  await screen.goto(`${server.url}/${href}`);
  await waitUntil(screen, (n) => document.querySelectorAll('.js-wallscreen .js-wall-slot').length === n, ALL.length, 'the projector shows all 30 notes');
  const shown = await screen.evaluate(() => {
    const notes = {};
    for (const slot of document.querySelectorAll('.js-wall-slot')) notes[slot.textContent.replace(/ \(.*\)$/, '')] = slot.closest('.js-wall-group')?.querySelector('h3').textContent ?? null;
    return notes;
  });
  for (const [name, texts] of Object.entries(THEMES)) for (const text of texts) assert.equal(shown[text], name, `the projector has ${text} in ${name}`);
  assert.equal(await screen.locator('.js-wallscreen .js-wall-note').count(), 0, 'read-only: no note to pick up on the projector');
  // Live: Anna moves a note out of its group onto free space; the projector follows.
  const moved = THEMES.Geld[4];
  await showWall(anna);
  const surface = anna.locator('.js-wall-surface');
  const s = await surface.boundingBox();
  const n = await note(anna, moved).boundingBox();
  await anna.mouse.move(n.x + n.width / 2, n.y + 10);
  await anna.mouse.down();
  await anna.mouse.move(s.x + s.width - 120, s.y + s.height - 60, { steps: 10 });
  await anna.mouse.up();
  await waitUntil(screen, (t) => [...document.querySelectorAll('.js-wallscreen .js-wall-loose .js-wall-slot')].some((x) => x.textContent.startsWith(t)), moved, 'the projector shows the note moved out');
  await checkA11y(screen, 'the wall on the projector');
  await fac.close();
});

test('60 notes: frame time while dragging in Chromium', async () => {
  // Thirty more notes, added during clustering (shared at once).
  const more = anna.getByLabel(nl['team.brainstorm.label'], { exact: true });
  for (let i = 0; i < 30; i++) {
    await more.fill(`Extra briefje ${i + 1}: nog een gedachte over de regio`);
    await more.press('Enter');
  }
  await waitUntil(anna, () => document.querySelectorAll('.js-wall-note').length === 60, null, '60 notes on the wall');
  await waitUntil(bram, () => document.querySelectorAll('.js-wall-note').length === 60, null, '60 notes on Bram’s wall');
  // Bram drags while Anna's page records every animation frame: both pages do the work of a
  // drag (Bram draws it, Anna receives the throttled positions and redraws).
  const record = (page) =>
    page.evaluate(() => {
      globalThis.__frames = [];
      let last = performance.now();
      const tick = (now) => {
        globalThis.__frames.push(now - last);
        last = now;
        if (globalThis.__frames.length < 10000 && !globalThis.__stop) requestAnimationFrame(tick);
      };
      globalThis.__stop = false;
      requestAnimationFrame(tick);
    });
  const stop = (page) =>
    page.evaluate(() => {
      globalThis.__stop = true;
      const f = globalThis.__frames.slice(1).sort((a, b) => a - b);
      const q = (p) => f[Math.min(f.length - 1, Math.floor(p * f.length))];
      return { frames: f.length, median: q(0.5), p95: q(0.95), max: f[f.length - 1] };
    });
  await record(bram);
  await record(anna);
  // The wall's own work per pointer move on the dragging page: the time from a capturing
  // listener on the window (first) to a bubbling one (last) around the note's handler.
  await bram.evaluate(() => {
    globalThis.__handler = [];
    let t0 = 0;
    addEventListener('pointermove', () => (t0 = performance.now()), true);
    addEventListener('pointermove', () => globalThis.__handler.push(performance.now() - t0));
  });
  const text = 'Extra briefje 7:';
  await showWall(bram);
  const b = await note(bram, text).boundingBox();
  await bram.mouse.move(b.x + b.width / 2, b.y + 10);
  await bram.mouse.down();
  for (let i = 1; i <= 90; i++) await bram.mouse.move(b.x + b.width / 2 + i * 6, b.y + 10 + Math.sin(i / 8) * 120);
  await bram.mouse.up();
  const dragger = await stop(bram);
  const handler = await bram.evaluate(() => {
    const f = globalThis.__handler.slice().sort((a, b) => a - b);
    return { moves: f.length, median: f[Math.floor(f.length / 2)] ?? 0, p95: f[Math.floor(f.length * 0.95)] ?? 0 };
  });
  const watcher = await stop(anna);
  const fmt = (r) => `${r.frames} frames, median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`;
  console.log(`# frame time while dragging among 60 notes (Chromium, headless): dragging page ${fmt(dragger)}; watching page ${fmt(watcher)}; the wall's work per pointer move: median ${handler.median.toFixed(2)} ms, p95 ${handler.p95.toFixed(2)} ms over ${handler.moves} moves`);
  assert.ok(handler.moves >= 50, 'the pointer moves reached the wall');
  assert.ok(handler.median < 8, `a pointer move costs the wall well under a frame (median ${handler.median.toFixed(2)} ms)`);
  assert.ok(dragger.frames >= 20, 'the drag lasted enough frames to measure');
  // Most frames at the display's rate. The slow tail (p95, max) is printed, not asserted: the
  // test machine is shared, and its load shows in those figures more than our drawing does.
  assert.ok(dragger.median <= 20, `the dragging page draws at 60 frames a second (median ${dragger.median.toFixed(1)} ms)`);
  assert.ok(watcher.median <= 20, `the watching page draws at 60 frames a second (median ${watcher.median.toFixed(1)} ms)`);
  await waitUntil(anna, (t) => [...document.querySelectorAll('.js-wall-loose .js-wall-slot')].some((x) => x.textContent.startsWith(t) && parseInt(x.style.left, 10) > 400), text, 'the dragged note arrives on Anna’s wall');
});

test('a phone gets the compact list: one line per note, groups fold, two taps to move', async () => {
  const team = server.teams[0];
  const phone = await openPage({ width: 360, height: 640 });
  await join(phone, team, 'Dewi', 'p1-cluster');
  assert.equal(await phone.locator('.js-view-list').getAttribute('aria-pressed'), 'true', 'the list is the default on a phone');
  await waitUntil(phone, () => document.querySelectorAll('.js-zones .js-note').length === 60, null, 'all notes in the list');
  const line = phone.locator('.js-zones .js-note').first();
  const height = (await line.boundingBox()).height;
  assert.ok(height <= 52, `a note is one line (${height}px)`);
  // Two taps: the handle, then "Move here" at a group.
  const text = 'Extra briefje 3:';
  await phone.locator('.js-note', { hasText: text }).locator('.js-pick').tap();
  const here = phone.locator('.js-zone', { has: phone.getByRole('heading', { name: 'DigiD', exact: true }) }).locator('.js-move-here');
  await here.tap();
  await group(anna, 'DigiD').locator('.js-wall-note', { hasText: text }).waitFor();
  // A group folds away.
  const regels = phone.locator('.js-zone', { has: phone.getByRole('heading', { name: 'Regels', exact: true }) });
  await regels.locator('summary').tap();
  assert.equal(await regels.locator('.js-note').first().isVisible(), false, 'a folded group hides its notes');
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scrolling on the phone (${width}px)`);
  await checkA11y(phone, 'the compact list on a phone');
  if (SHOTS) {
    // The picture: a note picked up, "Move here" at every other group.
    await regels.locator('summary').tap();
    const pick = phone.locator('.js-note', { hasText: THEMES.DigiD[1] }).locator('.js-pick');
    await pick.tap();
    await phone.locator('.js-zone', { has: phone.getByRole('heading', { name: 'DigiD', exact: true }) }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await phone.screenshot({ path: joinPath(SHOTS, 'cluster-phone.png') });
    await pick.tap();
  }
  // The wall is optional on the phone too.
  await phone.locator('.js-view-wall').tap();
  await waitUntil(phone, () => document.querySelectorAll('.js-wall-note').length === 60, null, 'the wall on the phone');
  phones.push(phone);
});

test('the knelpunten step shows the grouped wall, read-only; the projector keeps it', async () => {
  await next('p1-knelpunten');
  const wall = anna.locator('.sp-items__wall');
  await waitUntil(anna, () => document.querySelectorAll('.sp-items__wall .js-wall-group').length >= 6, null, 'the groups beside the knelpunten');
  assert.equal(await wall.locator('.js-wall-note').count(), 0, 'nothing to pick up: the grouping is done');
  assert.equal(await wall.locator('.js-wall-slot').count(), 60);
  await checkA11y(anna, 'the knelpunten step with the wall');
  await screen.locator('.js-wallscreen-none', { hasText: nl['team.wall.projectorNone'] }).waitFor();
  assert.equal(await screen.locator('.js-wallscreen .js-wall-slot').count(), 60, 'the projector still shows the last wall');
});

test('no page logged an error or a Content-Security-Policy refusal', () => {
  for (const page of [...all, screen, ...phones]) assert.deepEqual(page.problems, [], 'no errors in the browser');
});
