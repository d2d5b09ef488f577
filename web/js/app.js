// app.js – the page shell: hash router, one session per token, connection indicator, language switch.

import { LANGS, lang, onLangChange, setLang, t } from './i18n.js';
import { ConnState } from './conn.js';
import { Session, loadStoredSession } from './session.js';
import * as joinView from './views/join.js';
import * as boardView from './views/board.js';
import * as organiserView from './views/organiser.js';
import * as screenView from './views/screen.js';
import * as facilitatorView from './views/facilitator.js';
import * as wallScreenView from './views/wallscreen.js';
import * as juryView from './views/jury.js';
import * as notFoundView from './views/notfound.js';
import * as statementView from './views/statement.js';
import * as bankView from './views/bank.js';
import * as reportTeamView from './views/report-team.js';
import { mountMessageBanner } from './views/common.js';

const LINK_VIEWS = { o: organiserView, s: screenView, f: facilitatorView, j: juryView };

/**
 * @typedef {object} Route
 * @property {string} name 'join', 'board', 'statement', 'o', 's', 'f', 'j', 'wall', 'bank', 'report' or 'notfound'
 * @property {string|null} token the link token of o/s/f/j routes
 * @property {string} [code] the join code of a `#/join/CODE` route
 * @property {string} [room] the room of a room screen (`#/s/TOKEN/ROOM`)
 * @property {string} [team] the team of a `#/f/TOKEN/wall/TEAM` route (a wall on the projector),
 *   or of a report page (`#/o/TOKEN/r/SPRINT/TEAM`, `#/f/…`, bare `#/r/SPRINT/TEAM`)
 * @property {string|null} [role] 'o' or 'f' for the idea bank and report pages of staff; null on
 *   the public bank (`#/bank`) and a bare report address
 * @property {string} [sprint] the sprint of a report page
 */

/**
 * Reads a route from a location hash. Hashes that are not routes (they do not start with
 * "#/") return null: they are in-page targets and must not replace the current view.
 * @param {string} hash location.hash
 * @returns {Route|null}
 */
export function parseRoute(hash) {
  if (hash === '' || hash === '#' || hash === '#/') return { name: 'join', token: null };
  if (!hash.startsWith('#/')) return null;
  if (hash === '#/team') return { name: 'board', token: null };
  if (hash === '#/toegankelijkheid' || hash === '#/accessibility') return { name: 'statement', token: null };
  // The QR code on a team's join sheet opens the join form with the team's code filled in.
  const join = /^#\/join\/([A-Za-z0-9-]{1,24})$/.exec(hash);
  if (join) return { name: 'join', token: null, code: join[1] };
  // A room's projector: the screen link followed by the room's id.
  const screen = /^#\/s\/([A-Za-z0-9_\-.~%]+)\/([A-Za-z0-9_-]{1,16})$/.exec(hash);
  if (screen) return { name: 's', token: decodeURIComponent(screen[1]), room: screen[2] };
  const wall = /^#\/([of])\/([A-Za-z0-9_\-.~%]+)\/wall\/([A-Za-z0-9_-]{1,16})$/.exec(hash);
  if (wall) return { name: 'wall', token: decodeURIComponent(wall[2]), team: wall[3] };
  // The idea bank: public, or searched with a staff link; a team's page in an archived report.
  if (hash === '#/bank') return { name: 'bank', role: null, token: null };
  const bank = /^#\/([of])\/([A-Za-z0-9_\-.~%]+)\/bank$/.exec(hash);
  if (bank) return { name: 'bank', role: bank[1], token: decodeURIComponent(bank[2]) };
  const report = /^#\/(?:([of])\/([A-Za-z0-9_\-.~%]+)\/)?r\/([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})$/.exec(hash);
  if (report) return { name: 'report', role: report[1] ?? null, token: report[2] ? decodeURIComponent(report[2]) : null, sprint: report[3], team: report[4] };
  const m = /^#\/([osfj])\/([A-Za-z0-9_\-.~%]+)$/.exec(hash);
  if (m) return { name: m[1], token: decodeURIComponent(m[2]) };
  return { name: 'notfound', token: null };
}

const shell = {
  main: document.getElementById('sp-main'),
  status: document.querySelector('.js-status'),
  statusText: document.querySelector('.js-status-text'),
  langButton: document.querySelector('.js-lang'),
  skip: document.querySelector('.js-skip-link'),
  brand: document.querySelector('.js-brand'),
  queue: document.querySelector('.js-queue'),
  footer: document.querySelector('.js-footer'),
  statementLink: document.querySelector('.js-statement-link'),
};

let session = null;
let unbindSession = [];
let banner = null;
let mounted = null;
let route = null;
let firstMount = true;
let notice = null;

function viewFor(r) {
  if (r.name === 'join') return joinView;
  if (r.name === 'board') return boardView;
  if (r.name === 'statement') return statementView;
  if (r.name === 'wall') return wallScreenView;
  if (r.name === 'bank') return bankView;
  if (r.name === 'report') return reportTeamView;
  return LINK_VIEWS[r.name] ?? notFoundView;
}

/**
 * Returns the session for a token, reusing the current one when the token matches (after a
 * join the board takes over the connection that joined). A null token always gives a new,
 * unauthenticated session.
 */
