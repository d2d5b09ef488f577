// views/org/kit.js – pieces the organiser's registration and assignment sections share: labelled
// fields, bilingual field pairs, status lines, commands with readable errors, the HTTP API with
// the organiser's token, downloads and copy buttons.

import { announce, h } from '../../dom.js';
import { errorText, t } from '../../i18n.js';
import { showFieldError } from '../common.js';

/**
 * A labelled text field (or textarea) with an optional hint and an error line.
 * @param {object} o
 * @param {string} o.id element id, unique on the page
 * @param {string} o.label visible label
 * @param {string} [o.hint] hint under the label
 * @param {string} [o.value] initial value
 * @param {boolean} [o.textarea] a multi-line field
 * @param {object} [o.attrs] more attributes for the control
 * @returns {{group: HTMLElement, input: HTMLInputElement|HTMLTextAreaElement, setError: (msg: string|null) => void}}
 */
export function field({ id, label, hint, value = '', textarea = false, attrs = {} }) {
  const hintEl = hint ? h('p', { class: 'sp-field__hint', id: `${id}-hint`, text: hint }) : null;
  const errorEl = h('p', { class: 'sp-field__error', id: `${id}-error`, hidden: true });
  const input = textarea
    ? h('textarea', { class: 'sp-textarea', id, rows: '4', 'aria-describedby': hint ? `${id}-hint` : null, ...attrs })
    : h('input', { class: 'sp-input', id, type: 'text', 'aria-describedby': hint ? `${id}-hint` : null, ...attrs });
  input.value = value;
  const group = h('div', { class: 'sp-field' }, h('label', { class: 'sp-field__label', for: id, text: label }), hintEl, errorEl, input);
  const setError = (msg) => showFieldError({ input, error: errorEl, hintId: hint ? `${id}-hint` : undefined, group }, msg);
  return { group, input, setError };
}

/**
 * A fieldset with a Dutch and an English field for bilingual content ({nl, en}).
 * @param {object} o
 * @param {string} o.id prefix of the ids
 * @param {string} o.legend what the pair is
 * @param {{nl?: string, en?: string}|string|null} [o.value]
 * @param {boolean} [o.textarea]
 * @param {object} [o.attrs] attributes for both controls
 * @returns {{fieldset: HTMLElement, get: () => {nl: string, en: string}, set: (v: object) => void, inputs: HTMLElement[]}}
 */
export function bilingual({ id, legend, value, textarea = false, attrs = {} }) {
  const nl = field({ id: `${id}-nl`, label: t('org.lang.nl'), textarea, attrs: { lang: 'nl', ...attrs } });
  const en = field({ id: `${id}-en`, label: t('org.lang.en'), textarea, attrs: { lang: 'en', ...attrs } });
  const fieldset = h('fieldset', { class: 'sp-org-pair' }, h('legend', { class: 'sp-org-pair__legend', text: legend }), h('div', { class: 'sp-org-pair__fields' }, nl.group, en.group));
  const set = (v) => {
    const obj = v && typeof v === 'object' ? v : { nl: v ?? '', en: v ?? '' };
    nl.input.value = obj.nl ?? '';
    en.input.value = obj.en ?? '';
  };
  set(value);
  return { fieldset, get: () => ({ nl: nl.input.value.trim(), en: en.input.value.trim() }), set, inputs: [nl.input, en.input] };
}

/**
 * A status line for the outcome of a form: polite, so a screen reader says it after the
 * action without taking the focus away.
 * @returns {{el: HTMLElement, ok: (msg: string) => void, fail: (msg: string) => void, clear: () => void}}
 */
export function statusLine() {
  const el = h('p', { class: 'sp-org-status', role: 'status' });
  return {
    el,
    ok(msg) {
      el.className = 'sp-org-status sp-org-status--ok';
      el.textContent = msg;
    },
    fail(msg) {
      el.className = 'sp-org-status sp-org-status--error';
      el.textContent = msg;
    },
    clear() {
      el.className = 'sp-org-status';
      el.textContent = '';
    },
  };
}

