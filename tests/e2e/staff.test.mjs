// staff.test.mjs – the facilitator console, the projector screen and the jury in a real browser
// against the real server: a facilitator steers the three teams of a room through a step (all
// at once, one team alone; room-wide commands that skip a team are reported with the team and
// the reason, one that fits no team is refused) and sends a message that participants see; a
// room-wide next leaves the team whose vote is hidden behind; the screen shows the Idee Race
// moving live; three jurors, added by the organiser, score six pitches in their own browsers
// with weights, a conflict of interest and a recusal (one juror sees her challenge first and
// filters); the chair locks, confirming the team no one scored; announces; the screen
// shows the winners, and a participant's page its pitch turn, the winners and its own place.
// axe (WCAG 2.0/2.1 A and AA) finds nothing on the console, the screen, the jury views, the
// organiser's jury section and the team page with the results.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import nl from '../../web/js/i18n/nl.js';
import { checkA11y, launchBrowser, newPage, startServer, waitUntil, wsClient } from './lib.mjs';
import { applyPresence, applyStaffEvent, createStaffState, ownTotal, pitchSequence } from '../../web/js/staff-state.js';
import { applyEvent, createState } from '../../web/js/state.js';
import { Emitter } from '../../web/js/emitter.js';
import { commandTracker, skipReason } from '../../web/js/views/staff/room-wide.js';
import { teamPitchOrder, teamPlace } from '../../web/js/views/team/results.js';

/** Fills the {placeholders} of a catalogue string (plural entries take their `other` form). */
function fill(entry, params = {}) {
  const text = typeof entry === 'object' ? (params.count === 1 ? entry.one : entry.other) : entry;
  return text.replace(/\{(\w+)\}/g, (m, k) => String(params[k] ?? m));
}

let server;
let browser;
let org;
const pages = [];
const members = [];
let r1Teams;
let r2Teams;
/** Dana's team page: a participant of room 1's second team, in a browser. */
let dana;

/**
 * A participant over a plain WebSocket: joins with a team code and sends commands.
 * @returns {Promise<{cmd: Function, events: object[], member: string, team: string, close: Function}>}
 */
function memberClient(code, name) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl);
    const waiting = new Map();
    const events = [];
    let n = 0;
    let me = null;
    const client = {
      events,
      cmd(cmd, args = {}) {
        const id = `m-${++n}`;
        return new Promise((ok, fail) => {
          waiting.set(id, { ok, fail });
          ws.send(JSON.stringify({ t: 'cmd', id, cmd, args }));
        });
      },
      close: () => ws.close(),
    };
    ws.on('open', () => ws.send(JSON.stringify({ t: 'join', id: `join-${name}`, code, name })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.t === 'joined') me = msg;
      else if (msg.t === 'synced' && me) resolve(Object.assign(client, { member: me.member, team: me.team }));
      else if (msg.t === 'ev') events.push(msg);
      else if (msg.t === 'ack' || msg.t === 'err') {
        const w = waiting.get(msg.id);
        if (w) {
          waiting.delete(msg.id);
          if (msg.t === 'ack') w.ok(msg);
          else w.fail(Object.assign(new Error(`${msg.code}: ${msg.en}`), { code: msg.code }));
        } else if (msg.t === 'err') reject(new Error(`refused: ${JSON.stringify(msg)}`));
      }
    });
    ws.on('error', reject);
  });
}

