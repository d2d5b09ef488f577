// drafts.js – keeps what a participant is typing in localStorage, so a reload or a crashed tab
// (on a phone, while the venue's network is gone) does not lose a half-written note.
//
// Drafts are scoped to the stored participant session: another person on the same device, or
// the same person after leaving the team, never sees them. Without a session nothing is kept.

import { loadStoredSession } from './session.js';

const PREFIX = 'sp.draft.';

function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Blocked storage: drafts live as long as the page, like any form field.
    return null;
  }
}

function scope(token) {
  return token ? `${PREFIX}${String(token).slice(0, 24)}.` : null;
}

/**
 * Keeps the text of a field as a draft under a name: restores it into the (empty) field now,
 * saves it on every keystroke, and forgets it when the field is emptied by clear().
 * @param {HTMLInputElement|HTMLTextAreaElement} input the field
 * @param {string} name unique per field and step, e.g. "p1-dump/sp-brainstorm-new"
 * @returns {{clear: () => void, restored: boolean}} clear() after the text was sent
 */
export function keepDraft(input, name) {
  const store = storage();
  const prefix = scope(loadStoredSession()?.token);
  if (!store || !prefix) return { clear() {}, restored: false };
  const key = prefix + name;
  let restored = false;
  try {
    const text = store.getItem(key);
    if (text && !input.value) {
      input.value = text;
      restored = true;
    }
  } catch {
    // Unreadable storage: start empty.
  }
  input.addEventListener('input', () => {
    try {
      if (input.value) store.setItem(key, input.value);
      else store.removeItem(key);
    } catch {
      // Full or blocked storage: the text is still in the field.
    }
  });
  return {
    restored,
    clear() {
      try {
        store.removeItem(key);
      } catch {
        // Nothing to forget.
      }
    },
  };
}

/**
 * Forgets every draft of a session token.
 * @param {string|null} token
 */
export function forgetDrafts(token) {
  const store = storage();
  const prefix = scope(token);
  if (!store || !prefix) return;
  try {
    const keys = [];
    for (let i = 0; i < store.length; i++) {
      const key = store.key(i);
      if (key?.startsWith(prefix)) keys.push(key);
    }
    for (const key of keys) store.removeItem(key);
  } catch {
    // Blocked storage holds no drafts.
  }
}
