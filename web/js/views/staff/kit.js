// views/staff/kit.js – small pieces the console, screen and jury views share: clocks, buttons, fields.

import { h } from '../../dom.js';
import { pick } from '../../i18n.js';

/**
 * "4:05" (or "1:04:05") for a number of milliseconds, rounded up to whole seconds, never negative.
 * @param {number} ms
 * @returns {string}
 */
export function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hours ? `${hours}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/**
 * Milliseconds left on a team timer or race round, on the server's clock.
 * @param {object|undefined} timer {state, ends_at?, remaining_ms?, duration_ms?}
 * @param {number} serverNow
 * @returns {number|null} null when no time runs or waits
 */
export function remaining(timer, serverNow) {
  if (!timer) return null;
  if (timer.state === 'running') return Math.max(0, Math.min(timer.ends_at - serverNow, timer.duration_ms ?? Infinity));
  if (timer.state === 'paused') return timer.remaining_ms ?? 0;
  if (timer.state === 'expired') return 0;
  return null;
}

/**
 * The playbook step with this id, or null.
 * @param {import('../../state.js').ClientState} state
 * @param {string|null|undefined} id
 * @returns {object|null}
 */
export function stepById(state, id) {
  return state.steps.find((s) => s.id === id) ?? null;
}

/**
 * The name of a team (team names are plain strings, but bilingual ones are accepted too).
 * @param {import('../../state.js').ClientState} state
 * @param {string} id team id
 * @param {string} [fallback]
 * @returns {string}
 */
export function teamName(state, id, fallback) {
  const team = state.teams.get(id);
  return team ? pick(team.name) : fallback ?? id;
}

/**
 * A button whose visible text may be completed for screen readers by a hidden part
 * (e.g. "Volgende stap" + " voor Team Bron").
 * @param {string} text
 * @param {object} [opts]
 * @param {string} [opts.hidden] extra words for screen readers
 * @param {string} [opts.kind] '', 'secondary' or 'warning'
 * @param {boolean} [opts.small]
 * @param {string} [opts.key] data-focus-key, so focus survives a redraw
 * @param {string} [opts.cls] extra classes
 * @param {() => void} [opts.onClick]
 * @param {boolean} [opts.disabled]
 * @returns {HTMLButtonElement}
 */
export function button(text, { hidden, kind = '', small = false, key, cls = '', onClick, disabled = false } = {}) {
  const classes = ['sp-button', kind && `sp-button--${kind}`, small && 'sp-button--small', cls].filter(Boolean).join(' ');
  const el = h('button', { class: classes, type: 'button', dataset: key ? { focusKey: key } : undefined, disabled }, text, hidden ? h('span', { class: 'sp-visually-hidden', text: hidden }) : null);
  if (onClick) el.addEventListener('click', onClick);
  return el;
}

/**
 * A labelled input with an optional hint.
 * @param {object} o
 * @param {string} o.id
 * @param {string} o.label
 * @param {string} [o.hint]
 * @param {string} [o.type]
 * @param {Object<string, *>} [o.attrs] extra attributes of the input
 * @param {string} [o.cls]
 * @returns {{field: HTMLElement, input: HTMLInputElement}}
 */
export function inputField({ id, label, hint, type = 'text', attrs = {}, cls = '' }) {
  const hintId = hint ? `${id}-hint` : null;
  const input = h('input', { class: 'sp-input', id, type, 'aria-describedby': hintId, ...attrs });
  const field = h('div', { class: `sp-field ${cls}`.trim() }, h('label', { class: 'sp-field__label', for: id, text: label }), hint ? h('p', { class: 'sp-field__hint', id: hintId, text: hint }) : null, input);
  return { field, input };
}
