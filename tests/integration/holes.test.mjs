// The holes an outside client found (issue 16), each reproduced over the WebSocket: ideas
// that changed under their vote, join codes across rooms, an Origin check that trusted the
// Host header, a flood that closed a reading client, errors without the command id, U+0000
// in a note, race round 1 shared early or skipped, and `since` beyond the log's head.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, organiser, member, Client, newId } from './lib.mjs';

// The organiser moves one team forward to the step with this id: votes on the way are
// revealed, a race step gets one short round.
async function advanceTo(org, team, stepId) {
  const pb = org.hello.events.find((e) => e.type === 'playbook.set').data;
  const steps = pb.phases.flatMap((p) => p.steps.map((s) => s.id));
  const target = steps.indexOf(stepId);
  assert.ok(target >= 0, `no step ${stepId}`);
  const oc = org.client;
  for (let guard = 0; guard < 40; guard++) {
    const changed = oc.events.filter((e) => e.type === 'step.changed' && e.data.team === team.id).pop();
    if (changed && changed.data.index === target) return;
    const r = await oc.cmd('step.next', { team: team.id });
    if (r.t === 'ack') { await oc.waitFor((m) => m.t === 'ev' && m.seq === r.seq); continue; }
    if (r.code === 'vote_not_revealed') assert.equal((await oc.cmd('vote.reveal', { team: team.id })).t, 'ack');
    else if (r.code === 'race_not_started' || r.code === 'race_running') {
      if (r.code === 'race_not_started') assert.equal((await oc.cmd('race.start', { room: team.room, minutes: 5 })).t, 'ack');
      assert.equal((await oc.cmd('race.end', { room: team.room })).t, 'ack');
    } else assert.fail(`step.next refused: ${JSON.stringify(r)}`);
  }
  assert.fail(`team ${team.id} did not reach ${stepId}`);
}

// A server, its organiser and two members of the first team, that team at the race step.
async function atTheRace(t) {
  const srv = await startServer(t);
  const org = await organiser(srv);
  const team = org.teams[0];
  const a = await member(srv, org.codes.get(team.id), 'Anna');
  const b = await member(srv, org.codes.get(team.id), 'Bram');
  await advanceTo(org, team, 'p3-race');
  return { srv, org, team, a, b };
}

test('1: an idea with dots changes neither during its vote nor in the Crystal Ball', { timeout: 60000 }, async (t) => {
  const { org, team, a, b } = await atTheRace(t);
  // advanceTo played no round yet at the race: start one and write in it (round 1).
  assert.equal((await org.client.cmd('race.start', { room: team.room, minutes: 5 })).t, 'ack');
  const add = await a.cmd('note.add', { text: 'Een loket voor alles' });
  assert.equal(add.t, 'ack');
  const idea = (await a.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.data.text === 'Een loket voor alles')).data.id;
  assert.equal((await org.client.cmd('race.end', { room: team.room })).t, 'ack');
  await advanceTo(org, team, 'p3-vote');
  assert.equal((await b.cmd('vote.place', { target: idea })).t, 'ack');
  for (const [cmd, args] of [['note.edit', { note: idea, text: 'Iets anders' }], ['note.delete', { note: idea }]]) {
    const r = await a.cmd(cmd, args);
    assert.equal(r.code, 'wrong_step', `${cmd} of an idea during its vote must be wrong_step, got ${JSON.stringify(r)}`);
  }
  await advanceTo(org, team, 'p3-crystal');
  const r = await a.cmd('note.delete', { note: idea });
  assert.equal(r.code, 'wrong_step', `deleting a selected idea in the Crystal Ball must be refused, got ${JSON.stringify(r)}`);
});

test('2: a facilitator receives the join codes of their own room only, live and in a replay from 0', async (t) => {
  const srv = await startServer(t);
  const org = await organiser(srv);
  const roomOf = new Map(org.teams.map((x) => [x.id, x.room]));
  const rooms = [...new Set(org.teams.map((x) => x.room))];
  assert.ok(rooms.length >= 2, 'the sprint needs two rooms');
  for (const room of rooms) {
    const tok = org.links.find((l) => l.role === 'facilitator' && l.room === room).token;
    const c = await srv.client();
    const h = await c.hello(tok, 0);
    assert.ok(!h.err);
    const codes = h.events.filter((e) => e.type === 'team.code');
    assert.equal(codes.length, org.teams.filter((x) => x.room === room).length, `the facilitator of ${room} must get the codes of its teams`);
    for (const e of codes) assert.equal(roomOf.get(e.data.team), room, `the facilitator of ${room} received the code of ${e.data.team} (room ${roomOf.get(e.data.team)})`);
    for (const [team, code] of org.codes) {
      if (roomOf.get(team) !== room) assert.ok(!c.rawText.includes(code), `the facilitator of ${room} received the code of team ${team}`);
    }
  }
  // A member sees the own team's code, no other.
  const a = await member(srv, org.codes.get(org.teams[0].id), 'Anna');
  for (const [team, code] of org.codes) if (team !== a.team) assert.ok(!a.rawText.includes(code), `a member received team ${team}'s code`);
});

