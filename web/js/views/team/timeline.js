// views/team/timeline.js – the Crystal Ball: for each idea the vote chose, a timeline from Nu to
// five years with milestones (a goal, a role, something dropped, something added).

import { h, rerender } from '../../dom.js';
import { t } from '../../i18n.js';
import { targetText } from '../../state.js';
import { button, selectField, snippet } from './kit.js';

/**
 * "Nu" for 0, else "Na 3 jaar".
 * @param {number} at years from now
 * @returns {string}
 */
export function yearText(at) {
  return at === 0 ? t('team.timeline.now') : t('team.timeline.year', { count: at });
}

/**
 * The timeline activity.
 * @param {object} tc team context (shell.js)
 * @param {object} step the playbook step ({params: {vote, years, kinds}})
 * @returns {{el: HTMLElement, sync: () => void}}
 */
export function create(tc, step) {
  const { state } = tc;
  const years = step.params?.years ?? 5;
  const kinds = step.params?.kinds ?? ['goal', 'role', 'dropped', 'added'];
  const body = h('div', { class: 'sp-timelines js-timelines' });
  const editing = new Set();
  const drafts = new Map();
  const yearOptions = Array.from({ length: years + 1 }, (_, at) => ({ value: String(at), text: yearText(at) }));
  const kindOptions = kinds.map((k) => ({ value: k, text: t(`team.timeline.kind.${k}`) }));

  function fields(prefix, values) {
    const year = selectField({ id: `${prefix}-at`, label: t('team.timeline.when'), options: yearOptions, value: String(values.at ?? 0), key: `${prefix}-at` });
    const kind = selectField({ id: `${prefix}-kind`, label: t('team.timeline.kindLabel'), options: kindOptions, value: values.kind ?? kinds[0], key: `${prefix}-kind` });
    const textId = `${prefix}-text`;
    const text = h('input', { class: 'sp-input js-milestone-text', id: textId, type: 'text', maxlength: '280', dataset: { focusKey: textId } });
    text.value = values.text ?? '';
    text.addEventListener('input', () => drafts.set(prefix, text.value));
    if (drafts.has(prefix)) text.value = drafts.get(prefix);
    const wrap = h('div', { class: 'sp-field' }, h('label', { class: 'sp-field__label', for: textId, text: t('team.timeline.text') }), text);
    return { year, kind, text, nodes: [year.wrap, kind.wrap, wrap] };
  }

  /** Opens the inline editor of a milestone and puts the focus in its text. */
  function openEditor(id) {
    editing.add(id);
    sync();
    document.getElementById(`sp-ms-edit-${id}-text`)?.focus();
  }

  function milestone(ms) {
    if (editing.has(ms.id)) {
      const prefix = `sp-ms-edit-${ms.id}`;
      const f = fields(prefix, ms);
      const form = h('form', { class: 'sp-form sp-milestone__edit', novalidate: true }, f.nodes, h('div', { class: 'sp-actions' }, button(t('board.edit.save'), { small: true, type: 'submit', key: `${prefix}-save` }), button(t('board.edit.cancel'), { small: true, kind: 'secondary', onClick: () => (editing.delete(ms.id), drafts.delete(prefix), sync()) })));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const text = f.text.value.trim();
        if (!text) return;
        editing.delete(ms.id);
        drafts.delete(prefix);
        tc.run('milestone.edit', { milestone: ms.id, at: Number(f.year.select.value), kind: f.kind.select.value, text });
        sync();
      });
      return h('li', { class: 'sp-milestone' }, form);
    }
    const short = snippet(ms.text);
    return h(
      'li',
      { class: `sp-milestone sp-milestone--${ms.kind} js-milestone` },
      h('span', { class: 'sp-milestone__kind', text: `${t(`team.timeline.kind.${ms.kind}`)}: ` }),
      h('span', { class: 'sp-milestone__text', text: ms.text }),
      h(
        'span',
        { class: 'sp-note__actions' },
        button(t('board.note.edit'), { small: true, kind: 'secondary', hidden: t('team.note.hidden', { text: short }), key: `ms-edit-${ms.id}`, onClick: () => openEditor(ms.id) }),
        button(t('board.note.delete'), { small: true, kind: 'warning', hidden: t('team.note.hidden', { text: short }), key: `ms-del-${ms.id}`, onClick: () => tc.run('milestone.delete', { milestone: ms.id }) }),
      ),
    );
  }

  function ideaBlock(idea, i) {
    const headingId = `sp-idea-${i}`;
    const all = [...state.milestones.values()].filter((m) => m.team === state.team && m.idea === idea);
    const prefix = `sp-ms-new-${i}`;
    const f = fields(prefix, {});
    const form = h('form', { class: 'sp-form sp-milestone__add js-milestone-add', novalidate: true }, f.nodes, button(t('team.timeline.add'), { type: 'submit', key: `${prefix}-add`, hidden: t('team.timeline.addHidden', { idea: snippet(targetText(state, idea)) }) }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = f.text.value.trim();
      if (!text) {
        f.text.focus();
        return;
      }
      drafts.delete(prefix);
      f.text.value = '';
      tc.command('milestone.add', { idea, at: Number(f.year.select.value), kind: f.kind.select.value, text }).then(() => tc.live(t('team.timeline.added')), () => {});
    });
    return h(
      'section',
      { class: 'sp-timeline js-timeline', 'aria-labelledby': headingId, dataset: { idea } },
      h('h3', { class: 'sp-part__title', id: headingId, text: targetText(state, idea) }),
      h(
        'ol',
        { class: 'sp-timeline__years' },
        yearOptions.map((y) => {
          const here = all.filter((m) => m.at === Number(y.value));
          return h('li', { class: 'sp-timeline__year' }, h('h4', { class: 'sp-timeline__label', text: y.text }), here.length ? h('ul', { class: 'sp-milestones' }, here.map(milestone)) : h('p', { class: 'sp-muted', text: t('team.timeline.empty') }));
        }),
      ),
      form,
    );
  }

  function sync() {
    const selected = state.votes.get(step.params?.vote)?.selected ?? [];
    rerender(body, () => (selected.length ? selected.map(ideaBlock) : [h('p', { class: 'sp-notice', text: t('team.timeline.noIdeas') })]));
  }

  const el = h('div', { class: 'sp-crystal' }, body);
  sync();
  return { el, sync };
}