async function until(fn, what, timeout = 10000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out: ${what}`);
}

async function openPage(path, { width = 1280, height = 900, reducedMotion } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, reducedMotion });
  const page = await newPage(context);
  page.setDefaultTimeout(10000);
  pages.push(page);
  if (path) await page.goto(`${server.url}${path}`);
  return page;
}

function link(role, room) {
  const l = server.links.find((x) => x.role === role && (room === undefined || x.room === room));
  assert.ok(l, `a ${role} link`);
  return l.token;
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  org = await wsClient(server.wsUrl, server.organiserToken);
  r1Teams = server.teams.filter((x) => x.room === 'r1');
  r2Teams = server.teams.filter((x) => x.room === 'r2');
  assert.equal(r1Teams.length, 3, 'room r1 has three teams');
  assert.equal(r2Teams.length, 3, 'room r2 has three teams');
});

after(async () => {
  for (const m of members) m.close();
  org?.close();
  await browser?.close();
  await server?.stop();
  for (const page of pages) assert.deepEqual(page.problems, [], `the browser complained on ${page.url()}`);
});

test('the staff fold: jury rules, own marks, recusal, vote progress per team, pitch order, presence', () => {
  const st = createStaffState();
  let seq = 0;
  const ev = (type, data) => applyStaffEvent(st, { seq: ++seq, type, data });
  assert.equal(ev('note.added', { id: 'n1' }), false, 'other events are not ours');
  ev('jury.criteria', { criteria: [{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }] });
  ev('jury.tiebreak', { order: ['b'], normalise: true });
  assert.deepEqual(st.jury.tiebreak, { order: ['b'], normalise: true });
  ev('jury.criteria', { criteria: [{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }], scale: 5 });
  assert.equal(st.jury.tiebreak, null, 'new criteria clear the tie-break, as on the server');
  assert.equal(st.jury.scale, 5);
  assert.equal(ownTotal(st.jury, 't1'), null);
  ev('jury.scored', { juror: 'j1', team: 't1', criterion: 'a', score: 2 });
  ev('jury.scored', { juror: 'j1', team: 't1', criterion: 'b', score: 4 });
  assert.equal(ownTotal(st.jury, 't1'), (2 + 3 * 4) / 4, 'the weighted mean');
  ev('jury.scored', { juror: 'j1', team: 't1', criterion: 'a', score: 5 });
  assert.equal(ownTotal(st.jury, 't1'), (5 + 3 * 4) / 4, 'a later mark replaces the earlier one');
  ev('jury.recused', { juror: 'j1', team: 't1', recused: true });
  assert.ok(st.jury.recused.has('j1|t1'));
  ev('jury.recused', { juror: 'j1', team: 't1', recused: false });
  assert.ok(!st.jury.recused.has('j1|t1'));
  ev('jury.juror', { id: 'j1', name: 'Carla', organisation: 'X', chair: true });
  ev('jury.link', { juror: 'j1', name: 'Carla', chair: true, token: 'a' });
  ev('jury.link', { juror: 'j2', name: 'Joost', chair: true, token: 'b' });
  assert.equal(st.jury.links.get('j1').chair, false, 'one chair among the links');
  // The vote events name their team.
  assert.equal(ev('vote.progress', { team: 't2', step: 'p1-vote', done: ['m1'], members: 3 }), true);
  assert.deepEqual(st.voteProgress.get('t2|p1-vote'), { done: ['m1'], members: 3 });
  assert.equal(ev('vote.progress', { step: 'p1-vote', done: ['m9'], members: 3 }), false, 'a vote event without a team is not folded');
  ev('vote.revealed', { team: 't3', step: 'p1-vote', tally: [{ target: 'i1', count: 2 }], selected: [], tie: null });
  assert.ok(st.voteRevealed.has('t3|p1-vote'));
  assert.ok(!st.voteTies.has('t3|p1-vote'));
  ev('vote.revealed', { team: 't2', step: 'p2-vote', tally: [], selected: null, tie: { candidates: ['c1', 'c2'], places: 1 } });
  assert.ok(st.voteTies.has('t2|p2-vote'), 'a tie waits for the captain');
  ev('vote.decided', { team: 't2', step: 'p2-vote', selected: ['c1'] });
  assert.ok(!st.voteTies.has('t2|p2-vote'), 'and is settled by vote.decided');
  ev('pitch.order', { room: 'r2', teams: ['t5', 't4'] });
  ev('pitch.order', { room: null, teams: ['t2'] });
  assert.deepEqual(pitchSequence(st, ['t1', 't2', 't4', 't5'], ['r1', 'r2']), ['t2', 't5', 't4', 't1']);
  ev('room.message', { room: 'r1', text: 'Hallo' });
  assert.equal(st.messages.at(-1).text, 'Hallo');
  applyPresence(st, { t: 'presence', teams: { t1: ['m1'], t2: [] } });
  applyPresence(st, { t: 'presence', teams: { t2: ['m2'] } });
  assert.deepEqual([...st.presence.entries()], [['t1', ['m1']], ['t2', ['m2']]], 'a frame lists only the teams that changed');
});

test('the team’s pitch turn and place, why a room-wide command skips a team, and which teams it changed', async () => {
  const st = createStaffState();
  const state = createState();
  let seq = 0;
  const fold = (type, data) => {
    const ev = { seq: ++seq, type, data };
    applyEvent(state, ev);
    applyStaffEvent(st, ev);
  };
  for (const [id, room] of [['t1', 'r1'], ['t2', 'r1'], ['t3', 'r2']]) fold('team.created', { id, name: `Team ${id}`, room });
  assert.equal(teamPitchOrder(st, state, 't1'), null, 'nothing published yet');
  fold('pitch.order', { room: 'r1', teams: ['t2', 't1'] });
  assert.deepEqual(teamPitchOrder(st, state, 't1'), ['t2', 't1'], 'the room order');
  assert.equal(teamPitchOrder(st, state, 't3'), null, 'another room has none');
  fold('pitch.order', { room: null, teams: ['t3', 't9', 't1', 't2'] });
  assert.deepEqual(teamPitchOrder(st, state, 't1'), ['t3', 't1', 't2'], 'the overall order wins; unknown teams are left out');

  const results = {
    teams: [{ team: 't3', rank: 1 }, { team: 't1', rank: 2, tied: true }, { team: 't2', rank: 2, tied: true }, { team: 't4', rank: 0 }],
    winners: { overall: ['t3'], challenges: [{ challenge: 'c1', teams: ['t1', 't2'], tied: true }] },
  };
  assert.deepEqual(teamPlace(results, 't1'), { rank: 2, total: 3, tied: true, won: false, challengeWon: true });
  assert.deepEqual(teamPlace(results, 't3'), { rank: 1, total: 3, tied: false, won: true, challengeWon: false });
  assert.equal(teamPlace(results, 't4').rank, 0, 'an unscored team has no place');
  assert.equal(teamPlace(results, 't7'), null);

  fold('playbook.set', { phases: [{ id: 'p', steps: [{ id: 's1', activity: 'intro' }, { id: 's2', activity: 'vote', params: { select: 1 } }, { id: 's3', activity: 'canvas' }] }] });
  fold('step.changed', { team: 't1', step: 's2', index: 1 });
  fold('step.changed', { team: 't2', step: 's2', index: 1 });
  fold('step.changed', { team: 't3', step: 's3', index: 2 });
  assert.equal(skipReason(state, st, 'step.next', 't1'), 'voteHidden');
  fold('vote.revealed', { team: 't1', step: 's2', tally: [], selected: null, tie: { candidates: ['a', 'b'], places: 1 } });
  assert.equal(skipReason(state, st, 'step.next', 't1'), 'tie');
  assert.equal(skipReason(state, st, 'vote.reveal', 't1'), 'revealed');
  assert.equal(skipReason(state, st, 'vote.reveal', 't3'), 'noVote');
  assert.equal(skipReason(state, st, 'step.next', 't3'), 'lastStep');
  assert.equal(skipReason(state, st, 'step.back', 't1', { step: 's3' }), 'notEarlier');
  assert.equal(skipReason(state, st, 'timer.pause', 't1'), 'timerNotRunning');
  fold('timer.changed', { team: 't1', step: 's2', state: 'running', duration_ms: 60000, ends_at: 1 });
  assert.equal(skipReason(state, st, 'timer.start', 't1'), 'timerBusy');
  assert.equal(skipReason(state, st, 'timer.resume', 't1'), 'timerNotPaused');
  assert.equal(skipReason(state, st, 'timer.extend', 't2'), 'timerNotStarted');

  // The ack (seq 12) overtakes its events: the tracker waits for them, and counts only the
  // events of the command's type after the mark.
  const conn = Object.assign(new Emitter(), { lastSeq: 9 });
  const tracker = commandTracker(conn);
  const deliver = (seq, type, team) => {
    conn.lastSeq = seq;
    conn.emit('event', { seq, type, data: { team } });
  };
  deliver(9, 'step.changed', 't3');
  const from = tracker.mark();
  const changed = tracker.teamsChanged('step.changed', from, 12);
  deliver(10, 'step.changed', 't1');
  deliver(11, 'note.shared', 't2');
  deliver(12, 'step.changed', 't2');
  assert.deepEqual([...(await changed)].sort(), ['t1', 't2']);
  assert.deepEqual([...(await tracker.teamsChanged('step.changed', from, 12))].sort(), ['t1', 't2'], 'already arrived: at once');
  tracker.stop();
});

test('a facilitator steers the three teams of a room through a step, and a message reaches the teams', async () => {
  // One member per team of room 1; Anna works at the municipality a juror will come from.
  const names = ['Anna', 'Bram', 'Cato'];
  for (const [i, team] of r1Teams.entries()) members.push(await memberClient(team.code, names[i]));
  await members[0].cmd('profile.set', { organisation: 'Gemeente Utrecht', role: 'adviseur', motivation: '' });

  // A participant in a browser, to see the facilitator's message on their own page.
  dana = await openPage('/');
  await dana.getByLabel(nl['join.code.label'], { exact: true }).fill(r1Teams[1].code);
  await dana.getByLabel(nl['join.name.label'], { exact: true }).fill('Dana');
  await dana.getByRole('button', { name: nl['join.submit'], exact: true }).click();
  await dana.locator('h1').first().waitFor();

  const fac = await openPage(`/#/f/${link('facilitator', 'r1')}`);
  await fac.getByRole('heading', { level: 1, name: /Zaal 1/ }).waitFor();
  await waitUntil(fac, () => document.querySelectorAll('.js-team-row').length === 3, null, 'three teams on the console');
  // Presence: every member is connected (team 2 has Bram and Dana).
  for (const [i, team] of r1Teams.entries()) {
    const total = i === 1 ? 2 : 1;
    await waitUntil(fac, ([id, text]) => document.querySelector(`.js-team-row[data-team="${id}"] .js-online`)?.textContent === text, [team.id, fill(nl['console.team.onlineValue'], { online: total, total })], `${team.name} online on the console`);
  }
  await checkA11y(fac, 'the facilitator console');

  // All teams at once: the next step (the private brainstorm), and its timer of 5 minutes.
  await fac.getByRole('button', { name: `${nl['console.room.next']}${nl['console.room.all']}`, exact: true }).click();
  await waitUntil(fac, (id) => /Maak je hoofd leeg$/.test(document.querySelector(`.js-team-row[data-team="${id}"] .js-team-step`)?.textContent ?? ''), r1Teams[0].id, 'the first team at the brainstorm');
  const stepText = await fac.locator(`.js-team-row[data-team="${r1Teams[0].id}"] .js-team-step`).textContent();
  assert.match(stepText, /^2 van \d+: Maak je hoofd leeg$/, 'the console names the step from the playbook');
  for (const team of r1Teams) {
    await waitUntil(fac, ([id, text]) => document.querySelector(`.js-team-row[data-team="${id}"] .js-team-step`)?.textContent === text, [team.id, stepText], `${team.name} at the brainstorm`);
  }
  await fac.getByRole('button', { name: `${nl['console.room.start']}${nl['console.room.all']}`, exact: true }).click();
  for (const team of r1Teams) {
    await waitUntil(fac, (id) => /^nog [45]:\d\d$/.test(document.querySelector(`.js-team-row[data-team="${id}"] .js-timer`)?.textContent ?? ''), team.id, `${team.name}'s timer counting down on the console`);
  }
  for (const m of members) await until(() => m.events.some((e) => e.type === 'timer.changed' && e.data.state === 'running'), 'the member hears the timer start');

  // Private notes are counted, never shown; the counts arrive by themselves (no refresh).
  await members[0].cmd('note.add', { text: 'Te veel losse systemen' });
  await members[0].cmd('note.add', { text: 'Gegevens steeds opnieuw invullen' });
  assert.equal(await fac.getByRole('button', { name: nl['console.counts.refresh'] }).count(), 0, 'no refresh button');
  await waitUntil(fac, ([id, text]) => document.querySelector(`.js-team-row[data-team="${id}"] .js-note-private`)?.textContent === text, [r1Teams[0].id, fill(nl['console.team.private'], { count: 2 })], 'two private notes counted, not shown');
  assert.equal(await fac.locator(`.js-team-row[data-team="${r1Teams[0].id}"] .js-note-total`).textContent(), '0');

  // One team alone: pause Team Wielwinkel. A room-wide pause then pauses the two others and
  // skips it; the console names the team it skipped and why.
  const first = fac.locator(`.js-team-row[data-team="${r1Teams[0].id}"]`);
  const timerOf = (i) => fac.locator(`.js-team-row[data-team="${r1Teams[i].id}"] .js-timer`).textContent();
  await first.getByRole('button', { name: `${nl['console.team.pause']}${fill(nl['console.team.for'], { team: r1Teams[0].name })}` }).click();
  await waitUntil(fac, (id) => /^gepauzeerd, nog/.test(document.querySelector(`.js-team-row[data-team="${id}"] .js-timer`)?.textContent ?? ''), r1Teams[0].id, 'the first team paused');
  const pausedAt = await timerOf(0);
  await fac.getByRole('button', { name: `${nl['console.room.pause']}${nl['console.room.all']}`, exact: true }).click();
  const why = (i, reason) => fill(nl['console.rw.why'], { team: r1Teams[i].name, reason: nl[`console.rw.why.${reason}`] });
  await fac.locator('.js-console-skipped', { hasText: fill(nl['console.rw.skipped'], { list: why(0, 'timerNotRunning') }) }).waitFor();
  assert.equal(await fac.locator('.js-console-changed').textContent(), fill(nl['console.rw.done'], { names: `${r1Teams[1].name}, ${r1Teams[2].name}` }), 'the console names the teams it paused');
  for (const i of [1, 2]) await waitUntil(fac, (id) => /^gepauzeerd, nog/.test(document.querySelector(`.js-team-row[data-team="${id}"] .js-timer`)?.textContent ?? ''), r1Teams[i].id, `team ${i + 1} paused by the room-wide pause`);
  assert.equal(await timerOf(0), pausedAt, 'the skipped team keeps its own pause');
  assert.equal(await fac.locator('.js-console-error').textContent(), '', 'a partly applied command is no error');
  await checkA11y(fac, 'the console with a room-wide report');
  // Now all three are paused: a room-wide resume fits every team and reports no skip.
  await fac.getByRole('button', { name: `${nl['console.room.resume']}${nl['console.room.all']}`, exact: true }).click();
  for (const i of [0, 1, 2]) await waitUntil(fac, (id) => /^nog /.test(document.querySelector(`.js-team-row[data-team="${id}"] .js-timer`)?.textContent ?? ''), r1Teams[i].id, `team ${i + 1} running again`);
  assert.equal(await fac.locator('.js-console-skipped').count(), 0, 'nothing skipped');
  // A room-wide resume now fits no team: refused, with each team's reason.
  await fac.getByRole('button', { name: `${nl['console.room.resume']}${nl['console.room.all']}`, exact: true }).click();
  await fac.locator('.js-console-error', { hasText: 'Er is niets veranderd' }).waitFor();
  assert.equal(await fac.locator('.js-console-blockers').textContent(), fill(nl['console.rw.reasons'], { list: [0, 1, 2].map((i) => why(i, 'timerNotPaused')).join(', ') }));
  await checkA11y(fac, 'the console with an error');

  // The step is done: all teams to clustering; the private notes are shared and counted.
  await fac.getByRole('button', { name: `${nl['console.room.next']}${nl['console.room.all']}`, exact: true }).click();
  await waitUntil(fac, (id) => document.querySelector(`.js-team-row[data-team="${id}"] .js-note-total`)?.textContent === '2', r1Teams[0].id, 'two shared notes after the brainstorm');
  assert.match(await first.locator('.js-team-step').textContent(), /: Clusters maken$/);

  // A short message to all teams: the participants see it at the top of their page.
  const text = 'Nog vijf minuten, rond jullie clusters af';
  await fac.getByLabel(nl['console.message.label'], { exact: true }).fill(text);
  await fac.getByRole('button', { name: nl['console.message.send'], exact: true }).click();
  await dana.locator('.js-room-message', { hasText: text }).waitFor();
  await fac.locator('.js-sent li', { hasText: text }).waitFor();
  await until(() => members[2].events.some((e) => e.type === 'room.message' && e.data.text === text), 'a member of another team of the room hears the message');
  await checkA11y(dana, 'the team page with the facilitator’s message');

  // The pitch order of the room: Team Bron moves up one place, then the order is published.
  await fac.getByRole('button', { name: `${nl['console.pitch.up']}${fill(nl['console.team.for'], { team: r1Teams[2].name })}` }).click();
  await fac.getByText(nl['console.pitch.changed']).waitFor();
  await fac.getByRole('button', { name: nl['console.pitch.publish'], exact: true }).click();
  await fac.getByText(nl['console.pitch.published']).waitFor();
  await until(() => org.events.some((e) => e.type === 'pitch.order' && e.data.room === 'r1' && e.data.teams.join() === [r1Teams[0].id, r1Teams[2].id, r1Teams[1].id].join()), 'the room’s pitch order published');
  // Dana's team pitches last of the room: her page says so, and says it out loud once.
  await dana.locator('.js-team-pitch-turn', { hasText: fill(nl['results.team.pitchTurn'], { n: 3, total: 3 }) }).waitFor();
  assert.equal(await dana.locator('.js-team-pitch-order li[aria-current="true"]').getAttribute('data-team'), r1Teams[1].id, 'her own team is marked in the order');
  assert.deepEqual(await dana.locator('.js-team-pitch-order li').evaluateAll((lis) => lis.map((li) => li.dataset.team)), [r1Teams[0].id, r1Teams[2].id, r1Teams[1].id]);
  await dana.locator('.js-team-live', { hasText: nl['results.team.pitchAnnounced'] }).waitFor({ state: 'attached' });
  assert.equal(await dana.locator('.js-team-place').count(), 0, 'no results before the announcement');
  await checkA11y(fac, 'the console after a message and a pitch order');
  await dana.getByRole('button', { name: nl['banner.close'], exact: true }).click();
  await dana.locator('.js-room-message').waitFor({ state: 'hidden' });
});

