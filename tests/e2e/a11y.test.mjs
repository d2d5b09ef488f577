// a11y.test.mjs – accessibility and language across the product: the catalogues are complete in
// Dutch and English, axe (WCAG 2.0/2.1 A and AA) finds nothing on any view in either language,
// every view has the language switch, the statement link and the right `lang`, the statement
// page is complete, and one participant walks a whole step of the method (clustering) with the
// keyboard only – joining, taking the captain's role, brainstorming, sharing, clustering and
// moving on – without a single click.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import nl from '../../web/js/i18n/nl.js';
import en from '../../web/js/i18n/en.js';
import { checkA11y, closeDay, newPage, openDay, openViewport, waitUntil } from './lib.mjs';

const CATALOGUES = { nl, en };
const playbook = JSON.parse(readFileSync(new URL('../../data/playbooks/staatsprint.json', import.meta.url), 'utf8'));
const steps = playbook.phases.flatMap((p) => p.steps);
const stepName = (id, lang = 'nl') => steps.find((s) => s.id === id).name[lang];

/** Fills the {placeholders} of a catalogue string (plural entries by count). */
function fill(text, params = {}) {
  const s = typeof text === 'object' ? (params.count === 1 ? text.one : text.other) : text;
  return s.replace(/\{(\w+)\}/g, (m, k) => String(params[k] ?? m));
}