test('3: the Origin check compares scheme, host and port with the printed address, --url and --origin; Host trusts nothing', async (t) => {
  const srv = await startServer(t, { extraArgs: ['--url', 'https://sprint.example.nl', '--origin', 'http://proxy.example:8443'] });
  const P = srv.port;
  const refused = async (opts, what) => {
    // lws answers a refused upgrade with an HTTP error or by closing the socket.
    await assert.rejects(Client.connect(srv, opts), (e) => e.statusCode >= 400 || /socket hang up|ECONNRESET|closed/i.test(e.message), `${what} must be refused`);
  };
  const accepted = async (opts, what) => {
    const c = await Client.connect(srv, opts).catch((e) => assert.fail(`${what} must be accepted: ${e.message}`));
    const h = await c.hello(srv.organiserToken, 0);
    assert.ok(!h.err, `${what}: hello must work`);
    await c.close();
  };
  // DNS rebinding: a foreign name as Host and Origin.
  await refused({ origin: `http://evil.example:${P}`, headers: { Host: `evil.example:${P}` } }, 'a foreign origin with a matching Host');
  await refused({ origin: `https://127.0.0.1:${P}` }, 'the own host and port with another scheme');
  await refused({ origin: `http://127.0.0.1:${P + 1}` }, 'the own host with another port');
  await refused({ origin: 'http://sprint.example.nl' }, 'the public URL with another scheme');
  await refused({ origin: 'null' }, 'an opaque origin');
  await accepted({ origin: `http://localhost:${P}` }, 'the printed address on a page opened as localhost');
  await accepted({ origin: `http://127.0.0.1:${P}` }, 'the printed address on a page opened as 127.0.0.1');
  await accepted({ origin: `HTTP://LocalHost:${P}` }, 'the printed address in other case');
  await accepted({ origin: 'https://sprint.example.nl' }, 'the --url origin');
  await accepted({ origin: 'https://sprint.example.nl:443' }, 'the --url origin with its default port');
  await accepted({ origin: 'http://proxy.example:8443' }, 'an --origin entry');
  await accepted({}, 'a client without Origin');
});

test('4+5: 5,000 pings back to back are all answered (pong or counted in one rate_limited per burst), the connection stays open', { timeout: 60000 }, async (t) => {
  const srv = await startServer(t);
  const org = await organiser(srv);
  const c = await member(srv, org.codes.get(org.teams[0].id), 'Haastig');
  const from = c.frames.length;
  const N = 5000;
  for (let i = 0; i < N; i++) c.send({ t: 'ping', now: i });
  const tally = () => {
    const ms = c.frames.slice(from).map((f) => f.msg).filter(Boolean);
    const pongs = ms.filter((m) => m.t === 'pong').length;
    const limited = ms.filter((m) => m.t === 'err' && m.code === 'rate_limited');
    return { pongs, limited, counted: limited.reduce((n, m) => n + m.count, 0) };
  };
  await c.waitUntil(() => { const x = tally(); return x.pongs + x.counted >= N; }, 30000, `answers to ${N} pings`);
  const x = tally();
  assert.equal(x.pongs + x.counted, N, `every ping is answered once: ${x.pongs} pongs + ${x.counted} counted`);
  assert.ok(x.limited.length >= 1 && x.limited.length <= 200, `rate_limited answers are few (one per burst), got ${x.limited.length}`);
  for (const m of x.limited) assert.ok(Array.isArray(m.ids) && typeof m.retry_ms === 'number', `rate_limited carries ids and retry_ms: ${JSON.stringify(m)}`);
  assert.ok(c.isOpen(), 'the connection must stay open');
  assert.equal(c.closeInfo, null);

  // Commands resent in a burst: each is acked or named in a rate_limited answer.
  await new Promise((r) => setTimeout(r, 2100));   // the bucket refills (documented: 200 at once, 100/s)
  const start = c.frames.length;
  const ids = [];
  for (let i = 0; i < 400; i++) {
    const id = newId('flood');
    ids.push(id);
    c.send({ t: 'cmd', id, cmd: 'note.add', args: { text: `stroom ${i}` } });
  }
  const answered = () => {
    const got = new Set();
    for (const f of c.frames.slice(start)) {
      const m = f.msg;
      if (!m) continue;
      if ((m.t === 'ack' || m.t === 'err') && m.id) got.add(m.id);
      if (m.t === 'err' && m.code === 'rate_limited') for (const id of m.ids) got.add(id);
    }
    return got;
  };
  await c.waitUntil(() => answered().size >= ids.length, 30000, 'an answer for each of 400 commands');
  const got = answered();
  for (const id of ids) assert.ok(got.has(id), `command ${id} got no answer`);
  assert.ok(c.isOpen());
});

