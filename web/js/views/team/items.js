// views/team/items.js – the list of knelpunten: write them, optionally from a cluster; edit, delete;
// beside them, read-only, the wall the team grouped in the step before.

import { h, rerender } from '../../dom.js';
import { t } from '../../i18n.js';
import { listItems } from '../../state.js';
import { addForm, button, selectField, snippet } from './kit.js';
import { createWall } from './wall.js';

/** The board whose clusters inspire this list: the cluster step just before, if any. */
function sourceBoard(state, step) {
  const i = state.steps.findIndex((s) => s.id === step.id);
  for (let j = i - 1; j >= 0; j--) if (state.steps[j].activity === 'cluster') return state.steps[j].params?.board ?? null;
  return null;
}

/**
 * The items activity.
 * @param {object} tc team context (shell.js)
 * @param {object} step the playbook step ({params: {list}})
 * @returns {{el: HTMLElement, sync: () => void}}
 */
export function create(tc, step) {
  const { state } = tc;
  const list = step.params?.list ?? 'items';
  const board = sourceBoard(state, step);
  const clusters = () => [...state.clusters.values()].filter((c) => c.team === state.team && c.board === board);
  const from = selectField({ id: 'sp-item-cluster', label: t('team.items.fromLabel'), options: [] });
  const { form } = addForm({
    id: 'sp-item-new',
    draft: step.id,
    label: t('team.items.label'),
    hint: t('team.items.hint'),
    submit: t('team.items.add'),
    extra: [from.wrap],
    onAdd: (text) => {
      const args = { list, text };
      if (from.select.value) args.cluster = from.select.value;
      tc.command('item.add', args).then(() => tc.live(t('team.items.added')), () => {});
    },
  });
  const ol = h('ol', { class: 'sp-items js-items' });
  const editing = new Set();
  /** Edited texts not saved yet: item id → text. */
  const drafts = new Map();

  /** Opens the inline editor of an item and puts the focus in it. */
  function openEditor(id) {
    editing.add(id);
    sync();
    document.getElementById(`sp-item-edit-${id}`)?.focus();
  }

  function row(item) {
    if (editing.has(item.id)) {
      const id = `sp-item-edit-${item.id}`;
      const input = h('input', { class: 'sp-input', id, type: 'text', maxlength: '280', dataset: { focusKey: `item-edit-${item.id}` } });
      input.value = drafts.get(item.id) ?? item.text;
      input.addEventListener('input', () => drafts.set(item.id, input.value));
      const f = h(
        'form',
        { class: 'sp-inline-form', novalidate: true },
        h('label', { class: 'sp-field__label sp-field__label--small', for: id, text: t('team.items.editLabel') }),
        input,
        button(t('board.edit.save'), { small: true, type: 'submit', key: `item-save-${item.id}` }),
        button(t('board.edit.cancel'), { small: true, kind: 'secondary', onClick: () => (editing.delete(item.id), drafts.delete(item.id), sync()) }),
      );
      f.addEventListener('submit', (e) => {
        e.preventDefault();
        const text = input.value.trim();
        editing.delete(item.id);
        drafts.delete(item.id);
        if (text && text !== item.text) tc.run('item.edit', { item: item.id, text });
        sync();
      });
      return h('li', { class: 'sp-items__item' }, f);
    }
    const origin = item.cluster ? state.clusters.get(item.cluster)?.name : null;
    return h(
      'li',
      { class: 'sp-items__item js-item' },
      h('span', { class: 'sp-items__text', text: item.text }),
      origin ? h('span', { class: 'sp-muted', text: ` (${t('team.items.from', { name: origin })})` }) : null,
      h(
        'span',
        { class: 'sp-note__actions' },
        button(t('board.note.edit'), { small: true, kind: 'secondary', hidden: t('team.note.hidden', { text: snippet(item.text) }), key: `item-edit-btn-${item.id}`, onClick: () => openEditor(item.id) }),
        button(t('board.note.delete'), { small: true, kind: 'warning', hidden: t('team.note.hidden', { text: snippet(item.text) }), key: `item-del-${item.id}`, onClick: () => tc.run('item.delete', { item: item.id }) }),
      ),
    );
  }

  function sync() {
    const keep = from.select.value;
    from.select.replaceChildren(h('option', { value: '', text: t('team.items.fromNone') }), ...clusters().map((c) => h('option', { value: c.id, text: c.name })));
    from.select.value = clusters().some((c) => c.id === keep) ? keep : '';
    from.wrap.hidden = clusters().length === 0;
    const items = listItems(state, state.team, list);
    rerender(ol, () => (items.length ? items.map(row) : [h('li', { class: 'sp-muted', text: t('team.items.empty') })]));
  }

  // The wall the team just grouped, to read the knelpunten from (read-only; open on wide screens).
  const wall = board ? createWall({ state, team: () => state.team, board, tc: null }) : null;
  const wallPart = wall
    ? h('details', { class: 'sp-part sp-items__wall', open: globalThis.matchMedia?.('(min-width: 56em)').matches ?? false }, h('summary', { class: 'sp-part__title', text: t('team.items.wall') }), wall.el)
    : null;
  const el = h('div', { class: 'sp-items-step' }, form, h('h3', { class: 'sp-part__title', id: 'sp-items-title', text: t('team.items.title') }), ol, wallPart);
  ol.setAttribute('aria-labelledby', 'sp-items-title');
  sync();
  return {
    el,
    sync(ev) {
      sync(ev);
      wall?.sync();
    },
    destroy() {
      wall?.destroy();
    },
  };
}