function placeholders(value) {
  const texts = typeof value === 'object' ? Object.values(value) : [value];
  return [...new Set(texts.flatMap((s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();
}

// ---- the catalogues (no browser) ------------------------------------------------------------

test('every catalogue key has a non-empty Dutch and English text with the same placeholders', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(nl).sort(), 'the same keys in both languages');
  const problems = [];
  for (const key of Object.keys(nl)) {
    for (const [lang, cat] of Object.entries(CATALOGUES)) {
      const value = cat[key];
      if (typeof value === 'object') {
        if (typeof value.one !== 'string' || typeof value.other !== 'string' || !value.one.trim() || !value.other.trim()) problems.push(`${lang} ${key}: a plural needs "one" and "other"`);
      } else if (typeof value !== 'string' || !value.trim()) {
        problems.push(`${lang} ${key}: empty`);
      }
    }
    if (JSON.stringify(placeholders(nl[key])) !== JSON.stringify(placeholders(en[key]))) problems.push(`${key}: placeholders differ (${placeholders(nl[key])} / ${placeholders(en[key])})`);
  }
  assert.deepEqual(problems, []);
});

test('every key the browser code asks for exists, and no view builds user-facing text itself', () => {
  const root = new URL('../../web/js/', import.meta.url).pathname;
  const files = [];
  (function walk(dir) {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js') && !path.includes('/i18n/')) files.push(path);
    }
  })(root);
  const used = new Set();
  const prefixes = new Set();
  const literal = [];
  for (const file of files) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
    // Keys built at run time, t(`team.role.${role}`): their fixed start must name existing keys.
    for (const m of src.matchAll(/\bt\(`([a-zA-Z0-9_.]+)\$\{/g)) prefixes.add(m[1]);
    // A view that writes words into the page without the catalogue: text, labels, titles.
    const code = src.replace(/^\s*(\/\/|\*|\/\*).*$/gm, '');
    for (const m of code.matchAll(/(?:text|'aria-label'|title|placeholder|alt)\s*:\s*'([^']*[A-Za-z]{3}[^']*)'/g)) literal.push(`${file.slice(root.length)}: ${m[0]}`);
    for (const m of code.matchAll(/\.textContent\s*=\s*'([^']*[A-Za-z]{3}[^']*)'/g)) literal.push(`${file.slice(root.length)}: ${m[0]}`);
  }
  assert.ok(used.size > 300, `found only ${used.size} keys: the scan is broken`);
  const missing = [...used].filter((key) => !(key in nl) || !(key in en));
  assert.deepEqual(missing, [], 'keys used but missing in a catalogue');
  const deadPrefixes = [...prefixes].filter((p) => !Object.keys(nl).some((key) => key.startsWith(p)));
  assert.deepEqual(deadPrefixes, [], 'run-time keys whose start matches no key');
  assert.deepEqual(literal, [], 'user-facing text outside the catalogues');
});

// ---- the design tokens and the style sheets ------------------------------------------------------

const CSS_DIR = new URL('../../web/css/', import.meta.url).pathname;

/** The colour tokens of tokens.css: name (without --sp-color-) → #rrggbb. */
function colourTokens() {
  const css = readFileSync(join(CSS_DIR, 'tokens.css'), 'utf8');
  return Object.fromEntries([...css.matchAll(/--sp-color-([a-z-]+):\s*(#[0-9a-fA-F]{6})\b/g)].map((m) => [m[1], m[2]]));
}

/** WCAG 2.1 contrast ratio of two #rrggbb colours. */
function contrast(a, b) {
  const lum = (hex) => {
    const [r, g, b2] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('the colour tokens meet AA in every pair the style sheets use together', () => {
  const c = colourTokens();
  // [foreground, background, minimum]: 4.5 for text, 3 for borders, focus rings and shapes.
  const pairs = [
    ['text', 'surface', 4.5], ['text', 'page', 4.5], ['text', 'info-surface', 4.5], ['text', 'danger-surface', 4.5],
    ['text-subtle', 'surface', 4.5], ['text-subtle', 'page', 4.5], ['text-subtle', 'info-surface', 4.5],
    ['action-text', 'action', 4.5], ['action-text', 'action-hover', 4.5],
    ['link', 'surface', 4.5], ['link', 'page', 4.5], ['link-hover', 'surface', 4.5],
    ['danger', 'surface', 4.5], ['danger', 'danger-surface', 4.5], ['success', 'surface', 4.5], ['warning', 'surface', 4.5],
    ['brand-text', 'brand', 4.5], ['note-text', 'note', 4.5],
    ['screen-text', 'screen', 4.5], ['screen-text', 'screen-panel', 4.5], ['screen-subtle', 'screen', 4.5], ['screen-subtle', 'screen-panel', 4.5], ['screen-accent', 'screen', 4.5], ['screen-accent', 'screen-panel', 4.5],
    ['border', 'surface', 3], ['border', 'page', 3], ['focus', 'surface', 3], ['focus', 'page', 3], ['focus-inverse', 'brand', 3], ['focus-inverse', 'screen', 3], ['note-edge', 'page', 3],
  ];
  const failing = [];
  for (const [fg, bg, min] of pairs) {
    assert.ok(c[fg] && c[bg], `tokens --sp-color-${fg} and --sp-color-${bg} exist`);
    const ratio = contrast(c[fg], c[bg]);
    if (ratio < min) failing.push(`${fg} on ${bg}: ${ratio.toFixed(2)}:1 < ${min}:1`);
  }
  assert.deepEqual(failing, []);
});

test('the style sheets follow the conventions: sp- classes, tokens for colour, logical properties, calm motion', () => {
  const problems = [];
  for (const name of readdirSync(CSS_DIR).filter((n) => n.endsWith('.css'))) {
    const css = readFileSync(join(CSS_DIR, name), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const m of css.matchAll(/\.(-?[_a-zA-Z][\w-]*)/g)) {
      if (/^\d/.test(m[1]) || /^(5|25|75)$/.test(m[1])) continue;
      if (!m[1].startsWith('sp-')) problems.push(`${name}: class .${m[1]} without the sp- prefix`);
    }
    if (name !== 'tokens.css') {
      for (const m of css.matchAll(/#[0-9a-fA-F]{3,8}\b/g)) problems.push(`${name}: colour ${m[0]} outside the tokens`);
    }
    for (const m of css.matchAll(/\b(margin|padding|border)-(left|right|top|bottom)\b|\b(text-align):\s*(left|right)\b|(?<![-\w])(left|right|top|bottom)\s*:/g)) {
      problems.push(`${name}: physical property "${m[0]}" (use the logical one)`);
    }
  }
  const app = readFileSync(join(CSS_DIR, 'app.css'), 'utf8');
  assert.match(app, /@media \(prefers-reduced-motion: reduce\)[\s\S]*animation-duration/, 'a reduced-motion rule that stops animations');
  assert.match(app, /:focus-visible\s*{[^}]*outline/, 'a visible focus style');
  assert.deepEqual([...new Set(problems)], []);
});

// ---- the browser ------------------------------------------------------------------------------

let server;
let browser;
let org;
const pages = [];
/** The participants of the per-language test, on their phones, by language. */
const phones = {};

before(async () => ({ server, browser, org } = await openDay({ org: true })));
after(() => closeDay({ server, browser, org }));

async function openPage(lang, viewport) {
  const page = await openViewport(browser, { ...viewport, lang });
  pages.push(page);
  return page;
}

/** The view is drawn and, where it has a connection, in sync. */
async function settled(page, lang, { online = true } = {}) {
  await page.locator('h1').first().waitFor();
  if (online) await waitUntil(page, (text) => document.querySelector('.js-status-text')?.textContent === text, CATALOGUES[lang]['conn.online'], `the ${lang} page to be online`);
  // Views draw in animation frames after `synced`: give them two.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** What every view must have: the page language, the switch to the other one, the statement link. */
async function checkShell(page, lang, label) {
  const other = lang === 'nl' ? 'en' : 'nl';
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `${label}: <html lang>`);
  const sw = page.locator('.js-lang');
  assert.equal((await sw.textContent()).trim(), CATALOGUES[lang][`lang.switch.${other}`], `${label}: the language switch`);
  assert.equal(await sw.getAttribute('lang'), other, `${label}: the switch names the other language in that language`);
  const link = page.getByRole('contentinfo').getByRole('link', { name: CATALOGUES[lang]['footer.statement'], exact: true });
  assert.equal(await link.getAttribute('href'), '#/toegankelijkheid', `${label}: the statement link in the footer`);
  assert.equal(await page.locator('h1').count(), 1, `${label}: one main heading`);
}

async function noSideScroll(page, label) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const viewport = page.viewportSize().width;
  assert.ok(width <= viewport, `${label}: the page is ${width}px wide in a ${viewport}px window`);
}

function link(role, room) {
  const l = server.links.find((x) => x.role === role && (!room || x.room === room));
  assert.ok(l, `a ${role} link`);
  return l.token;
}

for (const lang of ['nl', 'en']) {
  test(`every view passes axe in ${lang === 'nl' ? 'Dutch' : 'English'} and has the switch, the statement link and lang="${lang}"`, async () => {
    const c = CATALOGUES[lang];
    const views = [
      { label: 'the join page', hash: '#/', phone: true, online: false },
      { label: 'the page for an unknown address', hash: '#/bestaat-niet', online: false },
      { label: 'the accessibility statement', hash: '#/toegankelijkheid', phone: true, online: false },
      { label: 'the organiser', hash: `#/o/${server.organiserToken}` },
      { label: 'the facilitator', hash: `#/f/${link('facilitator', server.teams[0].room)}` },
      { label: 'the jury', hash: `#/j/${link('jury')}` },
      { label: 'the screen', hash: `#/s/${link('screen')}`, size: { width: 1920, height: 1080 } },
    ];
    for (const v of views) {
      const page = await openPage(lang, v.size);
      await page.goto(`${server.url}/${v.hash}`);
      await settled(page, lang, { online: v.online !== false });
      await checkShell(page, lang, v.label);
      await checkA11y(page, `${v.label} (${lang})`);
      await noSideScroll(page, v.label);
      if (v.size?.height === 1080) {
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        assert.ok(height <= 1080, `${v.label}: ${height}px high on a 1920×1080 projector, which cannot scroll`);
      }
      if (v.phone) {
        await page.setViewportSize({ width: 360, height: 640 });
        await checkA11y(page, `${v.label} on a 360×640 phone (${lang})`);
        await noSideScroll(page, `${v.label} on a phone`);
      }
      await page.context().close();
    }

    // The team view, on a phone, at its first step (method.test.mjs checks every later step).
    const phone = await openPage(lang, { width: 360, height: 640 });
    const team = server.teams[lang === 'nl' ? 0 : 1];
    await phone.goto(`${server.url}/`);
    await phone.getByLabel(c['join.code.label'], { exact: true }).fill(team.code);
    await phone.getByLabel(c['join.name.label'], { exact: true }).fill(lang === 'nl' ? 'Eva' : 'Finn');
    await phone.getByRole('button', { name: c['join.submit'], exact: true }).click();
    await waitUntil(phone, (name) => document.querySelector('.js-step-title')?.textContent === name, stepName('intro', lang), 'the first step');
    await settled(phone, lang);
    await checkShell(phone, lang, 'the team view');
    await checkA11y(phone, `the team view on a phone (${lang})`);
    await noSideScroll(phone, 'the team view');
    phones[lang] = phone;
  });
}

test('in English, the team view passes axe at every activity of the day, on a phone', async () => {
  // method.test.mjs walks the day in Dutch; here the organiser moves Finn's team on, step by step.
  const page = phones.en;
  assert.ok(page, 'Finn joined in the test before');
  const team = server.teams[1];
  for (const [i, step] of steps.slice(1).entries()) {
    // The race step is left only after its room played a round.
    if (steps[i].activity === 'race') {
      await org.cmd('race.start', { room: team.room, minutes: 5 });
      await org.cmd('race.end', { room: team.room });
    }
    await org.cmd('step.next', { team: team.id });
    await waitUntil(page, (name) => document.querySelector('.js-step-title')?.textContent === name, stepName(step.id, 'en'), `the step "${stepName(step.id, 'en')}"`);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await checkA11y(page, `the ${step.activity} step "${step.id}" in English`);
    await noSideScroll(page, `the ${step.id} step`);
    if (step.activity === 'vote') {
      // The results of a vote are a view of their own.
      await org.cmd('vote.reveal', { team: team.id });
      await page.locator('.js-tally').waitFor({ state: 'attached' });
      await checkA11y(page, `the results of "${step.id}" in English`);
    }
  }
  const html = await page.evaluate(() => document.documentElement.lang);
  assert.equal(html, 'en');
});

test('the statement follows the model: status, how it was checked, limits, contact, enforcement, date', async () => {
  for (const lang of ['nl', 'en']) {
    const c = CATALOGUES[lang];
    const page = await openPage(lang);
    await page.goto(`${server.url}/#/toegankelijkheid`);
    await page.getByRole('heading', { level: 1, name: c['statement.heading'], exact: true }).waitFor();
    for (const part of ['status', 'tested', 'sr', 'limits', 'contact', 'enforce']) {
      await page.getByRole('heading', { level: 2, name: c[`statement.${part}.title`], exact: true }).waitFor();
    }
    assert.match(await page.locator('.js-statement-date').textContent(), /2026/);
    assert.match(await page.title(), new RegExp(c['statement.title']));
    // The statement opens no connection of its own.
    assert.equal(await page.locator('.js-status').isHidden(), true, 'no connection state on a page without a connection');
    await page.context().close();
  }
  // Reached from a view by its footer link, by keyboard, and back again.
  const page = await openPage('nl');
  await page.goto(`${server.url}/`);
  await page.locator('.js-statement-link').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: nl['statement.heading'], exact: true }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'focus on the new page’s heading');
  // The switch turns it English on the spot.
  await page.locator('.js-lang').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: en['statement.heading'], exact: true }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.context().close();
});

