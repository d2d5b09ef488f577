// Visibility and identity are enforced on the server: staff-only events and other roles' tokens
// never reach a participant, screen or jury; a member cannot act on another team's notes.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, teamCodes, member, uniqueText, notesIn } from './lib.mjs';

test('the organiser sees team.code and links.set; participants, screen and jury get no code or token of another role', async (t) => {
  const srv = await startServer(t);
  const org = await teamCodes(srv, 2);
  const { client: oc, links, teams } = org;

  assert.equal(org.hello.welcome.role, 'organiser', `the organiser link must give role organiser, got ${org.hello.welcome.role}`);
  const teamCodeEvents = org.hello.events.filter((e) => e.type === 'team.code');
  assert.ok(teamCodeEvents.length >= 2, `the organiser must receive team.code events, got ${teamCodeEvents.length}`);
  for (const tm of teams) {
    assert.ok(org.codes.has(tm.id), `the organiser received no team.code for team ${tm.id} (${JSON.stringify(tm.name)})`);
  }
  const linksEvents = org.hello.events.filter((e) => e.type === 'links.set');
  assert.ok(linksEvents.length >= 1, 'the organiser must receive links.set');
  const roles = new Set(links.map((l) => l.role));
  for (const role of ['facilitator', 'jury', 'screen']) {
    assert.ok(roles.has(role), `links.set must hold a ${role} link, roles were ${[...roles].join(',')}`);
  }
  for (const l of links) {
    assert.ok(typeof l.token === 'string' && l.token.length >= 16, `every link token must be a long string, got ${JSON.stringify(l)}`);
    // links.set may list the organiser's own link too; no other role may share its token.
    if (l.role === 'organiser') assert.equal(l.token, srv.organiserToken, 'an organiser entry in links.set must be the printed organiser token');
    else assert.notEqual(l.token, srv.organiserToken, `the ${l.role} link token must differ from the organiser token`);
  }
  const rooms = org.hello.events.filter((e) => e.type === 'room.created').map((e) => e.data.id);
  for (const room of rooms) {
    assert.ok(links.some((l) => l.role === 'facilitator' && l.room === room), `links.set must hold a facilitator link for room ${room}`);
  }
  assert.equal(new Set(links.map((l) => l.token)).size, links.length, 'every link must have its own token');

  // Each link token authenticates as its role.
  const byRole = {};
  for (const role of ['facilitator', 'jury', 'screen']) {
    const l = links.find((x) => x.role === role);
    const c = await srv.client();
    const h = await c.hello(l.token, 0);
    assert.ok(!h.err, `hello with the ${role} link token must succeed: ${JSON.stringify(h.err)}`);
    assert.equal(h.welcome.role, role, `the ${role} link must give role ${role}, got ${h.welcome.role}`);
    byRole[role] = c;
  }

  const [a, b] = org.list;
  const a1 = await member(srv, a.code, 'Anna');
  const a2 = await member(srv, a.code, 'Aart');
  const b1 = await member(srv, b.code, 'Bea');
  for (const c of [a1, a2, b1]) {
    assert.equal(c.joinResult.welcome.role, 'participant', `a member who joined with a code must have role participant, got ${c.joinResult.welcome.role}`);
  }

  // Some live traffic in both teams.
  const noteA = uniqueText('notitie A');
  const noteB = uniqueText('notitie B');
  assert.equal((await a1.cmd('note.add', { text: noteA })).t, 'ack', 'team A note.add must be acked');
  assert.equal((await b1.cmd('note.add', { text: noteB })).t, 'ack', 'team B note.add must be acked');
  await a2.waitFor((m) => m.t === 'ev' && m.data && m.data.text === noteA, undefined, { what: 'team A note at Aart' });
  await b1.waitFor((m) => m.t === 'ev' && m.data && m.data.text === noteB, undefined, { what: 'team B note at Bea' });
  // A participant joining late replays the log from 0.
  const late = await member(srv, a.code, 'Laat');

  const linkTokens = links.map((l) => [l.role, l.token]);
  const members = [['Anna', a1], ['Aart', a2], ['Bea', b1], ['Laat', late]];
  for (const [who, c] of members) {
    const types = c.events.map((e) => e.type);
    // A member may see their own team's join code (to invite a latecomer), no other.
    for (const e of c.events.filter((x) => x.type === 'team.code')) {
      assert.equal(e.data.team, c.team, `participant ${who} (team ${c.team}) received team.code of team ${e.data.team}`);
    }
    assert.ok(!types.includes('links.set'), `participant ${who} received a links.set event`);
    const raw = c.rawText;
    assert.ok(!raw.includes(srv.organiserToken), `participant ${who} received the organiser token`);
    for (const [role, tok] of linkTokens) assert.ok(!raw.includes(tok), `participant ${who} received the ${role} link token`);
    for (const { team, code } of org.list) {
      if (team !== c.team) assert.ok(!raw.includes(code), `participant ${who} (team ${c.team}) received team ${team}'s join code ${code}`);
    }
    for (const [other, oc2] of members) {
      if (oc2 !== c) assert.ok(!raw.includes(oc2.token), `participant ${who} received ${other}'s session token`);
    }
  }

  for (const role of ['screen', 'jury']) {
    const c = byRole[role];
    const types = c.events.map((e) => e.type);
    assert.ok(!types.includes('team.code'), `the ${role} received a team.code event`);
    assert.ok(!types.includes('links.set'), `the ${role} received a links.set event`);
    const raw = c.rawText;
    assert.ok(!raw.includes(srv.organiserToken), `the ${role} received the organiser token`);
    for (const [r2, tok] of linkTokens) if (r2 !== role) assert.ok(!raw.includes(tok), `the ${role} received the ${r2} link token`);
    for (const { code } of org.list) assert.ok(!raw.includes(code), `the ${role} received a team join code`);
    assert.ok(!raw.includes(noteA) && !raw.includes(noteB), `the ${role} received a team's note text`);
    for (const [who, m] of members) assert.ok(!raw.includes(m.token), `the ${role} received ${who}'s session token`);
  }
  // The organiser receives no participant session token either.
  for (const [who, m] of members) assert.ok(!oc.rawText.includes(m.token), `the organiser received ${who}'s session token`);
});

