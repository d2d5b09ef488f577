// views/common.js – pieces the link views share: sections, the "bad link" page, batched redraws.

import { h } from '../dom.js';
import { pick, t } from '../i18n.js';

/**
 * A section with a heading (h2) whose id is derived from the key.
 * @param {string} key short name, unique on the page
 * @param {string} title heading text
 * @param {Node|Node[]} content
 * @returns {HTMLElement}
 */
export function section(key, title, content) {
  const id = `sp-section-${key}`;
  return h('section', { class: `sp-section sp-section--${key}`, 'aria-labelledby': id }, h('h2', { class: 'sp-section-title', id, text: title }), content);
}

/**
 * Replaces the view with the message that a link does not work.
 * @param {object} ctx app context
 */
export function showBadLink(ctx) {
  ctx.setTitle(t('badLink.title'));
  const heading = h('h1', { class: 'sp-heading', tabindex: '-1', text: t('badLink.heading') });
  ctx.main.replaceChildren(heading, h('p', { text: t('badLink.text') }), h('p', {}, h('a', { class: 'sp-link', href: '#/', text: t('badLink.home') })));
  heading.focus();
}

/**
 * A programme time span, "10:30–11:40" or "10:30".
 * @param {{time: string, end?: string}} item
 * @returns {string}
 */
export function timeSpan(item) {
  return item.end ? `${item.time}–${item.end}` : item.time;
}

/**
 * Wraps a draw function so that many calls within one frame draw once. Catching up after
 * a (re)connect delivers hundreds of events at once.
 * @param {() => void} draw
 * @returns {() => void} schedule a draw
 */
export function batched(draw) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      draw();
    });
  };
}

/**
 * Shows or clears the error of a form field: the message (with a hidden "Error:" prefix for
 * screen readers), aria-invalid, and aria-describedby pointing at the hint and the message.
 * @param {object} parts
 * @param {HTMLElement} parts.input the control
 * @param {HTMLElement} parts.error the element that holds the message (hidden when empty)
 * @param {string} [parts.hintId] id of the field's hint, kept in aria-describedby
 * @param {HTMLElement} [parts.group] the field's wrapper, marked with sp-field--error
 * @param {string|null} msg the message, or null to clear
 */
export function showFieldError({ input, error, hintId, group }, msg) {
  group?.classList.toggle('sp-field--error', Boolean(msg));
  error.hidden = !msg;
  error.replaceChildren();
  const describedBy = hintId ? [hintId] : [];
  if (msg) {
    error.append(h('span', { class: 'sp-visually-hidden', text: t('form.errorPrefix') }), msg);
    input.setAttribute('aria-invalid', 'true');
    describedBy.push(error.id);
  } else {
    input.removeAttribute('aria-invalid');
  }
  if (describedBy.length) input.setAttribute('aria-describedby', describedBy.join(' '));
  else input.removeAttribute('aria-describedby');
}

/**
 * The challenges as cards (title and main question), or a sentence when there are none yet.
 * @param {import('../state.js').ClientState} state
 * @returns {HTMLElement}
 */
export function challengeList(state) {
  const items = [...state.challenges.values()].map((c) =>
    h('li', { class: 'sp-card' }, h('h3', { class: 'sp-card__title', text: pick(c.title) }), c.question ? h('p', { text: pick(c.question) }) : null),
  );
  return items.length ? h('ul', { class: 'sp-cards' }, items) : h('p', { text: t('organiser.challenges.empty') });
}
