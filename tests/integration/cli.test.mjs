// The command line: --version, --help, and clear failures for a busy port or a bad db path.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, REPO_DIR, runBin as run, startServer, freePort, tempDir, removeDir, sanitizerReport } from './lib.mjs';

// Run the binary; a sanitizer report in its output fails the test whatever the exit code.
async function runBin(args, timeoutMs) {
  const r = await run(args, timeoutMs);
  const rep = sanitizerReport(r.stderr + r.stdout);
  assert.equal(rep, null, `staatsprint ${args.join(' ')} printed a sanitizer report:\n${rep}`);
  return r;
}

test('--version prints the version and exits 0', async () => {
  const r = await runBin(['--version']);
  assert.equal(r.code, 0, `--version must exit 0, got ${r.code} (${r.signal || ''})\n${r.stderr}`);
  assert.match(r.stdout, /\d+\.\d+\.\d+/, `--version must print a version number, printed: ${JSON.stringify(r.stdout)}`);
  const versionFile = path.join(REPO_DIR, 'VERSION');
  if (fs.existsSync(versionFile) && path.resolve(BIN).startsWith(REPO_DIR)) {
    const v = fs.readFileSync(versionFile, 'utf8').trim();
    assert.ok(r.stdout.includes(v), `--version must print the repository's VERSION ${v}, printed: ${JSON.stringify(r.stdout)}`);
  }
});

test('--help mentions serve and exits 0', async () => {
  const r = await runBin(['--help']);
  assert.equal(r.code, 0, `--help must exit 0, got ${r.code}\n${r.stderr}`);
  assert.match(r.stdout + r.stderr, /\bserve\b/, `--help must mention the serve command, printed: ${JSON.stringify(r.stdout + r.stderr)}`);
});

test('an unknown command exits non-zero', async () => {
  const r = await runBin(['bestaat-niet']);
  assert.notEqual(r.code, 0, 'an unknown command must exit non-zero');
  assert.ok(!r.timedOut, 'an unknown command must not start anything');
});

test('a second server on a port in use exits non-zero and names the port', async (t) => {
  const srv = await startServer(t);
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const r = await runBin(['serve', '--port', String(srv.port), '--db', path.join(dir, 'tweede.db')], 20000);
  assert.ok(!r.timedOut, `the second server did not exit within 20 s on port ${srv.port} already in use\n${r.stdout}\n${r.stderr}`);
  assert.notEqual(r.code, 0, `the second server must exit non-zero, got ${r.code}`);
  assert.ok((r.stdout + r.stderr).includes(String(srv.port)), `the error must mention port ${srv.port}, printed: ${JSON.stringify(r.stdout + r.stderr)}`);
  assert.ok(srv.alive(), 'the first server must keep running');
});

test('--db in a directory that does not exist exits non-zero and names the path', async () => {
  const port = await freePort();
  const bad = '/nonexistent-dir/x.db';
  const r = await runBin(['serve', '--port', String(port), '--db', bad], 20000);
  assert.ok(!r.timedOut, `the server did not exit within 20 s with --db ${bad}\n${r.stdout}\n${r.stderr}`);
  assert.notEqual(r.code, 0, `--db ${bad} must exit non-zero, got ${r.code}`);
  assert.ok((r.stdout + r.stderr).includes(bad), `the error must name the path ${bad}, printed: ${JSON.stringify(r.stdout + r.stderr)}`);
});

test('serve --gather-us: a bad value is refused with a clear message; 0 (never wait) serves', async (t) => {
  for (const bad of ['abc', '-1', '100001', '']) {
    const r = await runBin(['serve', '--port', '1', '--gather-us', bad]);
    assert.notEqual(r.code, 0, `--gather-us ${JSON.stringify(bad)} must be refused`);
    assert.match(r.stderr, /--gather-us verwacht 0 tot 100000 \(--gather-us expects 0 to 100000\)/,
      `the refusal must say what is expected, printed: ${JSON.stringify(r.stderr)}`);
  }
  const s = await startServer(t, { extraArgs: ['--gather-us', '0'] });
  const h = await fetch(`${s.url}/healthz`);
  assert.equal(h.status, 200);
});
