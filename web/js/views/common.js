// views/common.js – pieces the link views share: sections, the "bad link" page, batched redraws.

import { h } from '../dom.js';
import { t } from '../i18n.js';

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