/**
 * Sends a command and turns a refusal into a sentence in the chosen language.
 * @param {import('../../session.js').Session} session
 * @param {string} cmd
 * @param {object} args
 * @returns {Promise<{ok: true, ack: object}|{ok: false, message: string, code?: string}>}
 */
export async function run(session, cmd, args) {
  try {
    return { ok: true, ack: await session.conn.send(cmd, args) };
  } catch (err) {
    return { ok: false, message: errorText(err), code: err?.code };
  }
}

/**
 * Calls the organiser's HTTP API with the link token as bearer token.
 * @param {string} token the organiser's link token
 * @param {string} path e.g. '/api/sheets.pdf'
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
export function api(token, path, init = {}) {
  return fetch(path, { ...init, headers: { ...(init.headers ?? {}), Authorization: `Bearer ${token}` }, cache: 'no-store', credentials: 'omit' });
}

/**
 * The message of a failed API answer ({code, nl, en}), or a general one.
 * @param {Response} res
 * @returns {Promise<string>}
 */
export async function apiError(res) {
  try {
    return errorText(await res.json());
  } catch {
    return t('org.http.failed', { status: res.status });
  }
}

/**
 * Offers a blob as a download with a file name.
 * @param {Blob} blob
 * @param {string} name file name
 */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, class: 'sp-visually-hidden', tabindex: '-1' });
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has taken the data once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/**
 * A button that fetches a PDF from the organiser's API and offers it as a download,
 * reporting progress and failure in a status line.
 * @param {{token: string, path: string, label: string, making: string, ready: string, file: string}} o
 * @returns {{button: HTMLButtonElement, status: {el: HTMLElement}}}
 */
export function pdfButton({ token, path, label, making, ready, file }) {
  const status = statusLine();
  const button = h('button', { class: 'sp-button', type: 'button', text: label });
  let busy = false;
  button.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    button.setAttribute('aria-disabled', 'true');
    status.ok(making);
    try {
      const res = await api(token, path);
      if (!res.ok) {
        status.fail(await apiError(res));
        return;
      }
      download(new Blob([await res.blob()], { type: 'application/pdf' }), file);
      status.ok(ready);
    } catch {
      status.fail(t('org.http.offline'));
    } finally {
      busy = false;
      button.removeAttribute('aria-disabled');
    }
  });
  return { button, status };
}

/**
 * A button that copies a text, announcing the outcome in a live region.
 * @param {string} text what to copy
 * @param {string} what what it is, for screen readers ("link voor Team Bron")
 * @param {HTMLElement} live polite live region
 * @param {string} key focus key, unique on the page
 * @returns {HTMLButtonElement}
 */
export function copyButton(text, what, live, key) {
  const button = h('button', { class: 'sp-button sp-button--small sp-button--secondary', type: 'button', dataset: { focusKey: `org-copy-${key}` } }, t('org.copy'), h('span', { class: 'sp-visually-hidden', text: ` ${what}` }));
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      announce(live, t('org.copied'));
    } catch {
      // The clipboard needs a secure context or a permission; the text can be selected instead.
      announce(live, t('org.copyFailed'));
    }
  });
  return button;
}

/**
 * Marks a form dirty on any input, so redraws from events do not overwrite what is typed.
 * @param {HTMLElement} form
 * @returns {{dirty: boolean}}
 */
export function trackDirty(form) {
  const flag = { dirty: false };
  form.addEventListener('input', () => (flag.dirty = true));
  form.addEventListener('change', () => (flag.dirty = true));
  return flag;
}

/**
 * A percentage of a share (0..1).
 * @param {number|null|undefined} share
 * @returns {string}
 */
export function percent(share) {
  if (typeof share !== 'number' || !Number.isFinite(share)) return '–';
  return `${Math.round(share * 1000) / 10}%`;
}