test('identity comes from the token only: no acting on another team\'s notes, no role from message fields', async (t) => {
  const srv = await startServer(t);
  const org = await teamCodes(srv, 2);
  const [a, b] = org.list;
  const anna = await member(srv, a.code, 'Anna');
  const aart = await member(srv, a.code, 'Aart');
  const bea = await member(srv, b.code, 'Bea');

  const text = uniqueText('van team A');
  const ack = await anna.cmd('note.add', { text });
  assert.equal(ack.t, 'ack', 'team A note.add must be acked');
  const ev = await aart.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.data && m.data.text === text, undefined, { what: 'the team A note' });
  const noteId = ev.data.id;

  const edit = await bea.cmd('note.edit', { note: noteId, text: 'overgenomen door B' });
  assert.equal(edit.t, 'err', `a member of team B must not edit team A's note, got ${JSON.stringify(edit)}`);
  assert.ok(['forbidden', 'not_found'].includes(edit.code), `editing another team's note: expected forbidden or not_found, got ${edit.code}`);
  const del = await bea.cmd('note.delete', { note: noteId });
  assert.equal(del.t, 'err', `a member of team B must not delete team A's note, got ${JSON.stringify(del)}`);
  assert.ok(['forbidden', 'not_found'].includes(del.code), `deleting another team's note: expected forbidden or not_found, got ${del.code}`);

  // Fields that try to change who I am or where I write are ignored or refused.
  const sneaky = uniqueText('sluiproute');
  const r = await bea.cmd('note.add', { text: sneaky, team: a.team, by: anna.member });
  if (r.t === 'ack') {
    const own = await bea.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.seq === r.seq, undefined, { what: 'Bea\'s own note event' });
    assert.equal(own.data.team, b.team, `a note.add with args.team = A by a member of B must land in team B, landed in ${own.data.team}`);
    assert.equal(own.by, bea.member, `a note.add with args.by = Anna must be by Bea (${bea.member}), was by ${own.by}`);
  }
  // The organiser may not write notes (participant-only command).
  const orgNote = await org.client.cmd('note.add', { text: uniqueText('organisator') });
  assert.equal(orgNote.t, 'err', `the organiser must not be able to add a team note, got ${JSON.stringify(orgNote)}`);
  assert.equal(orgNote.code, 'forbidden', `organiser note.add: expected forbidden, got ${orgNote.code}`);

  // Marker: after it, anything that leaked would have arrived.
  const marker = uniqueText('marker');
  assert.equal((await anna.cmd('note.add', { text: marker })).t, 'ack');
  await aart.waitFor((m) => m.t === 'ev' && m.data && m.data.text === marker, undefined, { what: 'the marker' });
  assert.equal(notesIn(aart.messages, sneaky).length, 0, 'a note.add by team B with args.team = A must not reach team A');
  const changed = aart.events.filter((e) => (e.type === 'note.edited' || e.type === 'note.deleted') && e.data && e.data.id === noteId);
  assert.deepEqual(changed, [], 'team A\'s note must not be changed by team B');
});
