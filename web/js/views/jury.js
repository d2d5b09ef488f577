// views/jury.js – the jury's page before the pitches: the sprint and the three challenges.

import { h, rerender } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';
import { batched, challengeList, section, showBadLink } from './common.js';

/**
 * Mounts the jury view.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function mount(ctx) {
  const { main } = ctx;
  const session = ctx.useSession(ctx.route.token);
  const state = session.state;
  ctx.setTitle(t('jury.title'));

  const heading = h('h1', { class: 'sp-heading', tabindex: '-1' });
  const meta = h('p', { class: 'sp-lead' });
  const body = h('div', { class: 'sp-jury' });
  main.append(heading, meta, h('p', { class: 'sp-notice', text: t('jury.scoringLater') }), body);

  function draw() {
    const sprint = state.sprint;
    heading.textContent = t('jury.heading', { title: sprint?.title ? pick(sprint.title) : t('app.name') });
    meta.textContent = sprint?.date ? formatDate(sprint.date) : '';
    rerender(body, () => [section('challenges', t('jury.challenges.title'), challengeList(state))]);
  }

  const schedule = batched(draw);
  const offs = [
    session.on('change', (ev) => {
      if (!ev || ev.type === 'sprint.created' || ev.type === 'challenge.set') schedule();
    }),
  ];
  draw();
  return {
    unmount() {
      for (const off of offs) off();
    },
    authFailed: () => showBadLink(ctx),
  };
}
