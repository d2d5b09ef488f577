// conn.js – the WebSocket client: authenticate, resume after a drop, and deliver commands exactly once.
//
// Invariants the rest of the app relies on:
//  1. Every event is delivered to listeners at most once, in increasing `seq` order: an event
//     whose seq is not above the highest seen is dropped (the server may resend after a resume).
//  2. After a drop the client reconnects with back-off and sends `hello` with `since` = the
//     highest seq it applied, so it receives exactly what it missed.
//  3. Every command stays in the outbox until its `ack` or a final `err`; after each (re)connect
//     the whole outbox is sent again, in the original order. The server applies an id once,
//     so a resend of a command that did arrive is harmless.
//  4. With a token, the outbox is also kept in localStorage (under outboxKey(token)) until
//     each command is answered: a reload or a crashed tab while offline loses nothing, and
//     the next page with the same token sends the stored commands again, with their ids.
//
// States: connecting → online ⇄ reconnecting; offline while the browser says it has no
// network; closed after close() or when the token is refused (no point retrying).

import { Emitter } from './emitter.js';

/** Connection states, as shown by the indicator. */
export const ConnState = Object.freeze({
  CONNECTING: 'connecting',
  ONLINE: 'online',
  RECONNECTING: 'reconnecting',
  OFFLINE: 'offline',
  CLOSED: 'closed',
});

/** Errors after which a command is sent again later instead of given up. */
const RETRY_CODES = new Set(['rate_limited', 'store_unavailable']);
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
const PING_EVERY_MS = 20000;
const PONG_WITHIN_MS = 10000;
const RETRY_AFTER_MS = 2000;
const OUTBOX_PREFIX = 'sp.outbox.';

/**
 * The localStorage key of a token's stored outbox. Only a prefix of the token is used: enough
 * to keep sessions apart, and the key does not repeat the whole secret.
 * @param {string} token session or link token
 * @returns {string}
 */
export function outboxKey(token) {
  return `${OUTBOX_PREFIX}${String(token).slice(0, 24)}`;
}

/**
 * Forgets a token's stored outbox (leaving a team, a refused token).
 * @param {string|null} token
 * @param {Storage|null} [storage]
 */
export function forgetOutbox(token, storage = defaultStorage()) {
  if (!token || !storage) return;
  try {
    storage.removeItem(outboxKey(token));
  } catch {
    // Storage switched off: there was nothing stored either.
  }
}

function defaultStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Some browsers throw on access when storage is blocked.
    return null;
  }
}

/**
 * A client-chosen message id: a UUID where the browser offers one (secure contexts only),
 * otherwise 128 random bits in hex, which works on plain http on a venue network too.
 * @returns {string}
 */
