// views/common.js – pieces the link views share: sections, the "bad link" page, batched redraws,
// the banner with the facilitator's message to the room.

import { h } from '../dom.js';
import { onLangChange, pick, t } from '../i18n.js';
import { staffOf } from '../staff-state.js';
import { archivedSprint } from '../bank.js';

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
 * Replaces the view with the message that a link does not work – or, for a link of an archived
 * sprint (`sprint_archived`), that the sprint is over, with its title.
 * @param {object} ctx app context
 * @param {object} [err] the refusal (`err` message)
 */
export function showBadLink(ctx, err) {
  const archived = archivedSprint(err);
  if (archived) {
    ctx.setTitle(t('archived.title'));
    const title = pick(archived.title);
    const heading = h('h1', { class: 'sp-heading', tabindex: '-1', text: t('archived.heading') });
    ctx.main.replaceChildren(
      heading,
      h('p', { class: 'sp-lead js-archived', text: title ? t('archived.text', { title }) : t('archived.textNoTitle') }),
      h('p', { text: t('archived.next') }),
      h('p', {}, h('a', { class: 'sp-link', href: '#/', text: t('badLink.home') })),
    );
    heading.focus();
    return;
  }
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

/**
 * The banner with the latest message of the facilitator to the room (`room.message`), for
 * participants: above the page's main content, outside every view, so no view has to know
 * about it. It stays until dismissed or replaced by a newer message; a new message is read
 * out by screen readers (the text sits in a status region).
 * @param {import('../session.js').Session} session
 * @param {HTMLElement} before the element the banner goes in front of (the page's <main>)
 * @returns {{remove: () => void}}
 */
export function mountMessageBanner(session, before) {
  const staff = staffOf(session);
  const text = h('p', { class: 'sp-message-banner__text js-room-message' });
  const status = h('div', { role: 'status', class: 'sp-message-banner__status' });
  const title = h('h2', { class: 'sp-message-banner__title', id: 'sp-message-banner-title' });
  const close = h('button', { class: 'sp-button sp-button--small sp-button--secondary sp-message-banner__close', type: 'button' });
  const box = h('aside', { class: 'sp-message-banner', 'aria-labelledby': 'sp-message-banner-title', hidden: true }, h('div', { class: 'sp-message-banner__inner' }, status, close));
  let dismissed = 0;
  let shown = 0;

  function draw() {
    const last = staff.state.messages.at(-1);
    const visible = session.state.role === 'participant' && last && last.seq > dismissed;
    box.hidden = !visible;
    title.textContent = t('banner.title');
    close.textContent = t('banner.close');
    if (!visible) {
      status.replaceChildren();
      shown = 0;
      return;
    }
    if (last.seq !== shown) {
      shown = last.seq;
      text.textContent = last.text;
      status.replaceChildren(title, text);
    }
  }

  close.addEventListener('click', () => {
    dismissed = staff.state.messages.at(-1)?.seq ?? dismissed;
    draw();
    (before.querySelector('h1') ?? before).focus();
  });
  before.before(box);
  const offs = [staff.on('change', (ev) => ev?.type === 'room.message' && draw()), session.on('change', (ev) => ev === null && draw()), onLangChange(draw)];
  draw();
  return {
    remove() {
      for (const off of offs) off();
      box.remove();
    },
  };
}
