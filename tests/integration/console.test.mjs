// The facilitator console's live data with the real server: counts are pushed to the staff
// of the room without a refresh and never reach a member (issue 16, problem 8: a member
// must not learn the team's dot total before the reveal); the facilitator learns how many
// dots were placed, never on what; another room's facilitator hears nothing of the team.
// Room statuses reach screens; a race start skips teams that are not at the race step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { member, organiser, startServer } from './lib.mjs';

async function linkClient(server, token) {
  const c = await server.client();
  const h = await c.hello(token, 0);
  assert.ok(!h.err, `hello refused: ${JSON.stringify(h.err)}`);
  return c;
}

function ok(reply, what) {
  assert.equal(reply.t, 'ack', `${what}: ${JSON.stringify(reply)}`);
}

const countsOf = (msgs, team) => msgs.filter((m) => m.t === 'counts' && m.teams?.[team]).map((m) => m.teams[team]);

test('counts are pushed to the room staff, never to members, and hide what dots are on', async (t) => {
  const server = await startServer(t);
  const org = await organiser(server);
  const t1 = org.teams[0];
  const facLink = org.links.find((l) => l.role === 'facilitator' && l.room === t1.room);
  const otherLink = org.links.find((l) => l.role === 'facilitator' && l.room !== t1.room);
  const screenLink = org.links.find((l) => l.role === 'screen');
  const fac = await linkClient(server, facLink.token);
  const other = await linkClient(server, otherLink.token);
  const screen = await linkClient(server, screenLink.token);
  const anna = await member(server, org.codes.get(t1.id), 'Anna');
  const bram = await member(server, org.codes.get(t1.id), 'Bram');

  // A snapshot on welcome, then changes without any command: Anna joined, so members is 2.
  assert.ok(countsOf(fac.messages, t1.id).length >= 1, 'a counts snapshot after the welcome');
  await fac.waitFor((m) => m.t === 'counts' && m.teams?.[t1.id]?.members === 2, undefined, { what: 'live counts with two members' });

  // To the knelpunten: two items; then the vote.
  for (let i = 0; i < 3; i++) ok(await fac.cmd('step.next', { team: t1.id }), 'step.next');
  ok(await anna.cmd('item.add', { text: 'Silo’s overal' }), 'item.add');
  const item = (await anna.cmd('item.add', { text: 'Geen geld voor koppelingen' })) && anna.events.filter((e) => e.type === 'item.added').at(-1).data.id;
  ok(await fac.cmd('step.next', { team: t1.id }), 'step.next to the vote');
  await fac.waitFor((m) => m.t === 'counts' && m.teams?.[t1.id]?.step === 'p1-vote', undefined, { what: 'counts at the vote step' });

  const from = fac.frames.length;
  ok(await anna.cmd('vote.place', { target: item }), 'vote.place');
  ok(await anna.cmd('vote.place', { target: item }), 'vote.place');
  ok(await bram.cmd('vote.place', { target: item }), 'vote.place');
  // Pushed, throttled: the facilitator sees three dots without asking.
  const live = await fac.waitFor((m) => m.t === 'counts' && m.teams?.[t1.id]?.dots === 3, undefined, { from, what: 'three dots counted live' });
  assert.equal(live.teams[t1.id].dots_budget, 20);
  // A snapshot on request goes to the desk of the room, not the team.
  ok(await fac.cmd('console.counts', { team: t1.id }), 'console.counts');
  await fac.waitFor((m) => m.t === 'ev' && m.type === 'team.counts' && m.data.team === t1.id && m.data.dots === 3, undefined, { what: 'team.counts for the facilitator' });
  // A marker after all of it: the room message reaches the members after the counts would have.
  ok(await fac.cmd('room.message', { text: 'Stemmen maar' }), 'room.message');
  for (const c of [anna, bram]) await c.waitFor((m) => m.t === 'ev' && m.type === 'room.message' && m.data.text === 'Stemmen maar', undefined, { what: 'the marker' });
  await other.waitFor((m) => m.t === 'counts' || m.t === 'rooms', undefined, { what: 'the other facilitator is live too' });

  // Before the reveal: no counts frame, no team.counts and no one else's dot reached a member;
  // the other room's facilitator heard nothing of t1; the facilitator nothing per option.
  for (const [who, c] of [['Anna', anna], ['Bram', bram]]) {
    assert.ok(!c.messages.some((m) => m.t === 'counts' || m.t === 'rooms'), `${who} received pushed counts`);
    assert.ok(!c.events.some((e) => e.type === 'team.counts' || e.type === 'vote.revealed'), `${who} received counts or a tally`);
    assert.ok(!/"dots"\s*:/.test(c.rawText), `${who} received a dot total`);
  }
  assert.ok(!bram.events.some((e) => e.type === 'vote.placed' && e.data.used > 1), "Bram never sees Anna's dots");
  assert.equal(countsOf(other.messages, t1.id).length, 0, 'another room hears nothing of t1');
  assert.ok(!other.events.some((e) => e.type === 'team.counts'), 'nor its team.counts');
  assert.ok(!fac.events.some((e) => e.type === 'vote.placed' || e.type === 'vote.revealed'), 'the facilitator sees no dot and no tally before the reveal');
  assert.ok(!fac.rawText.includes(`"target":"${item}"`), 'nor the option dots are on');
  const pushed = fac.messages.filter((m) => m.t === 'counts').flatMap((m) => Object.values(m.teams));
  for (const k of pushed) assert.deepEqual(Object.keys(k).sort(), ['active', 'assigned', 'boards', 'dots', 'dots_budget', 'items', 'members', 'notes', 'private', 'room', 'step', 'team', 'tie', 'voted']);

  // The room's status reaches the screen: the step of the room and its timer.
  ok(await fac.cmd('timer.start', { room: t1.room, minutes: 4 }), 'timer.start');
  const st = await screen.waitFor((m) => m.t === 'rooms' && m.rooms?.[t1.room]?.timer?.state === 'running', undefined, { what: 'the room status on the screen' });
  assert.equal(st.rooms[t1.room].step, 'p1-vote');
  assert.equal(st.rooms[t1.room].message, 'Stemmen maar');
  assert.ok(!screen.messages.some((m) => m.t === 'counts'), 'a screen gets no counts');

  // A race start fits no team of the room (none is at the race step): refused; the sound
  // is the facilitator's to turn on, for their own room only.
  assert.equal((await fac.cmd('race.start', {})).code, 'wrong_step');
  assert.equal((await fac.cmd('room.sound', { room: org.teams.find((x) => x.room !== t1.room).room, on: true })).code, 'forbidden');
  ok(await fac.cmd('room.sound', { on: true }), 'room.sound');
  await anna.waitFor((m) => m.t === 'ev' && m.type === 'room.sound' && m.data.on === true, undefined, { what: 'the sound setting on the phone' });
  await screen.waitFor((m) => m.t === 'rooms' && m.rooms?.[t1.room]?.sound === true, undefined, { what: 'the sound setting on the screen' });
});
