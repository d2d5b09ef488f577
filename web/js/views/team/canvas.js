// views/team/canvas.js – a canvas of named fields (vehicle, problem statement, pitch, plan): each
// field saves itself when you leave it or pause typing, and says whether it is saved.

import { h, rerender, setText } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { canvasOf, memberName, teamMembers } from '../../state.js';
import { button, selectField } from './kit.js';
import { keepDraft } from '../../drafts.js';

const SAVE_AFTER_MS = 1200;
const FIELD_MAX = 2000;

/**
 * The canvas activity.
 * @param {object} tc team context (shell.js)
 * @param {object} step the playbook step ({params: {canvas, fields}})
 * @returns {{el: HTMLElement, sync: (ev: object|null) => void, destroy: () => void}}
 */
export function create(tc, step) {
  const { state } = tc;
  const canvas = step.params?.canvas ?? 'canvas';
  const defs = step.params?.fields ?? [];
  const fields = new Map();

  function build(def) {
    const id = `sp-canvas-${canvas}-${def.id}`;
    const hintId = def.hint ? `${id}-hint` : null;
    const statusId = `${id}-status`;
    const area = h('textarea', { class: 'sp-textarea js-canvas-field', id, rows: '3', maxlength: String(FIELD_MAX), dataset: { field: def.id }, 'aria-describedby': [hintId, statusId].filter(Boolean).join(' ') });
    const status = h('p', { class: 'sp-canvas__status', id: statusId });
    const f = { def, area, status, timer: null, saved: canvasOf(state, state.team, canvas)[def.id] ?? '', sending: false };
    area.value = f.saved;
    // Typing not yet saved survives a reload: the draft is kept until the server has the text.
    area.value = '';
    f.draft = keepDraft(area, `${step.id}/${def.id}`);
    if (!f.draft.restored) area.value = f.saved;
    const save = () => {
      clearTimeout(f.timer);
      f.timer = null;
      const text = area.value;
      if (text === f.saved) return showStatus(f);
      f.sending = true;
      showStatus(f);
      tc.command('canvas.set', { canvas, field: def.id, text }).then(
        () => {
          f.sending = false;
          f.saved = text;
          if (area.value === text) f.draft.clear();
          showStatus(f);
        },
        () => {
          f.sending = false;
          showStatus(f, true);
        },
      );
    };
    area.addEventListener('input', () => {
      showStatus(f);
      clearTimeout(f.timer);
      f.timer = setTimeout(save, SAVE_AFTER_MS);
    });
    area.addEventListener('blur', save);
    fields.set(def.id, f);
    return h('div', { class: 'sp-field sp-canvas__field' }, h('label', { class: 'sp-field__label', for: id, text: pick(def.name) }), def.hint ? h('p', { class: 'sp-field__hint', id: hintId, text: pick(def.hint) }) : null, area, status);
  }

  function showStatus(f, failed = false) {
    let key = 'team.canvas.empty';
    if (failed) key = 'team.canvas.failed';
    else if (f.sending) key = 'team.canvas.saving';
    else if (f.area.value !== f.saved) key = 'team.canvas.unsaved';
    else if (f.saved) key = 'team.canvas.saved';
    setText(f.status, t(key));
    f.status.dataset.state = key.split('.').pop();
  }

  const presenterBox = h('div', { class: 'sp-canvas__presenter js-presenter' });
  const grid = h('div', { class: 'sp-canvas' }, defs.map(build));
  // A draft restored after a reload is sent as soon as the step shows.
  for (const f of fields.values()) if (f.area.value !== f.saved) f.timer = setTimeout(() => f.area.dispatchEvent(new Event('blur')), 0);

  function syncPresenter() {
    rerender(presenterBox, () => {
      const id = tc.roles().presenter;
      const out = [h('p', { class: 'js-presenter-name' }, h('strong', { text: `${t('team.role.presenter')}: ` }), id ? memberName(state, id) ?? '?' : t('team.role.none'))];
      if (tc.isCaptain() || !tc.roles().captain) {
        const { wrap, select } = selectField({
          id: 'sp-canvas-presenter',
          label: t('team.canvas.presenterLabel'),
          options: [{ value: '', text: t('team.role.none') }, ...teamMembers(state, state.team).map((m) => ({ value: m.id, text: m.name }))],
          value: id ?? '',
          key: 'presenter-select',
        });
        const form = h('form', { class: 'sp-inline-form', novalidate: true }, wrap, button(t('team.canvas.presenterSave'), { type: 'submit', kind: 'secondary', key: 'presenter-save' }));
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          tc.run('roles.set', { presenter: select.value || null });
        });
        out.push(form);
      }
      return out;
    });
  }

  function sync() {
    const values = canvasOf(state, state.team, canvas);
    for (const f of fields.values()) {
      const text = values[f.def.id] ?? '';
      // Someone else's text replaces ours only while we have no unsaved typing in this field.
      if (text !== f.saved && f.area.value === f.saved && !f.sending) f.area.value = text;
      if (f.area.value === text) {
        f.saved = text;
        // The server has what the field shows: a kept draft would only be stale now.
        f.draft.clear();
      }
      showStatus(f);
    }
    if (canvas === 'pitch') syncPresenter();
  }

  const el = h('div', { class: 'sp-canvas-step' }, canvas === 'pitch' ? presenterBox : null, grid);
  sync();
  return {
    el,
    sync,
    destroy() {
      // The step is over: a late save would be refused (wrong_step), so it is not sent.
      for (const f of fields.values()) if (f.timer) clearTimeout(f.timer);
    },
  };
}
