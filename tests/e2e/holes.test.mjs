// holes.test.mjs – typed work a real day lost or hid (issue 16), in Chromium against the real
// server: two people saving one canvas field at once see each other's text to merge; a race idea
// the server refuses stays in the input; a note written offline shows in your own list, marked as
// waiting; the ballot of a vote has one order on every phone of the team.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import nl from '../../web/js/i18n/nl.js';
import { checkA11y, closeDay, gatedContext, joinAs, newPage, openDay, waitUntil, wsClient } from './lib.mjs';

const playbook = JSON.parse(readFileSync(new URL('../../data/playbooks/staatsprint.json', import.meta.url), 'utf8'));
const steps = playbook.phases.flatMap((p) => p.steps);
const stepName = (id) => steps.find((s) => s.id === id).name.nl;

let server;
let browser;
let org;

before(async () => ({ server, browser, org } = await openDay({ org: true })));
after(() => closeDay({ server, browser, org }));

/** The organiser moves a team on to a step: votes on the way are revealed, a race gets a round. */
async function advance(team, stepId) {
  const target = steps.findIndex((s) => s.id === stepId);
  for (let i = 0; i < 40; i++) {
    const at = org.events.filter((e) => e.type === 'step.changed' && e.data.team === team.id).pop()?.data.index ?? 0;
    if (at === target) return;
    try {
      await org.cmd('step.next', { team: team.id });
    } catch (err) {
      const code = err.message.split(':')[0];
      if (code === 'vote_not_revealed') await org.cmd('vote.reveal', { team: team.id });
      else if (code === 'race_not_started') {
        await org.cmd('race.start', { room: team.room, minutes: 5 });
        await org.cmd('race.end', { room: team.room });
      } else throw err;
    }
  }
  throw new Error(`team ${team.id} did not reach ${stepId}`);
}

async function openPage(context) {
  const page = await newPage(context ?? (await browser.newContext({ viewport: { width: 360, height: 640 }, hasTouch: true })));
  page.setDefaultTimeout(10000);
  return page;
}

async function join(page, team, name) {
  await joinAs(page, server.url, team, name);
  await page.locator('.js-step-title').waitFor();
}

async function atStep(page, id) {
  await waitUntil(page, (name) => document.querySelector('.js-step-title')?.textContent === name, stepName(id), `the step heading "${stepName(id)}"`);
}

/** A teammate on another phone, over WebSocket: joins with the code, then sends commands. */
async function wsMember(team, name) {
  const token = await new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl);
    ws.on('open', () => ws.send(JSON.stringify({ t: 'join', id: `j-${name}`, code: team.code, name })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.t === 'joined') {
        ws.close();
        resolve(m.token);
      } else if (m.t === 'err') reject(new Error(JSON.stringify(m)));
    });
    ws.on('error', reject);
  });
  return wsClient(server.wsUrl, token);
}

test('one canvas field saved by two people at once: the other text is shown next to yours to merge', async () => {
  const team = server.teams[0];
  const bram = await openPage();
  await join(bram, team, 'Bram');
  const anna = await wsMember(team, 'Anna');
  await advance(team, 'p1-vehicle');
  await atStep(bram, 'p1-vehicle');
  const field = bram.locator('.js-canvas-field[data-field="driver"]');
  // Bram types; before his pause ends (the field saves after 1.2 s), Anna saves the same field.
  await field.fill('De wethouder, zegt Bram');
  await anna.cmd('canvas.set', { canvas: 'vehicle', field: 'driver', text: 'De burger, zegt Anna', version: 0 });
  const merge = bram.locator('.js-canvas-field[data-field="driver"] ~ .js-canvas-merge');
  await merge.waitFor({ state: 'visible' });
  assert.equal((await bram.locator('.js-canvas-theirs').textContent()).trim(), 'De burger, zegt Anna', 'Anna’s text is shown next to Bram’s');
  assert.equal(await field.inputValue(), 'De wethouder, zegt Bram', 'Bram’s text stays in his field');
  const status = bram.locator('.js-canvas-field[data-field="driver"] ~ .sp-canvas__status');
  assert.equal(await status.getAttribute('data-state'), 'merge', 'the field says it needs merging, not "Bewaard"');
  await checkA11y(bram, 'the canvas with a merge box');
  // Bram puts both together: the server gets the merged text, nothing is lost.
  await merge.getByRole('button', { name: new RegExp(nl['team.canvas.joinBoth']) }).click();
  await waitUntil(bram, () => document.querySelector('.js-canvas-field[data-field="driver"] ~ .sp-canvas__status')?.dataset.state === 'saved', null, 'the merged text saved');
  const last = anna.events.filter((e) => e.type === 'canvas.updated' && e.data.field === 'driver').pop();
  assert.ok(last.data.text.includes('De wethouder, zegt Bram') && last.data.text.includes('De burger, zegt Anna'), `the saved text holds both: ${last.data.text}`);
  assert.equal(last.data.version, 2);
  assert.ok(await merge.isHidden(), 'the merge box is gone once settled');
  assert.deepEqual(bram.problems, []);
  anna.close();
});