test('a room-wide next moves the teams whose vote is shown and names the team it skipped', async () => {
  const fac = pages.find((p) => p.url().includes('/#/f/'));
  const stepIs = (i, n) => waitUntil(fac, ([id, re]) => new RegExp(re).test(document.querySelector(`.js-team-row[data-team="${id}"] .js-team-step`)?.textContent ?? ''), [r1Teams[i].id, `^${n} van `], `team ${i + 1} at step ${n}`);
  const stepNow = (i) => fac.locator(`.js-team-row[data-team="${r1Teams[i].id}"] .js-team-step`).textContent();
  // From the clusters (step 3) to the knelpunten and on to the vote on them (step 5).
  for (const n of [4, 5]) {
    await fac.getByRole('button', { name: `${nl['console.room.next']}${nl['console.room.all']}`, exact: true }).click();
    for (const i of [0, 1, 2]) await stepIs(i, n);
  }
  assert.match(await stepNow(0), /^5 van \d+: /);
  // The votes of teams 2 and 3 are shown; team 1's votes are not.
  for (const i of [1, 2]) {
    const row = fac.locator(`.js-team-row[data-team="${r1Teams[i].id}"]`);
    await row.getByRole('button', { name: `${nl['console.team.reveal']}${fill(nl['console.team.for'], { team: r1Teams[i].name })}` }).click();
    await row.locator('.js-vote', { hasText: nl['console.team.voteRevealed'] }).waitFor();
  }
  const before = members[0].events.filter((e) => e.type === 'step.changed').length;
  await fac.getByRole('button', { name: `${nl['console.room.next']}${nl['console.room.all']}`, exact: true }).click();
  for (const i of [1, 2]) await stepIs(i, 6);
  const why = fill(nl['console.rw.why'], { team: r1Teams[0].name, reason: nl['console.rw.why.voteHidden'] });
  await fac.locator('.js-console-skipped', { hasText: fill(nl['console.rw.skipped'], { list: why }) }).waitFor();
  assert.equal(await fac.locator('.js-console-changed').textContent(), fill(nl['console.rw.done'], { names: `${r1Teams[1].name}, ${r1Teams[2].name}` }));
  assert.match(await stepNow(0), /^5 van /, 'the skipped team stays at its vote');
  assert.equal(members[0].events.filter((e) => e.type === 'step.changed').length, before, 'its member heard of no step change');
  await until(() => members[1].events.some((e) => e.type === 'step.changed' && e.data.index === 5), 'a member of a moved team hears of its new step');
  await checkA11y(fac, 'the console after a room-wide next that skipped a team');
});

