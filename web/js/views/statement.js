// views/statement.js – the accessibility statement (toegankelijkheidsverklaring), built after the
// Dutch government's model: status, how it was checked, known limits, contact, date.

import { h } from '../dom.js';
import { formatDate, t } from '../i18n.js';

/** The day this statement was drawn up (ISO); reviewed with every version. */
export const STATEMENT_DATE = '2026-11-28';

/** The page's sections: a heading key and its paragraphs or list items. */
const SECTIONS = [
  { id: 'status', paras: ['statement.status.text'] },
  { id: 'tested', paras: ['statement.tested.intro'], list: ['axe', 'keyboard', 'screens', 'offline', 'contrast'].map((k) => `statement.tested.${k}`) },
  { id: 'sr', paras: ['statement.sr.text'] },
  { id: 'limits', list: ['drag', 'screen', 'content', 'pdf', 'audit'].map((k) => `statement.limits.${k}`) },
  { id: 'contact', paras: ['statement.contact.text'] },
  { id: 'enforce', paras: ['statement.enforce.text'] },
];

/** A body class of its own (sp-body--statement); the statement opens no connection, so an open session keeps running behind it. */
export const BODY = 'statement';

/**
 * Mounts the accessibility statement.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void}}
 */
export function mount(ctx) {
  ctx.setTitle(t('statement.title'));
  const back = h('a', { class: 'sp-link', href: '#/', text: t('statement.back') });
  back.addEventListener('click', (e) => {
    // Back to wherever the person came from (their team, a staff view), not always the join page.
    if (history.length > 1) {
      e.preventDefault();
      history.back();
    }
  });
  ctx.main.append(
    h(
      'article',
      { class: 'sp-statement', 'aria-labelledby': 'sp-statement-title' },
      h('h1', { class: 'sp-heading', id: 'sp-statement-title', tabindex: '-1', text: t('statement.heading') }),
      h('p', { class: 'sp-lead', text: t('statement.intro') }),
      SECTIONS.map((s) =>
        h(
          'section',
          { class: 'sp-statement__section', 'aria-labelledby': `sp-statement-${s.id}` },
          h('h2', { class: 'sp-section-title', id: `sp-statement-${s.id}`, text: t(`statement.${s.id}.title`) }),
          (s.paras ?? []).map((key) => h('p', { text: t(key) })),
          s.list ? h('ul', { class: 'sp-statement__list' }, s.list.map((key) => h('li', { text: t(key) }))) : null,
        ),
      ),
      h('p', { class: 'sp-statement__date js-statement-date', text: t('statement.date', { date: formatDate(STATEMENT_DATE) }) }),
      h('p', {}, back),
    ),
  );
  return { unmount() {} };
}
