// views/join.js – a participant joins a team with its code and a name; the session is remembered.

import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { forgetSession, loadStoredSession, storeSession } from '../session.js';
import { showFieldError } from './common.js';

/** Error codes of `join` that belong to the code field; others are shown for the form. */
const CODE_ERRORS = new Set(['bad_code']);
const NAME_ERRORS = new Set(['text_empty', 'text_too_long']);

/**
 * A text field with label, hint and error message, wired with aria-describedby.
 * @returns {{group: HTMLElement, input: HTMLInputElement, setError: (msg: string|null) => void}}
 */
function field({ id, label, hint, attrs }) {
  const hintEl = h('p', { class: 'sp-field__hint', id: `${id}-hint`, text: hint });
  const errorEl = h('p', { class: 'sp-field__error', id: `${id}-error`, hidden: true });
  const input = h('input', { class: 'sp-input', id, type: 'text', 'aria-describedby': `${id}-hint`, ...attrs });
  const group = h('div', { class: 'sp-field' }, h('label', { class: 'sp-field__label', for: id, text: label }), hintEl, errorEl, input);
  const setError = (msg) => showFieldError({ input, error: errorEl, hintId: `${id}-hint`, group }, msg);
  return { group, input, setError };
}

/**
 * Mounts the join page.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void}}
 */
export function mount(ctx) {
  const { main } = ctx;
  const session = ctx.useSession(null);
  ctx.setTitle(t('join.title'));

  const stored = loadStoredSession();
  const noticeText = ctx.takeNotice();
  const heading = h('h1', { class: 'sp-heading', tabindex: '-1', text: t('join.heading') });

  const summaryList = h('ul', { class: 'sp-error-summary__list' });
  const summary = h(
    'div',
    { class: 'sp-error-summary', tabindex: '-1', 'aria-labelledby': 'sp-join-summary-title', hidden: true },
    h('h2', { class: 'sp-error-summary__title', id: 'sp-join-summary-title', text: t('form.summaryTitle') }),
    summaryList,
  );

  const code = field({
    id: 'sp-join-code',
    label: t('join.code.label'),
    hint: t('join.code.hint'),
    attrs: { name: 'code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '24' },
  });
  // Arrived through the QR code of a join sheet (#/join/CODE): the code is filled in, the name is next.
  const routeCode = ctx.route?.code ? ctx.route.code.toUpperCase() : '';
  if (routeCode) code.input.value = routeCode;
  const name = field({
    id: 'sp-join-name',
    label: t('join.name.label'),
    hint: t('join.name.hint'),
    attrs: { name: 'name', autocomplete: 'nickname', maxlength: '60', value: stored?.name ?? '' },
  });
  const submit = h('button', { class: 'sp-button', id: 'sp-join-submit', type: 'submit', text: t('join.submit') });
  const form = h('form', { class: 'sp-form', novalidate: true }, code.group, name.group, submit);

  function showErrors(errors) {
    code.setError(errors.code ?? null);
    name.setError(errors.name ?? null);
    summaryList.replaceChildren();
    const entries = [
      ['code', code.input],
      ['name', name.input],
      ['form', submit],
    ].filter(([key]) => errors[key]);
    for (const [key, target] of entries) {
      const link = h('a', { class: 'sp-link', href: `#${target.id || 'sp-main'}`, text: errors[key] });
      link.addEventListener('click', (e) => {
        // Follow the link by focus only: the fragment belongs to the router.
        e.preventDefault();
        target.focus();
      });
      summaryList.append(h('li', {}, link));
    }
    summary.hidden = entries.length === 0;
    if (entries.length) summary.focus();
  }

  let busy = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    const codeValue = code.input.value.trim();
    const nameValue = name.input.value.trim();
    const errors = {};
    if (!codeValue) errors.code = t('join.code.missing');
    if (!nameValue) errors.name = t('join.name.missing');
    else if ([...nameValue].length > 60) errors.name = t('join.name.tooLong');
    if (Object.keys(errors).length) {
      showErrors(errors);
      return;
    }
    busy = true;
    submit.textContent = t('join.busy');
    try {
      const joined = await session.conn.join(codeValue, nameValue);
      storeSession({ token: joined.token, member: joined.member, team: joined.team, name: nameValue });
      ctx.navigate('#/team');
    } catch (err) {
      busy = false;
      submit.textContent = t('join.submit');
      const message = errorText(err);
      if (CODE_ERRORS.has(err.code)) showErrors({ code: message });
      else if (NAME_ERRORS.has(err.code)) showErrors({ name: message });
      else showErrors({ form: message });
    }
  });

  const parts = [heading];
  if (noticeText) parts.push(h('p', { class: 'sp-notice', role: 'status', text: noticeText }));
  parts.push(summary);
  if (stored) {
    const leave = h('button', { class: 'sp-button sp-button--secondary', type: 'button', text: t('join.resume.forget') });
    const panel = h(
      'section',
      { class: 'sp-panel', 'aria-labelledby': 'sp-join-resume-title' },
      h('h2', { class: 'sp-panel__title', id: 'sp-join-resume-title', text: t('join.resume.title') }),
      h('p', { text: t('join.resume.text', { name: stored.name ?? '' }) }),
      h('p', { class: 'sp-actions' }, h('a', { class: 'sp-button sp-button--link', href: '#/team', text: t('join.resume.go') }), leave),
    );
    leave.addEventListener('click', () => {
      forgetSession();
      panel.remove();
      code.input.focus();
    });
    parts.push(panel);
  }
  parts.push(h('p', { class: 'sp-lead', text: t('join.intro') }));
  if (routeCode) parts.push(h('p', { class: 'sp-notice js-join-prefilled', text: t('org.join.prefilled', { code: routeCode }) }));
  parts.push(form);
  main.append(...parts);
  return { unmount() {} };
}
