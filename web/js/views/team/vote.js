// views/team/vote.js – dot voting: your own dots (hidden from the others until the reveal), who
// is done, the reveal, the ranked tally and the captain's call on a tie.

import { h, rerender } from '../../dom.js';
import { t } from '../../i18n.js';
import { memberName, targetText, teamMembers, voteOptions } from '../../state.js';
import { beforeItems, button, part, snippet } from './kit.js';
import { beforeText } from '../../bank.js';

/**
 * The tally after a reveal as a ranked list of bars.
 * @param {object} state
 * @param {{target: string, count: number}[]} tally
 * @param {string[]|null} selected
 * @returns {HTMLOListElement}
 */
export function tallyList(state, tally, selected) {
  const max = Math.max(1, ...tally.map((r) => r.count));
  return h(
    'ol',
    { class: 'sp-tally js-tally' },
    tally.map((r) => {
      const bar = h('span', { class: 'sp-tally__bar', 'aria-hidden': 'true' });
      // CSSOM, not a style attribute: the CSP forbids inline styles in markup.
      bar.style.inlineSize = `${Math.round((r.count / max) * 100)}%`;
      const chosen = selected?.includes(r.target);
      return h(
        'li',
        { class: `sp-tally__row ${chosen ? 'sp-tally__row--chosen' : ''}`.trim() },
        h('span', { class: 'sp-tally__text', text: targetText(state, r.target) }),
        h('span', { class: 'sp-tally__count', text: t('team.vote.dots', { count: r.count }) }),
        chosen ? h('span', { class: 'sp-tally__chosen', text: t('team.vote.chosen') }) : null,
        h('span', { class: 'sp-tally__track', 'aria-hidden': 'true' }, bar),
      );
    }),
  );
}

/**
 * The vote activity.
 * @param {object} tc team context (shell.js)
 * @param {object} step the playbook step ({params: {target, budget, select, tie}})
 * @returns {{el: HTMLElement, sync: (ev: object|null) => void}}
 */
