// scripts/backup while the server runs and writes: the copy passes integrity_check, holds
// every note acked before the backup started, and a server starts on it.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, teamCodes, member, REPO_DIR, Server, sanitizerReport } from './lib.mjs';

const run = promisify(execFile);

test('scripts/backup copies a running, writing server consistently', { timeout: 120000 }, async (t) => {
  const srv = await startServer(t);
  const { list } = await teamCodes(srv, 1);
  const c = await member(srv, list[0].code, 'Bewaarder');
  const before = [];
  for (let i = 0; i < 30; i++) {
    const text = `voor de backup ${i}`;
    const r = await c.cmd('note.add', { text });
    assert.equal(r.t, 'ack');
    before.push(text);
  }
  // Keep writing while the backup runs.
  let writing = true;
  let during = 0;
  const writer = (async () => {
    while (writing) {
      const r = await c.cmd('note.add', { text: `tijdens de backup ${during}` });
      if (r.t === 'ack') during += 1;
    }
  })();
  const outDir = path.join(srv.dir, 'backups');
  const { stdout } = await run(path.join(REPO_DIR, 'scripts/backup'), [srv.db, outDir]);
  writing = false;
  await writer;
  const file = stdout.trim().split(' ')[0];
  assert.ok(fs.existsSync(file), `the backup must name its file, said: ${stdout}`);
  assert.equal((fs.statSync(file).mode & 0o077), 0, 'the backup must be readable by its owner only (it holds the link tokens)');
  assert.equal(execFileSync('sqlite3', [file, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
  const bodies = execFileSync('sqlite3', [file, "SELECT body FROM events WHERE type='note.added'"], { encoding: 'utf8' });
  for (const text of before) assert.ok(bodies.includes(`"${text}"`), `the backup must hold "${text}", acked before it started`);

  // A server starts on the copy and serves the same sprint.
  const restored = new Server();
  restored.db = file;
  t.after(async () => { await restored.stop(); });
  await restored.spawn();
  const o = await restored.client();
  const h = await o.hello(srv.organiserToken, 0);
  assert.ok(!h.err, `the organiser link must work on the restored copy: ${JSON.stringify(h.err)}`);
  const n = h.events.filter((e) => e.type === 'note.added' && e.data.text.startsWith('voor de backup')).length;
  assert.equal(n, before.length, 'the restored server must hold every note from before the backup');
  const rep = sanitizerReport(restored.stderr);
  assert.equal(rep, null, rep);
  console.log(`# backup: ${before.length} notes before, ${during} written while the backup ran; copy ok and served`);
});
