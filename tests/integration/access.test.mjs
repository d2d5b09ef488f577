// Access matrix: every command the core knows (`staatsprint commands`) × every role
// (participant, facilitator, organiser, jury, screen, unauthenticated) × own or other team
// and room. A role the command does not allow gets `forbidden`, an unauthenticated
// connection `not_authenticated`; where the role may send it, whatever happens happens as
// the sender: fields like team, member, by, actor, role in args never change who acts, and
// a participant or facilitator never changes a team or room that is not theirs.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, organiser, member, runBin, barrier } from './lib.mjs';

// Arguments that give many commands a chance to succeed, plus fields that try to change
// who acts. `target` is the team/room the call aims at.
function argsFor(target, victim) {
  return {
    team: target.team, room: target.room, member: victim.member, by: victim.actor,
    actor: victim.actor, role: 'organiser', author: victim.member, who: victim.actor,
    text: 'toegangstest', name: 'Toegang', title: 'Toegang', minutes: 1, step: 'intro',
    note: 'n1', cluster: 'k1', item: 'i1', milestone: 'ms1', target: 'i1', targets: ['i1'],
    board: 'wall', list: 'knelpunten', canvas: 'vehicle', field: 'driver', at: 0, kind: 'goal',
    idea: 'n1', captain: victim.member, timekeeper: victim.member, presenter: null,
    organisation: 'x', motivation: 'x', message: 'x', score: 3, criterion: 'c1',
  };
}