test('6: U+0000 and lone surrogates are refused as bad_text with the id; other escapes are stored exactly', async (t) => {
  const srv = await startServer(t);
  const org = await organiser(srv);
  const c = await member(srv, org.codes.get(org.teams[0].id), 'Nul');
  for (const esc of ['\\u0000', '\\ud800', '\\udc00x', 'a\\ud83d']) {
    const id = newId('nul');
    const from = c.frames.length;
    await c.sendRaw(`{"t":"cmd","id":"${id}","cmd":"note.add","args":{"text":"a${esc}b"}}`);
    const e = await c.waitFor((m) => m.t === 'err', undefined, { from });
    assert.equal(e.code, 'bad_text', `"${esc}" must be bad_text, got ${JSON.stringify(e)}`);
    assert.equal(e.id, id, `the bad_text for "${esc}" must carry the id`);
  }
  const text = 'tab\\there \\u0001 \\u2028 \\ud83d\\ude00 \\ufeff \\u00e9';
  const id = newId('esc');
  await c.sendRaw(`{"t":"cmd","id":"${id}","cmd":"note.add","args":{"text":"${text}"}}`);
  const ack = await c.waitFor((m) => (m.t === 'ack' || m.t === 'err') && m.id === id);
  assert.equal(ack.t, 'ack', JSON.stringify(ack));
  const ev = await c.waitFor((m) => m.t === 'ev' && m.seq === ack.seq);
  assert.equal(ev.data.text, JSON.parse(`"${text}"`), 'the text must come back exactly');
  // Every error after a message with an id carries it.
  for (const msg of [{ t: 'nope', id: 'u-1' }, { id: 'u-2' }, { t: 'cmd', id: 'u-3', cmd: 'no.such', args: {} }, { t: 'cmd', id: 'u-4', cmd: 'note.add', args: [] }, { t: 'hello', id: 'u-5' }]) {
    const from = c.frames.length;
    c.send(msg);
    const e = await c.waitFor((m) => m.t === 'err', undefined, { from });
    assert.equal(e.id, msg.id, `the err for ${JSON.stringify(msg)} must carry its id, got ${JSON.stringify(e)}`);
  }
});

test('7: a round-1 idea cannot be shared early, and the race is not skipped before a round', { timeout: 60000 }, async (t) => {
  const { org, team, a, b } = await atTheRace(t);
  const skip = await org.client.cmd('step.next', { team: team.id });
  assert.equal(skip.code, 'race_not_started', `leaving the race before any round must be refused, got ${JSON.stringify(skip)}`);
  assert.equal((await org.client.cmd('race.start', { room: team.room, minutes: 5 })).t, 'ack');
  const add = await a.cmd('note.add', { text: 'Blind idee' });
  assert.equal(add.t, 'ack');
  const idea = (await a.waitFor((m) => m.t === 'ev' && m.type === 'note.added' && m.data.text === 'Blind idee')).data.id;
  const sh = await a.cmd('note.share', { note: idea });
  assert.equal(sh.code, 'wrong_step', `sharing a round-1 idea must be refused, got ${JSON.stringify(sh)}`);
  // A marker that must reach Bram after anything the share could have caused.
  const mark = await a.cmd('note.add', { board: 'wall', text: 'markering' });
  await b.waitFor((m) => m.t === 'ev' && m.seq === mark.seq);
  assert.ok(!b.rawText.includes('Blind idee'), 'a teammate saw a round-1 idea');
});

test('9: hello with since beyond the head is refused with bad_since and the head; since 0 then works', async (t) => {
  const srv = await startServer(t);
  const c = await srv.client();
  const h = await c.hello(srv.organiserToken, 1e9);
  assert.equal(h.err && h.err.code, 'bad_since', `got ${JSON.stringify(h)}`);
  assert.equal(typeof h.err.head, 'number');
  const r = await c.cmd('note.add', { text: 'x' });
  assert.equal(r.code, 'not_authenticated', 'a refused hello leaves the connection unauthenticated');
  const h2 = await c.hello(srv.organiserToken, h.err.head);
  assert.ok(!h2.err && h2.welcome.head === h.err.head);
});
