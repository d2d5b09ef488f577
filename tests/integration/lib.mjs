// Helpers for the integration tests: start the real staatsprint binary on a free port with a
// throw-away database, talk to it over WebSocket, and always clean up (processes, temp dirs).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const TESTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The binary under test: STAATSPRINT_BIN (relative paths are taken from the working directory,
// which is tests/ when run as documented), else ../build/rel/staatsprint relative to tests/.
// The Makefile currently links the release binary as build/staatsprint: use it when
// build/rel/staatsprint does not exist.
function defaultBin() {
  const rel = path.resolve(TESTS_DIR, '../build/rel/staatsprint');
  const top = path.resolve(TESTS_DIR, '../build/staatsprint');
  return !fs.existsSync(rel) && fs.existsSync(top) ? top : rel;
}
export const BIN = process.env.STAATSPRINT_BIN
  ? path.resolve(process.env.STAATSPRINT_BIN)
  : defaultBin();

export const REPO_DIR = path.resolve(TESTS_DIR, '..');

// The binary may be an ASan build on a busy 2-core machine: be generous with start-up time.
export const START_TIMEOUT_MS = Number(process.env.STAATSPRINT_START_TIMEOUT_MS || 30000);
export const DEFAULT_WAIT_MS = Number(process.env.STAATSPRINT_WAIT_MS || 8000);

const live = { procs: new Set(), dirs: new Set(), clients: new Set() };

// Last resort when a test file dies without running its hooks: no orphan servers, no temp dirs.
process.on('exit', () => {
  for (const c of live.clients) { try { c.ws.terminate(); } catch { /* already gone */ } }
  for (const p of live.procs) { try { p.kill('SIGKILL'); } catch { /* already gone */ } }
  for (const d of live.dirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
});

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function tempDir(prefix = 'staatsprint-it-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  live.dirs.add(d);
  return d;
}

export function removeDir(d) {
  try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ }
  live.dirs.delete(d);
}

// A port that was free a moment ago: listen on port 0, read the port, close.
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// GET a path on the server; resolves {status, headers, body}. Never rejects on HTTP status.
export async function httpGet(port, p, timeoutMs = 3000) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(`http://127.0.0.1:${port}${p}`, { signal: ctl.signal, redirect: 'manual' });
    const body = await res.text();
    return { status: res.status, headers: res.headers, body };
  } finally {
    clearTimeout(timer);
  }
}

// Run the binary to completion (for --version, --help, failing starts); kills it after timeoutMs.
export function runBin(args, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    let proc;
    try {
      proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) { reject(e); return; }
    live.procs.add(proc);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; proc.kill('SIGKILL'); }, timeoutMs);
    proc.on('error', (e) => { clearTimeout(timer); live.procs.delete(proc); reject(e); });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      live.procs.delete(proc);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

const ORGANISER_LINE = /Organisator:\s*https?:\/\/[^\s/]*?(?::(\d+))?\/#\/o\/([A-Za-z0-9_\-.~%]+)/;

// One running staatsprint server with its own temporary directory and database.
export class Server {
  constructor() {
    this.dir = tempDir();
    this.db = path.join(this.dir, 't.db');
    this.proc = null;
    this.port = 0;
    this.organiserToken = null;
    this.stdout = '';
    this.stderr = '';
    this.clients = new Set();
    this.starts = 0;
  }

  static async start(opts = {}) {
    const s = new Server();
    try {
      await s.spawn(opts);
    } catch (e) {
      await s.stop();
      throw e;
    }
    return s;
  }

  get url() { return `http://127.0.0.1:${this.port}`; }
  get wsUrl() { return `ws://127.0.0.1:${this.port}/ws`; }

  output() {
    return `--- stdout ---\n${this.stdout.slice(-4000)}\n--- stderr ---\n${this.stderr.slice(-4000)}`;
  }