test('reduced motion: a person who asks for calm gets no animation or transition at all', async () => {
  const moving = () =>
    [...document.querySelectorAll('*')]
      .map((el) => ({ el: `${el.tagName} ${el.className}`, a: parseFloat(getComputedStyle(el).animationDuration) * (getComputedStyle(el).animationName === 'none' ? 0 : 1), t: parseFloat(getComputedStyle(el).transitionDuration) }))
      .filter((x) => x.a > 0.001 || x.t > 0.001)
      .map((x) => x.el);
  const team = server.teams[3];
  for (const motion of ['no-preference', 'reduce']) {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, reducedMotion: motion });
    const page = await newPage(context);
    pages.push(page);
    await page.goto(`${server.url}/`);
    await page.getByLabel(nl['join.code.label'], { exact: true }).fill(team.code);
    await page.getByLabel(nl['join.name.label'], { exact: true }).fill(`Gert ${motion}`);
    await page.getByRole('button', { name: nl['join.submit'], exact: true }).click();
    await page.locator('.js-note-input').waitFor();
    // A new note on the wall fades in – unless motion is reduced.
    await page.locator('.js-note-input').fill(`Een notitie (${motion})`);
    await page.locator('.js-note-input').press('Enter');
    await page.locator('.js-note-list .js-note', { hasText: `(${motion})` }).waitFor();
    const found = await page.evaluate(moving);
    if (motion === 'reduce') assert.deepEqual(found, [], 'nothing moves');
    else assert.ok(found.length > 0, 'the check sees motion when motion is welcome');
    await context.close();
  }
});

