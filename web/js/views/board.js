// views/board.js – the team's page: the method of the day (views/team/) and the free team wall,
// sticky notes added, edited and deleted live by the whole team.

import { ConnState } from '../conn.js';
import { announce, h, setText } from '../dom.js';
import { errorText, pick, t } from '../i18n.js';
import { forgetSession, loadStoredSession } from '../session.js';
import { memberName, teamMembers, teamNotes } from '../state.js';
import { showFieldError } from './common.js';
import { mountTeam } from './team/shell.js';
import { keepDraft } from '../drafts.js';
import { archivedSprint } from '../bank.js';

const NOTE_MAX = 280;
const SNIPPET = 40;

function snippet(text) {
  const chars = [...text];
  return chars.length > SNIPPET ? `${chars.slice(0, SNIPPET).join('')}…` : text;
}

/**
 * Checks a note text before it is sent: the server checks again, this only spares a round trip.
 * @param {string} text trimmed text
 * @returns {string|null} an error message, or null when the text is fine
 */
function noteProblem(text) {
  if (!text) return t('board.error.empty');
  if ([...text].length > NOTE_MAX) return t('board.error.tooLong', { max: NOTE_MAX });
  return null;
}

/** Enter sends, Shift+Enter is a new line; not while an input method composes a word. */
function isSubmitKey(e) {
  return e.key === 'Enter' && !e.shiftKey && !e.isComposing;
}

