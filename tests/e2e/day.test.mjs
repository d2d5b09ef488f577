// day.test.mjs – the staff views at the size of the day, in a real browser against the real
// server: 45 teams (`serve --teams 36`), 15 in each room. A facilitator on a 1440×900 laptop sees
// every room control without scrolling, counts change without a refresh, and a peek shows a
// team's board live; a race start skips the team that is not at the race step and says why;
// the room's screen at 1920×1080 shows the step with its timer, all teams of the race
// leaderboard and a clear time-up state; a phone at 360 px keeps its timer in view while
// scrolling and signals the time-up. axe finds nothing on the console, the screen or the phone.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import nl from '../../web/js/i18n/nl.js';
import { checkA11y, launchBrowser, newPage, startServer, waitUntil, wsClient } from './lib.mjs';

let server;
let browser;
let org;
let r1;
const pages = [];
const socks = [];

/** A participant over a plain WebSocket: joins a team and sends commands. */
function member(code, name) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl);
    const waiting = new Map();
    let n = 0;
    const client = {
      cmd(cmd, args = {}) {
        const id = `m-${++n}`;
        return new Promise((ok, fail) => {
          waiting.set(id, { ok, fail });
          ws.send(JSON.stringify({ t: 'cmd', id, cmd, args }));
        });
      },
    };
    ws.on('open', () => ws.send(JSON.stringify({ t: 'join', id: `j-${name.replace(/\s/g, '-')}`, code, name })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.t === 'joined') resolve(client);
      else if (msg.t === 'ack' || msg.t === 'err') {
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (w && msg.t === 'ack') w.ok(msg);
        else if (w) w.fail(new Error(`${msg.code}: ${msg.en}`));
        else if (msg.t === 'err') reject(new Error(JSON.stringify(msg)));
      }
    });
    ws.on('error', reject);
    socks.push(ws);
  });
}

async function openPage(path, { width, height }) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await newPage(context);
  page.setDefaultTimeout(10000);
  pages.push(page);
  await page.goto(`${server.url}${path}`);
  return page;
}

function link(role, room) {
  const l = server.links.find((x) => x.role === role && (room === undefined || x.room === room));
  assert.ok(l, `a ${role} link`);
  return l.token;
}

/** Where team `id` is, from the organiser's events. */
function stepOf(id) {
  return org.events.filter((e) => e.type === 'step.changed' && e.data.team === id).at(-1)?.data.step ?? 'intro';
}

before(async () => {
  server = await startServer({ args: ['--teams', '36'] });
  browser = await launchBrowser();
  org = await wsClient(server.wsUrl, server.organiserToken);
  r1 = server.teams.filter((t) => t.room === 'r1');
});

after(async () => {
  for (const ws of socks) ws.close();
  org?.close();
  for (const page of pages) assert.deepEqual(page.problems, [], `no errors on ${page.url()}`);
  await browser?.close();
  await server?.stop();
});

