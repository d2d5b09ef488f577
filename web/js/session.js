// session.js – one connection plus the state folded from its events, and the stored participant session.

import { Connection, forgetOutbox } from './conn.js';
import { forgetDrafts } from './drafts.js';
import { Emitter } from './emitter.js';
import { applyEvent, applyWelcome, createState } from './state.js';

const SESSION_KEY = 'sp.session';

/**
 * A connection and its client state. Emits `change` (event message, or null after a
 * welcome), `synced`, `state` (connection state), `outbox` (size), `error` (err message)
 * and `auth-failed` (err message).
 */
export class Session extends Emitter {
  /**
   * @param {string|null} token link or session token; null for a session that will join
   * @param {object} [connOpts] extra options for the Connection (tests)
   */
  constructor(token, connOpts = {}) {
    super();
    this.token = token;
    this.state = createState();
    this.synced = false;
    /** The last `welcome` message, or null before the first. */
    this.welcome = null;
    this.conn = new Connection({ token, ...connOpts });
    const c = this.conn;
    c.on('welcome', (msg) => {
      this.welcome = msg;
      applyWelcome(this.state, msg);
      this.emit('change', null);
    });
    c.on('joined', (msg) => {
      this.token = msg.token;
      this.state.team = msg.team ?? this.state.team;
      this.state.me = msg.member ?? this.state.me;
    });
    c.on('event', (ev) => {
      if (applyEvent(this.state, ev)) this.emit('change', ev);
    });
    c.on('synced', (msg) => {
      this.synced = true;
      this.emit('synced', msg);
    });
    for (const name of ['state', 'outbox', 'error', 'auth-failed']) {
      c.on(name, (...args) => this.emit(name, ...args));
    }
  }

  /** Opens the connection. */
  open() {
    this.conn.open();
  }

  /** Closes the connection for good and forgets every listener. */
  close() {
    this.conn.close();
    this.clearListeners();
  }
}

/**
 * @typedef {object} StoredSession
 * @property {string} token session token from `joined`
 * @property {string} [member] member id
 * @property {string} [team] team id
 * @property {string} [name] the name the participant gave
 */

/**
 * The participant session kept in this origin's localStorage, so a reload resumes.
 * @returns {StoredSession|null}
 */
export function loadStoredSession() {
  try {
    const value = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null');
    return value && typeof value.token === 'string' ? value : null;
  } catch {
    return null;
  }
}

/**
 * Remembers the participant session.
 * @param {StoredSession} session
 */
export function storeSession(session) {
  try {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  } catch {
    // Without storage the session lasts as long as the page; joining again still works.
  }
}

/**
 * Forgets the participant session (leaving or switching team), with its unsent commands and
 * half-typed drafts: they belong to a team the person is no longer in.
 */
export function forgetSession() {
  const token = loadStoredSession()?.token ?? null;
  forgetOutbox(token);
  forgetDrafts(token);
  try {
    localStorage.removeItem(SESSION_KEY);
  } catch {
    // Nothing stored, nothing to forget.
  }
}