/**
 * Mounts the team board of the remembered participant session.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function mount(ctx) {
  const stored = loadStoredSession();
  if (!stored) {
    // The router sends session-less visitors to the join page; this only guards a race.
    setTimeout(() => ctx.navigate('#/', { replace: true }));
    return { unmount() {} };
  }
  const { main } = ctx;
  const session = ctx.useSession(stored.token);
  const state = session.state;
  if (!state.team && stored.team) state.team = stored.team;
  if (!state.me && stored.member) state.me = stored.member;
  ctx.setTitle(t('board.title'));

  // Static structure; the parts that depend on state are filled by sync().
  const heading = h('h1', { class: 'sp-heading', tabindex: '-1' });
  const who = h('p', { class: 'sp-board__who' });
  const membersLine = h('p', { class: 'sp-board__members' });
  const leave = h('button', { class: 'sp-button sp-button--secondary js-leave', type: 'button', text: t('board.leave') });
  // Leaving asks first: a tap by mistake would cost the session on this device.
  const leaveYes = h('button', { class: 'sp-button js-leave-yes', type: 'button', text: t('board.leaveYes') });
  const leaveNo = h('button', { class: 'sp-button sp-button--secondary', type: 'button', text: t('board.leaveNo') });
  const leaveAsk = h('div', { class: 'sp-board__leave-ask js-leave-ask', role: 'group', 'aria-labelledby': 'sp-leave-ask', hidden: true },
    h('p', { id: 'sp-leave-ask', text: t('board.leaveConfirm') }),
    h('p', { class: 'sp-actions' }, leaveYes, leaveNo));
  // A claim of a teammate's name from another device: the code to give them.
  const claims = h('div', { class: 'sp-board__claims js-claims', 'aria-live': 'polite' });

  const errorBox = h('div', { class: 'sp-alert', role: 'alert' });
  const hint = h('p', { class: 'sp-field__hint', id: 'sp-note-new-hint', text: t('board.add.hint', { max: NOTE_MAX }) });
  const addError = h('p', { class: 'sp-field__error', id: 'sp-note-new-error', hidden: true });
  const input = h('textarea', {
    class: 'sp-textarea js-note-input',
    id: 'sp-note-new',
    name: 'text',
    rows: '3',
    maxlength: String(NOTE_MAX),
    'aria-describedby': 'sp-note-new-hint',
  });
  const draft = keepDraft(input, 'wall/sp-note-new');
  const addButton = h('button', { class: 'sp-button', type: 'submit', text: t('board.add.submit') });
  const addGroup = h(
    'div',
    { class: 'sp-field' },
    h('label', { class: 'sp-field__label', for: 'sp-note-new', text: t('board.add.label') }),
    hint,
    addError,
    input,
  );
  const form = h('form', { class: 'sp-form sp-board__add', novalidate: true }, addGroup, addButton);
  // What waits for the server, with its text: after a reload without a connection this is
  // where a participant sees that nothing they typed is lost.
  const pendingText = h('p', { class: 'sp-board__pending-text' });
  const pendingList = h('ul', { class: 'sp-board__pending-list js-pending-list' });
  const pending = h('div', { class: 'sp-board__pending', hidden: true }, pendingText, pendingList);

  const count = h('p', { class: 'sp-board__count js-note-count' });
  const empty = h('p', { class: 'sp-board__empty', text: t('board.empty') });
  const list = h('ul', { class: 'sp-note-list js-note-list', 'aria-labelledby': 'sp-notes-title' });
  const live = h('div', { class: 'sp-visually-hidden js-announcer', 'aria-live': 'polite' });

  const teamRoot = h('div', { class: 'sp-team js-team' });
  main.append(
    h('div', { class: 'sp-board__intro' }, heading, who, membersLine, claims),
    teamRoot,
    h('h2', { class: 'sp-section-title sp-board__wall-title', text: t('board.wall.title') }),
    errorBox,
    form,
    pending,
    h(
      'section',
      { class: 'sp-board__notes', 'aria-labelledby': 'sp-notes-title' },
      h('h2', { class: 'sp-section-title', id: 'sp-notes-title', text: t('board.notes.title') }),
      count,
      empty,
      list,
    ),
    live,
    h('p', { class: 'sp-board__leave' }, leave),
    leaveAsk,
  );

  const setAddError = (msg) => showFieldError({ input, error: addError, hintId: 'sp-note-new-hint', group: addGroup }, msg);

  function showServerError(err) {
    errorBox.replaceChildren(h('p', { text: errorText(err) }));
  }

  function clearServerError() {
    errorBox.replaceChildren();
  }

  /** Sends a command; a refusal is shown to the person, never swallowed. */
  function command(cmd, args) {
    clearServerError();
    return session.conn.send(cmd, args).catch((err) => {
      if (err?.code !== 'closed') showServerError(err);
      throw err;
    });
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    const problem = noteProblem(text);
    setAddError(problem);
    if (problem) {
      input.focus();
      return;
    }
    input.value = '';
    draft.clear();
    command('note.add', { text }).then(
      () => announce(live, t('board.announce.ownAdded')),
      () => {},
    );
  });
  input.addEventListener('keydown', (e) => {
    if (isSubmitKey(e)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  leave.addEventListener('click', () => {
    leaveAsk.hidden = false;
    leaveNo.focus();
  });
  leaveNo.addEventListener('click', () => {
    leaveAsk.hidden = true;
    leave.focus();
  });
  leaveYes.addEventListener('click', () => {
    forgetSession();
    ctx.dropSession();
    ctx.navigate('#/');
  });

  /** @type {Map<string, object>} note id → its list item and parts */
  const items = new Map();
  let uid = 0;

  function authorText(note) {
    const name = memberName(state, note.by) ?? t('board.note.unknownAuthor');
    return note.by && note.by === state.me ? t('board.note.byMe', { name }) : t('board.note.by', { name });
  }

  function buildItem(note) {
    const n = ++uid;
    const text = h('p', { class: 'sp-note__text' });
    const author = h('p', { class: 'sp-note__author' });
    const editHidden = h('span', { class: 'sp-visually-hidden' });
    const deleteHidden = h('span', { class: 'sp-visually-hidden' });
    const edit = h('button', { class: 'sp-button sp-button--small sp-button--secondary js-note-edit', type: 'button' }, t('board.note.edit'), editHidden);
    const del = h('button', { class: 'sp-button sp-button--small sp-button--warning js-note-delete', type: 'button' }, t('board.note.delete'), deleteHidden);
    const actions = h('div', { class: 'sp-note__actions' }, edit, del);
    const body = h('div', { class: 'sp-note__body' }, text);
    const li = h('li', { class: 'sp-note-list__item sp-note js-note', dataset: { note: note.id } }, body, author, actions);
    const item = { id: note.id, n, li, body, text, author, editHidden, deleteHidden, edit, del, actions, editor: null };
    edit.addEventListener('click', () => openEditor(item));
    del.addEventListener('click', () => {
      command('note.delete', { note: item.id }).catch(() => {});
    });
    return item;
  }

  function updateItem(item, note) {
    setText(item.text, note.text);
    setText(item.author, authorText(note));
    const short = snippet(note.text);
    setText(item.editHidden, t('board.note.editHidden', { text: short }));
    setText(item.deleteHidden, t('board.note.deleteHidden', { text: short }));
  }

  function openEditor(item) {
    const note = state.notes.get(item.id);
    if (!note || item.editor) return;
    const id = `sp-note-edit-${item.n}`;
    const area = h('textarea', { class: 'sp-textarea', id, rows: '3', maxlength: String(NOTE_MAX) });
    area.value = note.text;
    const error = h('p', { class: 'sp-field__error', id: `${id}-error`, hidden: true });
    const save = h('button', { class: 'sp-button sp-button--small', type: 'submit', text: t('board.edit.save') });
    const cancel = h('button', { class: 'sp-button sp-button--small sp-button--secondary', type: 'button', text: t('board.edit.cancel') });
    const editor = h(
      'form',
      { class: 'sp-note__editor', novalidate: true },
      h('label', { class: 'sp-field__label', for: id, text: t('board.edit.label') }),
      error,
      area,
      h('div', { class: 'sp-note__actions' }, save, cancel),
    );
    const close = (focusEdit) => {
      editor.remove();
      item.editor = null;
      item.text.hidden = false;
      item.actions.hidden = false;
      if (focusEdit) item.edit.focus();
    };
    editor.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = area.value.trim();
      const problem = noteProblem(text);
      if (problem) {
        showFieldError({ input: area, error }, problem);
        area.focus();
        return;
      }
      const current = state.notes.get(item.id);
      if (current && current.text !== text) command('note.edit', { note: item.id, text }).catch(() => {});
      close(true);
    });
    area.addEventListener('keydown', (e) => {
      if (isSubmitKey(e)) {
        e.preventDefault();
        editor.requestSubmit();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        close(true);
      }
    });
    cancel.addEventListener('click', () => close(true));
    item.editor = editor;
    item.text.hidden = true;
    item.actions.hidden = true;
    item.body.append(editor);
    area.focus();
  }

  function syncHeader() {
    const team = state.teams.get(state.team);
    setText(heading, team ? t('board.heading', { team: pick(team.name) }) : t('board.headingNoTeam'));
    setText(who, t('board.who', { name: memberName(state, state.me) ?? stored.name ?? '' }));
    const names = state.team ? teamMembers(state, state.team).map((m) => m.name) : [];
    membersLine.hidden = names.length === 0;
    setText(membersLine, t('board.members', { names: names.join(', '), count: names.length }));
  }

  function syncNotes() {
    const notes = state.team ? teamNotes(state, state.team).filter((n) => (n.board ?? 'wall') === 'wall') : [];
    const keep = new Set(notes.map((n) => n.id));
    const active = document.activeElement;
    let lostAt = -1;
    [...items.values()].forEach((item) => {
      if (keep.has(item.id)) return;
      if (item.li.contains(active)) lostAt = [...list.children].indexOf(item.li);
      item.li.remove();
      items.delete(item.id);
    });
    let prev = null;
    for (const note of notes) {
      let item = items.get(note.id);
      if (!item) {
        item = buildItem(note);
        items.set(note.id, item);
      }
      updateItem(item, note);
      const want = prev ? prev.nextElementSibling : list.firstElementChild;
      // Only move what is out of place: moving a node that holds focus would drop the focus.
      if (want !== item.li) list.insertBefore(item.li, want);
      prev = item.li;
    }
    if (lostAt >= 0) {
      // The focused note is gone: continue at the note that took its place, or at the input.
      const target = list.children[Math.min(lostAt, list.children.length - 1)];
      (target?.querySelector('.js-note-edit') ?? input).focus();
    }
    setText(count, t('board.count', { count: notes.length }));
    empty.hidden = notes.length > 0;
  }

  function announceEvent(ev) {
    if (!session.synced || !ev || !ev.type.startsWith('note.')) return;
    const mine = ev.by && ev.by === state.me;
    // The notes of the method's boards are the team view's news; this is the wall's.
    if (ev.type === 'note.added' && (ev.data?.board ?? 'wall') !== 'wall') return;
    if (ev.type !== 'note.added' && (state.notes.get(ev.data?.id)?.board ?? 'wall') !== 'wall') return;
    const name = memberName(state, ev.by) ?? t('board.note.unknownAuthor');
    if (ev.type === 'note.added' && !mine && ev.data?.team === state.team) {
      announce(live, t('board.announce.added', { name, text: ev.data.text }));
    } else if (ev.type === 'note.edited' && !mine && state.notes.get(ev.data?.id)?.team === state.team) {
      announce(live, t('board.announce.edited', { name, text: ev.data.text }));
    } else if (ev.type === 'note.deleted') {
      announce(live, mine ? t('board.announce.ownDeleted') : t('board.announce.deleted', { name }));
    }
  }

  // A command normally waits a few milliseconds for its ack; say "waiting" only when it is
  // offline or slow, so the line does not flicker with every note.
  let pendingTimer = null;
  function syncPending() {
    const size = session.conn.outboxSize;
    clearTimeout(pendingTimer);
    if (size === 0) {
      pending.hidden = true;
      return;
    }
    setText(pendingText, t('board.pending', { count: size }));
    const texts = session.conn.pendingCommands().map((c) => c.args?.text).filter((text) => typeof text === 'string' && text);
    pendingList.replaceChildren(...texts.map((text) => h('li', { text })));
    pendingList.hidden = texts.length === 0;
    if (session.conn.state !== ConnState.ONLINE) pending.hidden = false;
    else pendingTimer = setTimeout(() => (pending.hidden = session.conn.outboxSize === 0), 1500);
  }

  function syncClaims() {
    const fresh = [...session.state.claims.values()].filter((c) => !c.ts || Date.now() - c.ts < 10 * 60 * 1000);
    claims.replaceChildren(...fresh.map((c) => h('p', { class: 'sp-notice js-claim' }, t('board.claim', { name: c.name, code: '' }), h('strong', { class: 'sp-board__claim-code', text: c.code }))));
  }

  function sync() {
    syncHeader();
    syncNotes();
    syncClaims();
  }

  const team = mountTeam({ session, root: teamRoot });
  const offs = [
    session.on('change', (ev) => {
      sync();
      // While catching up (hundreds of events after a reload) the method view draws once, at
      // `synced`, instead of once per event.
      if (session.synced) team.sync(ev);
      announceEvent(ev);
    }),
    session.on('synced', () => {
      sync();
      team.sync(null);
    }),
    session.on('outbox', syncPending),
    session.on('state', syncPending),
  ];
  sync();
  syncPending();

  return {
    unmount() {
      clearTimeout(pendingTimer);
      team.unmount();
      for (const off of offs) off();
    },
    authFailed(err) {
      // The stored session is no longer known to the server (for example a new event), or
      // belongs to a sprint that is over (sprint_archived): the join page says which.
      forgetSession();
      const archived = archivedSprint(err);
      ctx.setNotice(archived ? t('archived.notice', { title: pick(archived.title) || '–' }) : t('join.notice.expired'));
      ctx.dropSession();
      ctx.navigate('#/');
    },
  };
}
