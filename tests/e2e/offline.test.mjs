// offline.test.mjs – nothing typed is lost: a participant keeps writing while the connection is
// gone, even through a reload of the page, and when it comes back every note arrives exactly
// once – also a note the server had already applied but whose answer was lost on the way.
//
// The WebSocket is cut in the browser (Playwright's routeWebSocket), not at the server, so the
// page itself can still be reloaded while the participant is "offline".

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import nl from '../../web/js/i18n/nl.js';
import { Connection, outboxKey } from '../../web/js/conn.js';
import { closeDay, gatedContext, joinAs, newPage, openDay, waitUntil } from './lib.mjs';
import { FakeSocket } from './fake-socket.mjs';

/** Fills the {placeholders} of a catalogue string (plural entries by count). */
function fill(text, params = {}) {
  const s = typeof text === 'object' ? (params.count === 1 ? text.one : text.other) : text;
  return s.replace(/\{(\w+)\}/g, (m, k) => String(params[k] ?? m));
}

// ---- the stored outbox, without a browser -------------------------------------------------------

class MemoryStorage {
  constructor() {
    this.map = new Map();
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
}

const welcome = { t: 'welcome', me: { role: 'participant', member: 'm1', team: 't1' }, sprint: 's1', head: 1, now: Date.now() };

test('the outbox survives the page: a new connection with the token sends the stored commands with their ids', () => {
  const storage = new MemoryStorage();
  FakeSocket.all = [];
  const first = new Connection({ url: 'ws://x/ws', token: 'tok-123', WebSocketImpl: FakeSocket, storage });
  first.open();
  first.send('note.add', { text: 'een' }).catch(() => {});
  first.send('note.add', { text: 'twee' }).catch(() => {});
  const stored = JSON.parse(storage.getItem(outboxKey('tok-123')));
  assert.deepEqual(stored.map((c) => c.args.text), ['een', 'twee']);
  first.close();
  assert.ok(storage.getItem(outboxKey('tok-123')), 'closing the page keeps what was not sent');

  const second = new Connection({ url: 'ws://x/ws', token: 'tok-123', WebSocketImpl: FakeSocket, storage });
  assert.equal(second.outboxSize, 2, 'restored before the socket opens, so the page can show it');
  second.open();
  const ws = FakeSocket.all.at(-1);
  ws.open();
  ws.recv(welcome);
  const sent = ws.sent.filter((m) => m.t === 'cmd');
  assert.deepEqual(sent.map((m) => m.id), stored.map((c) => c.id), 'the same ids, so the server applies each once');
  ws.recv({ t: 'ack', id: sent[0].id, seq: 2 });
  assert.deepEqual(JSON.parse(storage.getItem(outboxKey('tok-123'))).map((c) => c.args.text), ['twee']);
  ws.recv({ t: 'err', id: sent[1].id, code: 'text_too_long', nl: 'x', en: 'x' });
  assert.equal(storage.getItem(outboxKey('tok-123')), null, 'answered (ack or final refusal): nothing stored');
  assert.equal(new Connection({ url: 'ws://x/ws', token: 'other', WebSocketImpl: FakeSocket, storage }).outboxSize, 0, 'another token has its own outbox');
  second.close();
});

test('discarding the outbox (leaving the team) forgets it in storage too', () => {
  const storage = new MemoryStorage();
  const conn = new Connection({ url: 'ws://x/ws', token: 'tok-9', WebSocketImpl: FakeSocket, storage });
  const p = conn.send('note.add', { text: 'weg' });
  conn.discardOutbox();
  assert.equal(conn.outboxSize, 0);
  assert.equal(storage.getItem(outboxKey('tok-9')), null);
  conn.close();
  return assert.rejects(p, (err) => err.code === 'discarded');
});

// ---- in the browser, against the real server ----------------------------------------------------

let server;
let browser;
let org;
const pages = [];

before(async () => ({ server, browser, org } = await openDay({ org: true })));
after(() => closeDay({ server, browser, org }));

async function join(page, team, name) {
  await joinAs(page, server.url, team, name);
  await page.locator('.js-note-input').waitFor();
  await waitUntil(page, (text) => document.querySelector('.js-status-text')?.textContent === text, nl['conn.online'], `${name} online`);
}

function wallNote(page, text) {
  return page.locator('.js-note-list .js-note', { has: page.locator('.sp-note__text', { hasText: text }) });
}

async function write(page, text) {
  const input = page.getByLabel(nl['board.add.label'], { exact: true });
  await input.fill(text);
  await input.press('Enter');
}

const added = (text) => org.events.filter((e) => e.type === 'note.added' && e.data.text === text).length;

test('notes typed while the connection is gone, through a reload, arrive exactly once', async () => {
  const team = server.teams[0];
  const { context, gate } = await gatedContext(browser);
  const anna = await newPage(context);
  anna.setDefaultTimeout(10000);
  pages.push(anna);
  const bramContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const bram = await newPage(bramContext);
  bram.setDefaultTimeout(10000);
  pages.push(bram);
  await join(anna, team, 'Anna');
  await join(bram, team, 'Bram');
  const texts = {
    lostAck: 'Aangekomen, maar het antwoord ging verloren',
    offline1: 'Geschreven zonder verbinding',
    offline2: 'Nog een zonder verbinding',
    draft: 'Half geschreven toen de pagina herlaadde',
  };

  // 1. The server applies a note, but its ack is lost when the connection drops.
  gate.eatAcks = true;
  await write(anna, texts.lostAck);
  await waitUntil(bram, (t) => [...document.querySelectorAll('.sp-note__text')].some((el) => el.textContent === t), texts.lostAck, 'Bram sees the note the server applied');
  gate.cut();
  gate.eatAcks = false;
  await waitUntil(anna, (text) => document.querySelector('.js-status-text')?.textContent !== text, nl['conn.online'], 'Anna’s page to notice the drop');

  // 2. Offline: two more notes, and a third half typed.
  await write(anna, texts.offline1);
  await write(anna, texts.offline2);
  await anna.getByLabel(nl['board.add.label'], { exact: true }).pressSequentially(texts.draft, { delay: 5 });
  const queued = fill(nl['conn.queue'], { count: 3 });
  await waitUntil(anna, (text) => document.querySelector('.js-queue')?.textContent === text, queued, 'the header to say three changes wait');
  assert.equal(await anna.locator('.js-queue').getAttribute('role'), 'status', 'the queue is a polite status region');
  assert.equal(await wallNote(anna, texts.offline1).count(), 0, 'not shown as a note before the server has it');

  // 3. The page is reloaded while still offline: the queue and the draft are still there.
  await anna.reload();
  await anna.locator('.js-note-input').waitFor();
  await waitUntil(anna, (text) => document.querySelector('.js-queue')?.textContent === text, queued, 'the queue after the reload');
  assert.equal(await anna.locator('.js-note-input').inputValue(), texts.draft, 'the half-typed note is back in its field');
  assert.deepEqual(await anna.locator('.js-pending-list li').allTextContents(), [texts.lostAck, texts.offline1, texts.offline2], 'what waits is listed with its text, in order');

  // 4. The network returns: everything is sent, each exactly once.
  gate.online = true;
  await anna.evaluate(() => dispatchEvent(new Event('online')));
  await waitUntil(anna, (text) => document.querySelector('.js-status-text')?.textContent === text, nl['conn.online'], 'Anna online again', 20000);
  await waitUntil(anna, () => document.querySelector('.js-queue')?.textContent === '', null, 'the queue to empty', 20000);
  await write(anna, texts.draft);
  for (const text of Object.values(texts)) {
    for (const page of [anna, bram]) await wallNote(page, text).first().waitFor();
  }
  // The queue is empty (nothing left to send); a marker after it means every note.added the
  // server committed, a duplicate included, has reached the organiser's connection.
  await org.marker();
  for (const text of Object.values(texts)) {
    assert.equal(added(text), 1, `"${text}": one note.added on the server`);
    assert.equal(await wallNote(bram, text).count(), 1, `"${text}" once on Bram’s page`);
    assert.equal(await wallNote(anna, text).count(), 1, `"${text}" once on Anna’s page`);
  }
  assert.equal(await anna.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sp.outbox.') || k.startsWith('sp.draft.')).length), 0, 'nothing left in storage');
  // While cut off, Chromium may log the refused WebSocket attempts: expected here.
  for (const p of pages) p.problems = p.problems.filter((text) => !/WebSocket/.test(text));
});

test('no page logged an error or a Content-Security-Policy refusal', () => {
  assert.deepEqual(
    pages.flatMap((p) => p.problems),
    [],
  );
});
