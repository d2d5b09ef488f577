// lib.mjs – helpers for the browser tests: start the real server on a free port with a fresh
// database, learn its links and team codes, drive Debian's Chromium, and run axe.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
import nl from '../../web/js/i18n/nl.js';

const require = createRequire(import.meta.url);
const axe = require('axe-core');

const TESTS_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The WCAG levels we promise: 2.0 and 2.1, A and AA. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * The server binary: $STAATSPRINT_BIN, else ../build/rel/staatsprint, else ../build/staatsprint
 * (relative paths are taken from tests/, where `make e2e` runs).
 * @returns {string}
 */
export function serverBinary() {
  const env = process.env.STAATSPRINT_BIN;
  if (env) return env.startsWith('/') ? env : join(TESTS_DIR, env);
  const candidates = ['../build/rel/staatsprint', '../build/staatsprint'].map((p) => join(TESTS_DIR, p));
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/** @returns {Promise<number>} a TCP port that was free a moment ago */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Connects over WebSocket with a token and collects the events up to `synced`.
 * @param {string} wsUrl ws://host:port/ws
 * @param {string} token link token
 * @returns {Promise<{welcome: object, events: object[]}>}
 */
export function fetchEvents(wsUrl, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    const events = [];
    let welcome = null;
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', token, since: 0 })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.t === 'welcome') welcome = msg;
      else if (msg.t === 'ev') events.push(msg);
      else if (msg.t === 'err') {
        ws.close();
        reject(new Error(`server refused hello: ${JSON.stringify(msg)}`));
      } else if (msg.t === 'synced') {
        ws.close();
        resolve({ welcome, events });
      }
    });
    ws.on('error', reject);
  });
}

/**
 * @typedef {object} TestServer
 * @property {string} url http://localhost:PORT
 * @property {string} wsUrl ws://localhost:PORT/ws
 * @property {string} organiserToken
 * @property {{id: string, name: string, room: string, code: string}[]} teams in creation order
 * @property {{role: string, room?: string, token: string}[]} links from `links.set`
 * @property {object} sprint data of `sprint.created`
 * @property {() => string} output what the server printed so far (stdout and stderr)
 * @property {() => Promise<void>} kill stops the process (SIGTERM) and keeps the database
 * @property {() => Promise<void>} restart starts the process again on the same port and database
 * @property {() => Promise<void>} stop stops the server and removes its database
 */

/**
 * One run of the server process: spawns it and resolves with the organiser token once the
 * line "Organisator: http://localhost:P/#/o/TOKEN" is printed.
 */