/** Moves the teams of a room step by step to `target` as the organiser, revealing votes on the way. */
async function walkRoom(room, target, onStep = async () => {}) {
  for (let guard = 0; guard < 30; guard++) {
    const at = [...org.events].reverse().find((e) => e.type === 'step.changed' && e.data.team === r2Teams[0].id)?.data.step;
    if (at === target) return;
    await onStep(at);
    let ack;
    try {
      ack = await org.cmd('step.next', { room });
    } catch (err) {
      if (!/vote_not_revealed/.test(err.message)) throw err;
      ack = await org.cmd('vote.reveal', { room });
    }
    // The ack may overtake the events: read the step only once they are in.
    await until(() => org.events.some((e) => e.seq >= ack.seq), 'the events of the command');
  }
  throw new Error(`room ${room} did not reach ${target}`);
}

test('the screen shows the Idee Race moving live and the pitch order', async () => {
  const screen = await openPage(`/#/s/${link('screen')}`, { width: 1920, height: 1080 });
  await screen.getByRole('heading', { level: 2, name: nl['screen.now'] }).waitFor();

  // Room 2's teams, with one member each, walk to the race; the organiser starts a short round.
  const r2 = [];
  for (const [i, team] of r2Teams.entries()) r2.push(await memberClient(team.code, ['Eva', 'Fenna', 'Gijs'][i]));
  members.push(...r2);
  await walkRoom('r2', 'p3-race');
  await org.cmd('race.start', { room: 'r2', minutes: 0.1 });
  await screen.locator('.js-leaderboard[data-room="r2"]').waitFor();
  await screen.locator('.js-big-label', { hasText: 'Idee Race, ronde 1 van 2' }).waitFor();
  await r2[1].cmd('note.add', { text: 'Bouw in kleine stappen' });
  await r2[1].cmd('note.add', { text: 'Betaal per opgeleverde functie' });
  await r2[0].cmd('note.add', { text: 'Een vast team van de overheid' });
  // The team with two ideas moves to the top while the round runs.
  await waitUntil(screen, (id) => document.querySelector('.js-leaderboard[data-room="r2"] li')?.dataset.team === id, r2Teams[1].id, 'the leading team on top of the leaderboard');
  await waitUntil(screen, () => document.querySelector('.js-leaderboard[data-room="r2"] li .js-race-count')?.textContent === '2 ideeën', null, 'its live count');
  await checkA11y(screen, 'the screen during the Idee Race');
  await until(() => org.events.some((e) => e.type === 'race.leaderboard' && e.data.room === 'r2'), 'the end of round 1', 15000);

  // On to the pitch, where two teams write their pitch canvas and plan.
  await walkRoom('r2', 'p4-pitch', async (at) => {
    if (at === 'p3-race') {
      // The race step is left between rounds: play round 2 to its end first.
      if (!org.events.some((e) => e.type === 'race.won' && e.data.room === 'r2') && !org.events.some((e) => e.type === 'race.leaderboard' && e.data.room === 'r2' && e.data.round === 2)) {
        await org.cmd('race.start', { room: 'r2', minutes: 0.1 });
        await r2[2].cmd('note.add', { text: 'Een proeftuin met drie leveranciers' });
        await until(() => org.events.some((e) => e.type === 'race.leaderboard' && e.data.room === 'r2' && e.data.round === 2), 'the end of round 2', 15000);
      }
    }
  });
  await r2[0].cmd('canvas.set', { canvas: 'pitch', field: 'idea', text: 'Een vast ontwikkelteam dat samen met de markt bouwt' });
  await r2[0].cmd('canvas.set', { canvas: 'pitch', field: 'problem', text: 'Aanbestedingen leveren niet wat nodig is' });
  await r2[1].cmd('canvas.set', { canvas: 'pitch', field: 'idea', text: 'Betalen per werkende functie' });

  const order = [...r2Teams, ...r1Teams].map((x) => x.id);
  await org.cmd('pitch.order.set', { teams: order });
  await waitUntil(screen, (n) => document.querySelectorAll('.js-pitch-order li').length === n, order.length, 'the pitch order on the screen');
  assert.equal(await screen.locator('.js-pitch-order li').first().textContent(), r2Teams[0].name);
  // The overall order replaces the room's on the team page.
  await dana.locator('.js-team-pitch-turn', { hasText: fill(nl['results.team.pitchTurn'], { n: order.indexOf(r1Teams[1].id) + 1, total: order.length }) }).waitFor();
  assert.equal(await screen.locator('.js-winners').isHidden(), true, 'no winners before the announcement');
});

