// views/org/briefs.js – the organiser edits the three challenge briefs in Dutch and English
// (challenge.update). One form per challenge; a form someone types in is never redrawn.

import { h } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { section } from '../common.js';
import { bilingual, run, statusLine, trackDirty } from './kit.js';

const FIELDS = ['title', 'question', 'problem', 'tried', 'address'];

/**
 * Mounts the challenge briefs.
 * @param {{session: object}} env
 * @returns {{el: HTMLElement, refresh: (ev: object|null) => void}}
 */
export function mountBriefs({ session }) {
  const list = h('div', { class: 'sp-org-briefs' });
  /** @type {Map<string, {form: HTMLElement, dirty: {dirty: boolean}, fill: () => void}>} */
  const forms = new Map();

  function briefForm(id) {
    const c = () => session.state.challenges.get(id) ?? {};
    const heading = h('h3', { class: 'sp-org-subtitle', id: `sp-org-brief-${id}-title`, text: pick(c().title) || id });
    const pairs = FIELDS.map((f) =>
      bilingual({ id: `sp-org-brief-${id}-${f}`, legend: t(`org.brief.field.${f}`), value: c()[f], textarea: f !== 'title', attrs: { maxlength: '4000' } }),
    );
    const status = statusLine();
    const form = h(
      'form',
      { class: 'sp-form sp-org-form sp-org-brief', 'aria-labelledby': heading.id, novalidate: true },
      heading,
      pairs.map((p) => p.fieldset),
      h('p', { class: 'sp-actions' }, h('button', { class: 'sp-button', type: 'submit' }, t('org.brief.save'), h('span', { class: 'sp-visually-hidden', text: ` ${pick(c().title)}` }))),
      status.el,
    );
    const dirty = trackDirty(form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const args = { challenge: id };
      FIELDS.forEach((f, i) => (args[f] = pairs[i].get()));
      if (!args.title.nl || !args.title.en) {
        status.fail(t('org.brief.titleMissing'));
        pairs[0].inputs[args.title.nl ? 1 : 0].focus();
        return;
      }
      const res = await run(session, 'challenge.update', args);
      if (res.ok) {
        dirty.dirty = false;
        status.ok(t('org.saved'));
      } else status.fail(res.message);
    });
    const fill = () => {
      heading.textContent = pick(c().title) || id;
      FIELDS.forEach((f, i) => pairs[i].set(c()[f]));
    };
    return { form, dirty, fill };
  }

  function sync() {
    for (const id of session.state.challenges.keys()) {
      if (forms.has(id)) continue;
      const f = briefForm(id);
      forms.set(id, f);
      list.append(f.form);
    }
    if (forms.size === 0) list.replaceChildren(h('p', { text: t('org.brief.none') }));
    else list.querySelector(':scope > p')?.remove();
  }
  sync();

  const el = section('org-briefs', t('org.brief.title'), [h('p', { class: 'sp-section-intro', text: t('org.brief.intro') }), list]);
  return {
    el,
    refresh(ev) {
      if (ev && ev.type !== 'challenge.set') return;
      sync();
      for (const [id, f] of forms) if ((!ev || ev.data?.id === id) && !f.dirty.dirty) f.fill();
    },
  };
}