function spawnServer(bin, port, db, log, extra = []) {
  const child = spawn(bin, ['serve', '--port', String(port), '--db', db, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let exited = null;
  exit.then((e) => (exited = e));
  child.stdout.on('data', (d) => {
    out += d;
    log(String(d));
  });
  child.stderr.on('data', (d) => log(String(d)));
  const token = withTimeout(
    new Promise((resolve, reject) => {
      const look = () => {
        const m = /Organisator:\s*\S*\/#\/o\/([A-Za-z0-9_-]+)/.exec(out);
        if (m) resolve(m[1]);
      };
      child.stdout.on('data', look);
      exit.then((e) => reject(new Error(`server exited (${JSON.stringify(e)}) before printing its organiser link`)));
    }),
    15000,
    'the organiser link on stdout',
  );
  const kill = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const done = await Promise.race([exit, new Promise((r) => setTimeout(() => r(null), 5000))]);
    if (!done) {
      child.kill('SIGKILL');
      await exit;
    }
  };
  return { token, kill };
}

/**
 * Throws when the server's output holds a sanitizer report (`make e2e` runs the ASan+UBSan
 * build): a memory error found while people click around must fail the test run.
 * @param {string} out everything the server printed
 */
export function checkSanitizers(out) {
  const m = /(ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:)/.exec(out);
  if (m) throw new Error(`the server reported a sanitizer error:\n${out.slice(Math.max(0, m.index - 200), m.index + 3000)}`);
}

/**
 * Starts `BIN serve --port P --db TMP/t.db` on a free port, reads the organiser token from
 * its output, then asks the server as organiser for the teams, their join codes and the links.
 * @param {object} [o]
 * @param {string[]} [o.args] more arguments for `serve` (e.g. `--teams 36` for 15 teams a room)
 * @returns {Promise<TestServer>}
 */
export async function startServer({ args = [] } = {}) {
  const bin = serverBinary();
  if (!existsSync(bin)) throw new Error(`server binary not found: ${bin} (build it with "make build", or set STAATSPRINT_BIN)`);
  const dir = mkdtempSync(join(tmpdir(), 'staatsprint-e2e-'));
  const db = join(dir, 't.db');
  const port = await freePort();
  let out = '';
  const log = (text) => (out += text);
  let run = spawnServer(bin, port, db, log, args);
  const stop = async () => {
    await run.kill();
    rmSync(dir, { recursive: true, force: true });
    checkSanitizers(out);
  };

  try {
    const organiserToken = await run.token;
    const url = `http://localhost:${port}`;
    const wsUrl = `ws://localhost:${port}/ws`;
    const { events } = await withTimeout(fetchEvents(wsUrl, organiserToken), 10000, 'the organiser’s events up to synced');
    const teams = [];
    let links = [];
    let sprint = null;
    for (const ev of events) {
      if (ev.type === 'team.created') teams.push({ ...ev.data, code: null });
      else if (ev.type === 'team.code') {
        const team = teams.find((t) => t.id === ev.data.team);
        if (team) team.code = ev.data.code;
      } else if (ev.type === 'links.set') links = ev.data.links;
      else if (ev.type === 'sprint.created') sprint = ev.data;
    }
    if (teams.length < 2 || teams.some((t) => !t.code)) throw new Error(`expected at least two teams with codes, got ${JSON.stringify(teams)}`);
    const kill = () => run.kill();
    const restart = async () => {
      await run.kill();
      checkSanitizers(out);
      run = spawnServer(bin, port, db, log, args);
      const again = await run.token;
      if (again !== organiserToken) throw new Error('the organiser token changed across a restart');
    };
    return { url, wsUrl, organiserToken, teams, links, sprint, output: () => out, kill, restart, stop };
  } catch (err) {
    await stop();
    err.message += `\n--- server output ---\n${out}`;
    throw err;
  }
}

/**
 * What every browser test file starts with: the real server (with more `serve` arguments),
 * Chromium and, with `org: true`, the organiser on a WebSocket. Use it in `before`, and
 * `closeDay` with the same object in `after`.
 * @param {{args?: string[], org?: boolean}} [o]
 */
export async function openDay({ args = [], org = false } = {}) {
  const server = await startServer({ args });
  const browser = await launchBrowser();
  return { server, browser, org: org ? await wsClient(server.wsUrl, server.organiserToken) : null };
}

/** Closes what openDay opened; any part may be missing when the start failed half-way. */
export async function closeDay({ server, browser, org } = {}) {
  org?.close();
  await browser?.close();
  await server?.stop();
}

/**
 * A page of its own context at this viewport (a touch screen below 400 px wide), in the
 * language `lang` when it is not Dutch, recording the browser's complaints (newPage).
 * @param {import('playwright-core').Browser} browser
 * @param {{width?: number, height?: number, lang?: string}} [o]
 */
export async function openViewport(browser, { width = 1280, height = 800, lang = 'nl' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, hasTouch: width < 400 });
  if (lang !== 'nl') await context.addInitScript((code) => localStorage.setItem('sp.lang', code), lang);
  const page = await newPage(context);
  page.setDefaultTimeout(10000);
  return page;
}

/**
 * Launches Debian's Chromium, headless, without any of its background network chatter.
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Opens a page that records everything the browser complains about: uncaught errors,
 * console errors and Content-Security-Policy refusals. Check them with `page.problems`.
 * @param {import('playwright-core').BrowserContext} context
 * @returns {Promise<import('playwright-core').Page & {problems: string[]}>}
 */
export async function newPage(context) {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) page.problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.problems.push(`console error: ${msg.text()}`);
  });
  return page;
}

/**
 * Runs axe on the page for WCAG 2.0/2.1 A and AA and throws with a readable list of the
 * violations. axe is evaluated through the DevTools protocol, which the page's CSP does not
 * govern, so the app itself is tested under its real CSP.
 * @param {import('playwright-core').Page} page
 * @param {string} label what is being checked, for the message
 */
export async function checkA11y(page, label) {
  if (!(await page.evaluate(() => typeof globalThis.axe === 'object'))) await page.evaluate(axe.source);
  const result = await page.evaluate((tags) => globalThis.axe.run(document, { runOnly: { type: 'tag', values: tags } }), AXE_TAGS);
  if (result.violations.length === 0) return;
  const lines = result.violations.map((v) => {
    const nodes = v.nodes
      .slice(0, 5)
      .map((n) => `      at ${n.target.join(' ')}\n        ${(n.failureSummary ?? '').replace(/\n/g, '\n        ')}`)
      .join('\n');
    return `  - ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes}`;
  });
  throw new Error(`axe found ${result.violations.length} accessibility violation(s) on ${label}:\n${lines.join('\n')}`);
}

