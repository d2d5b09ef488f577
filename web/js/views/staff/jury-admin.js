// views/staff/jury-admin.js – the organiser's part of the jury: add jurors (each with the
// challenge they judge first), hand out their personal links, open the scoring, choose what
// participants see after the announcement, and read the results once announced.

import { announce, h, rerender } from '../../dom.js';
import { errorText, pick, t } from '../../i18n.js';
import { staffOf } from '../../staff-state.js';
import { batched, section, showFieldError } from '../common.js';
import { button, inputField } from './kit.js';
import { resultsNodes } from './results.js';

const NAME_MAX = 60;

/**
 * Mounts the jury section at the end of a container (the organiser view).
 * @param {object} o
 * @param {import('../../session.js').Session} o.session
 * @param {HTMLElement} o.container
 * @param {HTMLElement} o.live polite live region of the page
 * @param {(url: string, key: string) => HTMLElement} o.copyButton
 * @param {(role: string, token: string) => string} o.linkUrl
 * @returns {{unmount: () => void}}
 */
export function mountJuryAdmin({ session, container, live, copyButton, linkUrl }) {
  const staff = staffOf(session);
  const jury = staff.state.jury;
  const list = h('div', { class: 'sp-jury-admin__list js-juror-links' });
  const status = h('div', { class: 'sp-jury-admin__status' });
  const results = h('div', { class: 'sp-jury-admin__results' });
  const errors = h('div', { class: 'sp-alert', role: 'alert' });

  const name = inputField({ id: 'sp-juror-name', label: t('juryAdmin.name'), hint: t('juryAdmin.nameHint'), attrs: { maxlength: String(NAME_MAX), autocomplete: 'off' } });
  const nameError = h('p', { class: 'sp-field__error', id: 'sp-juror-name-error', hidden: true });
  name.field.append(nameError);
  const org = inputField({ id: 'sp-juror-org', label: t('juryAdmin.organisation'), hint: t('juryAdmin.organisationHint'), attrs: { maxlength: '200', autocomplete: 'off' } });
  const chair = h('input', { type: 'checkbox', id: 'sp-juror-chair', class: 'sp-checkbox' });
  const challenge = h('select', { class: 'sp-input', id: 'sp-juror-challenge' });
  const publish = h('div', { class: 'sp-jury-admin__publish' });
  const form = h('form', { class: 'sp-form sp-jury-admin__form', novalidate: true },
    name.field,
    org.field,
    h('div', { class: 'sp-field' }, h('label', { class: 'sp-field__label', for: 'sp-juror-challenge', text: t('juryAdmin.challenge') }), challenge),
    h('div', { class: 'sp-field sp-field--check' }, chair, ' ', h('label', { for: 'sp-juror-chair', text: t('juryAdmin.chair') })),
    h('div', { class: 'sp-actions' }, h('button', { class: 'sp-button', type: 'submit', text: t('juryAdmin.add') })),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = name.input.value.trim();
    const fieldParts = { input: name.input, error: nameError, hintId: 'sp-juror-name-hint', group: name.field };
    if (!value) {
      showFieldError(fieldParts, t('juryAdmin.nameMissing'));
      name.input.focus();
      return;
    }
    showFieldError(fieldParts, null);
    errors.replaceChildren();
    try {
      await session.conn.send('jury.add', { name: value, organisation: org.input.value.trim(), chair: chair.checked, ...(challenge.value ? { challenge: challenge.value } : {}) });
      announce(live, t('juryAdmin.added', { name: value }));
      name.input.value = '';
      org.input.value = '';
      chair.checked = false;
      name.input.focus();
    } catch (err) {
      if (err?.code !== 'closed') errors.replaceChildren(h('p', { text: errorText(err) }));
    }
  });

  const box = section('jury', t('juryAdmin.title'), [
    h('p', { class: 'sp-section-intro', text: t('juryAdmin.intro') }),
    status,
    list,
    h('h3', { class: 'sp-jury-admin__subtitle', text: t('juryAdmin.addTitle') }),
    errors,
    form,
    publish,
    results,
  ]);
  container.append(box);

  function draw() {
    rerender(list, () => {
      const links = [...jury.links.values()];
      if (!links.length) return [h('p', { text: t('juryAdmin.none') })];
      return [h('dl', { class: 'sp-links' }, links.map((l) => {
        const url = linkUrl('jury', l.token);
        const current = jury.jurors.get(l.juror);
        const isChair = current ? current.chair : l.chair;
        const label = [l.name, l.organisation ? `(${l.organisation})` : '', isChair ? t('juryAdmin.isChair') : ''].filter(Boolean).join(' ');
        return [
          h('dt', { class: 'sp-links__label', text: label }),
          h('dd', { class: 'sp-links__value' }, h('a', { class: 'sp-link sp-links__url js-juror-link', href: url, dataset: { juror: l.juror, focusKey: `juror-link-${l.juror}` }, text: url }), ' ', copyButton(url, l.name)),
        ];
      }))];
    });
    rerender(status, () => [
      h('p', { class: 'sp-notice', text: t(`juryAdmin.phase.${jury.phase}`) }),
      jury.phase === 'setup' && jury.criteria.length
        ? h('div', { class: 'sp-actions' }, button(t('juryAdmin.open'), { kind: 'secondary', key: 'jury-open', onClick: async () => {
            errors.replaceChildren();
            try {
              await session.conn.send('jury.open', {});
              announce(live, t('jury.chair.opened'));
            } catch (err) {
              if (err?.code !== 'closed') errors.replaceChildren(h('p', { text: errorText(err) }));
            }
          } }))
        : null,
    ]);
    const chosen = challenge.value;
    challenge.replaceChildren(h('option', { value: '', text: t('juryAdmin.challengeAny') }),
      ...[...session.state.challenges.values()].map((c) => h('option', { value: c.id, text: pick(c.title), selected: c.id === chosen })));
    rerender(publish, () => {
      // What participants see after the announcement: the organiser's choice, enforced by the server.
      const select = h('select', { class: 'sp-input js-publish-level', id: 'sp-jury-publish', dataset: { focusKey: 'jury-publish' } },
        ['places', 'winners', 'full'].map((lv) => h('option', { value: lv, text: t(`juryAdmin.publish.${lv}`), selected: staff.state.publication === lv })));
      const apply = button(t('juryAdmin.publish.apply'), { kind: 'secondary', key: 'jury-publish-apply', cls: 'js-publish-apply', onClick: async () => {
        errors.replaceChildren();
        try {
          await session.conn.send('jury.publish', { level: select.value });
          announce(live, t('juryAdmin.publish.done'));
        } catch (err) {
          if (err?.code !== 'closed') errors.replaceChildren(h('p', { text: errorText(err) }));
        }
      } });
      return [
        h('h3', { class: 'sp-jury-admin__subtitle', text: t('juryAdmin.publish.title') }),
        h('p', { class: 'sp-section-intro', id: 'sp-jury-publish-hint', text: t('juryAdmin.publish.intro') }),
        h('div', { class: 'sp-field' }, h('label', { class: 'sp-field__label', for: 'sp-jury-publish', text: t('juryAdmin.publish.label') }), select),
        h('div', { class: 'sp-actions' }, apply),
      ];
    });
    rerender(results, () => (jury.results ? [h('h3', { class: 'sp-jury-admin__subtitle', text: t('results.title') }), ...resultsNodes(session.state, jury.results, 'sp-org-results')] : []));
  }

  const schedule = batched(draw);
  const offs = [staff.on('change', (ev) => ev.type.startsWith('jury.') && schedule()), session.on('change', (ev) => (!ev || ev.type === 'team.created' || ev.type === 'challenge.set') && schedule())];
  draw();
  return {
    unmount() {
      for (const off of offs) off();
    },
  };
}
