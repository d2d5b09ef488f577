// A full disk and a failing fsync: commands are never acked for what is not on disk, the
// others get store_unavailable, /healthz says the store fails, and when the cause is gone the
// server recovers by itself and acks what was waiting. Needs root (tmpfs mount) – CI runs as
// root; the fsync half needs a C compiler for a small LD_PRELOAD shim.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Server, teamCodes, member, httpGet, sleep, tempDir, removeDir, sanitizerReport } from './lib.mjs';

function sqlite(db, sql) {
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();
}

// A server whose database lives in `dir` (instead of lib.mjs's temp dir).
async function serverIn(t, dir, env) {
  const s = new Server();
  removeDir(s.dir);
  s.dir = dir;
  s.db = path.join(dir, 't.db');
  if (env) {
    const orig = process.env;
    process.env = { ...orig, ...env };
    try { await s.spawn(); } finally { process.env = orig; }
  } else {
    await s.spawn();
  }
  t.after(async () => {
    s.closeClients();
    await s.kill();
    const rep = sanitizerReport(s.stderr + s.stdout);
    if (rep) throw new Error(`the server printed a sanitizer report:\n${rep}`);
  });
  return s;
}

async function health(srv) {
  const r = await httpGet(srv.port, '/healthz');
  return { status: r.status, body: JSON.parse(r.body) };
}

// Writes 280-character notes one at a time until one is not acked within 1.5 s (the
// store is failing) or is refused; returns {acked, stuck} where stuck is the unanswered id.
async function writeUntilStuck(c, max) {
  const acked = [];
  for (let i = 0; i < max; i++) {
    const id = `fill-${i}`;
    const text = `vol ${i} ${'x'.repeat(270)}`.slice(0, 280);
    const from = c.frames.length;
    c.send({ t: 'cmd', id, cmd: 'note.add', args: { text } });
    let answer = null;
    try {
      answer = await c.waitFor((m) => (m.t === 'ack' || m.t === 'err') && m.id === id, 1500, { from });
    } catch { return { acked, stuck: { id, text }, refused: null }; }
    if (answer.t === 'err') return { acked, stuck: null, refused: { id, text, err: answer } };
    acked.push({ id, text, seq: answer.seq });
  }
  return { acked, stuck: null, refused: null };
}

