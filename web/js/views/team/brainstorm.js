// views/team/brainstorm.js – writing notes on the step's board: private ones stay with their
// author until shared (or until the step moves on); shared ones are the team's.

import { ConnState } from '../../conn.js';
import { h, rerender } from '../../dom.js';
import { t } from '../../i18n.js';
import { boardNotes } from '../../state.js';
import { addForm, burstAnnouncer, button, noteItem, part, snippet } from './kit.js';

/**
 * The brainstorm activity.
 * @param {object} tc team context (shell.js)
 * @param {object} step the playbook step ({params: {board, private}})
 * @returns {{el: HTMLElement, sync: (ev: object|null) => void}}
 */
export function create(tc, step) {
  const { state } = tc;
  const board = step.params?.board ?? 'wall';
  const isPrivate = step.params?.private === true;
  const { form } = addForm({
    id: 'sp-brainstorm-new',
    draft: step.id,
    label: t('team.brainstorm.label'),
    hint: isPrivate ? t('team.brainstorm.hintPrivate') : t('team.brainstorm.hint'),
    submit: t('team.brainstorm.add'),
    onAdd: (text) => {
      const sent = tc.command('note.add', { text, board });
      sent.then(() => tc.live(t('team.brainstorm.added')), () => {});
      sync(null);   // shown at once, marked as waiting, until the server has it
      return sent;
    },
  });
  const mineList = h('ul', { class: 'sp-note-list js-private-notes' });
  const sharedList = h('ul', { class: 'sp-note-list js-shared-notes' });
  const mineCount = h('p', { class: 'sp-muted' });
  const sharedCount = h('p', { class: 'sp-muted js-shared-count' });

  /** Notes written here that the server does not have yet (offline): shown in your own list. */
  function waiting() {
    const conn = tc.session.conn;
    const offline = conn.state !== ConnState.ONLINE;
    return conn
      .pendingCommands()
      .filter((c) => c.cmd === 'note.add' && (c.args?.board ?? board) === board && typeof c.args?.text === 'string')
      .map((c) => h('li', { class: 'sp-note sp-note--waiting js-note-waiting', dataset: { cmd: c.id } }, h('p', { class: 'sp-note__text', text: c.args.text }), h('p', { class: 'sp-note__badge js-waiting-badge', text: offline ? t('team.note.waiting') : t('team.canvas.saving') })));
  }

  function sync(ev) {
    const notes = boardNotes(state, state.team, board);
    const mine = notes.filter((n) => n.private);
    const shared = notes.filter((n) => !n.private);
    const pending = waiting();
    mineCount.textContent = t('team.brainstorm.mineCount', { count: mine.length + (isPrivate ? pending.length : 0) });
    sharedCount.textContent = t('team.brainstorm.sharedCount', { count: shared.length });
    rerender(mineList, () => [
      ...pending,
      ...mine.map((n) =>
        noteItem(state, n, [
          button(t('team.note.share'), { small: true, hidden: t('team.note.hidden', { text: snippet(n.text) }), key: `share-${n.id}`, cls: 'js-share', onClick: () => tc.run('note.share', { note: n.id }) }),
          button(t('board.note.delete'), { small: true, kind: 'warning', hidden: t('team.note.hidden', { text: snippet(n.text) }), key: `del-${n.id}`, onClick: () => tc.run('note.delete', { note: n.id }) }),
        ]),
      ),
    ]);
    rerender(sharedList, () => [
      ...(isPrivate ? [] : pending),
      ...shared.map((n) =>
        noteItem(
          state,
          n,
          n.by === state.me ? [button(t('board.note.delete'), { small: true, kind: 'warning', hidden: t('team.note.hidden', { text: snippet(n.text) }), key: `del-${n.id}`, onClick: () => tc.run('note.delete', { note: n.id }) })] : [],
        ),
      ),
    ]);
    if (ev?.type === 'note.shared' && ev.data?.author !== state.me && ev.data?.board === board && tc.session.synced) news.push(ev.data.text);
  }

  const news = burstAnnouncer(tc.live, (text) => t('team.brainstorm.sharedNews', { text }), (count) => t('team.brainstorm.sharedMany', { count }));

  const el = h(
    'div',
    { class: 'sp-brainstorm' },
    form,
    isPrivate ? part('sp-bs-mine', t('team.brainstorm.mine'), h('p', { class: 'sp-section-intro', text: t('team.brainstorm.mineIntro') }), mineCount, mineList) : null,
    part('sp-bs-shared', t('team.brainstorm.shared'), sharedCount, sharedList),
  );
  sync(null);
  const offs = [tc.session.on('outbox', () => sync(null)), tc.session.on('state', () => sync(null))];
  return {
    el,
    sync,
    destroy: () => {
      news.stop();
      for (const off of offs) off();
    },
  };
}
