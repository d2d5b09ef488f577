// views/team/race.js – the Idee Race: ideas only while the room's round runs, live counts, the
// room's leaderboard after each round, the winner and the prize.

import { h, rerender, setText } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { boardNotes } from '../../state.js';
import { addForm, beforeItems, burstAnnouncer, noteItem, part } from './kit.js';
import { clock } from './shell.js';
import { beforeText } from '../../bank.js';

/**
 * The race activity.
 * @param {object} tc team context (shell.js)
 * @param {object} step the playbook step ({params: {board, rounds, round_minutes, prize}})
 * @returns {{el: HTMLElement, sync: (ev: object|null) => void, tick: () => void}}
 */
export function create(tc, step) {
  const { state } = tc;
  const board = step.params?.board ?? 'ideas';
  const rounds = step.params?.rounds ?? 2;
  const room = () => state.teams.get(state.team)?.room;
  const race = () => state.races.get(room()) ?? { round: 0, state: 'idle' };
  const mountedAt = state.seq;

  const roundLine = h('p', { class: 'sp-race__round js-race-round' });
  const countdown = h('p', { class: 'sp-race__clock js-race-clock' });
  const counts = h('p', { class: 'sp-race__counts js-race-counts' });
  const liveCounts = h('p', { class: 'sp-race__live js-race-live' });
  const similar = h('p', { class: 'sp-race__similar js-similar', hidden: true });
  // "This came up before": ideas of ours close to one of an earlier sprint, with what became of it.
  const beforeList = h('ul', { class: 'sp-before__list js-before-list' });
  const before = h('section', { class: 'sp-before js-before', 'aria-labelledby': 'sp-race-before-title', hidden: true },
    h('h3', { class: 'sp-before__title', id: 'sp-race-before-title', text: t('before.title') }), beforeList);
  const { form, input } = addForm({
    id: 'sp-race-idea',
    draft: step.id,
    label: t('team.race.label'),
    hint: t('team.race.hint'),
    submit: t('team.race.add'),
    multiline: false,
    onAdd: (text) => tc.command('note.add', { text, board }),
  });
  input.classList.add('js-race-input');
  const boards = h('div', { class: 'sp-race__boards js-leaderboards' });
  const winner = h('div', { class: 'js-race-winner' });
  const mine = h('ul', { class: 'sp-note-list js-race-mine' });
  const team = h('ul', { class: 'sp-note-list js-race-team' });

  function tick() {
    const r = race();
    if (r.state === 'running') setText(countdown, t('team.race.left', { time: clock(r.ends_at - tc.conn.serverNow()) }));
    else setText(countdown, '');
    countdown.hidden = r.state !== 'running';
  }

  function sync(ev) {
    const r = race();
    const round = r.round || 0;
    let key = 'team.race.waiting';
    if (r.state === 'running') key = 'team.race.running';
    else if (r.state === 'ended' && round >= (r.rounds ?? rounds)) key = 'team.race.finished';
    else if (r.state === 'ended') key = 'team.race.between';
    setText(roundLine, t(key, { round: round || 1, rounds: r.rounds ?? rounds }));
    tick();
    const notes = boardNotes(state, state.team, board);
    const own = notes.filter((n) => n.by === state.me);
    const teamCount = state.raceCounts.get(room())?.get(state.team) ?? notes.filter((n) => !n.private).length;
    setText(counts, t('team.race.counts', { mine: own.length, team: Math.max(teamCount, notes.length) }));
    // Every team's count as it grows: the race is a race because you see the others move.
    const room_ = room();
    const others = [...state.teams.values()].filter((tm) => tm.room === room_);
    const live = state.raceCounts.get(room_);
    liveCounts.hidden = r.state !== 'running' || !live;
    setText(liveCounts, live ? t('team.race.live', { teams: others.map((tm) => `${pick(tm.name)} ${live.get(tm.id) ?? 0}`).join(' · ') }) : '');
    rerender(boards, () =>
      (state.leaderboards.get(room()) ?? []).map((b) =>
        h(
          'section',
          { class: 'sp-leaderboard', 'aria-labelledby': `sp-lb-${b.round}` },
          h('h4', { class: 'sp-leaderboard__title', id: `sp-lb-${b.round}`, text: t('team.race.leaderboard', { round: b.round }) }),
          h(
            'ol',
            { class: 'sp-leaderboard__list js-leaderboard' },
            b.teams.map((row) => h('li', { class: row.team === state.team ? 'sp-leaderboard__row sp-leaderboard__row--us' : 'sp-leaderboard__row' }, `${pick(row.name)}: ${t('team.race.ideas', { count: row.count })}`, row.team === state.team ? ` (${t('team.race.us')})` : '')),
          ),
        ),
      ),
    );
    rerender(winner, () => {
      const won = state.raceWins.get(room());
      if (!won) return [];
      const names = won.teams.map((id) => pick(state.teams.get(id)?.name) || id).join(', ');
      const us = won.teams.includes(state.team);
      return [h('div', { class: 'sp-panel sp-race__winner' }, h('p', { class: 'sp-panel__title', text: us ? t('team.race.weWon', { count: won.count }) : t('team.race.won', { names, count: won.count }) }), won.prize ? h('p', { text: t('team.race.prize', { prize: pick(won.prize) }) }) : null)];
    });
    rerender(mine, () => own.map((n) => noteItem(state, n)));
    rerender(team, () => notes.filter((n) => n.by !== state.me && !n.private).map((n) => noteItem(state, n)));
    const hint = state.similar.filter((s) => s.seq > mountedAt).pop();
    if (hint) {
      similar.hidden = false;
      setText(similar, t('team.race.similar', { text: state.notes.get(hint.similar)?.text ?? hint.text ?? '' }));
      if (ev?.type === 'idea.similar') tc.live(similar.textContent);
    }
    const hints = beforeItems(state, (n) => n.team === state.team && n.board === board);
    before.hidden = hints.length === 0;
    rerender(beforeList, () => hints);
    if (ev?.type === 'idea.before' && tc.session.synced && hints.some((li) => li.dataset.note === ev.data?.note)) tc.live(beforeText(ev.data));
    if (tc.session.synced && ev?.type === 'note.added' && ev.by !== state.me && ev.data?.board === board && ev.data?.team === state.team) ideas.push(ev.data.text);
    if (ev?.type === 'race.round' && ev.data?.room === room() && tc.session.synced) {
      tc.live(t(ev.data.state === 'running' ? 'team.race.startNews' : 'team.race.endNews', { round: ev.data.round }));
    }
  }

  const ideas = burstAnnouncer(tc.live, (text) => t('team.race.ideaNews', { text }), (count) => t('team.race.ideasNews', { count }), 3000);

  const el = h(
    'div',
    { class: 'sp-race' },
    h('div', { class: 'sp-race__status' }, roundLine, countdown, counts, liveCounts),
    form,
    similar,
    before,
    winner,
    boards,
    part('sp-race-mine', t('team.race.mine'), mine),
    part('sp-race-team', t('team.race.team'), team),
  );
  sync(null);
  return { el, sync, tick, destroy: () => ideas.stop() };
}