test('a full disk: no false ack, store_unavailable, /healthz 503, recovery when space returns', { timeout: 180000 }, async (t) => {
  const mnt = tempDir('staatsprint-full-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]);
  t.after(() => { try { execFileSync('umount', ['-l', mnt]); } catch { /* gone */ } removeDir(mnt); });

  const srv = await serverIn(t, mnt);
  const { list } = await teamCodes(srv, 1);
  const c = await member(srv, list[0].code, 'Vulder');
  const other = await member(srv, list[0].code, 'Ander');

  // Fill what is left of the file system, then write until the store fails.
  const filler = path.join(mnt, 'filler');
  try { execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' }); } catch { /* ENOSPC ends dd */ }
  const { acked, stuck, refused } = await writeUntilStuck(c, 4000);
  assert.ok(stuck || refused, `the store never failed although the disk is full (${acked.length} notes acked)`);

  // The store is failing: /healthz says so, new commands are refused with store_unavailable,
  // and whatever was waiting stays unacknowledged.
  let h;
  for (let i = 0; i < 50; i++) { h = await health(srv); if (h.status === 503) break; await sleep(100); }
  assert.equal(h.status, 503, `/healthz must answer 503 while the disk is full, got ${h.status} ${JSON.stringify(h.body)}`);
  assert.equal(h.body.store, 'failing', `/healthz must name the failing store: ${JSON.stringify(h.body)}`);
  const refusedNow = await other.cmd('note.add', { text: 'tijdens vol' }, 'during-full');
  assert.equal(refusedNow.t, 'err', `a command while the disk is full must be refused, got ${JSON.stringify(refusedNow)}`);
  assert.equal(refusedNow.code, 'store_unavailable', `expected store_unavailable, got ${JSON.stringify(refusedNow)}`);
  assert.ok(refusedNow.nl && refusedNow.en, 'the refusal must explain itself in Dutch and English');
  if (stuck) {
    // An ack comes only after a commit, and the store has failed since before the refusal
    // above: once a later message of the same connection is answered (answers go out in
    // order), an ack queued before it would be in.
    const pf0 = c.frames.length;
    c.send({ t: 'ping', now: 0 });
    await c.waitFor((m) => m.t === 'pong', undefined, { from: pf0, what: 'the pong after the refusal' });
    assert.ok(!c.messages.some((m) => m.t === 'ack' && m.id === stuck.id), 'a command whose event is not on disk must not be acked');
  }
  // The server keeps serving meanwhile.
  const pf = other.frames.length;
  other.send({ t: 'ping', now: 1 });
  await other.waitFor((m) => m.t === 'pong', 5000, { from: pf, what: 'a pong while the disk is full' });

  // Space returns: the waiting command is acked by itself, /healthz recovers, new commands work.
  fs.rmSync(filler);
  if (stuck) {
    const ack = await c.waitFor((m) => (m.t === 'ack' || m.t === 'err') && m.id === stuck.id, 15000, { what: `the ack of ${stuck.id} after space returned` });
    assert.equal(ack.t, 'ack', `the command waiting for the disk must be acked once space returns, got ${JSON.stringify(ack)}`);
    acked.push({ ...stuck, seq: ack.seq });
  }
  for (let i = 0; i < 50; i++) { h = await health(srv); if (h.status === 200) break; await sleep(100); }
  assert.equal(h.status, 200, `/healthz must recover once space returns: ${JSON.stringify(h.body)}`);
  const again = await other.cmd('note.add', { text: 'tijdens vol' }, 'during-full');
  assert.equal(again.t, 'ack', `the refused command, resent after recovery, must be acked: ${JSON.stringify(again)}`);
  if (refused) {
    const r = await c.cmd('note.add', { text: refused.text }, refused.id);
    assert.equal(r.t, 'ack', `the refused fill command, resent, must be acked: ${JSON.stringify(r)}`);
    acked.push({ id: refused.id, text: refused.text, seq: r.seq });
  }

  // Everything acked is on disk exactly once, and the file is healthy.
  await srv.kill();
  for (const a of acked) {
    const n = Number(sqlite(srv.db, `SELECT count(*) FROM events WHERE type='note.added' AND body LIKE '%"${a.text.split(' ').slice(0, 2).join(' ')} x%'`));
    assert.equal(n, 1, `acked note ${a.id} must be on disk exactly once, found ${n}`);
  }
  assert.equal(Number(sqlite(srv.db, "SELECT count(*) FROM events WHERE cmd_id='during-full'")), 1, 'the command refused while full must be on disk once, after its resend');
  assert.equal(sqlite(srv.db, 'PRAGMA integrity_check'), 'ok');
  console.log(`# disk full: ${acked.length} notes acked and on disk once; the store failed at note ${acked.length - (stuck ? 1 : 0)} (${stuck ? 'it waited for space and was acked after' : 'refused with store_unavailable'})`);
});

test('a failing fsync: no ack until fsync works again, then the waiting command is acked', { timeout: 120000 }, async (t) => {
  const dir = tempDir('staatsprint-fsync-');
  t.after(() => removeDir(dir));
  // fsync and fdatasync fail with EIO while the file FLAG exists.
  const shimSrc = path.join(dir, 'fsyncfail.c');
  const shim = path.join(dir, 'fsyncfail.so');
  const flag = path.join(dir, 'FAIL');
  fs.writeFileSync(shimSrc, `#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <unistd.h>
static int failing(void) { return access(${JSON.stringify(flag)}, F_OK) == 0; }
int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  if (failing()) { errno = EIO; return -1; }
  return real(fd);
}
int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  if (failing()) { errno = EIO; return -1; }
  return real(fd);
}
`);
  execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', shim, shimSrc, '-ldl']);
  const asanOpts = [process.env.ASAN_OPTIONS, 'verify_asan_link_order=0'].filter(Boolean).join(':');
  const srv = await serverIn(t, dir, { LD_PRELOAD: shim, ASAN_OPTIONS: asanOpts });
  const { list } = await teamCodes(srv, 1);
  const c = await member(srv, list[0].code, 'Schijf');

  const ok = await c.cmd('note.add', { text: 'voor de storing' });
  assert.equal(ok.t, 'ack', `a note before the failure must be acked: ${JSON.stringify(ok)}`);

  fs.writeFileSync(flag, '');
  const from = c.frames.length;
  c.send({ t: 'cmd', id: 'tijdens-storing', cmd: 'note.add', args: { text: 'tijdens de storing' } });
  // Facts, not time: the store reports the failure, then a later message is answered.
  for (let i = 0; i < 100 && (await health(srv)).status !== 503; i++) await sleep(50);
  const pf1 = c.frames.length;
  c.send({ t: 'ping', now: 1 });
  await c.waitFor((m) => m.t === 'pong', undefined, { from: pf1, what: 'a pong while fsync fails' });
  const early = c.frames.slice(from).map((f) => f.msg).find((m) => m && m.id === 'tijdens-storing');
  assert.ok(!early || early.t !== 'ack', `a command must not be acked while fsync fails: ${JSON.stringify(early)}`);
  const h = await health(srv);
  assert.equal(h.status, 503, `/healthz must report the failing store while fsync fails: ${h.status} ${JSON.stringify(h.body)}`);
  const refused = await c.cmd('note.add', { text: 'nog een' }, 'nog-een');
  assert.equal(refused.code, 'store_unavailable', `a new command while fsync fails must get store_unavailable, got ${JSON.stringify(refused)}`);

  fs.rmSync(flag);
  const ack = await c.waitFor((m) => m.id === 'tijdens-storing' && (m.t === 'ack' || m.t === 'err'), 15000, { from, what: 'the ack after fsync works again' });
  assert.equal(ack.t, 'ack', `the waiting command must be acked once fsync works: ${JSON.stringify(ack)}`);
  const after = await c.cmd('note.add', { text: 'nog een' }, 'nog-een');
  assert.equal(after.t, 'ack', `the refused command, resent, must be acked: ${JSON.stringify(after)}`);
  await srv.kill();
  assert.equal(Number(sqlite(srv.db, "SELECT count(*) FROM events WHERE cmd_id IN ('tijdens-storing','nog-een')")), 2, 'both commands must be on disk once');
  assert.equal(sqlite(srv.db, 'PRAGMA integrity_check'), 'ok');
});
