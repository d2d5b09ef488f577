// views/staff/pitch-order.js – the facilitator sets the order in which the room's teams pitch:
// a list with "up" and "down" per team, published with one button (`pitch.order.set`).

import { h, rerender } from '../../dom.js';
import { t } from '../../i18n.js';
import { roomTeams } from '../../state.js';
import { button, teamName } from './kit.js';

/**
 * Builds the pitch order part of the console. The draft follows the published order until
 * the facilitator moves a team; publishing makes the draft the order everyone sees.
 * @param {object} o
 * @param {import('../../session.js').Session} o.session
 * @param {ReturnType<import('../../staff-state.js').staffOf>} o.staff
 * @param {() => object|null} o.room the console's room
 * @param {(cmd: string, args: object, opts: object) => Promise<boolean>} o.run sends and reports
 * @returns {{node: HTMLElement, draw: () => void}}
 */
export function pitchOrderPart({ session, staff, room, run }) {
  const state = session.state;
  const list = h('div', { class: 'sp-console__pitch js-pitch-draft' });
  const status = h('p', { class: 'sp-console__pitch-status' });
  let draft = null;

  function published() {
    const r = room();
    return r ? staff.state.pitchOrders.get(r.id) ?? null : null;
  }

  function current() {
    const r = room();
    if (!r) return [];
    const ids = roomTeams(state, r.id).map((x) => x.id);
    const base = draft ?? published() ?? ids;
    return [...base.filter((id) => ids.includes(id)), ...ids.filter((id) => !base.includes(id))];
  }

  function move(order, i, by) {
    const next = order.slice();
    const [id] = next.splice(i, 1);
    next.splice(i + by, 0, id);
    draft = next;
    draw();
    // A button that just became disabled (top or bottom) loses focus: keep it on the team.
    if (document.activeElement === document.body || document.activeElement?.disabled) {
      list.querySelector(`[data-focus-key="pitch-${by < 0 ? 'down' : 'up'}-${id}"]`)?.focus();
    }
  }

  function draw() {
    const order = current();
    const pub = published();
    const changed = draft !== null && draft.join() !== (pub ?? []).join();
    status.textContent = changed ? t('console.pitch.changed') : pub ? t('console.pitch.published') : t('console.pitch.none');
    rerender(list, () => [
      h('ol', { class: 'sp-console__pitch-list' },
        order.map((id, i) => {
          const name = teamName(state, id);
          return h('li', { class: 'sp-console__pitch-item', dataset: { team: id } },
            h('span', { class: 'sp-console__pitch-name', text: name }), ' ',
            button(t('console.pitch.up'), { kind: 'secondary', small: true, hidden: t('console.team.for', { team: name }), key: `pitch-up-${id}`, disabled: i === 0, onClick: () => move(order, i, -1) }), ' ',
            button(t('console.pitch.down'), { kind: 'secondary', small: true, hidden: t('console.team.for', { team: name }), key: `pitch-down-${id}`, disabled: i === order.length - 1, onClick: () => move(order, i, 1) }));
        })),
    ]);
  }

  const publish = button(t('console.pitch.publish'), { key: 'pitch-publish', onClick: async () => {
    const r = room();
    if (r && (await run('pitch.order.set', { room: r.id, teams: current() }, { scope: 'room', done: t('console.pitch.done') }))) {
      draft = null;
      draw();
    }
  } });
  const node = h('div', { class: 'sp-console__group' },
    h('p', { class: 'sp-section-intro', text: t('console.pitch.intro') }),
    status, list, h('div', { class: 'sp-actions' }, publish));
  return { node, draw };
}
