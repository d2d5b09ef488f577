// xss.test.mjs – script in what people type stays text: XSS payloads as notes, member
// names, the sprint title and venue, a room name and imported registrations are shown
// literally in the browser (team board, organiser, facilitator and screen views). Any
// dialog (alert/confirm/prompt) fails the test, and no payload may turn into an element.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import nl from '../../web/js/i18n/nl.js';
import { closeDay, newPage, openDay, waitUntil } from './lib.mjs';

const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  "javascript:alert(1)",
  "'><iframe src=javascript:alert(1)>",
  '{{constructor.constructor("alert(1)")()}}',
];

let server;
let browser;
const dialogs = [];
const pages = [];

before(async () => ({ server, browser } = await openDay()));
after(() => closeDay({ server, browser }));

async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await newPage(context);
  page.setDefaultTimeout(10000);
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()}: ${d.message()} on ${page.url()}`);
    await d.dismiss();
  });
  pages.push(page);
  return page;
}

// Sends commands as the organiser over a plain WebSocket; resolves with the answers. Each
// command may be a function of the organiser's events (to name a challenge, a room).
let batches = 0;
function organiserCommands(cmds) {
  const batch = ++batches;   // ids are per actor: a second batch must not repeat the first's
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl);
    const answers = new Map();
    const events = [];
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', token: server.organiserToken, since: 0 })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.t === 'ev') events.push(m);
      if (m.t === 'synced') {
        cmds.forEach((c, i) => {
          const { cmd, args } = typeof c === 'function' ? c(events) : c;
          ws.send(JSON.stringify({ t: 'cmd', id: `xss-${batch}-${i}`, cmd, args }));
        });
      }
      if ((m.t === 'ack' || m.t === 'err') && m.id) {
        answers.set(m.id, m);
        if (answers.size === cmds.length) {
          ws.close();
          resolve(cmds.map((_, i) => answers.get(`xss-${batch}-${i}`)));
        }
      }
    });
    ws.on('error', reject);
  });
}

// No payload became markup: no injected element, no javascript: URL anywhere.
// The barrier before a negative check in a page: a marker event every connection may see;
// once the page has applied it (conn.js marks the last seq on <html>) and painted, it has
// rendered everything that came before. Waits on a fact, not on time.
async function settled(page) {
  const [marker] = await organiserCommands([{ cmd: 'sprint.update', args: { venue: `marker ${batches}` } }]);
  assert.equal(marker.t, 'ack', JSON.stringify(marker));
  await waitUntil(page, (seq) => Number(document.documentElement.dataset.spSeq || 0) >= seq, marker.seq, 'the page to apply the marker');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function assertInert(page, label) {
  const found = await page.evaluate(() => ({
    img: document.querySelectorAll('img[src="x"], img[onerror]').length,
    script: [...document.scripts].filter((s) => !s.src).length,
    svg: document.querySelectorAll('svg[onload]').length,
    iframe: document.querySelectorAll('iframe').length,
    js: [...document.querySelectorAll('[href], [src], [action]')].filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || '')).length,
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
  }));
  assert.deepEqual(found, { img: 0, script: 0, svg: 0, iframe: 0, js: 0, handlers: 0 }, `${label}: a payload turned into markup`);
}

async function join(page, team, name) {
  await page.goto(`${server.url}/`);
  await page.getByLabel(nl['join.code.label'], { exact: true }).fill(team.code);
  await page.getByLabel(nl['join.name.label'], { exact: true }).fill(name);
  await page.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  await page.getByLabel(nl['board.add.label'], { exact: true }).waitFor();
}

test('XSS payloads in notes and names are shown as text on the team board', async () => {
  const team = server.teams[0];
  const writer = await openPage();
  const reader = await openPage();
  await join(writer, team, PAYLOADS[0]);
  await join(reader, team, PAYLOADS[2]);
  const input = writer.getByLabel(nl['board.add.label'], { exact: true });
  for (const p of PAYLOADS) {
    await input.fill(p);
    await input.press('Enter');
  }
  for (const page of [writer, reader]) {
    for (const p of PAYLOADS) {
      await page.locator('.sp-note__text', { hasText: p }).first().waitFor();
      const texts = await page.locator('.sp-note__text').allTextContents();
      assert.ok(texts.some((x) => x.trim() === p), `the note "${p}" must be shown literally, the board shows ${JSON.stringify(texts)}`);
    }
    // The author's name (itself a payload) is shown as text next to the note.
    const author = await page.locator('.sp-note__author').first().textContent();
    assert.ok(author.includes(PAYLOADS[0]), `the author name must be shown literally, got ${JSON.stringify(author)}`);
    await assertInert(page, 'the team board');
  }
});

test('XSS payloads in the programme, a challenge, the sprint, a room and registrations are text for staff, jury and screen', async () => {
  const room = server.teams[0].room;
  const bi = (p) => ({ nl: p, en: p });
  const answers = await organiserCommands([
    { cmd: 'programme.set', args: { items: [{ time: '00:00', end: '23:59', title: bi(PAYLOADS[1]), kind: 'plenary' }, { time: '23:59', title: bi(PAYLOADS[4]), kind: 'break' }] } },
    (evs) => ({ cmd: 'challenge.update', args: { challenge: evs.find((e) => e.type === 'challenge.set').data.id, title: bi(PAYLOADS[0]), question: bi(PAYLOADS[2]) } }),
    { cmd: 'sprint.update', args: { title: bi(PAYLOADS[1]), venue: PAYLOADS[3] } },
    { cmd: 'room.update', args: { room, name: bi(PAYLOADS[4]) } },
    { cmd: 'registrations.import', args: { people: [{ name: PAYLOADS[0], email: 'xss@example.nl', organisation: PAYLOADS[2], role: PAYLOADS[5], motivation: PAYLOADS[1] }] } },
  ]);
  for (const a of answers) assert.equal(a.t, 'ack', `the organiser's set-up command must be accepted: ${JSON.stringify(a)}`);

  const fac = server.links.find((l) => l.role === 'facilitator' && l.room === room);
  const screen = server.links.find((l) => l.role === 'screen');
  const jury = server.links.find((l) => l.role === 'jury');
  // Each view, and a payload it must show literally (null: only check nothing ran).
  const views = [
    ['the screen', `/#/s/${screen.token}`, PAYLOADS[1]],
    ['the jury view', `/#/j/${jury.token}`, PAYLOADS[0]],
    ['the organiser view', `/#/o/${server.organiserToken}`, null],
    ['the facilitator view', `/#/f/${fac.token}`, null],
  ];
  for (const [label, hash, shown] of views) {
    const page = await openPage();
    await page.goto(`${server.url}${hash}`);
    await page.locator('h1').first().waitFor();
    if (shown) await waitUntil(page, (text) => document.body.innerText.includes(text), shown, `${label} to show ${shown} as text`);
    await settled(page);
    await assertInert(page, label);
  }
});