test('a 45-team day: the console, the peek, the race start, the room screen and the phone', { timeout: 240000 }, async () => {
  assert.equal(server.teams.length, 45);
  assert.equal(r1.length, 15, '15 teams in room 1');
  const members = [];
  for (const [i, team] of r1.entries()) members.push(await member(team.code, `Lid ${i + 1}`));

  // The console on a laptop: every room control in view without scrolling.
  const fac = await openPage(`/#/f/${link('facilitator', 'r1')}`, { width: 1440, height: 900 });
  await waitUntil(fac, () => document.querySelectorAll('.js-team-row').length === 15, null, '15 teams on the console');
  const all = nl['console.room.all'];
  const controls = [
    fac.getByRole('button', { name: `${nl['console.room.next']}${all}`, exact: true }),
    fac.getByRole('button', { name: `${nl['console.room.start']}${all}`, exact: true }),
    fac.getByRole('button', { name: `${nl['console.room.pause']}${all}`, exact: true }),
    fac.getByRole('button', { name: `${nl['console.room.extend']}${all}`, exact: true }),
    fac.getByRole('button', { name: `${nl['console.room.reveal']}${all}`, exact: true }),
    fac.getByRole('button', { name: `${nl['console.race.start']}${all}`, exact: true }),
    fac.getByRole('button', { name: `${nl['console.race.end']}${all}`, exact: true }),
    fac.getByLabel(nl['console.message.label'], { exact: true }),
    fac.getByRole('button', { name: nl['console.message.send'], exact: true }),
    fac.getByLabel(nl['console.sound.label'], { exact: true }),
  ];
  assert.equal(await fac.evaluate(() => window.scrollY), 0);
  for (const c of controls) {
    const box = await c.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 900 && box.x + box.width <= 1440, `${await c.textContent() || await c.getAttribute('id')} is in view at 1440×900: ${JSON.stringify(box)}`);
  }
  await waitUntil(fac, () => [...document.querySelectorAll('.js-online')].every((el) => el.textContent === '1 van 1'), null, 'every member online');

  // To the private brainstorm; a phone at 360 px follows its team; the room's screen shows the step.
  const phone = await openPage('/', { width: 360, height: 640 });
  await phone.getByLabel(nl['join.code.label'], { exact: true }).fill(r1[0].code);
  await phone.getByLabel(nl['join.name.label'], { exact: true }).fill('Fien');
  await phone.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  await phone.locator('.js-timer-box').waitFor();
  const screen = await openPage(`/#/s/${link('screen')}/r1`, { width: 1920, height: 1080 });
  await screen.locator('.js-room-title', { hasText: 'Zaal 1' }).waitFor();
  await fac.getByRole('button', { name: `${nl['console.room.next']}${all}`, exact: true }).click();
  await screen.locator('.js-room-step', { hasText: 'Maak je hoofd leeg' }).waitFor();
  assert.match(await screen.locator('.js-room-step-label').textContent(), /^Stap 2 van \d+$/);

  // Counts without a refresh: private notes are counted on the console, never shown.
  await members[3].cmd('note.add', { text: 'Te veel losse systemen' });
  await members[3].cmd('note.add', { text: 'Niemand ziet het hele verhaal' });
  await waitUntil(fac, (id) => document.querySelector(`.js-team-row[data-team="${id}"] .js-note-private`)?.textContent === '(en 2 nog niet gedeeld)', r1[3].id, 'two private notes counted live');
  assert.equal(await fac.getByRole('button', { name: nl['console.counts.refresh'] }).count(), 0, 'no refresh button');
  assert.ok(!(await fac.content()).includes('Te veel losse systemen'), 'private text never reaches the console');

  // Peek: the shared board of a team, read-only and live.
  await fac.getByRole('button', { name: `${nl['console.room.next']}${all}`, exact: true }).click();
  await waitUntil(fac, (id) => document.querySelector(`.js-team-row[data-team="${id}"] .js-note-total`)?.textContent === '2', r1[3].id, 'the notes shared when the brainstorm ended');
  await fac.locator(`.js-team-row[data-team="${r1[3].id}"] .js-peek`).click();
  await fac.locator('.js-peek-board', { hasText: 'Niemand ziet het hele verhaal' }).waitFor();
  await members[3].cmd('note.add', { text: 'Elke gemeente bouwt zelf' });
  await fac.locator('.js-peek-board', { hasText: 'Elke gemeente bouwt zelf' }).waitFor();
  assert.equal(await fac.locator('.js-peek textarea, .js-peek input[type="text"]').count(), 0, 'the peek is read-only');
  await checkA11y(fac, 'the console of 15 teams with a peek open');

  // A one-minute timer for the room: its countdown on the screen, and later its time-up.
  await fac.locator('#sp-console-minutes').fill('1');
  await fac.getByRole('button', { name: `${nl['console.room.start']}${all}`, exact: true }).click();
  const started = Date.now();
  await waitUntil(screen, () => /^[01]:\d\d$/.test(document.querySelector('.js-room-timer')?.textContent ?? '') && document.querySelector('.js-room-timer').textContent !== '1:00', null, 'the room timer counts down on the screen');
  for (const sel of ['.js-room-step', '.js-room-timer']) {
    const box = await screen.locator(sel).boundingBox();
    assert.ok(box.y + box.height <= 1080 && box.height >= 60, `${sel} is large and in view at 1920×1080`);
  }

  // The phone: the timer stays in view at the top while scrolling, and signals the time-up.
  await phone.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  const top = await phone.locator('.js-timer-box').boundingBox();
  assert.ok(top.y >= -1 && top.y < 80, `the phone's timer stays at the top: ${JSON.stringify(top)}`);
  assert.ok(await phone.evaluate(() => window.scrollY > 0), 'the phone page did scroll');
  await waitUntil(phone, () => document.querySelector('.js-timer-box')?.classList.contains('sp-timer--up'), null, 'time-up on the phone', 80000 - (Date.now() - started));
  await phone.locator('.js-timer-up', { hasText: nl['team.timer.over'] }).waitFor();
  await waitUntil(screen, () => document.querySelector('.js-room-stage')?.classList.contains('sp-room__stage--up'), null, 'time-up on the screen', 10000);
  assert.equal(await screen.locator('.js-room-timer-state').textContent(), nl['screen.room.timeUp']);
  await checkA11y(phone, 'the phone at 360 px with the time up');

  // The race: all teams of the room to the race step but one, then a race start for the room.
  for (let guard = 0; guard < 30 && r1.some((t) => stepOf(t.id) !== 'p3-race'); guard++) {
    await org.cmd('step.next', { room: 'r1' }).catch(() => org.cmd('vote.reveal', { room: 'r1' }).catch(() => {}));
  }
  assert.ok(r1.every((t) => stepOf(t.id) === 'p3-race'), 'the room at the Idee Race');
  await org.cmd('step.back', { team: r1[14].id, step: 'p2-statement' }).catch(() => org.cmd('step.back', { team: r1[14].id, step: 'intro' }));
  await waitUntil(fac, (id) => !/Idee Race/.test(document.querySelector(`.js-team-row[data-team="${id}"] .js-team-step`)?.textContent ?? ''), r1[14].id, 'the last team back at an earlier step');
  await fac.getByRole('button', { name: `${nl['console.race.start']}${all}`, exact: true }).click();
  const why = `${r1[14].name} (${nl['console.rw.why.notAtRace']})`;
  await fac.locator('.js-console-skipped', { hasText: why }).waitFor();
  for (const i of [0, 5, 9]) await members[i].cmd('note.add', { text: `Idee van team ${i + 1}` });
  // The room's screen: the whole leaderboard of the 14 racing teams, all of them in view.
  await waitUntil(screen, () => document.querySelectorAll('.js-leaderboard li').length === 14, null, 'the 14 racing teams on the leaderboard');
  const rows = await screen.locator('.js-leaderboard li').evaluateAll((lis) => lis.map((li) => ({ team: li.dataset.team, hidden: li.hidden, bottom: li.getBoundingClientRect().bottom })));
  assert.ok(rows.every((r) => !r.hidden && r.bottom <= 1080), `every team of the leaderboard is in view: ${JSON.stringify(rows)}`);
  assert.ok(!rows.some((r) => r.team === r1[14].id), 'the team not at the race is not in it');
  await screen.locator('.js-room-step', { hasText: 'Idee Race' }).waitFor();
  await checkA11y(screen, 'the room screen during the race');
});
