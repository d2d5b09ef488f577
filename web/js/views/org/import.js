// views/org/import.js – registrations from a form tool's CSV export: choose the file, check the
// guessed mapping of fields to columns, the challenge each distinct answer was matched to and a
// preview (POST /api/import?preview=1), import (POST /api/import) with exactly that mapping and
// those matches, and read the report: new / updated / unchanged, rejected rows with their line
// numbers, people without a recognised choice, addresses held under another name.

import { h } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { section } from '../common.js';
import { api, apiError, statusLine } from './kit.js';

const PREVIEW_COLUMNS = ['name', 'email', 'organisation', 'role', 'choice1', 'choice2', 'willing'];

function randomId() {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Mounts the import section.
 * @param {{session: object, token: string, live: HTMLElement}} env
 * @returns {{el: HTMLElement, refresh: () => void}}
 */
export function mountImport({ session, token }) {
  const fileInput = h('input', { class: 'sp-org-file', id: 'sp-org-import-file', type: 'file', accept: '.csv,.tsv,.txt,text/csv', 'aria-describedby': 'sp-org-import-file-hint' });
  const readButton = h('button', { class: 'sp-button', type: 'submit', text: t('org.import.read') });
  const status = statusLine();
  const chooser = h(
    'form',
    { class: 'sp-form sp-org-form', 'aria-labelledby': 'sp-org-import-choose', novalidate: true },
    h('h3', { class: 'sp-org-subtitle', id: 'sp-org-import-choose', text: t('org.import.step1') }),
    h(
      'div',
      { class: 'sp-field' },
      h('label', { class: 'sp-field__label', for: 'sp-org-import-file', text: t('org.import.file') }),
      h('p', { class: 'sp-field__hint', id: 'sp-org-import-file-hint', text: t('org.import.fileHint') }),
      fileInput,
    ),
    h('p', { class: 'sp-actions' }, readButton),
    status.el,
  );
  const previewBox = h('div', { class: 'sp-org-import-preview' });
  const resultBox = h('div', { class: 'sp-org-import-result' });

  /** The bytes of the chosen file, read once, and its text when it is valid UTF-8. */
  let data = null;
  let text = null;
  let fileName = '';
  /** The preview answer the mapping selects were drawn from. */
  let preview = null;
  /** Selects by field: their value is the 0-based column, or '' for "not used". */
  let selects = new Map();
  /** Selects by answer key: a challenge id, '-' to ignore, or '' while it matches nothing. */
  let answerSelects = new Map();
  let busy = false;

  /** The whole mapping as the selects show it: every field, so the server guesses nothing. */
  function mapParam() {
    const parts = [];
    for (const [field, sel] of selects) parts.push(`${field}=${sel.value === '' ? '-' : Number(sel.value) + 1}`);
    return parts.join(',');
  }

  /** Every answer's challenge as the selects show it. */
  function choicesParam() {
    const out = [];
    for (const [answer, sel] of answerSelects) {
      if (sel.value === '') continue;
      out.push({ answer, challenge: sel.value === '-' ? null : sel.value });
    }
    return out;
  }

  /** The file with the organiser's mapping and answer matches; a file that is not UTF-8
   * goes as it is (the server reports its bad rows), with the mapping in the query. */
  async function post(params, withChoices) {
    const map = selects.size ? mapParam() : '';
    if (text === null) {
      const query = new URLSearchParams(map ? { ...params, map } : params).toString();
      return api(token, `/api/import?${query}`, { method: 'POST', body: data, headers: { 'Content-Type': 'text/csv' } });
    }
    const body = { csv: text };
    if (map) body.map = map;
    if (withChoices) body.choices = choicesParam();
    const query = new URLSearchParams(params).toString();
    return api(token, `/api/import?${query}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  }

  function issueText(issue) {
    return pick({ nl: issue.nl, en: issue.en });
  }

  /** The rejected rows and warnings as a table: line, what, reason, value. */
  function issuesTable(answer, key) {
    const issues = answer.issues ?? [];
    if (issues.length === 0) return h('p', { text: t('org.import.noIssues') });
    const fieldName = (code) => {
      const m = (answer.mapping ?? []).find((x) => x.field === code);
      return m ? pick({ nl: m.nl, en: m.en }) : code === 'row' ? t('org.import.row') : code;
    };
    const rows = issues.map((is) =>
      h(
        'tr',
        { class: is.rejects ? 'sp-org-issue sp-org-issue--rejected' : 'sp-org-issue' },
        h('th', { scope: 'row', class: 'sp-table__number', text: String(is.line) }),
        h('td', { text: is.rejects ? t('org.import.rejectedRow') : t('org.import.warning') }),
        h('td', { text: fieldName(is.field) }),
        h('td', {}, issueText(is), is.other_line ? ` ${t('org.import.otherLine', { line: is.other_line })}` : ''),
        h('td', {}, is.value ? h('code', { class: 'sp-org-value', text: is.value }) : '–'),
      ),
    );
    const more = answer.issues_total > issues.length ? h('p', { text: t('org.import.moreIssues', { count: answer.issues_total - issues.length }) }) : null;
    return [
      h(
        'div',
        { class: 'sp-org-scroll', role: 'region', tabindex: '0', 'aria-labelledby': `sp-org-issues-${key}` },
        h(
          'table',
          { class: 'sp-table sp-org-issues js-org-issues' },
          h('caption', { id: `sp-org-issues-${key}`, text: t('org.import.issuesCaption') }),
          h(
            'thead',
            {},
            h('tr', {}, ['line', 'kind', 'field', 'reason', 'value'].map((c) => h('th', { scope: 'col', class: c === 'line' ? 'sp-table__number' : null, text: t(`org.import.col.${c}`) }))),
          ),
          h('tbody', {}, rows),
        ),
      ),
      more,
    ];
  }

  function counts(answer, done) {
    const items = [
      ['rows', answer.rows],
      [done ? 'new' : 'willNew', answer.new],
      [done ? 'updated' : 'willUpdated', answer.updated],
      [done ? 'unchanged' : 'willUnchanged', answer.unchanged],
      ['willReplace', (answer.replaced ?? 0) - (answer.updated ?? 0)],
      ['rejected', answer.rejected],
      ['firstChoices', answer.first_choices],
      ['noChoice', answer.no_choice],
      ['warnings', answer.warnings],
    ];
    return h(
      'dl',
      { class: 'sp-org-figures js-org-import-counts' },
      items.map(([k, v]) => h('div', { class: 'sp-org-figure', dataset: { key: k } }, h('dt', { text: t(`org.import.count.${k}`) }), h('dd', { text: String(v ?? 0) }))),
    );
  }

  function cell(p, col) {
    if (col === 'choice1' || col === 'choice2') {
      const c = p[col] ? session.state.challenges.get(p[col]) : null;
      return c ? pick(c.title) : '–';
    }
    if (col === 'willing') {
      const w = [p.captain ? t('org.import.captain') : null, p.timekeeper ? t('org.import.timekeeper') : null].filter(Boolean);
      return w.length ? w.join(', ') : '–';
    }
    return p[col] || '–';
  }

  /** The distinct answers with their count and a select for their challenge. */
  function answersTable(answer) {
    answerSelects = new Map();
    const list = answer.answers ?? [];
    if (list.length === 0) return null;
    const challenges = [...session.state.challenges.values()];
    const rows = list.map((a, i) => {
      const id = `sp-org-answer-${i}`;
      const select = h(
        'select',
        { class: 'sp-input sp-org-select js-org-answer', id, dataset: { answer: a.key } },
        a.challenge || a.overridden ? null : h('option', { value: '', text: t('org.import.answerUnmatched') }),
        challenges.map((c) => h('option', { value: c.id, text: pick(c.title) })),
        h('option', { value: '-', text: t('org.import.answerIgnore') }),
      );
      select.value = a.challenge ?? (a.overridden ? '-' : '');
      select.setAttribute('aria-label', t('org.import.answerLabel', { answer: a.answer }));
      answerSelects.set(a.key, select);
      return h(
        'tr',
        { class: a.challenge || a.overridden ? 'sp-org-answer' : 'sp-org-answer sp-org-answer--unmatched' },
        h('th', { scope: 'row', text: a.answer }),
        h('td', { class: 'sp-table__number', text: String(a.count) }),
        h('td', {}, select),
      );
    });
    const unmatched = answer.unmatched_answers ?? 0;
    return h(
      'section',
      { class: 'sp-org-answers js-org-answers', 'aria-labelledby': 'sp-org-answers-title' },
      h('h4', { class: 'sp-org-subsubtitle', id: 'sp-org-answers-title', text: t('org.import.answers') }),
      h('p', { class: 'sp-field__hint', text: t('org.import.answersHint') }),
      h(
        'div',
        { class: 'sp-org-scroll', role: 'region', tabindex: '0', 'aria-labelledby': 'sp-org-answers-caption' },
        h(
          'table',
          { class: 'sp-table' },
          h('caption', { id: 'sp-org-answers-caption', text: t('org.import.answersCaption') }),
          h('thead', {}, h('tr', {}, ['answer', 'count', 'challenge'].map((c) => h('th', { scope: 'col', class: c === 'count' ? 'sp-table__number' : null, text: t(`org.import.acol.${c}`) })))),
          h('tbody', {}, rows),
        ),
      ),
      unmatched ? h('p', { class: 'sp-notice js-org-unmatched', role: 'status', text: t('org.import.unmatched', { count: unmatched }) }) : null,
    );
  }

  /** People without a recognised choice, and addresses held under another name. */
  function peopleLists(answer) {
    const parts = [];
    const none = answer.no_choice_people ?? [];
    if (none.length) {
      parts.push(
        h('h4', { class: 'sp-org-subsubtitle', text: `${t('org.import.noChoiceTitle')} (${answer.no_choice})` }),
        h('ul', { class: 'sp-org-list js-org-nochoice' }, none.map((p) => h('li', { text: t('org.import.noChoiceLine', { line: p.line, name: p.name }) }))),
      );
    }
    const conflicts = answer.conflicts ?? [];
    if (conflicts.length) {
      parts.push(
        h('h4', { class: 'sp-org-subsubtitle', text: t('org.import.conflictsTitle') }),
        h('ul', { class: 'sp-org-list js-org-conflicts' }, conflicts.map((c) => h('li', { text: t('org.import.conflict', { line: c.line ?? '?', name: c.name, email: c.email ?? '', registered: c.registered }) }))),
      );
    }
    return parts;
  }

  function drawPreview(answer) {
    selects = new Map();
    const headers = answer.headers ?? [];
    const mapRows = (answer.mapping ?? []).map((m) => {
      const id = `sp-org-map-${m.field}`;
      const select = h(
        'select',
        { class: 'sp-input sp-org-select', id, dataset: { field: m.field } },
        h('option', { value: '', text: t('org.import.unused') }),
        headers.map((name, i) => h('option', { value: String(i), text: t('org.import.column', { n: i + 1, name }) })),
      );
      select.value = m.column === null || m.column === undefined ? '' : String(m.column);
      selects.set(m.field, select);
      const sure = m.column === null || m.column === undefined ? t('org.import.notFound') : m.score >= 100 ? t('org.import.sure') : t('org.import.guess');
      return h(
        'div',
        { class: 'sp-field sp-org-map__row' },
        h('label', { class: 'sp-field__label', for: id, text: pick({ nl: m.nl, en: m.en }) }),
        h('p', { class: 'sp-field__hint', id: `${id}-hint`, text: sure }),
        select,
      );
    });
    for (const s of selects.values()) s.setAttribute('aria-describedby', `${s.id}-hint`);
    const people = answer.preview ?? [];
    const table = h(
      'div',
      { class: 'sp-org-scroll', role: 'region', tabindex: '0', 'aria-labelledby': 'sp-org-preview-caption' },
      h(
        'table',
        { class: 'sp-table sp-org-preview js-org-preview' },
        h('caption', { id: 'sp-org-preview-caption', text: t('org.import.previewCaption', { count: people.length, rows: answer.rows }) }),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'sp-table__number', text: t('org.import.col.line') }), PREVIEW_COLUMNS.map((c) => h('th', { scope: 'col', text: t(`org.import.pcol.${c}`) })))),
        h(
          'tbody',
          {},
          people.map((p) => h('tr', {}, h('th', { scope: 'row', class: 'sp-table__number', text: String(p.line ?? '') }), PREVIEW_COLUMNS.map((c) => h('td', { text: cell(p, c) })))),
        ),
      ),
    );
    const remap = h('button', { class: 'sp-button sp-button--secondary js-org-remap', type: 'button', text: t('org.import.remap') });
    remap.addEventListener('click', () => readPreview(true));
    const answersBox = answersTable(answer);
    const confirm = h('button', { class: 'sp-button js-org-import-confirm', type: 'button', text: t('org.import.confirm', { count: (answer.new ?? 0) + (answer.updated ?? 0) }) });
    confirm.addEventListener('click', doImport);
    const cancel = h('button', { class: 'sp-button sp-button--secondary', type: 'button', text: t('org.import.cancel') });
    cancel.addEventListener('click', () => {
      preview = null;
      previewBox.replaceChildren();
      status.ok(t('org.import.cancelled'));
      fileInput.focus();
    });
    const heading = h('h3', { class: 'sp-org-subtitle', id: 'sp-org-import-step2', tabindex: '-1', text: t('org.import.step2', { file: fileName }) });
    previewBox.replaceChildren(
      h(
        'section',
        { class: 'sp-org-panel', 'aria-labelledby': 'sp-org-import-step2' },
        heading,
        h('p', { text: t('org.import.detected', { delimiter: delimiterName(answer.delimiter), headers: headers.length }) }),
        counts(answer, false),
        h(
          'fieldset',
          { class: 'sp-org-map js-org-mapping' },
          h('legend', { class: 'sp-org-pair__legend', text: t('org.import.mapping') }),
          h('p', { class: 'sp-field__hint', text: t('org.import.mappingHint') }),
          h('div', { class: 'sp-org-map__grid' }, mapRows),
          h('p', { class: 'sp-actions' }, remap),
        ),
        answersBox,
        table,
        peopleLists(answer),
        h('h4', { class: 'sp-org-subsubtitle', text: t('org.import.issuesTitle') }),
        issuesTable(answer, 'preview'),
        h('p', { class: 'sp-actions' }, confirm, cancel),
      ),
    );
    return heading;
  }

  function delimiterName(d) {
    return t({ ',': 'org.import.delim.comma', ';': 'org.import.delim.semicolon', '\t': 'org.import.delim.tab' }[d] ?? 'org.import.delim.comma');
  }

  async function readPreview(withMap) {
    if (busy || !data) return;
    busy = true;
    status.ok(t('org.import.reading'));
    try {
      if (!withMap) {
        selects = new Map();
        answerSelects = new Map();
      }
      const res = await post({ preview: '1' }, withMap);
      if (!res.ok) {
        status.fail(await apiError(res));
        return;
      }
      preview = await res.json();
      status.ok(t('org.import.previewReady', { rows: preview.rows }));
      resultBox.replaceChildren();
      drawPreview(preview).focus();
    } catch {
      status.fail(t('org.http.offline'));
    } finally {
      busy = false;
    }
  }

  async function doImport() {
    if (busy || !data || !preview) return;
    busy = true;
    try {
      const params = { id: randomId() };
      // A dropped connection: the same id again imports once.
      let res;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          res = await post(params, true);
          break;
        } catch (err) {
          if (attempt === 2) throw err;
        }
      }
      if (!res.ok) {
        status.fail(await apiError(res));
        return;
      }
      const answer = await res.json();
      preview = null;
      previewBox.replaceChildren();
      const heading = h('h3', { class: 'sp-org-subtitle', id: 'sp-org-import-done', tabindex: '-1', text: t('org.import.done', { file: fileName }) });
      resultBox.replaceChildren(
        h(
          'section',
          { class: 'sp-org-panel js-org-import-result', 'aria-labelledby': 'sp-org-import-done' },
          heading,
          h('p', { text: t('org.import.doneText', { new: answer.new ?? 0, updated: answer.updated ?? 0, unchanged: answer.unchanged ?? 0, rejected: answer.rejected }) }),
          counts(answer, true),
          peopleLists(answer),
          h('h4', { class: 'sp-org-subsubtitle', text: t('org.import.issuesTitle') }),
          issuesTable(answer, 'result'),
        ),
      );
      status.ok(t('org.import.doneShort', { count: answer.new ?? 0 }));
      heading.focus();
    } catch {
      status.fail(t('org.http.offline'));
    } finally {
      busy = false;
    }
  }

  chooser.addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = fileInput.files?.[0];
    if (!file) {
      status.fail(t('org.import.noFile'));
      fileInput.focus();
      return;
    }
    if (file.size > 20 * 1024 * 1024) {
      status.fail(t('org.import.tooBig'));
      return;
    }
    fileName = file.name;
    data = await file.arrayBuffer();
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      text = null;
    }
    await readPreview(false);
  });

  const el = section('org-import', t('org.import.title'), [h('p', { class: 'sp-section-intro', text: t('org.import.intro') }), chooser, previewBox, resultBox]);
  return { el, refresh() {} };
}
