// views/staff/results.js – the announced jury results as a table with flags, ties and winners.

import { h } from '../../dom.js';
import { lang, pick, t } from '../../i18n.js';
import { teamName } from './kit.js';

/**
 * A number with at most `digits` decimals in the current language.
 * @param {number|null|undefined} value
 * @param {number} [digits=2] decimals at most
 * @param {number} [least=digits] decimals at least
 * @returns {string}
 */
export function num(value, digits = 2, least = digits) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return new Intl.NumberFormat(lang() === 'nl' ? 'nl-NL' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: least }).format(value);
}

/**
 * The results of `jury.results`: winners, the ranking with its flags, and the ties.
 * @param {import('../../state.js').ClientState} state
 * @param {object} results data of `jury.results`
 * @param {string} idPrefix unique prefix for ids on the page
 * @returns {HTMLElement[]}
 */
export function resultsNodes(state, results, idPrefix) {
  const name = (id) => teamName(state, id, results.teams?.find((x) => x.team === id)?.name);
  const names = (ids) => (ids ?? []).map(name).join(', ');
  const w = results.winners ?? {};
  const winners = h('div', { class: 'sp-results__winners' },
    h('h3', { class: 'sp-results__title', text: t('results.winners') }),
    h('dl', { class: 'sp-results__winner-list' },
      h('div', { class: 'sp-results__winner' }, h('dt', { text: t('results.overall') }), h('dd', { class: 'js-results-overall', text: (names(w.overall) || t('results.none')) + (w.overall_tied ? ` ${t('results.tiedMark')}` : '') })),
      (w.challenges ?? []).map((c) =>
        h('div', { class: 'sp-results__winner' }, h('dt', { text: pick(state.challenges.get(c.challenge)?.title) || c.challenge }), h('dd', { text: (names(c.teams) || t('results.none')) + (c.tied ? ` ${t('results.tiedMark')}` : '') })),
      ),
    ),
  );
  const rows = (results.teams ?? []).map((r) => {
    const flags = [];
    if (r.disagree) flags.push(t('results.flag.disagree'));
    if (r.tied) flags.push(t('results.flag.tied'));
    if (r.tiebreak_used) flags.push(t('results.flag.tiebreak'));
    if (!r.jurors) flags.push(t('results.flag.unscored'));
    return h('tr', { class: r.disagree || r.tied ? 'sp-results__row sp-results__row--flag' : 'sp-results__row', dataset: { team: r.team } },
      h('td', { class: 'sp-table__number', text: r.rank ? String(r.rank) : '–' }),
      h('th', { scope: 'row', text: name(r.team) }),
      h('td', { class: 'sp-table__number', text: r.jurors ? num(r.mean) : '–' }),
      h('td', { class: 'sp-table__number', text: r.jurors ? num(r.normalised) : '–' }),
      h('td', { class: 'sp-table__number', text: r.jurors ? num(r.spread) : '–' }),
      h('td', { class: 'sp-table__number', text: String(r.jurors ?? 0) }),
      h('td', { class: 'js-results-flags', text: flags.join(' · ') || '–' }),
    );
  });
  const table = h('div', { class: 'sp-table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': `${idPrefix}-caption` },
    h('table', { class: 'sp-table sp-results__table js-results-table' },
      h('caption', { id: `${idPrefix}-caption`, text: t('results.caption') }),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', class: 'sp-table__number', text: t('results.rank') }),
        h('th', { scope: 'col', text: t('results.team') }),
        h('th', { scope: 'col', class: 'sp-table__number', text: t('results.mean') }),
        h('th', { scope: 'col', class: 'sp-table__number', text: t('results.normalised') }),
        h('th', { scope: 'col', class: 'sp-table__number', text: t('results.spread') }),
        h('th', { scope: 'col', class: 'sp-table__number', text: t('results.jurors') }),
        h('th', { scope: 'col', text: t('results.flags') }),
      )),
      h('tbody', {}, rows),
    ),
  );
  const rule = h('p', { class: 'sp-results__rule', text: t(results.normalise ? 'results.rule.normalised' : 'results.rule.mean', { threshold: num(results.threshold, 1) }) });
  const ties = (results.ties ?? []).length
    ? h('div', { class: 'sp-results__ties' },
        h('h3', { class: 'sp-results__title', text: t('results.ties') }),
        h('ul', {}, results.ties.map((tie) => h('li', { text: t('results.tie', { rank: tie.rank, names: names(tie.teams) }) }))))
    : null;
  return [winners, rule, table, ties].filter(Boolean);
}