test('XSS payloads in an imported CSV (cells and headers) are text in the preview and after the import', async () => {
  const q = (v) => `"${v.replace(/"/g, '""')}"`;   // RFC 4180 quoting, as a form tool writes it
  const csv = [
    ['Naam', 'E-mailadres', 'Organisatie', 'Functie', PAYLOADS[2]],
    [PAYLOADS[0], 'csv1@example.nl', PAYLOADS[1], PAYLOADS[3], 'x'],
    [PAYLOADS[4], 'csv2@example.nl', PAYLOADS[5], 'Adviseur', 'y'],
  ].map((row) => row.map(q).join(';')).join('\r\n');
  const page = await openPage();
  await page.goto(`${server.url}/#/o/${server.organiserToken}`);
  await page.locator('#sp-org-import-file').setInputFiles({ name: 'aanmeldingen.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await page.getByRole('button', { name: nl['org.import.read'], exact: true }).click();
  const preview = page.locator('.js-org-preview');
  await preview.waitFor({ state: 'attached' });
  await waitUntil(page, () => document.querySelectorAll('.js-org-preview tbody tr').length >= 2, null, 'two rows in the import preview');
  const cells = await preview.locator('td').allTextContents();
  for (const p of [PAYLOADS[0], PAYLOADS[1], PAYLOADS[4], PAYLOADS[5]]) {
    assert.ok(cells.some((c) => c.trim() === p), `the preview must show ${p} literally, cells: ${JSON.stringify(cells)}`);
  }
  // The payload header is offered as a column name, as text.
  const options = await page.locator('option').allTextContents();
  assert.ok(options.some((o) => o.includes(PAYLOADS[2])), 'a payload column header must be shown as text in the mapping');
  await assertInert(page, 'the import preview');
  await page.locator('.js-org-import-confirm').click();
  await waitUntil(page, () => !document.querySelector('.js-org-import-confirm'), null, 'the import to finish');
  await settled(page);
  await assertInert(page, 'the organiser view after the import');
});

test('no dialog opened and no page logged an error', () => {
  assert.deepEqual(dialogs, [], 'a payload ran as script');
  assert.deepEqual(pages.flatMap((p) => p.problems), []);
});