function useSession(token) {
  if (session && token !== null && session.token === token) return session;
  dropSession();
  session = new Session(token);
  // Attached before the connection opens, so it sees every room.message of this session.
  banner = mountMessageBanner(session, shell.main);
  unbindSession = [
    session.on('state', showState),
    session.on('state', showQueue),
    session.on('outbox', showQueue),
    session.on('auth-failed', (err) => mounted?.authFailed?.(err)),
  ];
  showState(session.conn.state);
  showQueue();
  session.open();
  return session;
}

function dropSession() {
  for (const off of unbindSession) off();
  unbindSession = [];
  banner?.remove();
  banner = null;
  session?.close();
  session = null;
  showQueue();
}

function showState(state) {
  const key = {
    [ConnState.CONNECTING]: 'conn.connecting',
    [ConnState.ONLINE]: 'conn.online',
    [ConnState.RECONNECTING]: 'conn.reconnecting',
    [ConnState.OFFLINE]: 'conn.offline',
    [ConnState.CLOSED]: 'conn.closed',
  }[state];
  shell.status.className = `sp-status sp-status--${state} js-status`;
  shell.statusText.textContent = t(key);
}

// A command normally waits a few milliseconds for its ack: the queue is shown (and read out,
// it is a status region) only when the connection is down or an answer is slow, so the header
// does not flicker with every note.
let queueTimer = null;
function showQueue() {
  clearTimeout(queueTimer);
  const size = session?.conn.outboxSize ?? 0;
  const text = size ? t('conn.queue', { count: size }) : '';
  if (!text || session.conn.state !== ConnState.ONLINE) {
    if (shell.queue.textContent !== text) shell.queue.textContent = text;
    return;
  }
  queueTimer = setTimeout(() => {
    const left = session?.conn.outboxSize ?? 0;
    shell.queue.textContent = left ? t('conn.queue', { count: left }) : '';
  }, 1500);
}

function navigate(hash, { replace = false } = {}) {
  if (location.hash === hash) {
    render();
    return;
  }
  if (replace) {
    history.replaceState(null, '', hash);
    render();
  } else {
    location.hash = hash;
  }
}

const ctx = {
  get main() {
    return shell.main;
  },
  get route() {
    return route;
  },
  useSession,
  navigate,
  /** Sets the document title: the view's name, then the product's. */
  setTitle(text) {
    document.title = `${text} – ${t('app.name')}`;
  },
  /** Leaves a message for the next view (e.g. why the participant is back on the join page). */
  setNotice(text) {
    notice = text;
  },
  /** Takes the message left for this view, once. */
  takeNotice() {
    const text = notice;
    notice = null;
    return text;
  },
  /** Closes the current session (leaving a team). */
  dropSession,
};

function unmount() {
  mounted?.unmount?.();
  mounted = null;
  shell.main.replaceChildren();
}

function mount(focusHeading = !firstMount) {
  const view = viewFor(route);
  document.body.className = `sp-body sp-body--${view.BODY ?? 'default'}`;
  mounted = view.mount(ctx) ?? {};
  // A page without a connection (the statement, opened on its own) has no state to show.
  shell.status.hidden = session === null;
  if (focusHeading) {
    const heading = shell.main.querySelector('h1');
    (heading ?? shell.main).focus();
  }
  firstMount = false;
}

function render() {
  // A bank entry's address, /r/SPRINT/TEAM, is served as this app: the same page as #/r/….
  const bare = /^\/r\/([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})$/.exec(location.pathname);
  if (bare && (location.hash === '' || location.hash === '#')) history.replaceState(null, '', `/#/r/${bare[1]}/${bare[2]}`);
  const next = parseRoute(location.hash);
  if (next === null) return;
  if (next.name === 'join' && loadStoredSession() && !location.hash.startsWith('#/')) {
    // A bare address with a remembered session goes straight back to the team board.
    history.replaceState(null, '', '#/team');
    next.name = 'board';
  }
  if (next.name === 'board' && !loadStoredSession()) {
    // No session to show a board for: the join page is the way in.
    history.replaceState(null, '', '#/');
    next.name = 'join';
  }
  // A staff link opened in this tab also opens the bare report addresses of the idea bank.
  if ((next.name === 'o' || next.name === 'f') && next.token) reportTeamView.rememberStaffLink(next.name, next.token);
  unmount();
  route = next;
  mount();
}

function applyShellText() {
  document.documentElement.lang = lang();
  shell.skip.textContent = t('shell.skip');
  shell.brand.textContent = t('app.name');
  const other = LANGS.find((code) => code !== lang());
  shell.langButton.textContent = t(`lang.switch.${other}`);
  shell.langButton.setAttribute('lang', other);
  shell.status.setAttribute('aria-label', t('conn.label'));
  shell.footer.setAttribute('aria-label', t('footer.label'));
  shell.statementLink.textContent = t('footer.statement');
  if (session) showState(session.conn.state);
  if (session) showQueue();
}

shell.skip.addEventListener('click', (e) => {
  // The fragment is the router's: move focus ourselves instead of following the link.
  e.preventDefault();
  const heading = shell.main.querySelector('h1');
  (heading ?? shell.main).focus();
});

shell.langButton.addEventListener('click', () => {
  setLang(LANGS.find((code) => code !== lang()));
});

onLangChange(() => {
  applyShellText();
  // Views render from state, so a remount in the new language loses nothing but focus,
  // which stays on the language button in the header.
  if (route) {
    unmount();
    mount(false);
  }
});

window.addEventListener('hashchange', render);
applyShellText();
render();