// ---- one whole step by keyboard only ------------------------------------------------------------

/** Presses Tab until the focused element matches the selector. */
async function tabTo(page, selector, max = 200) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) {
      // A keyboard user sees where they are: a solid outline of at least 2px.
      const ring = await page.evaluate(() => {
        const st = getComputedStyle(document.activeElement);
        return { style: st.outlineStyle, width: parseFloat(st.outlineWidth) };
      });
      assert.ok(ring.style !== 'none' && ring.width >= 2, `${selector} shows its focus (${JSON.stringify(ring)})`);
      return;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function focusedMatches(page, selector) {
  return page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
}

async function atStep(page, id) {
  await waitUntil(page, (name) => document.querySelector('.js-step-title')?.textContent === name, stepName(id), `the step "${stepName(id)}"`);
}

test('a participant goes through a whole step – clustering – and the steps around it by keyboard only', async () => {
  const page = await openPage('nl');
  // Nothing in this test may click: any mouse use would show up here.
  await page.addInitScript(() => {
    window.spMouse = 0;
    addEventListener('mousedown', () => window.spMouse++, true);
  });
  const team = server.teams[2];
  const notes = ['Formulieren vragen steeds dezelfde gegevens', 'Elke gemeente heeft eigen systemen', 'Er is geen geld voor vernieuwing'];

  // Join: Tab to the code, type, Tab on to the name, type, Enter.
  await page.goto(`${server.url}/`);
  await tabTo(page, '#sp-join-code');
  await page.keyboard.type(team.code);
  await tabTo(page, '#sp-join-name');
  await page.keyboard.type('Dora');
  await page.keyboard.press('Enter');
  await atStep(page, 'intro');

  // Take the captain's role: the select by arrow keys, the button by Enter.
  await tabTo(page, '#sp-role-captain');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('#sp-role-captain option:checked').textContent(), 'Dora');
  await tabTo(page, '[data-focus-key="roles-save"]');
  await page.keyboard.press('Enter');
  await page.locator('.js-step-next').waitFor();

  // On to the private brainstorm; the focus follows to the new step's heading.
  await tabTo(page, '.js-step-next');
  await page.keyboard.press('Enter');
  await atStep(page, 'p1-dump');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sp-step-title', 'focus on the step heading after a step change');
  await tabTo(page, '#sp-brainstorm-new');
  for (const [i, text] of notes.entries()) {
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    await waitUntil(page, (n) => document.querySelectorAll('.js-private-notes .js-note').length === n, i + 1, `private note ${i + 1}`);
    assert.ok(await focusedMatches(page, '#sp-brainstorm-new'), 'the field keeps the focus for the next note');
  }
  // Share the first by keyboard.
  await tabTo(page, '.js-private-notes .js-share');
  await page.keyboard.press('Enter');
  await waitUntil(page, () => document.querySelectorAll('.js-shared-notes .js-note').length === 1, null, 'one note shared');

  // The clustering step, all of it.
  await tabTo(page, '.js-step-next');
  await page.keyboard.press('Enter');
  await atStep(page, 'p1-cluster');
  // On a laptop the step opens on the wall: pick a note up with Space, choose the group with the
  // arrow keys, put it down with Space.
  await waitUntil(page, (n) => document.querySelectorAll('.js-wall .js-wall-note').length === n, notes.length, 'every note on the wall (the rest shared on leaving the brainstorm)');
  await tabTo(page, '#sp-cluster-new');
  for (const name of ['Gegevens', 'Systemen en geld']) {
    await page.keyboard.type(name);
    await page.keyboard.press('Enter');
    await page.locator(`.js-wall-group[data-name="${name}"]`).waitFor();
  }
  const plan = [
    [notes[0], 'Gegevens'],
    [notes[1], 'Systemen en geld'],
    [notes[2], 'Systemen en geld'],
  ];
  for (const [text, cluster] of plan) {
    const id = await page.locator('.js-wall-note', { hasText: text }).getAttribute('data-note');
    await tabTo(page, `.js-wall-note[data-note="${id}"]`);
    await page.keyboard.press('Space');
    assert.equal(await page.locator(`.js-wall-note[data-note="${id}"]`).getAttribute('aria-pressed'), 'true', 'Space picks the note up');
    for (let i = 0; i < 5 && !(await page.evaluate((c) => document.querySelector('.js-team-live')?.lastElementChild?.textContent.startsWith(`${c},`), cluster)); i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await page.locator(`.js-wall-group[data-name="${cluster}"] .js-wall-note[data-note="${id}"]`).waitFor();
    // The note keeps the focus in its new group.
    assert.ok(await focusedMatches(page, `.js-wall-note[data-note="${id}"]`), 'the focus stays with the moved note');
  }
  await checkA11y(page, 'the cluster step, walked by keyboard');

  // The server has it as the keyboard put it: two clusters, every note in one.
  const ev = org.events;
  const clusters = ev.filter((e) => e.type === 'cluster.added' && e.data.team === team.id);
  assert.deepEqual(clusters.map((e) => e.data.name).sort(), ['Gegevens', 'Systemen en geld']);
  const moved = ev.filter((e) => e.type === 'note.moved').map((e) => e.data.id);
  assert.equal(new Set(moved).size, 3, 'three notes moved');

  // And on to the next step.
  await tabTo(page, '.js-step-next');
  await page.keyboard.press('Enter');
  await atStep(page, 'p1-knelpunten');
  assert.equal(await page.evaluate(() => window.spMouse), 0, 'not one mouse press');
});

test('the screen fits a 1920×1080 projector however many programme items are on at once', async () => {
  const page = await openPage('nl', { width: 1920, height: 1080 });
  await page.goto(`${server.url}/#/s/${link('screen')}`);
  await settled(page, 'nl');
  // The programme is in the browser's local time: items around its "now".
  const now = await page.evaluate(() => { const d = new Date(); return d.getHours() * 60 + d.getMinutes(); });
  const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  // Near midnight the ends pass 24:00, which the programme reads as minutes after it.
  const from = now, start = hhmm(Math.max(0, from - 2));
  const long = (n) => ({ nl: `Onderdeel ${n}: een lange omschrijving van wat er nu in deze zaal gebeurt, met de naam van de spreker en het onderwerp erbij`, en: `Item ${n}: a long description` });
  for (const count of [1, 2, 3, 4, 7]) {
    const items = Array.from({ length: count }, (_, i) => ({ time: start, end: hhmm(from + 30 + i), title: long(i + 1) }));
    items.push({ time: hhmm(from + 45), end: hhmm(from + 60), title: long('daarna') });
    await org.cmd('programme.set', { items });
    const shown = Math.min(count, 3);
    await waitUntil(page, (n) => document.querySelectorAll('.js-now .sp-screen__item-title').length === n, shown, `${shown} items on now`);
    if (count > 3) await page.getByText(CATALOGUES.nl['screen.moreNow'].replace('{count}', String(count - 3)), { exact: true }).waitFor();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height <= 1080, `${count} items on now: the screen is ${height}px high on a 1920×1080 projector`);
    // Clamped on the projector, the whole title is still in the page.
    // The items that began last are shown, so the big timer's item is one of them.
    assert.equal(await page.locator('.js-now .sp-screen__item-title').first().textContent(), long(count - shown + 1).nl);
    assert.equal(await page.locator('.js-now .sp-screen__item-title').last().textContent(), long(count).nl);
  }
  await checkA11y(page, 'the screen with seven items on at once');
  // A room's screen shows the next item only: a long title takes one line there.
  await page.goto(`${server.url}/#/s/${link('screen')}/${server.teams[0].room}`);
  await settled(page, 'nl');
  await page.locator('.sp-room .sp-screen__item-title').first().waitFor();
  assert.equal(await page.locator('.sp-room .sp-screen__item-title').first().textContent(), long('daarna').nl);
  const roomHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(roomHeight <= 1080, `a room's screen: ${roomHeight}px high on a 1920×1080 projector`);
  await page.context().close();
});

test('no page logged an error or a Content-Security-Policy refusal', () => {
  assert.deepEqual(
    pages.flatMap((p) => p.problems),
    [],
  );
});