test('every command × every role × own/other team and room', { timeout: 300000 }, async (t) => {
  const list = await runBin(['commands']);
  assert.equal(list.code, 0, `staatsprint commands must exit 0: ${list.stderr}`);
  const commands = list.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(commands.length >= 20, `expected the core's command list, got ${commands.length}`);

  const srv = await startServer(t);
  const org = await organiser(srv);
  const oc = org.client;
  const rooms = [...new Set(org.teams.map((x) => x.room))];
  assert.ok(rooms.length >= 2, `the default sprint must have two rooms for this test, has ${rooms.length}`);
  const teamA = org.teams.find((x) => x.room === rooms[0]);
  const teamB = org.teams.find((x) => x.room === rooms[1]);
  const teamsIn = (room) => org.teams.filter((x) => x.room === room).map((x) => x.id);
  const link = (role, room) => org.links.find((l) => l.role === role && (!room || l.room === room)).token;

  // The identities.
  const ids = {};
  const connect = async (name, token) => {
    const c = await srv.client();
    const h = await c.hello(token, 0);
    assert.ok(!h.err, `${name} hello refused: ${JSON.stringify(h.err)}`);
    ids[name] = { c, actor: h.welcome.me.actor, role: h.welcome.me.role };
  };
  const pA = await member(srv, org.codes.get(teamA.id), 'Anna');
  const pB = await member(srv, org.codes.get(teamB.id), 'Bert');
  ids.participant = { c: pA, actor: pA.member, member: pA.member, role: 'participant' };
  ids.victim = { c: pB, actor: pB.member, member: pB.member, role: 'participant' };
  await connect('facilitator', link('facilitator', rooms[0]));
  await connect('jury', link('jury'));
  await connect('screen', link('screen'));
  ids.organiser = { c: oc, actor: 'org', role: 'organiser' };
  const anon = await srv.client();
  const everyone = new Set(Object.values(ids).map((x) => x.actor));

  // Own / other target per role.
  const own = {
    participant: { team: teamA.id, room: rooms[0] },
    facilitator: { team: teamA.id, room: rooms[0] },
    organiser: { team: teamA.id, room: rooms[0] },
    jury: { team: teamA.id, room: rooms[0] },
    screen: { team: teamA.id, room: rooms[0] },
  };
  const other = {
    participant: { team: teamB.id, room: rooms[1] },
    facilitator: { team: teamB.id, room: rooms[1] },
    organiser: { team: teamB.id, room: rooms[1] },
    jury: { team: teamB.id, room: rooms[1] },
    screen: { team: teamB.id, room: rooms[1] },
  };
  // Teams and rooms each role may change.
  const mayTeam = {
    participant: new Set([teamA.id]), facilitator: new Set(teamsIn(rooms[0])),
    organiser: null, jury: null, screen: new Set(),
  };
  const mayRoom = { participant: new Set([rooms[0]]), facilitator: new Set([rooms[0]]), organiser: null, jury: null, screen: new Set() };

  let checked = 0;
  let acked = 0;
  const outcomes = new Map();
  let n = 0;
  for (const { cmd, roles } of commands) {
    // Unauthenticated.
    n += 1;
    const ra = await anon.cmd(cmd, argsFor(own.participant, ids.victim), `anon-${n}`);
    assert.equal(ra.code, 'not_authenticated', `${cmd} without authentication must be not_authenticated, got ${JSON.stringify(ra)}`);
    checked += 1;

    for (const role of ['participant', 'facilitator', 'organiser', 'jury', 'screen']) {
      for (const [where, target] of [['own', own[role]], ['other', other[role]]]) {
        n += 1;
        const me = ids[role];
        const before = oc.lastSeq;
        const r = await me.c.cmd(cmd, argsFor(target, ids.victim), `acc-${n}`);
        checked += 1;
        const key = `${cmd} ${role} ${where}`;
        outcomes.set(key, r.t === 'ack' ? 'ack' : r.code);
        if (!roles.includes(role)) {
          assert.equal(r.code, 'forbidden', `${key}: the role may not send ${cmd}, expected forbidden, got ${JSON.stringify(r)}`);
          continue;
        }
        assert.ok(r.t === 'ack' || r.t === 'err', `${key}: expected ack or err, got ${JSON.stringify(r)}`);
        if (r.t !== 'ack') {
          assert.ok(typeof r.code === 'string' && r.code.length > 0, `${key}: a refusal must carry a code: ${JSON.stringify(r)}`);
          continue;
        }
        acked += 1;
        // What the command did, as far as the organiser sees it: done by the sender, on
        // teams and rooms of the sender only.
        if (r.seq > before) await barrier(oc, [oc]);   // every event up to r.seq the organiser may see is in
        const evs = oc.events.filter((e) => e.seq > before && e.seq <= r.seq);
        for (const e of evs) {
          if (e.by && e.by !== me.actor) {
            assert.ok(!everyone.has(e.by), `${key}: event ${e.type} (seq ${e.seq}) is attributed to ${e.by}, not to the sender ${me.actor}`);
          }
          const d = e.data || {};
          if (typeof d.team === 'string' && mayTeam[role]) {
            assert.ok(mayTeam[role].has(d.team), `${key}: ${role} changed team ${d.team} (event ${e.type} ${JSON.stringify(d).slice(0, 200)})`);
          }
          if (typeof d.room === 'string' && mayRoom[role] && e.type !== 'room.created') {
            assert.ok(mayRoom[role].has(d.room), `${key}: ${role} changed room ${d.room} (event ${e.type})`);
          }
        }
      }
    }
  }
  // The facilitator of the other room, named explicitly: never acts on team A's room.
  const f2 = await srv.client();
  const h2 = await f2.hello(link('facilitator', rooms[1]), 0);
  assert.ok(!h2.err);
  for (const cmd of ['step.next', 'step.back', 'timer.start', 'timer.pause', 'timer.stop', 'vote.reveal', 'roles.set', 'race.start', 'race.end', 'room.message', 'pitch.order.set']) {
    if (!commands.some((c) => c.cmd === cmd)) continue;
    n += 1;
    const r = await f2.cmd(cmd, argsFor({ team: teamA.id, room: rooms[0] }, ids.participant), `f2-${n}`);
    checked += 1;
    assert.notEqual(r.t, 'ack', `${cmd} by the facilitator of ${rooms[1]} aimed at ${teamA.id}/${rooms[0]} must be refused, got ${JSON.stringify(r)}`);
    assert.ok(['forbidden', 'not_found', 'bad_message', 'wrong_step'].includes(r.code) || r.code, `unexpected refusal ${JSON.stringify(r)}`);
  }
  // Team B's member received no team event of team A (whatever team A's participant named).
  const leaked = pB.events.filter((e) => e.data && e.data.team === teamA.id && e.by === pA.member && !/^race\./.test(e.type));
  assert.deepEqual(leaked.map((e) => e.type), [], 'the other team must receive no team event caused by team A\'s participant');
  // The matrix is not vacuous: the usual things work where they should, and staff
  // commands aimed at a team of another room never do.
  const expectAck = ['note.add participant own', 'note.add participant other', 'profile.set participant own',
    'step.next organiser other', 'step.next facilitator own', 'timer.start facilitator own', 'timer.extend organiser other', 'roles.set organiser other'];
  for (const k of expectAck) assert.equal(outcomes.get(k), 'ack', `${k} must succeed, got ${outcomes.get(k)}`);
  for (const cmd of ['step.next', 'step.back', 'timer.start', 'vote.reveal', 'roles.set', 'race.start', 'race.end']) {
    const o = outcomes.get(`${cmd} facilitator other`);
    assert.ok(o && o !== 'ack', `${cmd} by a facilitator aimed at another room must be refused, got ${o}`);
  }
  if (process.env.STAATSPRINT_ACCESS_DUMP) console.log(JSON.stringify(Object.fromEntries(outcomes), null, 1));
  console.log(`# access: ${commands.length} commands × 5 roles × own/other + unauthenticated: ${checked} calls checked, ${acked} allowed and verified as the sender's own`);
});
