// views/team/kit.js – small building blocks the activities of the team view share.

import { h } from '../../dom.js';
import { errorText, t } from '../../i18n.js';
import { memberName } from '../../state.js';
import { keepDraft } from '../../drafts.js';
import { beforeText } from '../../bank.js';

const SNIPPET = 40;

/**
 * The start of a long text, for hidden button labels ("Delete note: …").
 * @param {string} text
 * @returns {string}
 */
export function snippet(text) {
  const chars = [...(text ?? '')];
  return chars.length > SNIPPET ? `${chars.slice(0, SNIPPET).join('')}…` : text ?? '';
}

/** Enter sends, Shift+Enter is a new line; not while an input method composes a word. */
export function isSubmitKey(e) {
  return e.key === 'Enter' && !e.shiftKey && !e.isComposing;
}

/**
 * A button whose visible text may be followed by hidden words that make it unique for a
 * screen reader ("Delen" + " briefje: Te veel systemen").
 * @param {string} text visible text
 * @param {object} [opts]
 * @param {string} [opts.hidden] extra words for screen readers
 * @param {string} [opts.kind] 'secondary', 'warning' or '' (primary)
 * @param {boolean} [opts.small]
 * @param {string} [opts.key] data-focus-key, so a redraw keeps the focus on it
 * @param {string} [opts.cls] extra classes (js- hooks)
 * @param {Function} [opts.onClick]
 * @param {string} [opts.type='button']
 * @returns {HTMLButtonElement}
 */