export function create(tc, step) {
  const { state } = tc;
  const p = step.params ?? {};
  const budget = p.budget ?? 0;
  const body = h('div', { class: 'sp-vote js-vote' });
  const tieChoice = new Set();

  function vote() {
    return state.votes.get(step.id) ?? { mine: new Map(), used: 0, budget, done: [], members: 0, revealed: null, selected: null };
  }

  function ballot(v) {
    const options = voteOptions(state, state.team, p.target);
    const left = budget - v.used;
    const iAmDone = v.done.includes(state.me);
    const rows = options.map((o) => {
      const mine = v.mine.get(o.id) ?? 0;
      const short = snippet(o.text);
      return h(
        'li',
        { class: 'sp-ballot__row js-option', dataset: { target: o.id } },
        h('span', { class: 'sp-ballot__text', text: o.text }),
        h('span', { class: 'sp-ballot__dots', 'aria-hidden': 'true' }, '●'.repeat(mine)),
        h('span', { class: 'sp-ballot__mine js-mine', text: t('team.vote.mine', { count: mine }) }),
        h(
          'span',
          { class: 'sp-ballot__buttons' },
          button('−', { small: true, kind: 'secondary', label: t('team.vote.remove', { text: short }), key: `minus-${o.id}`, cls: 'js-minus', onClick: () => tc.run('vote.remove', { target: o.id }) }),
          button('+', { small: true, label: t('team.vote.add', { text: short }), key: `plus-${o.id}`, cls: 'js-plus', onClick: () => tc.run('vote.place', { target: o.id }) }),
        ),
      );
    });
    const out = [
      h('p', { class: 'sp-vote__budget js-budget', text: t('team.vote.left', { left, budget }) }),
      options.length ? h('ul', { class: 'sp-ballot' }, rows) : h('p', { class: 'sp-muted', text: t('team.vote.noOptions') }),
    ];
    out.push(
      iAmDone
        ? h('p', { class: 'sp-notice js-done-note', text: t('team.vote.iAmDone') })
        : button(t('team.vote.done'), { key: 'vote-done', cls: 'js-vote-done', onClick: () => tc.command('vote.done').then(() => tc.live(t('team.vote.iAmDone')), () => {}) }),
    );
    return out;
  }

  function progressLine(v) {
    const members = teamMembers(state, state.team);
    const total = v.members || members.length;
    const names = v.done.map((id) => memberName(state, id) ?? '?');
    return h('p', { class: 'sp-vote__progress js-vote-progress', text: t('team.vote.progress', { done: v.done.length, total, names: names.join(', ') || '—' }) });
  }

  function results(v) {
    const out = [h('h3', { class: 'sp-part__title', id: 'sp-vote-result', text: t('team.vote.result') }), tallyList(state, v.revealed.tally, v.selected)];
    const tie = v.revealed.tie;
    if (p.select > 0 && v.selected === null && tie) {
      const names = tie.candidates.map((id) => targetText(state, id)).join(', ');
      out.push(h('p', { class: 'sp-notice js-tie', text: t('team.vote.tie', { places: tie.places, names }) }));
      if (tc.isCaptain()) {
        const boxes = tie.candidates.map((id) => {
          const box = h('input', { type: 'checkbox', id: `sp-tie-${id}`, value: id, class: 'sp-checkbox', dataset: { focusKey: `tie-${id}` } });
          box.checked = tieChoice.has(id);
          box.addEventListener('change', () => (box.checked ? tieChoice.add(id) : tieChoice.delete(id)));
          return h('li', { class: 'sp-check' }, box, h('label', { for: `sp-tie-${id}`, text: targetText(state, id) }));
        });
        const form = h(
          'form',
          { class: 'sp-form js-decide', novalidate: true },
          h('fieldset', { class: 'sp-fieldset' }, h('legend', { class: 'sp-field__label', text: t('team.vote.decideLegend', { places: tie.places }) }), h('ul', { class: 'sp-checks' }, boxes)),
          button(t('team.vote.decide'), { type: 'submit', key: 'decide' }),
        );
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          tc.run('vote.decide', { targets: [...tieChoice] });
        });
        out.push(form);
      } else {
        out.push(h('p', { class: 'sp-muted', text: t('team.vote.captainDecides') }));
      }
    } else if (p.select > 0 && v.selected) {
      out.push(h('p', { class: 'sp-notice js-selected', text: t('team.vote.goesOn', { names: v.selected.map((id) => targetText(state, id)).join(', ') || '—' }) }));
    }
    return out;
  }

  /** Options of this vote that came up in an earlier sprint (`idea.before`), with what became of them. */
  function beforePart() {
    const ids = new Set(voteOptions(state, state.team, p.target).map((o) => o.id));
    const items = beforeItems(state, (n) => ids.has(n.id));
    return items.length ? h('section', { class: 'sp-before js-before', 'aria-labelledby': 'sp-vote-before-title' }, h('h4', { class: 'sp-before__title', id: 'sp-vote-before-title', text: t('before.title') }), h('ul', { class: 'sp-before__list js-before-list' }, items)) : null;
  }

  function sync(ev) {
    const v = vote();
    rerender(body, () => {
      if (v.revealed) return [...results(v), beforePart()];
      const out = [...ballot(v), beforePart(), progressLine(v)];
      if (tc.isCaptain()) out.push(button(t('team.vote.reveal'), { kind: 'secondary', key: 'reveal', cls: 'js-reveal', onClick: () => tc.run('vote.reveal') }));
      return out;
    });
    if (ev?.type === 'vote.revealed' && tc.session.synced) tc.live(t('team.vote.revealedNews'));
    if (ev?.type === 'idea.before' && tc.session.synced && voteOptions(state, state.team, p.target).some((o) => o.id === ev.data?.note)) tc.live(beforeText(ev.data));
  }

  const el = h('div', { class: 'sp-vote-step' }, part('sp-vote-title', t('team.vote.title', { budget }), h('p', { class: 'sp-section-intro', text: t('team.vote.secret') }), body));
  sync(null);
  return { el, sync };
}