export function newId() {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The WebSocket URL of the server that served this page.
 * @returns {string}
 */
export function defaultUrl() {
  const { protocol, host } = globalThis.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/ws`;
}

/**
 * One authenticated connection to the server, kept alive across network drops.
 *
 * Emits: `state` (state), `welcome` (msg), `joined` (msg), `event` (ev msg),
 * `synced` (msg), `ack` (msg), `error` (err msg), `auth-failed` (err msg),
 * `outbox` (number of unanswered commands), `presence` (msg, staff only), `counts` (msg, staff
 * only), `rooms` (msg, screens and staff).
 */
export class Connection extends Emitter {
  /**
   * @param {object} [opts]
   * @param {string} [opts.url] WebSocket URL; defaults to this page's server
   * @param {string|null} [opts.token] link or session token; without one, call join()
   * @param {typeof WebSocket} [opts.WebSocketImpl] injected in tests
   * @param {() => number} [opts.random] injected in tests, for the back-off jitter
   * @param {Storage|null} [opts.storage] where the outbox is kept across reloads (localStorage
   *   by default; null keeps it in memory only)
   */
  constructor({ url, token = null, WebSocketImpl, random = Math.random, storage } = {}) {
    super();
    this.url = url ?? defaultUrl();
    this.token = token;
    this.WebSocketImpl = WebSocketImpl ?? globalThis.WebSocket;
    this.random = random;
    /** Highest event seq delivered to listeners. */
    this.lastSeq = 0;
    /** Role and identity from the last `welcome`. */
    this.role = null;
    this.me = null;
    /** True once the first `synced` arrived: later events are live news. */
    this.hasSynced = false;
    /** Server clock minus client clock, in ms. */
    this.clockOffset = 0;
    this._state = ConnState.CONNECTING;
    this._ws = null;
    this._authed = false;
    this._attempt = 0;
    this._timers = new Set();
    /** @type {Map<string, {id: string, cmd: string, args: object, resolve: Function, reject: Function}>} */
    this._outbox = new Map();
    this._storage = storage === undefined ? defaultStorage() : storage;
    this._restoreOutbox();
    this._join = null;
    /** @type {Map<string, {code: string, resolve: Function, reject: Function}>} roster requests */
    this._rosters = new Map();
    this._closed = false;
    this._pingTimer = null;
    this._pongDeadline = null;
    this._onOnline = () => this._reconnectNow();
    this._onOffline = () => this._setState(ConnState.OFFLINE);
    globalThis.addEventListener?.('online', this._onOnline);
    globalThis.addEventListener?.('offline', this._onOffline);
  }

  /** @returns {string} one of ConnState */
  get state() {
    return this._state;
  }

  /** @returns {boolean} whether the connection is authenticated right now */
  get authenticated() {
    return this._authed;
  }

  /** @returns {number} commands sent but not yet answered */
  get outboxSize() {
    return this._outbox.size;
  }

  /** @returns {number} the server's clock, in ms since the Unix epoch, as best we know it */
  serverNow() {
    return Date.now() + this.clockOffset;
  }

  /** Opens the socket. Safe to call once; reconnects happen by themselves. */
  open() {
    if (this._ws || this._closed) return;
    this._connect();
  }

  /**
   * Joins a team with its code. The same join id is resent after a reconnect, which the
   * server answers with a fresh token for the same member rather than a second member.
   * @param {string} code the team's join code
   * @param {string} name the participant's name
   * @returns {Promise<object>} the `joined` message; rejects with the `err` message
   */
  join(code, name, { person = null, claim = null } = {}) {
    return new Promise((resolve, reject) => {
      this._join = { id: `j-${newId()}`, code, name, person, claim, resolve, reject };
      if (this._isOpen()) this._sendJoin();
      else this.open();
    });
  }

  /**
   * The names a participant may pick in the team of this code (no session needed).
   * @param {string} code the team's join code
   * @returns {Promise<{team: string, walkins: boolean, names: {person: string, name: string, taken: boolean}[]}>}
   *   rejects with the `err` message (bad_code, rate_limited)
   */
  roster(code) {
    return new Promise((resolve, reject) => {
      const id = `r-${newId()}`;
      this._rosters.set(id, { code, resolve, reject });
      if (this._isOpen()) this._sendRaw({ t: 'roster', id, code });
      else this.open();
    });
  }

  /**
   * Sends a command. It is kept until answered and resent after every reconnect.
   * @param {string} cmd command name, e.g. 'note.add'
   * @param {object} [args] command arguments
   * @returns {Promise<object>} the `ack` message; rejects with the `err` message
   */
  send(cmd, args = {}) {
    return new Promise((resolve, reject) => {
      const entry = { id: `c-${newId()}`, cmd, args, resolve, reject };
      this._outbox.set(entry.id, entry);
      this._saveOutbox();
      this.emit('outbox', this._outbox.size);
      if (this._authed) this._sendCmd(entry);
    });
  }

  /**
   * The unanswered commands, oldest first, without their promises (to show what waits).
   * @returns {{id: string, cmd: string, args: object}[]}
   */
  pendingCommands() {
    return [...this._outbox.values()].map(({ id, cmd, args }) => ({ id, cmd, args }));
  }

  /**
   * Drops every unanswered command, here and in storage (the participant leaves the team).
   * Their promises are rejected with code `discarded`.
   */
  discardOutbox() {
    const err = { t: 'err', code: 'discarded', nl: 'De wijziging is niet verstuurd.', en: 'The change was not sent.' };
    const entries = [...this._outbox.values()];
    this._outbox.clear();
    forgetOutbox(this.token, this._storage);
    this.emit('outbox', 0);
    for (const entry of entries) entry.reject(err);
  }

  /**
   * Closes for good: no reconnect; unanswered commands are rejected here, but stay stored,
   * so the next connection with this token sends them.
   */
  close() {
    this._closed = true;
    this._stopTimers();
    globalThis.removeEventListener?.('online', this._onOnline);
    globalThis.removeEventListener?.('offline', this._onOffline);
    const ws = this._ws;
    this._ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000);
      } catch {
        // Already closing: nothing to do.
      }
    }
    const closedErr = { t: 'err', code: 'closed', nl: 'De verbinding is gesloten.', en: 'The connection is closed.' };
    for (const entry of this._outbox.values()) entry.reject(closedErr);
    this._outbox.clear();
    if (this._join) this._join.reject(closedErr);
    this._join = null;
    this._setState(ConnState.CLOSED);
    this.clearListeners();
  }

  _isOpen() {
    return this._ws && this._ws.readyState === 1;
  }

  /** Loads the stored outbox of this token: commands a previous page could not deliver. */
  _restoreOutbox() {
    if (!this.token || !this._storage) return;
    let stored;
    try {
      stored = JSON.parse(this._storage.getItem(outboxKey(this.token)) ?? '[]');
    } catch {
      return;
    }
    if (!Array.isArray(stored)) return;
    // Nobody waits for the answers of an earlier page: its promises are gone with it.
    const none = () => {};
    for (const e of stored) {
      if (!e || typeof e.id !== 'string' || typeof e.cmd !== 'string' || this._outbox.has(e.id)) continue;
      this._outbox.set(e.id, { id: e.id, cmd: e.cmd, args: e.args && typeof e.args === 'object' ? e.args : {}, resolve: none, reject: none });
    }
  }

  /** Writes the outbox to storage (or removes it when empty); a full storage keeps it in memory. */
  _saveOutbox() {
    if (!this.token || !this._storage) return;
    try {
      if (this._outbox.size === 0) this._storage.removeItem(outboxKey(this.token));
      else this._storage.setItem(outboxKey(this.token), JSON.stringify(this.pendingCommands()));
    } catch {
      // Quota or policy: the commands still wait in memory and are sent on reconnect.
    }
  }

  _setState(state) {
    if (this._closed && state !== ConnState.CLOSED) return;
    if (this._state === state) return;
    this._state = state;
    this.emit('state', state);
  }

  _later(fn, ms) {
    const timer = setTimeout(() => {
      this._timers.delete(timer);
      fn();
    }, ms);
    this._timers.add(timer);
    return timer;
  }

  _stopTimers() {
    for (const timer of this._timers) clearTimeout(timer);
    this._timers.clear();
    clearInterval(this._pingTimer);
    this._pingTimer = null;
    this._pongDeadline = null;
  }

  _connect() {
    let ws;
    try {
      ws = new this.WebSocketImpl(this.url);
    } catch {
      this._scheduleReconnect();
      return;
    }
    this._ws = ws;
    this._authed = false;
    ws.onopen = () => {
      this._sendRaw({ t: 'ping', now: Date.now() });
      if (this.token) this._sendRaw({ t: 'hello', token: this.token, since: this.lastSeq });
      else if (this._join) this._sendJoin();
      else this._setState(ConnState.ONLINE);
      if (!this.token) for (const [id, r] of this._rosters) this._sendRaw({ t: 'roster', id, code: r.code });
      this._startPings();
    };
    ws.onmessage = (e) => this._receive(e.data);
    ws.onclose = () => this._dropped(ws);
    // An error is always followed by close; the reconnect is handled there.
    ws.onerror = () => {};
  }

  _dropped(ws) {
    if (ws !== this._ws) return;
    this._ws = null;
    this._authed = false;
    this._stopTimers();
    if (this._closed) return;
    this._scheduleReconnect();
  }

  _scheduleReconnect() {
    const offline = globalThis.navigator && globalThis.navigator.onLine === false;
    this._setState(offline ? ConnState.OFFLINE : ConnState.RECONNECTING);
    // Exponential back-off with jitter, so a venue full of phones does not come back at once.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this._attempt);
    const delay = Math.round(ceiling * (0.5 + this.random() / 2));
    this._attempt++;
    this._later(() => {
      if (!this._ws && !this._closed) this._connect();
    }, delay);
  }

  _reconnectNow() {
    if (this._closed) return;
    if (this._ws) {
      // The socket survived the network blip: say so, it is not coming back by itself.
      if (this._state === ConnState.OFFLINE && this._isOpen()) this._setState(ConnState.ONLINE);
      return;
    }
    for (const timer of this._timers) clearTimeout(timer);
    this._timers.clear();
    this._attempt = 0;
    this._connect();
  }

  _startPings() {
    clearInterval(this._pingTimer);
    this._pingTimer = setInterval(() => {
      if (this._pongDeadline === null) this._pongDeadline = Date.now() + PONG_WITHIN_MS;
      else if (Date.now() > this._pongDeadline) {
        // A silent socket on a flaky network can stay "open" for minutes: cut it and resume.
        const ws = this._ws;
        this._dropped(ws);
        try {
          ws?.close();
        } catch {
          // Closing a dead socket may throw; it is gone either way.
        }
        return;
      }
      this._sendRaw({ t: 'ping', now: Date.now() });
    }, PING_EVERY_MS);
  }

  _sendRaw(msg) {
    if (!this._isOpen()) return false;
    this._ws.send(JSON.stringify(msg));
    return true;
  }

  _sendJoin() {
    const j = this._join;
    const msg = { t: 'join', id: j.id, code: j.code, name: j.name ?? '' };
    if (j.person) msg.person = j.person;
    if (j.claim) msg.claim = j.claim;
    this._sendRaw(msg);
  }

  _sendCmd(entry) {
    this._sendRaw({ t: 'cmd', id: entry.id, cmd: entry.cmd, args: entry.args });
  }

  _receive(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    this._pongDeadline = null;
    switch (msg.t) {
      case 'welcome':
        return this._welcome(msg);
      case 'joined':
        return this._joined(msg);
      case 'roster': {
        const r = this._rosters.get(msg.id);
        if (r) {
          this._rosters.delete(msg.id);
          r.resolve(msg);
        }
        return;
      }
      case 'ev':
        if (typeof msg.seq !== 'number' || msg.seq <= this.lastSeq) return;
        this.lastSeq = msg.seq;
        this.emit('event', msg);
        // Applied and rendered (listeners run synchronously): tests wait on this fact.
        if (globalThis.document) globalThis.document.documentElement.dataset.spSeq = String(msg.seq);
        return;
      case 'synced':
        this.hasSynced = true;
        this.emit('synced', msg);
        return;
      case 'ack':
        return this._ack(msg);
      case 'err':
        return this._err(msg);
      case 'presence':
        // Not an event: no seq, never replayed; staff views keep the latest per team.
        if (msg.teams && typeof msg.teams === 'object') this.emit('presence', msg);
        return;
      case 'counts':
        // Live counts of teams (staff only), pushed like presence.
        if (msg.teams && typeof msg.teams === 'object') this.emit('counts', msg);
        return;
      case 'rooms':
        // The status of rooms for screens and staff, pushed like presence.
        if (msg.rooms && typeof msg.rooms === 'object') this.emit('rooms', msg);
        return;
      case 'pong':
        if (typeof msg.now === 'number' && typeof msg.echo === 'number') {
          this.clockOffset = Math.round(msg.now - (msg.echo + Date.now()) / 2);
        }
        return;
      default:
    }
  }

  _welcome(msg) {
    this._authed = true;
    this._attempt = 0;
    this.role = msg.role ?? msg.me?.role ?? null;
    this.me = msg.me ?? null;
    if (typeof msg.now === 'number' && this.clockOffset === 0) this.clockOffset = msg.now - Date.now();
    this._setState(ConnState.ONLINE);
    this.emit('welcome', msg);
    for (const entry of this._outbox.values()) this._sendCmd(entry);
  }

  _joined(msg) {
    const j = this._join;
    if (!j || msg.id !== j.id) return;
    this._join = null;
    this.token = msg.token;
    this._restoreOutbox();
    this._saveOutbox();
    this.emit('joined', msg);
    j.resolve(msg);
  }

  _ack(msg) {
    const entry = this._outbox.get(msg.id);
    if (!entry) return;
    this._outbox.delete(msg.id);
    this._saveOutbox();
    this.emit('outbox', this._outbox.size);
    this.emit('ack', msg);
    entry.resolve(msg);
  }

  _err(msg) {
    if (msg.code === 'rate_limited' && msg.id === undefined && typeof msg.count === 'number') {
      // One answer for a burst of refused messages: resend the commands it names (all
      // unanswered ones when it only counted them) once the limit allows again.
      const named = Array.isArray(msg.ids) ? msg.ids : [];
      const again = named.length < msg.count ? [...this._outbox.keys()] : named;
      this._later(() => {
        for (const id of again) {
          const e = this._outbox.get(id);
          if (this._authed && e) this._sendCmd(e);
        }
      }, Math.max(RETRY_AFTER_MS, Number(msg.retry_ms) || 0));
      return;
    }
    if (msg.code === 'bad_since' && !this._authed && this.token) {
      // The server does not hold the events this client has seen (a restored database):
      // start again from nothing rather than wait for a stream with a hole.
      this.lastSeq = 0;
      this.emit('reset', msg);
      this._sendRaw({ t: 'hello', token: this.token, since: 0 });
      return;
    }
    const entry = msg.id !== undefined ? this._outbox.get(msg.id) : undefined;
    if (entry) {
      if (RETRY_CODES.has(msg.code)) {
        this._later(() => {
          if (this._authed && this._outbox.has(entry.id)) this._sendCmd(entry);
        }, RETRY_AFTER_MS);
        return;
      }
      this._outbox.delete(entry.id);
      this._saveOutbox();
      this.emit('outbox', this._outbox.size);
      this.emit('error', msg);
      entry.reject(msg);
      return;
    }
    if (msg.id !== undefined && this._rosters.has(msg.id)) {
      const r = this._rosters.get(msg.id);
      this._rosters.delete(msg.id);
      r.reject(msg);
      return;
    }
    if (this._join && msg.id === this._join.id) {
      const j = this._join;
      this._join = null;
      this._setState(ConnState.ONLINE);
      j.reject(msg);
      return;
    }
    // A link of an archived sprint is refused with sprint_archived – at hello, or on a live
    // connection when the organiser starts a new sprint (the server then closes it).
    if ((msg.code === 'bad_token' && !this._authed) || msg.code === 'sprint_archived') {
      // The token will not become valid by retrying: stop, and let the view decide. Its
      // stored commands can never be delivered either.
      forgetOutbox(this.token, this._storage);
      this.emit('auth-failed', msg);
      this._closed = true;
      this._stopTimers();
      const ws = this._ws;
      this._ws = null;
      try {
        ws?.close(1000);
      } catch {
        // Nothing left to close.
      }
      this._setState(ConnState.CLOSED);
      return;
    }
    this.emit('error', msg);
  }
}
