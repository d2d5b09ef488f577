// views/team/overview.js – a read-only overview of what the team made so far, step by step:
// knelpunten with their dots, the canvases, the chosen themes and ideas, the timelines, the pitch.

import { h, rerender } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { canvasOf, listItems, memberName, targetText } from '../../state.js';
import { yearText } from './timeline.js';

function dotsFor(state, list) {
  const vote = state.steps.find((s) => s.activity === 'vote' && s.params?.target === `list:${list}`);
  const tally = vote ? state.votes.get(vote.id)?.revealed?.tally : null;
  return tally ? new Map(tally.map((r) => [r.target, r.count])) : null;
}

function block(state, step) {
  const p = step.params ?? {};
  const team = state.team;
  switch (step.activity) {
    case 'items': {
      const items = listItems(state, team, p.list);
      if (!items.length) return null;
      const dots = dotsFor(state, p.list);
      const sorted = dots ? [...items].sort((a, b) => (dots.get(b.id) ?? 0) - (dots.get(a.id) ?? 0)) : items;
      return h('ol', { class: 'sp-overview__list' }, sorted.map((i) => h('li', {}, i.text, dots ? ` – ${t('team.vote.dots', { count: dots.get(i.id) ?? 0 })}` : '')));
    }
    case 'vote': {
      const v = state.votes.get(step.id);
      if (!p.select || !v?.selected?.length) return null;
      return h('p', {}, t('team.vote.goesOn', { names: v.selected.map((id) => targetText(state, id)).join(', ') }));
    }
    case 'canvas': {
      const values = canvasOf(state, team, p.canvas);
      const filled = (p.fields ?? []).filter((f) => values[f.id]);
      const extra = p.canvas === 'pitch' && state.roles.get(team)?.presenter ? [h('dt', { text: t('team.role.presenter') }), h('dd', { class: 'js-overview-presenter', text: memberName(state, state.roles.get(team).presenter) ?? '?' })] : [];
      if (!filled.length && !extra.length) return null;
      return h('dl', { class: 'sp-overview__fields', dataset: { canvas: p.canvas } }, filled.map((f) => [h('dt', { text: pick(f.name) }), h('dd', { class: 'js-overview-field', dataset: { field: f.id }, text: values[f.id] })]), extra);
    }
    case 'race': {
      const won = state.raceWins.get(state.teams.get(team)?.room);
      const count = [...state.notes.values()].filter((n) => n.team === team && n.board === p.board && !n.private).length;
      if (!count) return null;
      return h('p', {}, t('team.race.ideas', { count }), won?.teams.includes(team) ? ` – ${t('team.race.weWon', { count: won.count })}` : '');
    }
    case 'timeline': {
      const ms = [...state.milestones.values()].filter((m) => m.team === team);
      if (!ms.length) return null;
      const ideas = [...new Set(ms.map((m) => m.idea))];
      return ideas.map((idea) =>
        h(
          'div',
          { class: 'sp-overview__idea' },
          h('p', { class: 'sp-overview__idea-title', text: targetText(state, idea) }),
          h('ul', {}, ms.filter((m) => m.idea === idea).sort((a, b) => a.at - b.at).map((m) => h('li', { text: `${yearText(m.at)} – ${t(`team.timeline.kind.${m.kind}`)}: ${m.text}` }))),
        ),
      );
    }
    default:
      return null;
  }
}

/**
 * Draws the overview into a container.
 * @param {HTMLElement} container
 * @param {import('../../state.js').ClientState} state
 */
export function render(container, state) {
  rerender(container, () => {
    const parts = state.steps
      .map((step) => {
        const content = block(state, step);
        return content ? h('section', { class: 'sp-overview__part' }, h('h3', { class: 'sp-part__title', text: pick(step.name) }), content) : null;
      })
      .filter(Boolean);
    return parts.length ? parts : [h('p', { class: 'sp-muted', text: t('team.overview.empty') })];
  });
}
