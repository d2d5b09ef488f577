// client.test.mjs – the browser client's logic without a browser: the connection's resume and
// retry rules (against a scripted fake WebSocket), the state fold, programme now/next, i18n.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, ConnState } from '../../web/js/conn.js';
import { applyEvent, applyWelcome, boardNotes, canvasOf, createState, teamNotes, teamStep, voteOptions } from '../../web/js/state.js';
import { clock, remaining } from '../../web/js/views/team/shell.js';
import { nowAndNext } from '../../web/js/programme.js';
import { WALL_H, WALL_W, freeIn, groupSize, layout } from '../../web/js/views/team/wall.js';
import { pick, t, setLang } from '../../web/js/i18n.js';
import { FakeSocket } from './fake-socket.mjs';

function latest() {
  return FakeSocket.all[FakeSocket.all.length - 1];
}

async function waitFor(cond, what, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function newConn(token = 'tok') {
  FakeSocket.all = [];
  const conn = new Connection({ url: 'ws://x/ws', token, WebSocketImpl: FakeSocket, random: () => 0 });
  conn.open();
  return conn;
}

const welcome = { t: 'welcome', me: { role: 'participant', actor: 'm1', member: 'm1', team: 't1', name: 'Anna' }, sprint: 's1', head: 10, now: Date.now() };

test('hello carries since=0 first, then the highest seq seen after a reconnect; old seqs are dropped', async () => {
  const conn = newConn();
  const seen = [];
  conn.on('event', (ev) => seen.push(ev.seq));
  const first = latest();
  first.open();
  assert.deepEqual(first.ofType('hello'), [{ t: 'hello', token: 'tok', since: 0 }]);
  first.recv(welcome);
  assert.equal(conn.state, ConnState.ONLINE);
  first.recv({ t: 'ev', seq: 3, type: 'x', data: {} });
  first.recv({ t: 'ev', seq: 7, type: 'x', data: {} });
  first.recv({ t: 'ev', seq: 7, type: 'x', data: {} });
  first.recv({ t: 'ev', seq: 5, type: 'x', data: {} });
  first.recv({ t: 'synced', seq: 9 });
  assert.deepEqual(seen, [3, 7]);
  assert.equal(conn.hasSynced, true);

  first.drop();
  assert.equal(conn.state, ConnState.RECONNECTING);
  await waitFor(() => FakeSocket.all.length === 2, 'a reconnect');
  const second = latest();
  second.open();
  assert.deepEqual(second.ofType('hello'), [{ t: 'hello', token: 'tok', since: 7 }]);
  second.recv(welcome);
  second.recv({ t: 'ev', seq: 7, type: 'x', data: {} });
  second.recv({ t: 'ev', seq: 8, type: 'x', data: {} });
  assert.deepEqual(seen, [3, 7, 8]);
  conn.close();
});

test('unanswered commands are resent with the same id after a reconnect, answered ones are not', async () => {
  const conn = newConn();
  const ws = latest();
  const a = conn.send('note.add', { text: 'een' });
  const b = conn.send('note.add', { text: 'twee' });
  ws.open();
  assert.equal(ws.ofType('cmd').length, 0, 'no command before the welcome');
  ws.recv(welcome);
  const sent = ws.ofType('cmd');
  assert.deepEqual(sent.map((m) => m.args.text), ['een', 'twee']);
  assert.equal(conn.outboxSize, 2);
  ws.recv({ t: 'ack', id: sent[0].id, seq: 11 });
  assert.deepEqual(await a, { t: 'ack', id: sent[0].id, seq: 11 });
  assert.equal(conn.outboxSize, 1);

  ws.drop();
  await waitFor(() => FakeSocket.all.length === 2, 'a reconnect');
  const again = latest();
  again.open();
  again.recv(welcome);
  const resent = again.ofType('cmd');
  assert.equal(resent.length, 1);
  assert.equal(resent[0].id, sent[1].id, 'the same id, so the server applies it once');
  again.recv({ t: 'ack', id: sent[1].id, seq: 12 });
  assert.equal((await b).seq, 12);
  assert.equal(conn.outboxSize, 0);
  conn.close();
});

test('a refused command rejects with the error; rate_limited is retried', async () => {
  const conn = newConn();
  const ws = latest();
  ws.open();
  ws.recv(welcome);
  const p = conn.send('note.add', { text: '' });
  const id = ws.ofType('cmd')[0].id;
  ws.recv({ t: 'err', id, code: 'text_empty', nl: 'leeg', en: 'empty' });
  await assert.rejects(p, (err) => err.code === 'text_empty');
  assert.equal(conn.outboxSize, 0);

  const q = conn.send('note.add', { text: 'later' });
  const qid = ws.ofType('cmd')[1].id;
  ws.recv({ t: 'err', id: qid, code: 'rate_limited', nl: '', en: '' });
  assert.equal(conn.outboxSize, 1, 'kept for a retry');
  await waitFor(() => ws.ofType('cmd').filter((m) => m.id === qid).length === 2, 'the retry', 4000);
  ws.recv({ t: 'ack', id: qid, seq: 20 });
  assert.equal((await q).seq, 20);
  conn.close();
});

test('join resends the same join id after a drop and then resumes with the token it got', async () => {
  const conn = newConn(null);
  const first = latest();
  first.open();
  assert.equal(conn.state, ConnState.ONLINE, 'an unauthenticated socket is still a connection');
  const joined = conn.join('K7QM-X2PA', 'Anna');
  const j1 = first.ofType('join')[0];
  assert.equal(j1.code, 'K7QM-X2PA');
  first.drop();
  await waitFor(() => FakeSocket.all.length === 2, 'a reconnect');
  const second = latest();
  second.open();
  const j2 = second.ofType('join')[0];
  assert.equal(j2.id, j1.id);
  second.recv({ t: 'joined', id: j1.id, token: 'sess', member: 'm1', team: 't1' });
  second.recv(welcome);
  assert.equal((await joined).token, 'sess');
  second.recv({ t: 'ev', seq: 4, type: 'x', data: {} });
  second.drop();
  await waitFor(() => FakeSocket.all.length === 3, 'another reconnect');
  const third = latest();
  third.open();
  assert.deepEqual(third.ofType('hello'), [{ t: 'hello', token: 'sess', since: 4 }]);
  assert.equal(third.ofType('join').length, 0);
  conn.close();
});

test('a refused token stops the reconnecting and says so', (ctx) => {
  // Fake timers: the back-off is waited out by ticking, not by sleeping.
  ctx.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  // A dropped connection with a good token comes back once its back-off has passed…
  const good = newConn('tok');
  latest().open();
  latest().drop();
  ctx.mock.timers.tick(60000);
  assert.equal(FakeSocket.all.length, 2, 'a dropped connection reconnects after its back-off');
  good.close();
  // …one whose token is refused never does, however long we wait.
  const conn = newConn('wrong');
  let failed = null;
  conn.on('auth-failed', (err) => (failed = err));
  const ws = latest();
  ws.open();
  ws.recv({ t: 'err', code: 'bad_token', nl: '', en: '' });
  assert.equal(failed?.code, 'bad_token');
  assert.equal(conn.state, ConnState.CLOSED);
  ctx.mock.timers.tick(10 * 60000);
  assert.equal(FakeSocket.all.length, 1, 'no reconnect with a refused token');
});

test('the state fold keeps notes per team and follows edits and deletes', () => {
  const s = createState();
  applyWelcome(s, welcome);
  assert.equal(s.role, 'participant');
  assert.equal(s.me, 'm1');
  assert.equal(s.team, 't1');
  applyEvent(s, { seq: 1, type: 'team.created', data: { id: 't1', name: 'Team 1', room: 'r1' } });
  applyEvent(s, { seq: 2, type: 'note.added', by: 'm1', data: { id: 'n1', team: 't1', text: 'a' } });
  applyEvent(s, { seq: 3, type: 'note.added', by: 'm2', data: { id: 'n2', team: 't1', text: 'b' } });
  applyEvent(s, { seq: 4, type: 'note.added', by: 'm9', data: { id: 'n3', team: 't2', text: 'c' } });
  applyEvent(s, { seq: 5, type: 'note.edited', by: 'm2', data: { id: 'n1', text: 'a2' } });
  applyEvent(s, { seq: 6, type: 'note.deleted', by: 'm1', data: { id: 'n2' } });
  assert.equal(applyEvent(s, { seq: 7, type: 'future.thing', data: {} }), false);
  assert.deepEqual(teamNotes(s, 't1').map((n) => [n.id, n.text, n.by, n.editedBy]), [['n1', 'a2', 'm1', 'm2']]);
  assert.equal(teamNotes(s, 't2').length, 1);
  assert.equal(s.seq, 7);
});

test('the wall fold: positions of notes and groups; a note placed after its move lies loose', () => {
  const s = createState();
  applyWelcome(s, welcome);
  let seq = 0;
  const ev = (type, data) => applyEvent(s, { seq: ++seq, ts: 1000 + seq, type, by: 'm1', data });
  ev('note.shared', { id: 'n1', team: 't1', board: 'problems', text: 'a', author: 'm1' });
  ev('cluster.added', { id: 'k1', team: 't1', board: 'problems', name: 'G', x: 400, y: 300 });
  ev('cluster.added', { id: 'k2', team: 't1', board: 'problems', name: 'H' });
  assert.deepEqual([s.clusters.get('k1').placed, s.clusters.get('k1').x, s.clusters.get('k2').placed], [true, 400, false]);
  ev('cluster.placed', { id: 'k2', x: 10, y: 20 });
  assert.deepEqual([s.clusters.get('k2').placed, s.clusters.get('k2').x, s.clusters.get('k2').y], [true, 10, 20]);
  ev('note.moved', { id: 'n1', cluster: 'k1' });
  assert.equal(s.notes.get('n1').free, false);
  ev('note.placed', { id: 'n1', x: 700, y: 50 });
  assert.deepEqual([s.notes.get('n1').x, s.notes.get('n1').free, s.notes.get('n1').cluster], [700, true, 'k1'], 'dragged out of its group: loose until moved');
  ev('note.moved', { id: 'n1', cluster: 'k1' });
  assert.equal(s.notes.get('n1').free, false, 'dropped back: in the group order again');
});

test('the wall layout: stable spots, groups in free space, the same wall for the same state', () => {
  const notes = Array.from({ length: 12 }, (_, i) => ({ id: `n${i + 1}`, cluster: null, placed: false }));
  const a = layout(notes, []);
  // A loose note lies at the spot of its number: grouping others does not move it.
  const grouped = notes.map((n, i) => (i < 3 ? { ...n, cluster: 'k1' } : n));
  const b = layout(grouped, [{ id: 'k1', placed: true, x: 900, y: 500 }]);
  assert.deepEqual(b.loose.get('n12'), a.loose.get('n12'));
  assert.equal(b.loose.has('n1'), false);
  assert.deepEqual([b.groups.get('k1').x, b.groups.get('k1').y, b.groups.get('k1').notes.length], [900, 500, 3]);
  assert.deepEqual(b.slot.get('n2'), { x: 10 + 170 + 10, y: 52 + 10 }, 'a group is two notes wide');
  assert.equal(groupSize(5).h, groupSize(6).h, 'five and six notes take three rows');
  // A group nobody placed takes a free spot: it covers no loose note and no other group.
  const c = layout(grouped, [{ id: 'k1', placed: true, x: 900, y: 500 }, { id: 'k2', placed: false }]);
  const k2 = c.groups.get('k2');
  const overlaps = (p, w, h) => p.x < k2.x + k2.w && k2.x < p.x + w && p.y < k2.y + k2.h && k2.y < p.y + h;
  for (const at of c.loose.values()) assert.equal(overlaps(at, 170, 100), false);
  assert.equal(overlaps(c.groups.get('k1'), c.groups.get('k1').w, c.groups.get('k1').h), false);
  assert.deepEqual(layout(grouped, [{ id: 'k2', placed: false }]).groups.get('k2'), layout(grouped, [{ id: 'k2', placed: false }]).groups.get('k2'));
  // A wall with no room left says so.
  assert.equal(freeIn([[0, 0, WALL_W, WALL_H]], 100, 100), null);
  // A group placed against the right edge is kept on the wall.
  assert.equal(layout([], [{ id: 'k9', placed: true, x: WALL_W, y: 0 }]).groups.get('k9').x, WALL_W - groupSize(0).w);
});

test('the method fold: playbook, steps, timers, roles, private notes and sharing, clusters, items', () => {
  const s = createState();
  applyWelcome(s, welcome);
  let seq = 0;
  const ev = (type, data, by = 'm1') => applyEvent(s, { seq: ++seq, ts: 1000 + seq, type, by, data });
  ev('playbook.set', {
    id: 'pb',
    phases: [
      { id: 'p0', name: { nl: 'Kennismaken' }, steps: [{ id: 'intro', activity: 'intro', minutes: 15 }] },
      { id: 'p1', name: { nl: 'Fase 1' }, steps: [{ id: 'dump', activity: 'brainstorm', minutes: 5, params: { board: 'problems', private: true } }, { id: 'vote', activity: 'vote', params: { target: 'list:k', budget: 10 } }] },
    ],
  });
  assert.deepEqual(s.steps.map((x) => [x.id, x.phase.id]), [['intro', 'p0'], ['dump', 'p1'], ['vote', 'p1']]);
  assert.equal(teamStep(s, 't1').step.id, 'intro', 'a team starts at the first step');
  ev('timer.changed', { team: 't1', step: 'intro', state: 'running', duration_ms: 60000, ends_at: 5000 });
  assert.equal(s.timers.get('t1').state, 'running');
  ev('step.changed', { team: 't1', step: 'dump', index: 1, back: false, minutes: 5 });
  assert.deepEqual([teamStep(s, 't1').index, s.timers.get('t1').state, s.timers.get('t1').duration_ms], [1, 'idle', 300000], 'a new step has a fresh timer');
  ev('team.roles', { team: 't1', captain: 'm1', timekeeper: 'm2', presenter: null });
  ev('member.profile', { member: 'm2', organisation: 'Gemeente', role: 'Adviseur', motivation: '' });
  assert.deepEqual(s.roles.get('t1'), { captain: 'm1', timekeeper: 'm2', presenter: null });
  assert.equal(s.profiles.get('m2').organisation, 'Gemeente');

  ev('note.added', { id: 'n1', team: 't1', board: 'problems', text: 'mijn gedachte', private: true });
  assert.equal(s.notes.get('n1').private, true);
  ev('note.shared', { id: 'n1', team: 't1', board: 'problems', text: 'mijn gedachte', author: 'm1' });
  // A teammate's note reaches us only when shared: it is new to us, with its author.
  ev('note.shared', { id: 'n2', team: 't1', board: 'problems', text: 'van Bram', author: 'm2' }, 'm1');
  assert.deepEqual(boardNotes(s, 't1', 'problems').map((n) => [n.id, n.private, n.by]), [['n1', false, 'm1'], ['n2', false, 'm2']]);
  ev('note.added', { id: 'n3', team: 't1', text: 'op de muur' });
  assert.equal(s.notes.get('n3').board, 'wall', 'a note without a board is on the wall');

  ev('cluster.added', { id: 'k1', team: 't1', board: 'problems', name: 'Gegevens' });
  ev('cluster.renamed', { id: 'k1', name: 'Data' });
  ev('note.moved', { id: 'n1', cluster: 'k1' });
  assert.equal(s.notes.get('n1').cluster, 'k1');
  ev('cluster.deleted', { id: 'k1' });
  assert.equal(s.notes.get('n1').cluster, null, 'a deleted cluster lets its notes go');
  ev('cluster.suggested', { id: 'g1', team: 't1', board: 'problems', groups: [{ name: 'gegevens', notes: ['n1', 'n2'] }] });
  assert.equal(s.suggestions.get('g1').settled, false);
  ev('cluster.added', { id: 'k2', team: 't1', board: 'problems', name: 'gegevens' });
  ev('cluster.batch', { id: 'b1', suggestion: 'g1', clusters: ['k2'], moved: [{ note: 'n1', from: null }] });
  assert.equal(s.suggestions.get('g1').settled, true);
  ev('cluster.undone', { batch: 'b1' });
  assert.equal(s.batches.get('b1').undone, true);

  ev('item.added', { id: 'i1', team: 't1', list: 'k', text: 'Dubbele uitvraag', cluster: 'k2' });
  ev('item.added', { id: 'i2', team: 't1', list: 'k', text: 'Silo’s', cluster: '' });
  ev('item.edited', { id: 'i2', text: 'Silo’s per taak' });
  ev('item.added', { id: 'i3', team: 't1', list: 'k', text: 'weg' });
  ev('item.deleted', { id: 'i3' });
  assert.deepEqual(voteOptions(s, 't1', 'list:k'), [{ id: 'i1', text: 'Dubbele uitvraag' }, { id: 'i2', text: 'Silo’s per taak' }]);
  assert.equal(s.items.get('i2').cluster, null);
  assert.deepEqual(voteOptions(s, 't1', 'board:problems').map((o) => o.id), ['n1', 'n2']);
});

test('the method fold: hidden votes, reveal, tie and decision; canvases, the race, milestones, hints', () => {
  const s = createState();
  applyWelcome(s, welcome);
  let seq = 0;
  const ev = (type, data, by = 'm1') => applyEvent(s, { seq: ++seq, type, by, data });
  ev('vote.placed', { step: 'v', target: 'i1', mine: 1, used: 1, budget: 2 });
  ev('vote.placed', { step: 'v', target: 'i1', mine: 2, used: 2, budget: 2 });
  ev('vote.removed', { step: 'v', target: 'i1', mine: 1, used: 1, budget: 2 });
  ev('vote.placed', { step: 'v', target: 'i2', mine: 1, used: 2, budget: 2 });
  let v = s.votes.get('v');
  assert.deepEqual([[...v.mine], v.used, v.budget, v.revealed], [[['i1', 1], ['i2', 1]], 2, 2, null]);
  ev('vote.progress', { step: 'v', done: ['m1'], members: 3 });
  assert.deepEqual([v.done, v.members], [['m1'], 3]);
  ev('vote.revealed', { step: 'v', tally: [{ target: 'i1', count: 3 }, { target: 'i2', count: 3 }], selected: null, tie: { fixed: [], candidates: ['i1', 'i2'], places: 1 } });
  v = s.votes.get('v');
  assert.equal(v.selected, null);
  assert.deepEqual(v.revealed.tie.candidates, ['i1', 'i2']);
  ev('vote.decided', { step: 'v', selected: ['i2'] });
  assert.deepEqual(s.votes.get('v').selected, ['i2']);

  ev('canvas.updated', { team: 't1', canvas: 'pitch', field: 'idea', text: 'Een kluis' });
  ev('canvas.updated', { team: 't1', canvas: 'pitch', field: 'idea', text: 'Een gegevenskluis' });
  ev('canvas.updated', { team: 't1', canvas: 'plan', field: 'cost', text: 'Moed' });
  assert.deepEqual(canvasOf(s, 't1', 'pitch'), { idea: 'Een gegevenskluis' });
  assert.deepEqual(canvasOf(s, 't1', 'vehicle'), {});

  ev('race.round', { room: 'r1', round: 1, rounds: 2, state: 'running', ends_at: 9000, duration_ms: 6000, step: 'race' });
  ev('race.count', { room: 'r1', team: 't1', round: 1, count: 1 });
  ev('race.count', { room: 'r1', team: 't2', round: 1, count: 2 });
  ev('race.round', { room: 'r1', round: 1, rounds: 2, state: 'ended', step: 'race' });
  ev('race.leaderboard', { room: 'r1', round: 1, teams: [{ team: 't2', name: 'B', count: 2 }, { team: 't1', name: 'A', count: 1 }] });
  assert.deepEqual([s.races.get('r1').state, s.races.get('r1').round, s.races.get('r1').ends_at], ['ended', 1, 9000]);
  ev('race.round', { room: 'r1', round: 2, rounds: 2, state: 'running', ends_at: 20000, duration_ms: 6000, step: 'race' });
  ev('race.count', { room: 'r1', team: 't1', round: 2, count: 4 });
  ev('race.leaderboard', { room: 'r1', round: 2, teams: [{ team: 't1', name: 'A', count: 4 }, { team: 't2', name: 'B', count: 2 }] });
  ev('race.won', { room: 'r1', teams: ['t1'], count: 4, prize: { nl: 'twee vellen' } });
  assert.deepEqual(s.leaderboards.get('r1').map((b) => b.round), [1, 2]);
  assert.equal(s.raceCounts.get('r1').get('t1'), 4);
  assert.deepEqual(s.raceWins.get('r1').teams, ['t1']);

  ev('milestone.added', { id: 's1', team: 't1', idea: 'n5', at: 0, kind: 'goal', text: 'Start' });
  ev('milestone.edited', { id: 's1', at: 2, kind: 'role', text: 'De provincie doet mee' });
  ev('milestone.added', { id: 's2', team: 't1', idea: 'n5', at: 5, kind: 'added', text: 'weg' });
  ev('milestone.deleted', { id: 's2' });
  assert.deepEqual([...s.milestones.values()].map((m) => [m.id, m.at, m.kind, m.text]), [['s1', 2, 'role', 'De provincie doet mee']]);
  ev('idea.similar', { note: 'n9', similar: 'n5', text: 'Een kluis', score: 0.8 });
  assert.equal(s.similar.length, 1);
  assert.equal(s.similar[0].similar, 'n5');
});

test('the team timer counts down on the server clock and never shows more than its duration', () => {
  assert.equal(clock(0), '0:00');
  assert.equal(clock(-5), '0:00');
  assert.equal(clock(59001), '1:00');
  assert.equal(clock(125000), '2:05');
  assert.equal(remaining(undefined, 0), null);
  assert.equal(remaining({ state: 'idle', duration_ms: 60000 }, 0), null);
  assert.equal(remaining({ state: 'running', ends_at: 100000, duration_ms: 120000 }, 40000), 60000);
  // A client whose clock estimate lags a little would show 2:01 for a new two-minute timer.
  assert.equal(remaining({ state: 'running', ends_at: 200000, duration_ms: 120000 }, 79990), 120000);
  assert.equal(remaining({ state: 'running', ends_at: 100000, duration_ms: 60000 }, 150000), 0);
  assert.equal(remaining({ state: 'paused', remaining_ms: 30000 }, 999999), 30000);
  assert.equal(remaining({ state: 'expired' }, 0), 0);
});

test('now and next follow the programme, with overlapping items and open ends', () => {
  const items = [
    { time: '09:30', title: { nl: 'Opening' } },
    { time: '14:50', end: '15:45', title: { nl: 'Fase 4' } },
    { time: '15:00', title: { nl: 'Pauze' } },
    { time: '15:45', title: { nl: 'Pitches' } },
    { time: '17:05', title: { nl: 'Borrel' } },
  ];
  const at = (hhmm) => {
    const [h, m] = hhmm.split(':').map(Number);
    const r = nowAndNext(items, h * 60 + m);
    return [r.now.map((i) => i.title.nl), r.next?.title.nl ?? null];
  };
  assert.deepEqual(at('08:00'), [[], 'Opening']);
  assert.deepEqual(at('09:30'), [['Opening'], 'Fase 4']);
  assert.deepEqual(at('15:10'), [['Fase 4', 'Pauze'], 'Pitches']);
  assert.deepEqual(at('15:45'), [['Pitches'], 'Borrel']);
  assert.deepEqual(at('23:00'), [['Borrel'], null]);
});

test('catalogue lookups: placeholders, plurals, bilingual content, fallback to Dutch', () => {
  assert.equal(t('board.count', { count: 1 }), '1 notitie');
  assert.equal(t('board.count', { count: 3 }), '3 notities');
  assert.equal(pick({ nl: 'Lunch', en: 'Lunch break' }), 'Lunch');
  setLang('en');
  assert.equal(t('board.count', { count: 3 }), '3 notes');
  assert.equal(pick({ nl: 'Lunch', en: 'Lunch break' }), 'Lunch break');
  assert.equal(pick({ nl: 'Alleen Nederlands' }), 'Alleen Nederlands');
  setLang('nl');
  assert.equal(t('no.such.key'), 'no.such.key');
});

test('every UI string the code asks for exists in both catalogues, and the catalogues match', async () => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const nl = (await import('../../web/js/i18n/nl.js')).default;
  const en = (await import('../../web/js/i18n/en.js')).default;
  assert.deepEqual(Object.keys(en).sort(), Object.keys(nl).sort());
  const root = new URL('../../web/js/', import.meta.url).pathname;
  const files = [];
  (function walk(dir) {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js')) files.push(path);
    }
  })(root);
  const used = new Set();
  for (const file of files) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/'(conn\.[a-z]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 50, `found only ${used.size} keys: the scan is broken`);
  const missing = [...used].filter((key) => !(key in nl));
  assert.deepEqual(missing, []);
});
