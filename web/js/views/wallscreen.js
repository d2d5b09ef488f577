// views/wallscreen.js – a team's clustering wall on the projector: opened by a facilitator from
// the console ("Wall on the screen") on the machine that drives the room's projector, with the
// facilitator's own link, so it shows nothing the facilitator may not see. Read-only, live: the
// team's moves arrive as events and the wall follows. It shows the board of the team's current
// grouping step (the last one it had, once the team has moved on).

import { h, setText } from '../dom.js';
import { pick, t } from '../i18n.js';
import { teamStep } from '../state.js';
import { batched, showBadLink } from './common.js';
import { createWall } from './team/wall.js';

/** The body modifier: the page chrome of the projector. */
export const BODY = 'wallscreen';

/**
 * Mounts the projected wall of the route's team.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function mount(ctx) {
  const { main } = ctx;
  const session = ctx.useSession(ctx.route.token);
  const state = session.state;
  const teamId = ctx.route.team;
  const heading = h('h1', { class: 'sp-heading sp-wallscreen__title js-wallscreen-title', tabindex: '-1' });
  const note = h('p', { class: 'sp-lead js-wallscreen-none' });
  const box = h('div', { class: 'sp-wallscreen js-wallscreen' });
  main.append(heading, note, box);
  let wall = null;
  let board = null;

  function draw() {
    const team = state.teams.get(teamId);
    const name = team ? pick(team.name) : teamId;
    setText(heading, t('team.wall.projectorTitle', { team: name }));
    ctx.setTitle(t('team.wall.projectorTitle', { team: name }));
    const { step } = teamStep(state, teamId);
    const want = step?.activity === 'cluster' ? step.params?.board ?? null : board;
    note.hidden = step?.activity === 'cluster';
    setText(note, note.hidden ? '' : t('team.wall.projectorNone'));
    if (want !== board) {
      wall?.destroy();
      wall = null;
      box.replaceChildren();
      board = want;
    }
    if (!board) return;
    if (!wall) {
      wall = createWall({ state, team: () => teamId, board, tc: null });
      box.append(wall.el);
    } else wall.sync();
  }

  const schedule = batched(draw);
  const offs = [session.on('change', schedule), session.on('synced', draw)];
  draw();
  return {
    unmount() {
      wall?.destroy();
      for (const off of offs) off();
    },
    authFailed(err) {
      showBadLink(ctx, err);
    },
  };
}
