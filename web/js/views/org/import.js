// views/org/import.js – registrations from a form tool's CSV export: choose the file, check the
// guessed mapping of fields to columns and a preview (POST /api/import?preview=1), import
// (POST /api/import), and read the report of rejected rows with their line numbers.

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

  /** The bytes of the chosen file, read once. */
  let data = null;
  let fileName = '';
  /** The preview answer the mapping selects were drawn from. */
  let preview = null;
  /** Selects by field: their value is the 0-based column, or '' for "not used". */
  let selects = new Map();
  let busy = false;

  function mapParam() {
    const parts = [];
    for (const m of preview?.mapping ?? []) {
      const sel = selects.get(m.field);
      if (!sel) continue;
      const guessed = m.column === null || m.column === undefined ? '' : String(m.column);
      if (sel.value === guessed) continue;
      parts.push(`${m.field}=${sel.value === '' ? '-' : Number(sel.value) + 1}`);
    }
    return parts.join(',');
  }

  async function post(params) {
    const query = new URLSearchParams(params).toString();
    return api(token, `/api/import?${query}`, { method: 'POST', body: data, headers: { 'Content-Type': 'text/csv' } });
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
      [done ? 'imported' : 'willImport', answer.imported],
      [done ? 'replaced' : 'willReplace', answer.replaced],
      ['rejected', answer.rejected],
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
    const remap = h('button', { class: 'sp-button sp-button--secondary', type: 'button', text: t('org.import.remap') });
    remap.addEventListener('click', () => readPreview(true));
    const confirm = h('button', { class: 'sp-button js-org-import-confirm', type: 'button', text: t('org.import.confirm', { count: answer.imported }) });
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
        table,
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
      const params = { preview: '1' };
      const map = withMap ? mapParam() : '';
      if (map) params.map = map;
      const res = await post(params);
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
      const map = mapParam();
      if (map) params.map = map;
      // A dropped connection: the same id again imports once.
      let res;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          res = await post(params);
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
          h('p', { text: t('org.import.doneText', { imported: answer.imported, replaced: answer.replaced, rejected: answer.rejected }) }),
          counts(answer, true),
          h('h4', { class: 'sp-org-subsubtitle', text: t('org.import.issuesTitle') }),
          issuesTable(answer, 'result'),
        ),
      );
      status.ok(t('org.import.doneShort', { imported: answer.imported }));
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
    await readPreview(false);
  });

  const el = section('org-import', t('org.import.title'), [h('p', { class: 'sp-section-intro', text: t('org.import.intro') }), chooser, previewBox, resultBox]);
  return { el, refresh() {} };
}