test('three jurors score six pitches, the chair announces, and the screen shows the winners', async () => {
  // Criteria with weights (the pitch counts double), set by the organiser before scoring.
  await org.cmd('jury.criteria.set', {
    criteria: [
      { id: 'problem', name: { nl: 'Probleem en impact', en: 'Problem and impact' }, weight: 1 },
      { id: 'idea', name: { nl: 'Concreet idee', en: 'Concrete idea' }, weight: 1 },
      { id: 'pitch', name: { nl: 'Pitch', en: 'Pitch' }, weight: 2 },
    ],
  });

  // The organiser adds three jurors in the browser and hands out their personal links.
  const organiser = await openPage(`/#/o/${server.organiserToken}`);
  await organiser.getByRole('heading', { level: 2, name: nl['juryAdmin.title'] }).waitFor();
  // Noor judges the third challenge first.
  const jurors = [['Carla', 'Gemeente Utrecht', true], ['Joost', 'AcICT', false], ['Noor', 'Rijksoverheid', false, 'c3']];
  for (const [name, organisation, chair, challenge] of jurors) {
    await organiser.getByLabel(nl['juryAdmin.name'], { exact: true }).fill(name);
    await organiser.getByLabel(nl['juryAdmin.organisation'], { exact: true }).fill(organisation);
    if (chair) await organiser.getByLabel(nl['juryAdmin.chair'], { exact: true }).check();
    if (challenge) await organiser.getByLabel(nl['juryAdmin.challenge'], { exact: true }).selectOption(challenge);
    await organiser.getByRole('button', { name: nl['juryAdmin.add'], exact: true }).click();
    await organiser.locator('.js-juror-link', { hasText: /#\/j\// }).nth(jurors.findIndex((j) => j[0] === name)).waitFor();
  }
  const urls = await organiser.locator('.js-juror-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.equal(urls.length, 3);
  await checkA11y(organiser, 'the organiser view with the jury');

  const screen = pages.find((p) => p.url().includes('/#/s/'));
  const jp = [];
  for (const url of urls) {
    const page = await openPage(null);
    await page.goto(url);
    jp.push(page);
  }
  const [chair, joost, noor] = jp;
  await chair.locator('.js-jury-who', { hasText: fill(nl['jury.who.chair'], { name: 'Carla' }) }).waitFor();
  await chair.getByRole('button', { name: nl['jury.chair.open'], exact: true }).click();
  for (const page of jp) await page.locator('.js-jury-phase', { hasText: nl['jury.phase.open'] }).waitFor();

  // Dossiers in pitch order: the first pitch is room 2's first team, with its pitch canvas.
  const six = [...r2Teams, ...r1Teams];
  await waitUntil(joost, (id) => document.querySelector('.js-jury-team')?.dataset.team === id, six[0].id, 'the first pitch selected');
  await joost.locator('.js-jury-team', { hasText: 'Een vast ontwikkelteam dat samen met de markt bouwt' }).waitFor();
  await joost.getByLabel('Pitch (weging 2)', { exact: true }).waitFor();
  // Noor sees the teams of her challenge first, and can filter by challenge.
  const r3Teams = server.teams.filter((x) => x.room === 'r3');
  await waitUntil(noor, (ids) => ids.includes(document.querySelector('.js-pitch')?.dataset.team), r3Teams.map((x) => x.id), 'her challenge first');
  await noor.locator('.js-jury-filter').selectOption('c1');
  await waitUntil(noor, (ids) => [...document.querySelectorAll('.js-pitch')].map((b) => b.dataset.team).join() === ids.join(), r1Teams.map((x) => x.id), 'only the first challenge');
  await noor.locator('.js-jury-filter').selectOption('');
  await checkA11y(joost, 'the juror’s scoring page');

  // Carla works where Anna works: a conflict of interest on Anna's team; she recuses.
  await chair.locator('.js-pitch', { hasText: r1Teams[0].name }).click();
  await chair.locator('.js-conflict', { hasText: 'Gemeente Utrecht' }).waitFor();
  await chair.getByRole('button', { name: `${nl['jury.recuse.do']}${fill(nl['jury.for'], { team: r1Teams[0].name })}` }).click();
  await chair.getByText(nl['jury.recused']).waitFor();

  // Marks per team (problem, idea, pitch). Room 2's first team is best; Noor disagrees
  // strongly about the second one.
  const marks = {
    [six[0].id]: [9, 9, 9],
    [six[1].id]: [8, 8, 8],
    [six[2].id]: [6, 6, 6],
    [six[3].id]: [7, 7, 7],
    [six[4].id]: [5, 5, 5],
    [six[5].id]: [4, 4, 4],
  };
  const crits = ['problem', 'idea', 'pitch'];
  async function score(page, juror, team, values) {
    await page.locator(`.js-pitch[data-team="${team}"]`).click();
    await waitUntil(page, (id) => document.querySelector('.js-jury-team')?.dataset.team === id, team, `${juror} on ${team}`);
    for (const [k, crit] of crits.entries()) {
      await page.locator(`.js-score[data-criterion="${crit}"]`).selectOption(String(values[k]));
    }
    await waitUntil(page, (n) => document.querySelector(`.js-pitch[data-team="${document.querySelector('.js-jury-team').dataset.team}"]`)?.textContent.includes(`${n} van ${n} beoordeeld`), crits.length, `${juror}'s marks for ${team} acknowledged`);
  }
  await Promise.all([
    (async () => {
      for (const team of six) if (team.id !== r1Teams[0].id) await score(chair, 'Carla', team.id, marks[team.id]);
    })(),
    (async () => {
      for (const team of six) await score(joost, 'Joost', team.id, marks[team.id]);
      await joost.locator(`.js-pitch[data-team="${six[1].id}"]`).click();
      await joost.getByLabel(nl['jury.note.label'], { exact: true }).fill('Sterk verhaal, kosten nog vaag');
      await joost.getByRole('button', { name: new RegExp(`^${nl['jury.note.save']}`) }).click();
    })(),
    (async () => {
      for (const team of six) await score(noor, 'Noor', team.id, team.id === six[1].id ? [2, 2, 2] : marks[team.id]);
    })(),
  ]);

  // The chair sees how far everyone is (never the marks); the screen still shows no winner.
  await waitUntil(chair, () => document.querySelectorAll('.js-progress').length === 3 && [...document.querySelectorAll('.js-progress')].every((el) => /^6 van/.test(el.textContent) || /^5 van/.test(el.textContent)), null, 'progress of all three jurors');
  assert.equal(await screen.locator('.js-winners').isHidden(), true);
  assert.ok(!members[0].events.some((e) => e.type === 'jury.results' || e.type === 'jury.scored'), 'no participant heard any score');

  // A team of the third challenge took part after all and nobody scored it: the chair is asked
  // before locking, with the teams named.
  const late = await memberClient(r3Teams[0].code, 'Laatkomer');
  await chair.getByRole('button', { name: nl['jury.chair.lock'], exact: true }).click();
  await chair.locator('.js-lock-confirm', { hasText: r3Teams[0].name }).waitFor();
  assert.equal(await chair.locator('.js-jury-phase').textContent(), nl['jury.phase.open'], 'not locked without confirmation');
  await chair.getByRole('button', { name: nl['jury.chair.lockAnyway'], exact: true }).click();
  await chair.locator('.js-jury-phase', { hasText: nl['jury.phase.locked'] }).waitFor();
  late.close();
  await chair.getByRole('button', { name: nl['jury.chair.announce'], exact: true }).click();
  await chair.getByRole('button', { name: nl['jury.chair.announceYes'], exact: true }).click();

  // The screen reveals the winners: overall and per challenge.
  await screen.locator('.js-winner-overall', { hasText: six[0].name }).waitFor();
  await screen.locator(`.js-winner-challenge[data-challenge="c1"]`, { hasText: r1Teams[0].name }).waitFor();
  await screen.locator(`.js-winner-challenge[data-challenge="c2"]`, { hasText: six[0].name }).waitFor();
  // axe judges colours once the reveal has played (mid-fade, text is still translucent).
  // (An animation cancelled by a redraw rejects `finished`: it has stopped all the same.)
  await screen.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))));
  await checkA11y(screen, 'the screen with the winners');
  // A projector set to reduce motion shows the winners at once, without animation.
  const still = await openPage(`/#/s/${link('screen')}`, { width: 1920, height: 1080, reducedMotion: 'reduce' });
  await still.locator('.js-winner-overall', { hasText: six[0].name }).waitFor();
  // (The app's global reduced-motion rule leaves 0.01 ms stubs of any transition: not motion.)
  assert.equal(await still.evaluate(() => document.querySelector('.js-winners').getAnimations({ subtree: true }).filter((a) => Number(a.effect.getTiming().duration) > 1).length), 0, 'no reveal animation with reduced motion');
  assert.ok(await screen.evaluate(() => getComputedStyle(document.querySelector('.js-winner-overall').parentElement).animationName !== 'none'), 'the reveal is animated otherwise');

  // Everyone on the jury sees the results: the disagreement is flagged.
  await noor.locator('.js-results-overall', { hasText: six[0].name }).waitFor();
  const flags = await noor.locator(`.js-results-table tr[data-team="${six[1].id}"] .js-results-flags`).textContent();
  assert.match(flags, new RegExp(nl['results.flag.disagree']));
  await checkA11y(chair, 'the chair’s page with the results');
  await organiser.locator('.js-results-overall', { hasText: six[0].name }).waitFor();

  // Dana's team page: the winners, her own team's place, announced in the live region.
  const results = org.events.find((e) => e.type === 'jury.results').data;
  const own = results.teams.find((r) => r.team === r1Teams[1].id);
  assert.ok(own.rank > 0, 'her team was scored');
  const place = fill(nl['results.team.place'], { rank: own.rank, total: results.teams.filter((r) => r.rank > 0).length });
  await dana.locator('.js-team-place', { hasText: place }).waitFor();
  await dana.locator('.js-team-results .js-results-overall', { hasText: six[0].name }).waitFor();
  assert.ok(await dana.locator('.js-team-results .sp-results__winner', { hasText: r1Teams[0].name }).count() > 0, 'the winner of her challenge is named');
  await dana.locator('.js-team-live', { hasText: nl['results.team.announced'] }).waitFor({ state: 'attached' });
  assert.ok((await dana.locator('.js-team-live').textContent()).includes(place), 'the announcement says her place');
  // By default a participant gets the winners and her own place, not the table.
  assert.equal(await dana.locator('.js-results-table, .js-team-table').count(), 0, 'no ranking table on her phone');
  await checkA11y(dana, 'the team page with the results');
  // After a reload the results are still there, without being announced again.
  await dana.reload();
  await dana.locator('.js-team-place', { hasText: place }).waitFor();
  assert.equal(await dana.locator('.js-team-live').textContent(), '', 'catching up is no news');
  // The organiser publishes the full ranking: now her phone shows it, as a list for a phone.
  await organiser.locator('.js-publish-level').selectOption('full');
  await organiser.locator('.js-publish-apply').click();
  await waitUntil(dana, (n) => document.querySelectorAll('.js-team-table li').length === n, results.teams.filter((r) => r.rank > 0).length, 'the published ranking on her phone');
  assert.equal(await dana.locator(`.js-team-table li[aria-current="true"]`).getAttribute('data-team'), r1Teams[1].id);
});
