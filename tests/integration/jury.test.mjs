// The jury with the real server: jurors get personal links, score every pitch, and no score,
// juror note or ranking reaches a participant, a facilitator or a screen before the chair
// announces; after the announcement everyone sees the winners and a team its own place,
// the full table only once the organiser publishes it. Also the facilitator's
// presence frames.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, organiser, member, newId, barrier } from './lib.mjs';

// Event types that carry scores, notes or anything derived from them.
const HIDDEN = new Set(['jury.scored', 'jury.noted', 'jury.progress', 'jury.recused', 'jury.conflict', 'jury.results']);

async function linkClient(server, token) {
  const c = await server.client();
  const h = await c.hello(token, 0);
  assert.ok(!h.err, `hello refused: ${JSON.stringify(h.err)}`);
  return { client: c, hello: h };
}

function ok(reply, what) {
  assert.equal(reply.t, 'ack', `${what}: ${JSON.stringify(reply)}`);
}

test('no score, note or ranking reaches participants, facilitators or screens before jury.announce', async (t) => {
  const server = await startServer(t);
  const org = await organiser(server);
  const o = org.client;
  const teams = org.teams;
  assert.ok(teams.length >= 3, 'the default sprint has teams');
  const t1 = teams[0];

  // The three observers record every frame from their first hello on.
  const part = await member(server, org.codes.get(t1.id), 'Anna');
  const facLink = org.links.find((l) => l.role === 'facilitator' && l.room === t1.room);
  const screenLink = org.links.find((l) => l.role === 'screen');
  const fac = (await linkClient(server, facLink.token)).client;
  const screen = (await linkClient(server, screenLink.token)).client;
  ok(await part.cmd('profile.set', { organisation: 'Gemeente  utrecht', role: 'adviseur', motivation: '' }), 'profile.set');

  // Jurors: the organiser adds them; each gets a personal token in jury.link.
  const names = [['Carla', 'Gemeente Utrecht', true], ['Joost', 'AcICT', false], ['Noor', 'Rijksoverheid', false]];
  for (const [name, organisation, chair] of names) ok(await o.cmd('jury.add', { name, organisation, chair }), 'jury.add');
  await o.waitUntil((ms) => ms.filter((m) => m.t === 'ev' && m.type === 'jury.link').length === 3, undefined, 'three jury.link events');
  const jlinks = o.events.filter((e) => e.type === 'jury.link').map((e) => e.data);
  assert.deepEqual(jlinks.map((l) => l.juror), ['j1', 'j2', 'j3']);
  // A participant cannot add a juror, and a client field cannot choose the token.
  assert.equal((await part.cmd('jury.add', { name: 'X' })).code, 'forbidden');
  ok(await o.cmd('jury.add', { name: 'Mallory', _secret: { token: 'mine', hash: 'mine' } }), 'jury.add with a client secret');
  const mine = await server.client();
  assert.equal((await mine.hello('mine')).err.code, 'bad_token');

  const jurors = [];
  for (const l of jlinks) {
    const { client, hello } = await linkClient(server, l.token);
    assert.equal(hello.welcome.me.role, 'jury');
    assert.equal(hello.welcome.me.actor, l.juror);
    jurors.push(client);
  }
  assert.equal(jurors[0].messages.find((m) => m.t === 'welcome').me.chair, true);

  // Rules published to everyone before scoring opens; the pitch order too.
  ok(await o.cmd('jury.tiebreak.set', { order: ['pitch', 'problem'], normalise: false }), 'jury.tiebreak.set');
  ok(await fac.cmd('pitch.order.set', { teams: teams.filter((x) => x.room === t1.room).map((x) => x.id).reverse() }), 'pitch.order.set');
  ok(await jurors[0].cmd('jury.open', {}), 'jury.open');
  for (const c of [part, fac, screen]) {
    await c.waitFor((m) => m.t === 'ev' && m.type === 'jury.phase' && m.data.state === 'open', undefined, { what: 'jury.phase open' });
    assert.ok(c.events.some((e) => e.type === 'jury.tiebreak' && e.data.order[0] === 'pitch'));
    assert.ok(c.events.some((e) => e.type === 'pitch.order'));
  }
  // Jurors read each team's dossier.
  await jurors[1].waitUntil((ms) => ms.filter((m) => m.t === 'ev' && m.type === 'jury.dossier').length === teams.length, undefined, 'dossiers');

  // Every juror scores every team on every criterion, with a private note per team;
  // j2 recuses for the first team.
  const crits = ['problem', 'idea', 'plan', 'unique', 'pitch'];
  const notes = [];
  await Promise.all(jurors.map(async (jc, j) => {
    const pending = [];
    for (let ti = 0; ti < teams.length; ti++) {
      if (j === 1 && ti === 0) { pending.push(jc.cmd('jury.recuse', { team: teams[ti].id })); continue; }
      for (let k = 0; k < crits.length; k++) {
        const score = 1 + ((ti * 3 + k * 2 + j * 5) % 10);
        pending.push(jc.cmd('jury.score', { team: teams[ti].id, criterion: crits[k], score }));
      }
      const text = `geheim-${j}-${ti}-${newId('n')}`;
      notes.push(text);
      pending.push(jc.cmd('jury.note', { team: teams[ti].id, text }));
    }
    for (const r of await Promise.all(pending)) ok(r, 'juror command');
  }));
  assert.equal((await jurors[1].cmd('jury.score', { team: teams[0].id, criterion: 'idea', score: 5 })).code, 'jury_recused');
  // Only the chair locks and announces, and only in that order.
  assert.equal((await jurors[1].cmd('jury.lock', {})).code, 'forbidden');
  assert.equal((await jurors[0].cmd('jury.announce', {})).code, 'jury_phase');
  ok(await jurors[0].cmd('jury.lock', {}), 'jury.lock');
  assert.equal((await jurors[2].cmd('jury.score', { team: teams[1].id, criterion: 'idea', score: 5 })).code, 'jury_phase');
  for (const c of [part, fac, screen]) {
    await c.waitFor((m) => m.t === 'ev' && m.type === 'jury.phase' && m.data.state === 'locked', undefined, { what: 'jury.phase locked' });
  }
  // The chair saw progress counts; each juror saw only their own scores.
  const chairEv = jurors[0].events;
  assert.ok(chairEv.some((e) => e.type === 'jury.progress' && e.data.juror === 'j3' && e.data.done === teams.length));
  assert.ok(chairEv.some((e) => e.type === 'jury.recused' && e.data.juror === 'j2'));
  assert.ok(chairEv.some((e) => e.type === 'jury.conflict' && e.data.team === t1.id), 'the chair shares an organisation with a member of t1');
  assert.ok(!chairEv.some((e) => e.type === 'jury.scored' && e.data.juror !== 'j1'));
  assert.ok(!jurors[2].rawText.includes(notes[0]), "a juror never sees another juror's note");

  // Before the announcement: nothing hidden in any frame of the observers.
  const observed = [['participant', part], ['facilitator', fac], ['screen', screen]];
  const framesBefore = new Map();
  for (const [who, c] of observed) {
    framesBefore.set(who, c.frames.length);
    for (const e of c.events) assert.ok(!HIDDEN.has(e.type), `${who} received ${e.type}`);
    const raw = c.rawText;
    for (const n of notes) assert.ok(!raw.includes(n), `${who} received a juror note`);
    assert.ok(!/"score"\s*:/.test(raw), `${who} received a score`);
    assert.ok(!/"rank"\s*:/.test(raw), `${who} received a ranking`);
    assert.ok(!/"mean"\s*:/.test(raw), `${who} received a mean`);
  }

  ok(await jurors[0].cmd('jury.announce', {}), 'jury.announce');
  const checkTable = (res) => {
    assert.equal(res.data.teams.length, teams.length);
    assert.equal(res.data.teams[0].rank, 1);
    for (let i = 1; i < res.data.teams.length; i++) assert.ok(res.data.teams[i].mean <= res.data.teams[i - 1].mean);
    assert.ok(res.data.winners.overall.length >= 1);
    assert.equal(res.data.winners.challenges.length, 3);
    assert.ok(res.data.teams.find((x) => x.team === teams[0].id).jurors === 2, 'the recusal counts');
  };
  // Staff get the full table; everyone the winners; a team its own place – and by default
  // nothing more: no table, no means, no other team's place reaches a phone or a screen.
  checkTable(await fac.waitFor((m) => m.t === 'ev' && m.type === 'jury.results', undefined, { what: 'jury.results for the facilitator' }));
  for (const [who, c] of observed) {
    const w = await c.waitFor((m) => m.t === 'ev' && m.type === 'jury.winners', undefined, { what: `jury.winners for ${who}` });
    assert.ok(w.data.overall.length >= 1);
    assert.equal(typeof w.data.names[w.data.overall[0]], 'string', 'winners come with their names');
    await c.waitFor((m) => m.t === 'ev' && m.type === 'jury.phase' && m.data.state === 'announced', undefined, { what: `announced for ${who}` });
    for (const n of notes) assert.ok(!c.rawText.includes(n), `${who} received a juror note after the announcement`);
    assert.ok(c.frames.length > framesBefore.get(who));
  }
  const place = part.events.filter((e) => e.type === 'jury.place');
  assert.equal(place.length, 1, 'the participant hears one place: its own team');
  assert.equal(place[0].data.team, t1.id);
  assert.equal(place[0].data.of, teams.length);
  for (const [who, c] of [['participant', part], ['screen', screen]]) {
    assert.ok(!c.events.some((e) => e.type === 'jury.results'), `${who} received the table`);
    assert.ok(!/"mean"\s*:/.test(c.rawText), `${who} received a mean`);
  }
  assert.ok(!screen.events.some((e) => e.type === 'jury.place'), 'a screen hears no team place');
  // The organiser publishes the table: now it reaches everyone.
  assert.equal((await part.cmd('jury.publish', { level: 'full' })).code, 'forbidden');
  ok(await o.cmd('jury.publish', { level: 'full' }), 'jury.publish');
  for (const [who, c] of [['participant', part], ['screen', screen]]) {
    checkTable(await c.waitFor((m) => m.t === 'ev' && m.type === 'jury.results', undefined, { what: `the published table for ${who}` }));
  }
});