  // Start the binary; resolves when /healthz answers 200 and (on the first start) the
  // organiser link has been printed. A restart keeps the old token if no new line appears.
  async spawn(opts = {}) {
    // While engineers relink the binary, spawning it can briefly fail with EACCES or ETXTBSY:
    // wait and retry rather than report a server failure that is not one.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.spawnOnce(opts);
      } catch (e) {
        if (!(e.spawnCode === 'EACCES' || e.spawnCode === 'ETXTBSY') || attempt >= 20) throw e;
        this.starts -= 1;
        if (this.exitPromise) await this.exitPromise;
        await sleep(500);
      }
    }
  }

  async spawnOnce({ port, extraArgs = [] } = {}) {
    this.port = port || await freePort();
    this.starts += 1;
    const firstStart = this.starts === 1;
    const args = ['serve', '--port', String(this.port), '--db', this.db, ...extraArgs];
    const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    live.procs.add(proc);
    let lineBuf = '';
    let tokenSeen = false;
    proc.stdout.on('data', (d) => {
      const s = d.toString();
      this.stdout += s;
      lineBuf += s;
      const m = ORGANISER_LINE.exec(lineBuf);
      if (m) { this.organiserToken = m[2]; this.printedPort = Number(m[1]); tokenSeen = true; }
    });
    proc.stderr.on('data', (d) => { this.stderr += d; });
    let exited = null;
    proc.on('error', (e) => { exited = { error: e }; });
    proc.on('exit', (code, signal) => { exited = { code, signal }; live.procs.delete(proc); });
    this.exitPromise = new Promise((r) => proc.on('close', (code, signal) => r({ code, signal })));

    const deadline = Date.now() + START_TIMEOUT_MS;
    let healthy = false;
    while (Date.now() < deadline) {
      if (exited) {
        const e = new Error(`server exited during start-up (${JSON.stringify(exited)}; ${BIN} ${args.join(' ')})\n${this.output()}`);
        if (exited.error) e.spawnCode = exited.error.code;
        throw e;
      }
      if (!healthy) {
        try {
          const r = await httpGet(this.port, '/healthz', 1000);
          healthy = r.status === 200;
        } catch { /* not listening yet */ }
      }
      if (healthy && (tokenSeen || !firstStart)) break;
      await sleep(50);
    }
    if (!healthy) throw new Error(`/healthz did not answer 200 within ${START_TIMEOUT_MS} ms\n${this.output()}`);
    if (firstStart && !tokenSeen) {
      throw new Error(`the server did not print "Organisator: http://localhost:${this.port}/#/o/TOKEN" on stdout\n${this.output()}`);
    }
    return this;
  }

  // SIGKILL: no chance to flush anything that is not already durable.
  async kill() {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    this.closeClients();
    if (!p) return;
    await this.exitPromise;
    live.procs.delete(p);
    this.proc = null;
  }

  // SIGKILL, then a fresh start on the same database (on a new free port).
  async restart(opts = {}) {
    await this.kill();
    await this.spawn(opts);
    return this;
  }

  closeClients() {
    for (const c of this.clients) c.terminate();
    this.clients.clear();
  }

  // Stop gracefully if possible (SIGTERM, then SIGKILL after 3 s), and remove the temp dir.
  async stop() {
    this.closeClients();
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      const t = setTimeout(() => { try { p.kill('SIGKILL'); } catch { /* gone */ } }, 3000);
      await this.exitPromise;
      clearTimeout(t);
    }
    if (p) {
      live.procs.delete(p);
      this.lastExit = { code: p.exitCode, signal: p.signalCode };
    }
    this.proc = null;
    removeDir(this.dir);
  }

  // An AddressSanitizer, LeakSanitizer or UBSan report in the server's output, if any.
  sanitizerReport() { return sanitizerReport(this.stderr + this.stdout); }

  alive() { return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null; }

  async client(opts) { return Client.connect(this, opts); }
}

const SANITIZER = /(ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: (Address|Leak|Undefined)[A-Za-z]*Sanitizer)/;

export function sanitizerReport(text) {
  const m = SANITIZER.exec(text);
  if (!m) return null;
  return text.slice(Math.max(0, m.index - 200), m.index + 3000);
}

// Start a server for one test and stop it when the test ends, whatever the outcome; a
// sanitizer report in its output (the suite runs the ASan build) fails the test.
export async function startServer(t, opts) {
  const s = await Server.start(opts);
  t.after(async () => {
    await s.stop();
    const rep = s.sanitizerReport();
    if (rep) throw new Error(`the server printed a sanitizer report:\n${rep}`);
  });
  return s;
}

let idCounter = 0;
export function newId(prefix = 'c') {
  idCounter += 1;
  return `${prefix}-${process.pid}-${idCounter}`;
}

