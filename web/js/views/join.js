// views/join.js – a participant joins a team with its code and picks their name from the team's
// registered members (or gives a name, if walk-ins are allowed); a name in use on another device
// is claimed with a confirmation code from a teammate or the facilitator. The session is remembered.

import { h } from '../dom.js';
import { errorText, pick as pickText, t } from '../i18n.js';
import { archivedSprint } from '../bank.js';
import { forgetSession, loadStoredSession, storeSession } from '../session.js';
import { showFieldError } from './common.js';

/** Error codes of `join` that belong to the code field; others are shown for the form. */
const CODE_ERRORS = new Set(['bad_code']);
const NAME_ERRORS = new Set(['text_empty', 'text_too_long']);
const CLAIM_ERRORS = new Set(['bad_claim']);

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
  // The team's registered names, once the code is known; the confirmation code of a claim.
  const pickError = h('p', { class: 'sp-field__error', id: 'sp-join-pick-error', hidden: true });
  const pickList = h('div', { class: 'sp-join-pick__list' });
  const pick = h(
    'fieldset',
    { class: 'sp-field sp-join-pick js-join-pick', id: 'sp-join-pick', tabindex: '-1', hidden: true, 'aria-describedby': 'sp-join-pick-hint' },
    h('legend', { class: 'sp-field__label', text: t('join.pick.legend') }),
    h('p', { class: 'sp-field__hint', id: 'sp-join-pick-hint', text: t('join.pick.hint') }),
    pickError,
    pickList,
  );
  const claim = field({
    id: 'sp-join-claim',
    label: t('join.claim.label'),
    hint: t('join.claim.hint'),
    attrs: { name: 'claim', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '8' },
  });
  claim.group.hidden = true;
  const form = h('form', { class: 'sp-form', novalidate: true }, code.group, pick, name.group, claim.group, submit);

  /** The roster of the code last looked up: {code, names, walkins}, or null. */
  let roster = null;
  const norm = (c) => c.toUpperCase().replace(/[\s-]/g, '');

  function drawRoster() {
    const names = roster?.names ?? [];
    pick.hidden = names.length === 0;
    const options = names.map((n) => {
      const id = `sp-join-person-${n.person}`;
      const radio = h('input', { class: 'sp-radio', type: 'radio', name: 'person', id, value: n.person });
      return h('div', { class: 'sp-join-pick__item' }, radio, h('label', { for: id }, n.name, n.taken ? h('span', { class: 'sp-join-pick__taken', text: ` ${t('join.pick.taken')}` }) : null));
    });
    if (names.length && roster.walkins) {
      const radio = h('input', { class: 'sp-radio', type: 'radio', name: 'person', id: 'sp-join-person-other', value: '' });
      options.push(h('div', { class: 'sp-join-pick__item' }, radio, h('label', { for: 'sp-join-person-other', text: t('join.pick.other') })));
    }
    pickList.replaceChildren(...options);
    // With a list, the name field is only for those not on it (and gone without walk-ins).
    name.group.hidden = names.length > 0 && !roster.walkins;
    name.group.querySelector('label').textContent = names.length ? t('join.name.walkinLabel') : t('join.name.label');
    claim.group.hidden = true;
  }

  async function loadRoster(value) {
    const c = norm(value);
    if (!c || roster?.code === c) return roster;
    try {
      const r = await session.conn.roster(value);
      roster = { code: c, names: r.names ?? [], walkins: r.walkins !== false };
    } catch {
      // A wrong code is reported when joining; the form stays as it is.
      roster = { code: c, names: [], walkins: true };
    }
    drawRoster();
    return roster;
  }
  code.input.addEventListener('change', () => loadRoster(code.input.value.trim()));

  function chosen() {
    const radio = pickList.querySelector('input[name="person"]:checked');
    if (!radio || radio.value === '') return null;
    return roster.names.find((n) => n.person === radio.value) ?? null;
  }

  function showErrors(errors) {
    code.setError(errors.code ?? null);
    name.setError(errors.name ?? null);
    claim.setError(errors.claim ?? null);
    pickError.hidden = !errors.pick;
    pickError.textContent = errors.pick ?? '';
    summaryList.replaceChildren();
    const entries = [
      ['code', code.input],
      ['pick', pick],
      ['name', name.input],
      ['claim', claim.input],
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
    if (!codeValue) {
      showErrors({ code: t('join.code.missing') });
      return;
    }
    busy = true;
    const known = roster?.code === norm(codeValue);
    await loadRoster(codeValue);
    busy = false;
    if (!known && roster.names.length) {
      // The list appeared just now: first pick a name.
      showErrors({});
      pick.focus();
      return;
    }
    const person = chosen();
    const nameValue = person ? person.name : name.input.value.trim();
    const claimValue = claim.input.value.trim();
    const errors = {};
    if (!person && roster.names.length && !roster.walkins) errors.pick = t('join.pick.missing');
    else if (!person && !nameValue) {
      if (roster.names.length) errors.pick = t('join.pick.missing');
      else errors.name = t('join.name.missing');
    } else if (!person && [...nameValue].length > 60) errors.name = t('join.name.tooLong');
    if (person && !claim.group.hidden && !claimValue) errors.claim = t('join.claim.missing');
    if (Object.keys(errors).length) {
      showErrors(errors);
      return;
    }
    busy = true;
    submit.textContent = t('join.busy');
    try {
      const opts = person ? { person: person.person, claim: claim.group.hidden ? null : claimValue } : {};
      const joined = await session.conn.join(codeValue, person ? '' : nameValue, opts);
      storeSession({ token: joined.token, member: joined.member, team: joined.team, name: nameValue });
      ctx.navigate('#/team');
    } catch (err) {
      busy = false;
      submit.textContent = t('join.submit');
      // A code of a sprint that is over says which sprint (sprint_archived, with its title).
      const archived = archivedSprint(err);
      const message = archived && pickText(archived.title) ? t('archived.code', { title: pickText(archived.title) }) : errorText(err);
      if (archived) showErrors({ code: message });
      else if (err.code === 'claim_pending') {
        claim.group.hidden = false;
        claim.input.value = '';
        showErrors({});
        claim.input.focus();
      } else if (CODE_ERRORS.has(err.code)) showErrors({ code: message });
      else if (CLAIM_ERRORS.has(err.code)) showErrors({ claim: message });
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
  if (routeCode) loadRoster(routeCode);
  return { unmount() {} };
}