test('facilitators see which members are connected; participants do not', async (t) => {
  const server = await startServer(t);
  const org = await organiser(server);
  const t1 = org.teams[0];
  const facLink = org.links.find((l) => l.role === 'facilitator' && l.room === t1.room);
  const otherLink = org.links.find((l) => l.role === 'facilitator' && l.room !== t1.room);
  const fac = (await linkClient(server, facLink.token)).client;
  const other = (await linkClient(server, otherLink.token)).client;
  const first = fac.messages.find((m) => m.t === 'presence');
  assert.ok(first, 'a snapshot on authentication');
  assert.deepEqual(first.teams[t1.id], []);
  assert.ok(Object.keys(first.teams).every((id) => org.teams.find((x) => x.id === id).room === t1.room));

  const anna = await member(server, org.codes.get(t1.id), 'Anna');
  const online = (m) => m.t === 'presence' && Array.isArray(m.teams[t1.id]) && m.teams[t1.id].includes(anna.member);
  await fac.waitFor(online, undefined, { what: 'presence with Anna' });
  await org.client.waitFor(online, undefined, { what: 'presence for the organiser' });
  // Presence goes to every staff connection in one pass, before later events: once the
  // others have the marker, anything sent to them with it has arrived.
  await barrier(org.client, [other, anna]);
  assert.ok(!other.messages.some((m) => m.t === 'presence' && m.teams[t1.id]), 'another room does not hear of t1');
  assert.ok(!anna.messages.some((m) => m.t === 'presence'), 'participants get no presence');

  const from = fac.frames.length;
  await anna.close();
  await fac.waitFor((m) => m.t === 'presence' && Array.isArray(m.teams[t1.id]) && !m.teams[t1.id].includes(anna.member),
    undefined, { from, what: 'presence without Anna' });

  // A room message reaches the room's teams and not the other rooms.
  const bram = await member(server, org.codes.get(t1.id), 'Bram');
  ok(await fac.cmd('room.message', { text: 'Nog vijf minuten' }), 'room.message');
  await bram.waitFor((m) => m.t === 'ev' && m.type === 'room.message' && m.data.text === 'Nog vijf minuten');
  await barrier(org.client, [other]);
  assert.ok(!other.events.some((e) => e.type === 'room.message'));
});
