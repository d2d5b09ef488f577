// views/team/cluster.js – grouping the board's notes into named clusters, in one of two views:
// the wall (wall.js: sticky notes on a shared surface, the default on wide screens) or the
// compact list (the default on phones: a note is one line with a handle, groups fold away,
// moving is two taps – the handle, then "Move here" at the group). Both take the text engine's
// proposal. The choice of view is kept per browser.

import { h, rerender } from '../../dom.js';
import { t } from '../../i18n.js';
import { boardClusters, boardNotes } from '../../state.js';
import { addForm, button, part, snippet } from './kit.js';
import { createWall } from './wall.js';

const VIEW_KEY = 'sp.clusterView';
/** Events that only move things on the wall: the list has nothing to redraw for them. */
const WALL_ONLY = new Set(['note.placed', 'cluster.placed']);

function storedView() {
  try {
    return globalThis.localStorage?.getItem(VIEW_KEY) ?? null;
  } catch {
    return null;
  }
}

function storeView(view) {
  try {
    globalThis.localStorage?.setItem(VIEW_KEY, view);
  } catch {
    // Private browsing without storage: the choice lasts as long as the page.
  }
}

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
    // On the wall a new group goes where there is room (and stays there).
    onAdd: (name) => tc.run('cluster.add', { board, name, ...(wall ? wall.spot() : {}) }),
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
  const wallBox = h('div', { class: 'sp-wall-box' });
  /** Groups folded away in the list: cluster id ('none' for the loose notes). */
  const folded = new Set();
  /** The note picked up in the list, waiting for "Move here". */
  let picked = null;
  let wall = null;
  let view = storedView() ?? (globalThis.matchMedia?.('(min-width: 56em)').matches ? 'wall' : 'list');

  const viewButtons = ['wall', 'list'].map((v) => {
    const b = button(t(v === 'wall' ? 'team.cluster.viewWall' : 'team.cluster.viewList'), { kind: 'secondary', small: true, cls: `js-view-${v}`, onClick: () => setView(v) });
    return b;
  });
  const viewSwitch = h('div', { class: 'sp-view-switch', role: 'group', 'aria-label': t('team.cluster.view') }, viewButtons);

  function setView(v) {
    if (v === view) return;
    view = v;
    storeView(v);
    picked = null;
    draw();
  }

  function move(note, cluster) {
    return tc.command('note.move', { note, cluster: cluster || null }).then(
      () => tc.live(t('team.cluster.moved')),
      () => {},
    );
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

  /** A note in the list: one line, a handle to pick it up, the text (whole when picked). */
  function noteLine(n) {
    const isPicked = picked === n.id;
    const handle = h(
      'button',
      { class: 'sp-note-line__handle js-pick', type: 'button', 'aria-pressed': String(isPicked), dataset: { focusKey: `pick-${n.id}` } },
      h('span', { 'aria-hidden': 'true', text: '⠿' }),
      h('span', { class: 'sp-visually-hidden', text: t('team.cluster.pick') + t('team.cluster.pickHidden', { text: snippet(n.text) }) }),
    );
    handle.addEventListener('click', () => {
      picked = isPicked ? null : n.id;
      drawList();
      if (picked) tc.live(t('team.cluster.picked', { text: snippet(n.text) }));
    });
    const li = h('li', { class: `sp-note-line js-note ${isPicked ? 'sp-note-line--picked' : ''}`.trim(), dataset: { note: n.id }, draggable: 'true' }, handle, h('p', { class: 'sp-note-line__text', text: n.text }));
    li.addEventListener('dragstart', (e) => {
      e.dataTransfer.setData('text/plain', n.id);
      e.dataTransfer.effectAllowed = 'move';
    });
    return li;
  }

  function zone(cluster, notes) {
    const key = cluster ? cluster.id : 'none';
    const headingId = `sp-zone-${key}`;
    const name = cluster ? cluster.name : t('team.cluster.loose');
    const from = picked ? state.notes.get(picked)?.cluster ?? null : undefined;
    const here =
      picked && from !== (cluster?.id ?? null)
        ? button(t('team.cluster.here'), {
            small: true,
            cls: 'js-move-here',
            hidden: t('team.cluster.hereHidden', { group: name }),
            key: `here-${key}`,
            onClick: () => {
              const id = picked;
              picked = null;
              move(id, cluster?.id ?? null).then(() => zones.querySelector(`[data-focus-key="pick-${CSS.escape(id)}"]`)?.focus());
              drawList();
            },
          })
        : null;
    const body = [];
    if (cluster) {
      const inputId = `sp-rename-${cluster.id}`;
      const input = h('input', { class: 'sp-input', id: inputId, type: 'text', maxlength: '80', dataset: { focusKey: `rename-${cluster.id}` } });
      input.value = drafts.get(cluster.id) ?? cluster.name;
      input.addEventListener('input', () => drafts.set(cluster.id, input.value));
      const rename = h(
        'form',
        { class: 'sp-inline-form sp-zone__rename js-rename', novalidate: true },
        h('label', { class: 'sp-visually-hidden', for: inputId, text: t('team.cluster.renameLabel') }),
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
        const nm = input.value.trim();
        if (nm && nm !== cluster.name) tc.command('cluster.rename', { cluster: cluster.id, name: nm }).then(() => drafts.delete(cluster.id), () => {});
      });
      body.push(rename);
    }
    body.unshift(h('ul', { class: 'sp-note-lines sp-zone__notes' }, notes.map(noteLine)));
    const details = h('details', { class: 'sp-zone__fold', open: !folded.has(key) }, h('summary', { class: 'sp-zone__summary', text: t('team.cluster.count', { count: notes.length }) }), body);
    details.addEventListener('toggle', () => (details.open ? folded.delete(key) : folded.add(key)));
    const el = h(
      'section',
      { class: `sp-zone ${cluster ? '' : 'sp-zone--loose'} js-zone`.trim(), 'aria-labelledby': headingId, dataset: { cluster: key } },
      h('div', { class: 'sp-zone__head' }, h('h3', { class: 'sp-zone__title', id: headingId, text: name }), here),
      details,
    );
    dropZone(el, cluster?.id ?? null);
    return el;
  }

  function drawList() {
    const notes = boardNotes(state, state.team, board).filter((n) => !n.private);
    const clusters = boardClusters(state, state.team, board);
    if (picked && !notes.some((n) => n.id === picked)) picked = null;
    rerender(zones, () => [zone(null, notes.filter((n) => !n.cluster || !state.clusters.has(n.cluster))), ...clusters.map((c) => zone(c, notes.filter((n) => n.cluster === c.id)))]);
  }

  /** Shows the chosen view. */
  function draw() {
    viewButtons.forEach((b, i) => b.setAttribute('aria-pressed', String((i === 0 ? 'wall' : 'list') === view)));
    if (view === 'wall') {
      zones.replaceChildren();
      zones.hidden = true;
      if (!wall) {
        wall = createWall({ state, team: () => state.team, board, tc });
        wallBox.append(wall.el);
      } else wall.sync();
      wallBox.hidden = false;
    } else {
      wall?.destroy();
      wall = null;
      wallBox.replaceChildren();
      wallBox.hidden = true;
      zones.hidden = false;
      drawList();
    }
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
    if (view === 'wall') wall?.sync();
    else if (!ev || !WALL_ONLY.has(ev.type)) drawList();
    if (ev && WALL_ONLY.has(ev.type)) return;
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
    h('div', { class: 'sp-actions sp-cluster__tools' }, suggestButton, undoBox, viewSwitch),
    proposalBox,
    clusterForm,
    wallBox,
    zones,
    part('sp-cluster-more', t('team.cluster.moreNotes'), noteForm),
  );
  draw();
  sync(null);
  return {
    el,
    sync,
    destroy() {
      wall?.destroy();
    },
  };
}