export function button(text, { hidden, kind = '', small = false, key, cls = '', onClick, type = 'button', label } = {}) {
  const classes = ['sp-button', kind && `sp-button--${kind}`, small && 'sp-button--small', cls].filter(Boolean).join(' ');
  const b = h('button', { class: classes, type, 'aria-label': label ?? null, dataset: key ? { focusKey: key } : undefined }, text, hidden ? h('span', { class: 'sp-visually-hidden', text: hidden }) : null);
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

/**
 * A labelled text field (input or textarea) with an optional hint.
 * @param {object} o
 * @param {string} o.id element id
 * @param {string} o.label
 * @param {string} [o.hint]
 * @param {boolean} [o.multiline]
 * @param {number} [o.max] maxlength
 * @param {string} [o.value]
 * @param {string} [o.cls] extra classes for the control
 * @returns {{wrap: HTMLElement, input: HTMLInputElement|HTMLTextAreaElement}}
 */
export function textField({ id, label, hint, multiline = false, max, value = '', cls = '' }) {
  const hintId = hint ? `${id}-hint` : null;
  const input = h(multiline ? 'textarea' : 'input', {
    class: `${multiline ? 'sp-textarea' : 'sp-input'} ${cls}`.trim(),
    id,
    type: multiline ? null : 'text',
    rows: multiline ? '3' : null,
    maxlength: max ? String(max) : null,
    'aria-describedby': hintId,
  });
  input.value = value;
  const wrap = h('div', { class: 'sp-field' }, h('label', { class: 'sp-field__label', for: id, text: label }), hint ? h('p', { class: 'sp-field__hint', id: hintId, text: hint }) : null, input);
  return { wrap, input };
}

/**
 * A labelled select.
 * @param {object} o
 * @param {string} o.id
 * @param {string} o.label
 * @param {{value: string, text: string}[]} o.options
 * @param {string} [o.value] the selected value
 * @param {boolean} [o.hideLabel] keep the label for screen readers only
 * @returns {{wrap: HTMLElement, select: HTMLSelectElement}}
 */
export function selectField({ id, label, options, value = '', hideLabel = false, key }) {
  const select = h('select', { class: 'sp-select', id, dataset: key ? { focusKey: key } : undefined }, options.map((o) => h('option', { value: o.value, text: o.text })));
  select.value = value;
  const wrap = h('div', { class: 'sp-field sp-field--inline' }, h('label', { class: hideLabel ? 'sp-visually-hidden' : 'sp-field__label', for: id, text: label }), select);
  return { wrap, select };
}

/**
 * A form that adds one line of text: Enter adds, the field empties and keeps the focus, so
 * a person can type idea after idea.
 * @param {object} o
 * @param {string} o.id id of the field
 * @param {string} o.label
 * @param {string} [o.hint]
 * @param {string} o.submit text of the button
 * @param {number} [o.max]
 * @param {boolean} [o.multiline]
 * @param {(text: string) => Promise<*>|void} o.onAdd called with the trimmed text
 * @param {Node[]} [o.extra] more fields before the button
 * @param {string} [o.draft] the step's id: what is typed is kept as a draft of this step
 *   until it is added, so a reload or a crashed tab loses nothing
 * @returns {{form: HTMLFormElement, input: HTMLElement}}
 */
export function addForm({ id, label, hint, submit, max = 280, multiline = true, onAdd, extra = [], cls = '', draft }) {
  const { wrap, input } = textField({ id, label, hint, multiline, max });
  const kept = draft ? keepDraft(input, `${draft}/${id}`) : null;
  const error = h('p', { class: 'sp-field__error', id: `${id}-error`, hidden: true });
  wrap.append(error);
  const form = h('form', { class: `sp-form sp-add ${cls}`.trim(), novalidate: true }, wrap, extra, button(submit, { type: 'submit' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    error.hidden = !!text;
    if (!text) {
      error.replaceChildren(h('span', { class: 'sp-visually-hidden', text: t('form.errorPrefix') }), t('team.error.empty'));
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    input.value = '';
    // Sent means safe: the command itself waits in the stored outbox until the server has it.
    kept?.clear();
    input.focus();
    const sent = onAdd(text);
    // Refused by the server (no round runs, too long, …): what the person typed comes back,
    // with the reason next to it – never wiped together with the error.
    sent?.catch?.((err) => {
      if (err?.code === 'closed' || err?.code === 'discarded') return;
      if (!input.value) {
        input.value = text;
        input.dispatchEvent(new Event('input'));
      }
      error.hidden = false;
      error.replaceChildren(h('span', { class: 'sp-visually-hidden', text: t('form.errorPrefix') }), errorText(err));
      input.setAttribute('aria-invalid', 'true');
    });
  });
  input.addEventListener('input', () => {
    if (error.hidden || !input.value) return;
    error.hidden = true;
    input.removeAttribute('aria-invalid');
  });
  if (multiline) {
    input.addEventListener('keydown', (e) => {
      if (isSubmitKey(e)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
  }
  return { form, input };
}

/**
 * A section of an activity with an h3.
 * @param {string} id heading id
 * @param {string} title
 * @param {...*} content
 * @returns {HTMLElement}
 */
export function part(id, title, ...content) {
  return h('section', { class: 'sp-part', 'aria-labelledby': id }, h('h3', { class: 'sp-part__title', id, text: title }), content);
}

/**
 * The items of a "this came up before" list: for each `idea.before` hint on one of the given
 * ideas, our idea and what became of the close one of an earlier sprint.
 * @param {object} state
 * @param {(note: object) => boolean} ours which notes count (the team's, on this board)
 * @returns {HTMLElement[]}
 */
export function beforeItems(state, ours) {
  const out = [];
  for (const b of state.before.values()) {
    const n = state.notes.get(b.note) ?? state.items?.get?.(b.note);
    if (!n || !ours(n)) continue;
    out.push(h('li', { class: 'sp-before__item js-before-item', dataset: { note: b.note } }, h('span', { class: 'sp-before__ours', text: t('before.ours', { text: n.text ?? '' }) }), ' ', beforeText(b)));
  }
  return out;
}

/**
 * "Door Anna" or "Door Anna (jij)".
 * @param {object} state
 * @param {string|null} by member id
 * @returns {string}
 */
export function byLine(state, by) {
  const name = memberName(state, by) ?? t('board.note.unknownAuthor');
  return by && by === state.me ? t('board.note.byMe', { name }) : t('board.note.by', { name });
}

/**
 * A sticky note as a list item: its text, its author and any controls.
 * @param {object} state
 * @param {object} note
 * @param {Node[]} [controls]
 * @param {object} [props] extra properties for the li
 * @returns {HTMLLIElement}
 */
export function noteItem(state, note, controls = [], props = {}) {
  return h(
    'li',
    { class: `sp-note js-note ${note.private ? 'sp-note--private' : ''}`.trim(), dataset: { note: note.id }, ...props },
    h('p', { class: 'sp-note__text', text: note.text }),
    note.private ? h('p', { class: 'sp-note__badge', text: t('team.note.private') }) : null,
    h('p', { class: 'sp-note__author', text: byLine(state, note.by) }),
    controls.length ? h('div', { class: 'sp-note__actions' }, controls) : null,
  );
}

/**
 * Announces news that may come in bursts (every private note shared at once when the step
 * moves on, a flurry of ideas in the race) as one sentence per burst instead of one per item,
 * so a screen reader is not drowned.
 * @param {(message: string) => void} live the polite announcer
 * @param {(text: string) => string} one the sentence for a single item
 * @param {(count: number) => string} many the sentence for several
 * @param {number} [ms=800] how long a burst may take
 * @returns {{push: (text: string) => void, stop: () => void}}
 */
export function burstAnnouncer(live, one, many, ms = 800) {
  let texts = [];
  let timer = null;
  return {
    push(text) {
      texts.push(text);
      if (timer) return;
      timer = setTimeout(() => {
        live(texts.length === 1 ? one(texts[0]) : many(texts.length));
        texts = [];
        timer = null;
      }, ms);
    },
    stop() {
      clearTimeout(timer);
      timer = null;
      texts = [];
    },
  };
}