export function uniqueText(label = 'note') {
  idCounter += 1;
  return `${label} ${process.pid}-${idCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

// A WebSocket client that records every frame it receives, raw and parsed.
export class Client {
  constructor(server, ws) {
    this.server = server;
    this.ws = ws;
    this.frames = []; // {raw: string|Buffer, binary, msg (parsed or undefined), at}
    this.waiters = [];
    this.closeInfo = null;
    this.token = null;
    this.member = null;
    this.team = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        live.clients.delete(this);
        if (server) server.clients.delete(this);
        for (const w of this.waiters.splice(0)) w.onClose(this.closeInfo);
        resolve(this.closeInfo);
      });
    });
    ws.on('error', (e) => { this.lastError = e; });
    ws.on('message', (data, isBinary) => {
      const raw = isBinary ? data : data.toString('utf8');
      let msg;
      if (!isBinary) { try { msg = JSON.parse(raw); } catch { msg = undefined; } }
      const frame = { raw, binary: isBinary, msg, at: Date.now(), index: this.frames.length };
      this.frames.push(frame);
      for (const w of [...this.waiters]) w.check(frame);
    });
  }

  static connect(server, { headers, origin, timeout = DEFAULT_WAIT_MS, url } = {}) {
    return new Promise((resolve, reject) => {
      const opts = { headers: headers || {}, perMessageDeflate: false, handshakeTimeout: timeout };
      if (origin) opts.origin = origin;
      const ws = new WebSocket(url || server.wsUrl, opts);
      const c = new Client(server, ws);
      live.clients.add(c);
      if (server) server.clients.add(c);
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (req, res) => {
        const e = new Error(`WebSocket upgrade refused with HTTP ${res.statusCode}`);
        e.statusCode = res.statusCode;
        ws.terminate();
        reject(e);
      });
      ws.once('error', (e) => reject(e));
    });
  }

  get messages() { return this.frames.filter((f) => f.msg).map((f) => f.msg); }
  get events() { return this.messages.filter((m) => m.t === 'ev'); }
  get rawText() { return this.frames.map((f) => (typeof f.raw === 'string' ? f.raw : f.raw.toString('latin1'))).join('\n'); }

  // Highest seq of an event this client received (what it has applied).
  get lastSeq() {
    let s = 0;
    for (const m of this.events) if (typeof m.seq === 'number' && m.seq > s) s = m.seq;
    return s;
  }

  isOpen() { return this.ws.readyState === WebSocket.OPEN; }

  send(obj) { this.ws.send(JSON.stringify(obj)); }
  sendRaw(data, opts = {}) {
    return new Promise((resolve, reject) => this.ws.send(data, opts, (e) => (e ? reject(e) : resolve())));
  }

  // Resolve with the first parsed message matching pred among frames at index >= from
  // (already received or still to come); reject after timeout or when the socket closes.
  waitFor(pred, timeout = DEFAULT_WAIT_MS, { from = 0, what = 'a matching message' } = {}) {
    for (const f of this.frames) {
      if (f.index >= from && f.msg && pred(f.msg)) return Promise.resolve(f.msg);
    }
    return new Promise((resolve, reject) => {
      const w = {
        check: (f) => {
          if (f.index >= from && f.msg && pred(f.msg)) { done(); resolve(f.msg); }
        },
        onClose: (info) => {
          done();
          reject(new Error(`connection closed (code ${info.code} ${info.reason}) while waiting for ${what}${this.serverState()}; last frames:\n${this.tail()}`));
        },
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}${this.serverState()}; last frames:\n${this.tail()}`));
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      if (this.closeInfo) { w.onClose(this.closeInfo); return; }
      this.waiters.push(w);
    });
  }

  // Wait until pred holds for the collected messages (e.g. "5 notes arrived").
  async waitUntil(cond, timeout = DEFAULT_WAIT_MS, what = 'a condition') {
    const deadline = Date.now() + timeout;
    while (!cond(this.messages)) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${this.serverState()}; last frames:\n${this.tail()}`);
      await sleep(20);
    }
  }

  // When the server process died (a crash, an ASan report), say so and show its output.
  serverState() {
    const s = this.server;
    if (!s || !s.proc || s.alive()) return '';
    return ` (the server process has exited: code ${s.proc.exitCode} signal ${s.proc.signalCode})\n${s.output()}\n`;
  }

  tail(n = 8) {
    return this.frames.slice(-n).map((f) => `  ${String(typeof f.raw === 'string' ? f.raw : '<binary>').slice(0, 300)}`).join('\n') || '  (none)';
  }

  // Authenticate with a token; resolves {welcome, synced, events, from} where events are the
  // ev messages between welcome and synced, or {err} if refused.
  async hello(token, since, timeout = DEFAULT_WAIT_MS) {
    const from = this.frames.length;
    const msg = { t: 'hello', token };
    if (since !== undefined) msg.since = since;
    this.send(msg);
    const first = await this.waitFor((m) => m.t === 'welcome' || m.t === 'err', timeout, { from, what: 'welcome or err after hello' });
    if (first.t === 'err') return { err: first };
    this.token = token;
    return this.afterWelcome(first, from, timeout);
  }

  async afterWelcome(welcome, from, timeout) {
    const synced = await this.waitFor((m) => m.t === 'synced', timeout, { from, what: 'synced after welcome' });
    const msgs = this.frames.filter((f) => f.index >= from && f.msg).map((f) => f.msg);
    const wi = msgs.indexOf(welcome);
    const si = msgs.indexOf(synced);
    return { welcome, synced, events: msgs.slice(wi + 1, si).filter((m) => m.t === 'ev'), between: msgs.slice(wi + 1, si), from };
  }

  // Join a team with its code; resolves {joined, welcome, synced, events} or {err}.
  async join(code, name, id = newId('j'), timeout = DEFAULT_WAIT_MS) {
    const from = this.frames.length;
    this.send({ t: 'join', id, code, name });
    const first = await this.waitFor((m) => (m.t === 'joined' && m.id === id) || m.t === 'err', timeout, { from, what: `joined or err for join ${id}` });
    if (first.t === 'err') return { err: first };
    this.token = first.token;
    this.member = first.member;
    this.team = first.team;
    const welcome = await this.waitFor((m) => m.t === 'welcome', timeout, { from, what: 'welcome after joined' });
    const rest = await this.afterWelcome(welcome, from, timeout);
    return { joined: first, ...rest };
  }

  // Send a command; resolves with its ack or err (matched by id). A rate_limited answer that
  // names the id (docs/protocol.md, Limits) means: send it again after retry_ms.
  async cmd(name, args = {}, id = newId('c'), timeout = DEFAULT_WAIT_MS) {
    for (let attempt = 0; ; attempt++) {
      const from = this.frames.length;
      this.send({ t: 'cmd', id, cmd: name, args });
      const m = await this.waitFor((x) => ((x.t === 'ack' || x.t === 'err') && x.id === id) ||
        (attempt < 20 && x.t === 'err' && x.code === 'rate_limited' && Array.isArray(x.ids) && x.ids.includes(id)),
      timeout, { from, what: `ack or err for ${name} ${id}` });
      if (m.id === id) return m;
      await sleep((m.retry_ms || 0) + 10);
    }
  }

  // The next err (with or without id) after frame index `from`.
  nextErr(from, timeout = DEFAULT_WAIT_MS) {
    return this.waitFor((m) => m.t === 'err', timeout, { from, what: 'an err message' });
  }

  close() {
    if (this.ws.readyState === WebSocket.CLOSED) return this.closed;
    try { this.ws.close(1000); } catch { /* ignore */ }
    const t = setTimeout(() => this.ws.terminate(), 2000);
    return this.closed.finally(() => clearTimeout(t));
  }

  // Drop the TCP connection without a closing handshake (a lost phone connection).
  terminate() {
    try { this.ws.terminate(); } catch { /* ignore */ }
    return this.closed;
  }
}

// Connect as organiser and collect the team join codes (team.code events until synced).
// Resolves {client, codes: Map team→code, teams: [{id,name,room}], links: [...], hello}.
export async function organiser(server) {
  const c = await server.client();
  const h = await c.hello(server.organiserToken, 0);
  if (h.err) throw new Error(`organiser hello refused: ${JSON.stringify(h.err)}`);
  const codes = new Map();
  const teams = [];
  let links = [];
  for (const ev of h.events) {
    if (ev.type === 'team.code' && ev.data) codes.set(ev.data.team, ev.data.code);
    if (ev.type === 'team.created' && ev.data) teams.push(ev.data);
    if (ev.type === 'links.set' && ev.data && Array.isArray(ev.data.links)) links = ev.data.links;
  }
  return { client: c, codes, teams, links, hello: h };
}

// The join codes of the first `n` teams that have one; fails with a clear message otherwise.
export async function teamCodes(server, n = 2) {
  const o = await organiser(server);
  const list = [...o.codes.entries()].map(([team, code]) => ({ team, code }));
  if (list.length < n) {
    throw new Error(`need at least ${n} teams with a join code, the organiser received ${list.length} team.code events: ${JSON.stringify(list)}`);
  }
  return { ...o, list };
}

// Connect and join as a new member of the team with this code; throws if refused.
export async function member(server, code, name = 'Lid') {
  const c = await server.client();
  const r = await c.join(code, name);
  if (r.err) throw new Error(`join with code ${code} refused: ${JSON.stringify(r.err)}`);
  c.joinResult = r;
  return c;
}

// The barrier of a negative test ("X did not arrive"): the organiser sends a marker event
// that every connection may see (sprint.updated, audience all); once each client has it,
// everything the server committed before it that the client may see has arrived too
// (a connection gets its frames in seq order, its own answers first). Waits on a fact,
// not on time. Returns the marker's seq.
export async function barrier(org, clients, timeout = DEFAULT_WAIT_MS) {
  const r = await org.cmd('sprint.update', { venue: `marker ${newId('m')}` });
  if (r.t !== 'ack') throw new Error(`the marker was refused: ${JSON.stringify(r)}`);
  await Promise.all(clients.filter(Boolean).map((c) => c.waitFor((m) => m.t === 'ev' && m.seq === r.seq, timeout,
    { what: `the marker event ${r.seq}` })));
  return r.seq;
}

export function notesIn(messages, text) {
  return messages.filter((m) => m.t === 'ev' && m.type === 'note.added' && m.data && m.data.text === text);
}