test('a race idea the server refuses (no round runs) stays in the input with the reason', async () => {
  const team = server.teams.find((t) => t.room !== server.teams[0].room);
  const page = await openPage();
  await join(page, team, 'Cato');
  await advance(team, 'p3-race');
  await atStep(page, 'p3-race');
  const input = page.getByLabel(nl['team.race.label'], { exact: true });
  await input.fill('Een loket voor alle vragen');
  await input.press('Enter');
  const error = page.locator('#sp-race-idea-error');
  await error.waitFor({ state: 'visible' });
  assert.ok((await error.textContent()).includes(nl['error.race_not_running']), `the reason is shown: ${await error.textContent()}`);
  assert.equal(await input.inputValue(), 'Een loket voor alle vragen', 'the idea is still in the input');
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(page.problems, []);
});

test('a note written offline shows in your own list, marked as waiting, and arrives once', async () => {
  const team = server.teams[1];
  const { context, gate } = await gatedContext(browser);
  const page = await openPage(context);
  await join(page, team, 'Dirk');
  await advance(team, 'p1-dump');
  await atStep(page, 'p1-dump');
  gate.cut();
  await waitUntil(page, (text) => document.querySelector('.js-status-text')?.textContent !== text, nl['conn.online'], 'the page knows it is offline');
  const input = page.getByLabel(nl['team.brainstorm.label'], { exact: true });
  await input.fill('Geschreven in de trein');
  await input.press('Enter');
  const waiting = page.locator('.js-private-notes .js-note-waiting', { hasText: 'Geschreven in de trein' });
  await waiting.waitFor();
  assert.equal((await waiting.locator('.js-waiting-badge').textContent()).trim(), nl['team.note.waiting']);
  await checkA11y(page, 'a waiting note in your own list');
  gate.online = true;
  const real = page.locator('.js-private-notes .js-note:not(.js-note-waiting)', { hasText: 'Geschreven in de trein' });
  await real.waitFor({ timeout: 20000 });
  await waitUntil(page, () => document.querySelectorAll('.js-private-notes .js-note-waiting').length === 0, null, 'no waiting note left', 20000);
  assert.equal(await page.locator('.js-private-notes .js-note', { hasText: 'Geschreven in de trein' }).count(), 1, 'the note shows once');
});

test('the ballot of a vote has one order on every phone of the team', async () => {
  const team = server.teams.find((t) => t.room === server.teams[0].room && t.id !== server.teams[0].id) ?? server.teams[2];
  const anna = await openPage();
  const bram = await openPage();
  await join(anna, team, 'Anna');
  await join(bram, team, 'Bram');
  // Up to the race, then a round in which both write, turn by turn (round 1 is blind: each
  // phone holds its own ideas before the others').
  await advance(team, 'p2-statement');
  await org.cmd('step.next', { team: team.id });
  await atStep(anna, 'p3-race');
  await org.cmd('race.start', { room: team.room, minutes: 5 });
  const write = async (page, text) => {
    const input = page.getByLabel(nl['team.race.label'], { exact: true });
    await input.fill(text);
    await input.press('Enter');
    await page.locator('.js-race-mine .js-note', { hasText: text }).waitFor();
  };
  await write(anna, 'Anna één');
  await write(bram, 'Bram één');
  await write(anna, 'Anna twee');
  await write(bram, 'Bram twee');
  await org.cmd('race.end', { room: team.room });
  await org.cmd('step.next', { team: team.id });
  await atStep(anna, 'p3-vote');
  await atStep(bram, 'p3-vote');
  const order = (page) => page.locator('.js-option .sp-ballot__text').allTextContents();
  await waitUntil(anna, () => document.querySelectorAll('.js-option').length === 4, null, 'four options at Anna');
  await waitUntil(bram, () => document.querySelectorAll('.js-option').length === 4, null, 'four options at Bram');
  const a = await order(anna);
  const b = await order(bram);
  assert.deepEqual(a, b, 'both phones show the same order');
  assert.deepEqual(a, ['Anna één', 'Bram één', 'Anna twee', 'Bram twee'], 'the order in which the ideas were written');
});
