// views/team/canvas.js – a canvas of named fields (vehicle, problem statement, pitch, plan): each
// field saves itself when you leave it or pause typing, and says whether it is saved. A save names
// the version of the text it was written on; when a teammate saved the field in between, the
// server refuses it (conflict) and the field shows their text next to yours to merge – one side
// is never silently lost.

import { h, rerender, setText } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { canvasOf, canvasVersion, memberName, teamMembers } from '../../state.js';
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
    const merge = h('div', { class: 'sp-canvas__merge js-canvas-merge', hidden: true });
    const f = { def, area, status, merge, timer: null, saved: canvasOf(state, state.team, canvas)[def.id] ?? '', version: canvasVersion(state, state.team, canvas, def.id), sending: false, conflict: null };
    area.value = f.saved;
    // Typing not yet saved survives a reload: the draft is kept until the server has the text.
    area.value = '';
    f.draft = keepDraft(area, `${step.id}/${def.id}`);
    if (!f.draft.restored) area.value = f.saved;
    const save = () => {
      clearTimeout(f.timer);
      f.timer = null;
      // While the two texts are being merged nothing saves by itself: one of the merge
      // buttons decides.
      if (f.conflict) return showStatus(f);
      const text = area.value;
      if (text === f.saved) return showStatus(f);
      f.sending = true;
      showStatus(f);
      const version = f.version;
      tc.command('canvas.set', { canvas, field: def.id, text, version }).then(
        () => {
          f.sending = false;
          f.saved = text;
          f.version = version + 1;
          f.conflict = null;
          showMerge(f);
          if (area.value === text) f.draft.clear();
          showStatus(f);
        },
        (err) => {
          f.sending = false;
          if (err?.code === 'conflict') {
            // Theirs is the field's text now; yours stays in the field until you merge. (An
            // answer without `current` – a follower node of a cluster – falls back on what
            // this page knows.)
            const cur = err.current ?? { text: canvasOf(state, state.team, canvas)[def.id] ?? '', version: canvasVersion(state, state.team, canvas, def.id) };
            f.conflict = { text: cur.text ?? '', version: cur.version ?? 0 };
            f.version = f.conflict.version;
            f.saved = f.conflict.text;
            showMerge(f);
            tc.live(t('team.canvas.conflictNews', { field: pick(def.name) }));
          }
          showStatus(f, err?.code !== 'conflict');
        },
      );
    };
    f.save = save;
    area.addEventListener('input', () => {
      showStatus(f);
      clearTimeout(f.timer);
      f.timer = setTimeout(save, SAVE_AFTER_MS);
    });
    area.addEventListener('blur', save);
    fields.set(def.id, f);
    return h('div', { class: 'sp-field sp-canvas__field' }, h('label', { class: 'sp-field__label', for: id, text: pick(def.name) }), def.hint ? h('p', { class: 'sp-field__hint', id: hintId, text: pick(def.hint) }) : null, area, status, merge);
  }

  /** The other person's text next to yours, with the ways to settle it. */
  function showMerge(f) {
    const c = f.conflict;
    f.merge.hidden = !c;
    if (!c) {
      f.merge.replaceChildren();
      return;
    }
    const name = pick(f.def.name);
    rerender(f.merge, () => [
      h('p', { class: 'sp-canvas__merge-title', text: t('team.canvas.conflict') }),
      h('blockquote', { class: 'sp-canvas__theirs js-canvas-theirs', text: c.text || t('team.canvas.theirsEmpty') }),
      h(
        'p',
        { class: 'sp-canvas__merge-actions' },
        button(t('team.canvas.keepMine'), { small: true, key: `mine-${f.def.id}`, cls: 'js-keep-mine', hidden: name, onClick: () => { f.conflict = null; showMerge(f); f.save(); } }),
        button(t('team.canvas.takeTheirs'), { small: true, kind: 'secondary', key: `theirs-${f.def.id}`, cls: 'js-take-theirs', hidden: name, onClick: () => { f.area.value = c.text; f.conflict = null; showMerge(f); f.draft.clear(); showStatus(f); } }),
        button(t('team.canvas.joinBoth'), { small: true, kind: 'secondary', key: `both-${f.def.id}`, cls: 'js-join-both', hidden: name, onClick: () => { f.area.value = `${f.area.value}\n\n${c.text}`.trim(); f.conflict = null; showMerge(f); f.area.focus(); f.save(); } }),
      ),
    ]);
  }

  function showStatus(f, failed = false) {
    let key = 'team.canvas.empty';
    if (failed) key = 'team.canvas.failed';
    else if (f.conflict) key = 'team.canvas.merge';
    else if (f.sending) key = 'team.canvas.saving';
    else if (f.area.value !== f.saved) key = 'team.canvas.unsaved';
    else if (f.saved) key = 'team.canvas.saved';
    setText(f.status, t(key));
    f.status.dataset.state = key.split('.').pop();
  }

  const presenterBox = h('div', { class: 'sp-canvas__presenter js-presenter' });
  const grid = h('div', { class: 'sp-canvas' }, defs.map(build));
  // A draft restored after a reload is sent as soon as the step shows – into an empty field.
  // Over a text the team saved meanwhile it would overwrite unseen: that is a merge.
  for (const f of fields.values()) {
    if (f.area.value === f.saved) continue;
    if (f.saved) {
      f.conflict = { text: f.saved, version: f.version };
      showMerge(f);
      showStatus(f);
    } else {
      f.timer = setTimeout(() => f.area.dispatchEvent(new Event('blur')), 0);
    }
  }

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
      const version = canvasVersion(state, state.team, canvas, f.def.id);
      // Someone else's text replaces ours only while we have no unsaved typing in this field.
      if (text !== f.saved && f.area.value === f.saved && !f.sending && !f.conflict) {
        f.area.value = text;
      }
      if (f.area.value === text && !f.sending) {
        f.saved = text;
        f.version = Math.max(f.version, version);
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
