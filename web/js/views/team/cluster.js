// views/team/cluster.js – grouping the board's notes into named clusters: by drag and drop, by a
// "move to" menu per note (keyboard and touch), or by accepting the text engine's proposal.

import { h, rerender } from '../../dom.js';
import { t } from '../../i18n.js';
import { boardClusters, boardNotes } from '../../state.js';
import { addForm, button, noteItem, part, snippet } from './kit.js';

const NONE = '';

/**
 * The cluster activity.
 * @param {object} tc team context (shell.js)
 * @param {object} step the playbook step ({params: {board}})
 * @returns {{el: HTMLElement, sync: (ev: object|null) => void}}
 */
export function create(tc, step) {
  const { state } = tc;
  const board = step.params?.board ?? 'wall';
  /** Names typed but not yet saved, so a redraw does not wipe them: cluster id → text. */
  const drafts = new Map();
  /** Proposal names as edited: "suggestion|index" → text. */
  const proposalNames = new Map();
  const dismissed = new Set();

  const { form: clusterForm } = addForm({
    id: 'sp-cluster-new',
    label: t('team.cluster.newLabel'),
    submit: t('team.cluster.add'),
    max: 80,
    multiline: false,
    cls: 'js-cluster-add',
    onAdd: (name) => tc.run('cluster.add', { board, name }),
  });
  const { form: noteForm } = addForm({
    id: 'sp-cluster-note',
    draft: step.id,
    label: t('team.brainstorm.label'),
    submit: t('team.brainstorm.add'),
    onAdd: (text) => tc.run('note.add', { text, board }),
  });
  const suggestButton = button(t('team.cluster.suggest'), {
    kind: 'secondary',
    cls: 'js-suggest',
    onClick: () => {
      suggestButton.disabled = true;
      tc.command('cluster.suggest', { board }).then(
        () => {
          suggestButton.disabled = false;
        },
        () => {
          suggestButton.disabled = false;
        },
      );
    },
  });
  const proposalBox = h('div', { class: 'sp-proposal-box js-proposal-box' });
  const undoBox = h('div', { class: 'js-undo-box' });
  const zones = h('div', { class: 'sp-zones js-zones' });

  function move(note, cluster) {
    tc.command('note.move', { note, cluster: cluster || null }).then(() => tc.live(t('team.cluster.moved')), () => {});
  }

  function dropZone(el, cluster) {
    el.addEventListener('dragover', (e) => {
      e.preventDefault();
      el.classList.add('sp-zone--over');
    });
    el.addEventListener('dragleave', () => el.classList.remove('sp-zone--over'));
    el.addEventListener('drop', (e) => {
      e.preventDefault();
      el.classList.remove('sp-zone--over');
      const id = e.dataTransfer.getData('text/plain');
      if (id && state.notes.get(id)?.cluster !== (cluster || null)) move(id, cluster);
    });
  }

  function noteCard(n, clusters) {
    const selectId = `sp-move-${n.id}`;
    const select = h(
      'select',
      { class: 'sp-select js-move-select', id: selectId, dataset: { focusKey: `move-select-${n.id}` } },
      h('option', { value: NONE, text: t('team.cluster.none') }),
      clusters.map((c) => h('option', { value: c.id, text: c.name })),
    );
    select.value = n.cluster ?? NONE;
    const moveForm = h(
      'form',
      { class: 'sp-inline-form', novalidate: true },
      h('label', { class: 'sp-field__label sp-field__label--small', for: selectId }, t('team.cluster.moveLabel'), h('span', { class: 'sp-visually-hidden', text: ` ${snippet(n.text)}` })),
      select,
      button(t('team.cluster.move'), { small: true, type: 'submit', hidden: t('team.note.hidden', { text: snippet(n.text) }), key: `move-${n.id}`, cls: 'js-move' }),
    );
    moveForm.addEventListener('submit', (e) => {
      e.preventDefault();
      if ((select.value || null) !== (n.cluster ?? null)) move(n.id, select.value);
    });
    const li = noteItem(state, n, [moveForm], { draggable: 'true' });
    li.addEventListener('dragstart', (e) => {
      e.dataTransfer.setData('text/plain', n.id);
      e.dataTransfer.effectAllowed = 'move';
    });
    return li;
  }

  function zone(cluster, notes, clusters) {
    const key = cluster ? cluster.id : 'none';
    const headingId = `sp-zone-${key}`;
    const list = h('ul', { class: 'sp-note-list sp-zone__notes' }, notes.map((n) => noteCard(n, clusters)));
    const body = [h('p', { class: 'sp-muted', text: t('team.cluster.count', { count: notes.length }) })];
    if (cluster) {
      const inputId = `sp-rename-${cluster.id}`;
      const input = h('input', { class: 'sp-input', id: inputId, type: 'text', maxlength: '80', dataset: { focusKey: `rename-${cluster.id}` } });
      input.value = drafts.get(cluster.id) ?? cluster.name;
      input.addEventListener('input', () => drafts.set(cluster.id, input.value));
      const rename = h(
        'form',
        { class: 'sp-inline-form js-rename', novalidate: true },
        h('label', { class: 'sp-field__label sp-field__label--small', for: inputId, text: t('team.cluster.renameLabel') }),
        input,
        button(t('team.cluster.rename'), { small: true, type: 'submit', kind: 'secondary', key: `rename-btn-${cluster.id}` }),
        button(t('team.cluster.delete'), {
          small: true,
          kind: 'warning',
          hidden: t('team.cluster.hidden', { name: cluster.name }),
          key: `del-${cluster.id}`,
          onClick: () => tc.run('cluster.delete', { cluster: cluster.id }),
        }),
      );
      rename.addEventListener('submit', (e) => {
        e.preventDefault();
        const name = input.value.trim();
        if (name && name !== cluster.name) tc.command('cluster.rename', { cluster: cluster.id, name }).then(() => drafts.delete(cluster.id), () => {});
      });
      body.push(rename);
    }
    const el = h(
      'section',
      { class: `sp-zone ${cluster ? '' : 'sp-zone--loose'} js-zone`.trim(), 'aria-labelledby': headingId, dataset: { cluster: key } },
      h('h3', { class: 'sp-zone__title', id: headingId, text: cluster ? cluster.name : t('team.cluster.loose') }),
      body,
      list,
    );
    dropZone(el, cluster?.id ?? null);
    return el;
  }

  function proposal() {
    const sug = [...state.suggestions.values()].reverse().find((s) => s.board === board && !s.settled && !dismissed.has(s.id));
    if (!sug) return [];
    const inputs = [];
    const groups = sug.groups.map((g, i) => {
      const id = `sp-proposal-${i}`;
      const input = h('input', { class: 'sp-input', id, type: 'text', maxlength: '80', dataset: { focusKey: `proposal-${sug.id}-${i}` } });
      input.value = proposalNames.get(`${sug.id}|${i}`) ?? g.name;
      input.addEventListener('input', () => proposalNames.set(`${sug.id}|${i}`, input.value));
      inputs.push(input);
      return h(
        'li',
        { class: 'sp-proposal__group' },
        h('label', { class: 'sp-field__label', for: id, text: t('team.cluster.proposalName', { n: i + 1 }) }),
        input,
        h('ul', { class: 'sp-proposal__notes' }, (g.notes ?? []).map((id2) => h('li', { text: state.notes.get(id2)?.text ?? id2 }))),
      );
    });
    const accept = button(t('team.cluster.accept'), {
      key: 'proposal-accept',
      cls: 'js-accept',
      onClick: () => {
        const edited = sug.groups.map((g, i) => ({ name: inputs[i].value.trim() || g.name, notes: g.notes ?? [] }));
        tc.command('cluster.accept', { suggestion: sug.id, groups: edited }).then(() => tc.live(t('team.cluster.accepted')), () => {});
      },
    });
    const dismiss = button(t('team.cluster.dismiss'), {
      kind: 'secondary',
      key: 'proposal-dismiss',
      onClick: () => {
        dismissed.add(sug.id);
        sync();
        suggestButton.focus();
      },
    });
    return [
      h(
        'section',
        { class: 'sp-panel sp-proposal js-proposal', 'aria-labelledby': 'sp-proposal-title' },
        h('h3', { class: 'sp-panel__title', id: 'sp-proposal-title', text: t('team.cluster.proposalTitle') }),
        h('p', { text: sug.groups.length ? t('team.cluster.proposalIntro') : t('team.cluster.proposalEmpty') }),
        h('ol', { class: 'sp-proposal__groups' }, groups),
        h('div', { class: 'sp-actions' }, sug.groups.length ? accept : null, dismiss),
      ),
    ];
  }

  function sync(ev) {
    const notes = boardNotes(state, state.team, board).filter((n) => !n.private);
    const clusters = boardClusters(state, state.team, board);
    rerender(zones, () => [zone(null, notes.filter((n) => !n.cluster || !state.clusters.has(n.cluster)), clusters), ...clusters.map((c) => zone(c, notes.filter((n) => n.cluster === c.id), clusters))]);
    rerender(proposalBox, proposal);
    rerender(undoBox, () => {
      const batch = [...state.batches.values()].reverse().find((b) => !b.undone && b.clusters.some((id) => state.clusters.has(id)));
      return batch ? [button(t('team.cluster.undo'), { kind: 'secondary', key: 'undo', cls: 'js-undo', onClick: () => tc.command('cluster.undo', { batch: batch.id }).then(() => tc.live(t('team.cluster.undone')), () => {}) })] : [];
    });
    if (ev?.type === 'cluster.suggested' && tc.session.synced) tc.live(t('team.cluster.proposalReady'));
  }

  const el = h(
    'div',
    { class: 'sp-cluster' },
    h('p', { class: 'sp-section-intro', text: t('team.cluster.intro') }),
    h('div', { class: 'sp-actions sp-cluster__tools' }, suggestButton, undoBox),
    proposalBox,
    clusterForm,
    zones,
    part('sp-cluster-more', t('team.cluster.moreNotes'), noteForm),
  );
  sync(null);
  return { el, sync };
}