/**
 * Opens the join page of the server and joins a team with its code and a name (in Dutch, the
 * default language); the caller waits for what the page shows next.
 * @param {import('playwright-core').Page} page
 * @param {string} url the server's base URL
 * @param {{code: string}} team
 * @param {string} name
 */
export async function joinAs(page, url, team, name) {
  await page.goto(`${url}/`);
  await page.getByLabel(nl['join.code.label'], { exact: true }).fill(team.code);
  await page.getByLabel(nl['join.name.label'], { exact: true }).fill(name);
  await page.getByRole('button', { name: nl['join.submit'], exact: true }).click();
}

/**
 * A browser context whose WebSocket can be cut and restored (`gate.cut()`, then
 * `gate.online = true`), and whose acks can be swallowed (`gate.eatAcks`: the server applied
 * the command, the answer never arrived).
 * @param {import('playwright-core').Browser} browser
 * @returns {Promise<{context: import('playwright-core').BrowserContext, gate: object}>}
 */
export async function gatedContext(browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, hasTouch: true });
  const gate = { online: true, eatAcks: false, routes: [] };
  await context.routeWebSocket(
    (url) => url.pathname === '/ws',
    (ws) => {
      if (!gate.online) {
        ws.close({ code: 4000, reason: 'offline' });
        return;
      }
      const upstream = ws.connectToServer();
      ws.onMessage((m) => upstream.send(m));
      upstream.onMessage((m) => {
        if (gate.eatAcks && JSON.parse(String(m)).t === 'ack') return;
        ws.send(m);
      });
      ws.onClose(() => upstream.close());
      upstream.onClose(() => ws.close());
      gate.routes.push({ ws, upstream });
    },
  );
  gate.cut = () => {
    gate.online = false;
    for (const r of gate.routes.splice(0)) {
      r.ws.close({ code: 4000, reason: 'offline' });
      r.upstream.close();
    }
  };
  return { context, gate };
}

/**
 * Waits until a condition on the page holds, with a message that says what was awaited.
 * @param {import('playwright-core').Page} page
 * @param {Function} fn evaluated in the page; truthy ends the wait
 * @param {*} arg passed to fn
 * @param {string} what description for the error
 * @param {number} [timeout=10000]
 */
export async function waitUntil(page, fn, arg, what, timeout = 10000) {
  try {
    await page.waitForFunction(fn, arg, { timeout });
  } catch (err) {
    throw new Error(`${what} (waited ${timeout} ms)`, { cause: err });
  }
}

/**
 * A command-line client over WebSocket (a facilitator or organiser in a test): authenticates
 * with a link token and sends commands, resolving with the `ack` or rejecting with the `err`.
 * @param {string} wsUrl ws://host:port/ws
 * @param {string} token link token
 * @returns {Promise<{cmd: (cmd: string, args?: object) => Promise<object>, events: object[], close: () => void}>}
 */
export function wsClient(wsUrl, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    const waiting = new Map();
    const events = [];
    let n = 0;
    const client = {
      events,
      cmd(cmd, args = {}) {
        const id = `t-${++n}`;
        return withTimeout(
          new Promise((ok, fail) => {
            const msg = JSON.stringify({ t: 'cmd', id, cmd, args });
            waiting.set(id, { ok, fail, msg });
            ws.send(msg);
          }),
          10000,
          `the answer to ${cmd}`,
        );
      },
      close: () => ws.close(),
      /**
       * The barrier of a negative check: a marker event every connection may see (the
       * organiser's sprint.update); once it is here, so is everything committed before it.
       */
      async marker() {
        const ack = await client.cmd('sprint.update', { venue: `marker ${Date.now()}-${n}` });
        await withTimeout(new Promise((ok) => {
          const check = () => (events.some((e) => e.seq === ack.seq) ? ok() : setImmediate(check));
          check();
        }), 10000, 'the marker event');
        return ack.seq;
      },
    };
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', token, since: 0 })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.t === 'synced') resolve(client);
      else if (msg.t === 'ev') events.push(msg);
      else if (msg.t === 'err' && msg.code === 'rate_limited' && Array.isArray(msg.ids)) {
        // Over the message rate (docs/protocol.md, Limits): send the named commands again.
        setTimeout(() => {
          for (const id of msg.ids) if (waiting.has(id)) ws.send(waiting.get(id).msg);
        }, (msg.retry_ms || 0) + 10);
      } else if (msg.t === 'ack' || msg.t === 'err') {
        const w = waiting.get(msg.id);
        if (w) {
          waiting.delete(msg.id);
          if (msg.t === 'ack') w.ok(msg);
          else w.fail(new Error(`${msg.code}: ${msg.en}`));
        } else if (msg.t === 'err') reject(new Error(`server refused: ${JSON.stringify(msg)}`));
      }
    });
    ws.on('error', reject);
  });
}
