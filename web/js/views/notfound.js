// views/notfound.js – an address that is no route: say so and offer the way back.

import { h } from '../dom.js';
import { t } from '../i18n.js';

/**
 * Mounts the "page not found" view.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void}}
 */
export function mount(ctx) {
  ctx.useSession(null);
  ctx.setTitle(t('notFound.title'));
  ctx.main.append(
    h('h1', { class: 'sp-heading', tabindex: '-1', text: t('notFound.heading') }),
    h('p', { text: t('notFound.text') }),
    h('p', {}, h('a', { class: 'sp-link', href: '#/', text: t('notFound.home') })),
  );
  return { unmount() {} };
}
