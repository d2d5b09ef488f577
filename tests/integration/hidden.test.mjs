// Hidden data stays hidden: one connection per role records every frame while team A plays
// the private brain dump (phase 1), the hidden dot vote, the private HKW brainstorm (phase 2)
// and round 1 of the Idee Race. Nothing private reaches anyone but its author, no dot reaches
// anyone but its voter before the reveal; after sharing / the reveal / the end of the round
// exactly the right people see it.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, organiser, member, barrier } from './lib.mjs';

test('private notes, hidden dots and race round 1 ideas reach only their author until revealed', { timeout: 120000 }, async (t) => {
  const srv = await startServer(t);
  const org = await organiser(srv);
  const oc = org.client;
  const roomA = org.teams[0].room;
  const teamA = org.teams[0];
  const teamB = org.teams.find((x) => x.id !== teamA.id && x.room === roomA)
    || org.teams.find((x) => x.id !== teamA.id);
  const otherRoom = org.teams.map((x) => x.room).find((r) => r !== roomA);
  const link = (role, room) => org.links.find((l) => l.role === role && (!room || l.room === room)).token;
  const hello = async (token) => {
    const c = await srv.client();
    const h = await c.hello(token, 0);
    assert.ok(!h.err, `hello refused: ${JSON.stringify(h.err)}`);
    return c;
  };

  const a = [];
  for (const name of ['Anna', 'Ahmed', 'Aya']) a.push(await member(srv, org.codes.get(teamA.id), name));
  const b = await member(srv, org.codes.get(teamB.id), 'Bram');
  const fac = await hello(link('facilitator', roomA));
  const facOther = otherRoom ? await hello(link('facilitator', otherRoom)) : null;
  const screen = await hello(link('screen'));
  const jury = await hello(link('jury'));
  const all = { a0: a[0], a1: a[1], a2: a[2], b, fac, facOther, org: oc, screen, jury };
  // Before asserting what did not arrive: every connection has the marker (lib.mjs).
  const settle = () => barrier(oc, Object.values(all));
  const everyoneBut = (...keep) => Object.entries(all).filter(([k, c]) => c && !keep.includes(k));
  const teamAKeys = ['a0', 'a1', 'a2'];
  const staffOfA = ['fac', 'org'];
  let checks = 0;

  const ok = async (c, cmd, args) => {
    const r = await c.cmd(cmd, args);
    assert.equal(r.t, 'ack', `${cmd} ${JSON.stringify(args)} must be acked, got ${JSON.stringify(r)}`);
    return r;
  };
  const next = async () => ok(oc, 'step.next', { team: teamA.id });
  const assertOnlyIn = (text, keep, what) => {
    for (const [k, c] of everyoneBut(...keep)) {
      checks += 1;
      assert.ok(!c.rawText.includes(text), `${what}: "${text}" reached ${k}, who may not see it`);
    }
    for (const k of keep) {
      checks += 1;
      assert.ok(all[k].rawText.includes(text), `${what}: "${text}" did not reach ${k}, who should see it`);
    }
  };

  // Phase 1: the private brain dump. Each member's notes reach only that member.
  await next();
  const dump = [];
  for (let i = 0; i < 3; i++) {
    for (let k = 0; k < 2; k++) {
      const text = `geheim-p1-${i}-${k}-${Math.random().toString(36).slice(2, 8)}`;
      const r = await ok(a[i], 'note.add', { text });
      dump.push({ i, text, seq: r.seq });
    }
  }
  await settle();
  for (const d of dump) assertOnlyIn(d.text, [`a${d.i}`], 'a private note in the brain dump');

  // Sharing one note shows it to the team and its staff; the others stay private.
  const sharedEv = a[0].events.find((e) => e.type === 'note.added' && e.data.text === dump[0].text);
  await ok(a[0], 'note.share', { note: sharedEv.data.id });
  await settle();
  assertOnlyIn(dump[0].text, [...teamAKeys, ...staffOfA], 'a shared note');
  for (const d of dump.slice(1)) assertOnlyIn(d.text, [`a${d.i}`], 'an unshared private note after another was shared');

  // Leaving the step shares the rest with the team (and its staff), never with others.
  await next();   // p1-cluster
  await settle();
  for (const d of dump) assertOnlyIn(d.text, [...teamAKeys, ...staffOfA], 'a brain-dump note after the step ended');

  // Items, then the hidden dot vote.
  await next();   // p1-knelpunten
  const items = [];
  for (let k = 0; k < 3; k++) {
    const r = await ok(a[k], 'item.add', { list: 'knelpunten', text: `knelpunt ${k}` });
    const ev = await a[k].waitFor((m) => m.t === 'ev' && m.seq === r.seq, undefined, { what: 'item.added' });
    items.push(ev.data.id);
  }
  await next();   // p1-vote
  const marks = new Map();
  const dots = [[items[0], items[0], items[1]], [items[2]], [items[0], items[2]]];
  for (let i = 0; i < 3; i++) {
    for (const target of dots[i]) await ok(a[i], 'vote.place', { target });
  }
  await settle();
  for (let i = 0; i < 3; i++) {
    for (const [k, c] of everyoneBut(`a${i}`)) {
      const mine = c.events.filter((e) => /^vote\.(placed|removed)$/.test(e.type) && e.by === a[i].member);
      checks += 1;
      assert.deepEqual(mine, [], `a dot of ${a[i].member} reached ${k} before the reveal`);
    }
    const own = a[i].events.filter((e) => e.type === 'vote.placed');
    assert.equal(own.length, dots[i].length, `member ${i} must see each of their own ${dots[i].length} dots`);
    marks.set(i, own.at(-1).data.used);
  }
  for (const [k, c] of Object.entries(all)) {
    if (!c) continue;
    checks += 1;
    assert.ok(!c.events.some((e) => e.type === 'vote.revealed'), `${k} received a tally before the reveal`);
    assert.ok(!c.events.some((e) => /^vote\.(placed|removed)$/.test(e.type) && e.by !== c.member), `${k} received someone else's dot`);
  }
  // Everyone says done: the tally is revealed to the team and its staff only.
  for (let i = 0; i < 3; i++) await ok(a[i], 'vote.done', {});
  await settle();
  for (const [k, c] of Object.entries(all)) {
    if (!c) continue;
    const rev = c.events.find((e) => e.type === 'vote.revealed');
    checks += 1;
    if ([...teamAKeys, ...staffOfA].includes(k)) {
      assert.ok(rev, `${k} must receive the reveal`);
      const count = (id) => (rev.data.tally.find((x) => x.target === id) || { count: 0 }).count;
      assert.deepEqual([count(items[0]), count(items[1]), count(items[2])], [3, 1, 2], `${k}: the tally must count every dot`);
    } else {
      assert.ok(!rev, `${k} must not receive team A's reveal`);
    }
  }

  // Phase 2: the private HKW brainstorm.
  await next();   // p1-vehicle
  await next();   // p2-hkw
  const hkw = `geheim-hkw-${Math.random().toString(36).slice(2, 8)}`;
  await ok(a[1], 'note.add', { text: `Hoe kunnen we ${hkw}` });
  await settle();
  assertOnlyIn(hkw, ['a1'], 'a private HKW note');
  await next();   // p2-themes
  await settle();
  assertOnlyIn(hkw, [...teamAKeys, ...staffOfA], 'a HKW note after its step ended');
  const cl = await ok(a[0], 'cluster.add', { board: 'hkw', name: 'Thema' });
  const clEv = await a[0].waitFor((m) => m.t === 'ev' && m.seq === cl.seq);
  await next();   // p2-vote
  await ok(a[0], 'vote.place', { target: clEv.data.id });
  await ok(oc, 'vote.reveal', { team: teamA.id });
  await next();   // p2-statement
  await next();   // p3-race

  // The Idee Race, round 1: each idea reaches only its author; the counts are public.
  await ok(fac, 'race.start', { room: roomA });
  const ideas = [];
  for (let i = 0; i < 3; i++) {
    const text = `geheim-idee-${i}-${Math.random().toString(36).slice(2, 8)}`;
    await ok(a[i], 'note.add', { text });
    ideas.push({ i, text });
  }
  await settle();
  for (const d of ideas) assertOnlyIn(d.text, [`a${d.i}`], 'an idea in race round 1');
  checks += 1;
  assert.ok(screen.events.some((e) => e.type === 'race.count'), 'the screen must see the live race counts');
  await ok(fac, 'race.end', { room: roomA });
  await settle();
  for (const d of ideas) assertOnlyIn(d.text, [...teamAKeys, ...staffOfA], 'an idea after round 1 ended');

  console.log(`# hidden: ${Object.values(all).filter(Boolean).length} connections, ${Object.values(all).filter(Boolean).reduce((s, c) => s + c.frames.length, 0)} frames recorded, ${checks} visibility checks`);
});
