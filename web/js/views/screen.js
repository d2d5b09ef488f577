// views/screen.js – the projector: sprint title, a large clock, and what is on now and next.

import { h, setText } from '../dom.js';
import { formatClock, formatDate, pick, t } from '../i18n.js';
import { nowAndNext } from '../programme.js';
import { batched, showBadLink, timeSpan } from './common.js';

/** The body modifier: dark, large type, no page chrome to speak of. */
export const BODY = 'screen';

/**
 * Mounts the screen view.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function mount(ctx) {
  const { main } = ctx;
  const session = ctx.useSession(ctx.route.token);
  const state = session.state;
  ctx.setTitle(t('screen.title'));

  const heading = h('h1', { class: 'sp-screen__title', tabindex: '-1' });
  const date = h('p', { class: 'sp-screen__date' });
  const clock = h('span', { class: 'sp-screen__time js-clock' });
  const nowList = h('ul', { class: 'sp-screen__items js-now' });
  const nextBox = h('div', { class: 'sp-screen__next js-next' });

  main.append(
    h('div', { class: 'sp-screen' },
      h('div', { class: 'sp-screen__top' },
        h('div', {}, heading, date),
        h('p', { class: 'sp-screen__clock' }, h('span', { class: 'sp-visually-hidden', text: t('screen.clockLabel') }), clock),
      ),
      h('div', { class: 'sp-screen__grid' },
        h('section', { class: 'sp-screen__panel', 'aria-labelledby': 'sp-screen-now' }, h('h2', { class: 'sp-screen__label', id: 'sp-screen-now', text: t('screen.now') }), nowList),
        h('section', { class: 'sp-screen__panel sp-screen__panel--next', 'aria-labelledby': 'sp-screen-next' }, h('h2', { class: 'sp-screen__label', id: 'sp-screen-next', text: t('screen.next') }), nextBox),
      ),
    ),
  );

  let lastKey = '';

  function itemNode(tag, item) {
    return h(tag, { class: 'sp-screen__item' }, h('span', { class: 'sp-screen__item-time', text: timeSpan(item) }), ' ', h('span', { class: 'sp-screen__item-title', text: pick(item.title) }));
  }

  function tick() {
    const moment = new Date(session.conn.serverNow());
    setText(clock, formatClock(moment));
    const minutes = moment.getHours() * 60 + moment.getMinutes() + moment.getSeconds() / 60;
    const { now, next } = nowAndNext(state.programme, minutes);
    // Redraw the lists only when what is on changes, not every second.
    const key = JSON.stringify([now, next]);
    if (key === lastKey) return;
    lastKey = key;
    nowList.replaceChildren(...now.map((item) => itemNode('li', item)));
    if (now.length === 0) {
      nowList.append(h('li', { class: 'sp-screen__item sp-screen__item--quiet', text: next ? t('screen.notStarted', { time: next.time }) : t('screen.nothing') }));
    }
    nextBox.replaceChildren(next ? itemNode('p', next) : h('p', { class: 'sp-screen__item sp-screen__item--quiet', text: t('screen.noNext') }));
  }

  function draw() {
    const sprint = state.sprint;
    setText(heading, sprint?.title ? pick(sprint.title) : t('app.name'));
    setText(date, sprint?.date ? formatDate(sprint.date) : '');
    lastKey = '';
    tick();
  }

  const schedule = batched(draw);
  const offs = [
    session.on('change', (ev) => {
      if (!ev || ev.type === 'sprint.created' || ev.type === 'programme.set') schedule();
    }),
  ];
  const timer = setInterval(tick, 1000);
  draw();
  return {
    unmount() {
      clearInterval(timer);
      for (const off of offs) off();
    },
    authFailed() {
      clearInterval(timer);
      showBadLink(ctx);
    },
  };
}
