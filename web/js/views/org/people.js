// views/org/people.js – personal data (AVG): find a participant, download everything held about
// them (GET /api/person/ID as a JSON file), and delete them after a confirmation in a modal
// dialog (person.delete; their notes stay, without their name).

import { announce, h, rerender, setText } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { section } from '../common.js';
import { api, apiError, download, run, statusLine } from './kit.js';

const SHOWN = 25;

function norm(s) {
  return String(s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/**
 * Mounts the personal-data section.
 * @param {{session: object, org: object, token: string, live: HTMLElement}} env
 * @returns {{el: HTMLElement, refresh: (ev: object|null) => void}}
 */
export function mountPeople({ session, org, token, live }) {
  const st = org.state;
  const search = h('input', { class: 'sp-input', id: 'sp-org-people-search', type: 'search', autocomplete: 'off', 'aria-describedby': 'sp-org-people-hint', 'aria-controls': 'sp-org-people-results' });
  const results = h('div', { id: 'sp-org-people-results' });
  const count = h('p', { class: 'sp-org-status', role: 'status' });
  const status = statusLine();

  /** Everyone the organiser may export or delete: registrations, and members who joined without one. */
  function everyone() {
    const out = [];
    const linkedMembers = new Set(st.linked.values());
    for (const p of st.people.values()) {
      const team = session.state.teams.get(st.placement.get(p.id));
      out.push({ id: p.id, name: p.name, email: p.email, organisation: p.organisation, team: team ? pick(team.name) : '', kind: 'person' });
    }
    for (const m of session.state.members.values()) {
      if (linkedMembers.has(m.id) || st.forgotten.has(m.id) || !m.name) continue;
      const team = session.state.teams.get(m.team);
      out.push({ id: m.id, name: m.name, email: null, organisation: '', team: team ? pick(team.name) : '', kind: 'member' });
    }
    return out;
  }

  async function exportPerson(entry) {
    try {
      const res = await api(token, `/api/person/${encodeURIComponent(entry.id)}`);
      if (!res.ok) {
        status.fail(await apiError(res));
        return;
      }
      const body = await res.text();
      download(new Blob([body], { type: 'application/json' }), t('org.people.file', { id: entry.id }));
      status.ok(t('org.people.exported', { name: entry.name }));
    } catch {
      status.fail(t('org.http.offline'));
    }
  }

  // ---- the confirmation dialog ----
  const dialogText = h('p', { id: 'sp-org-delete-text' });
  const confirmButton = h('button', { class: 'sp-button sp-button--warning js-org-delete-confirm', type: 'button', text: t('org.people.deleteConfirm') });
  const cancelButton = h('button', { class: 'sp-button sp-button--secondary', type: 'button', text: t('org.people.deleteCancel') });
  const dialog = h(
    'dialog',
    { class: 'sp-org-dialog', 'aria-labelledby': 'sp-org-delete-title', 'aria-describedby': 'sp-org-delete-text' },
    h('h2', { class: 'sp-org-dialog__title', id: 'sp-org-delete-title', text: t('org.people.deleteTitle') }),
    dialogText,
    h('p', { class: 'sp-field__hint', text: t('org.people.deleteKeeps') }),
    h('p', { class: 'sp-actions' }, confirmButton, cancelButton),
  );
  let pending = null;
  function ask(entry) {
    pending = entry;
    dialogText.textContent = t('org.people.deleteText', { name: entry.name, id: entry.id });
    dialog.showModal();
    cancelButton.focus();
  }
  function closeDialog() {
    pending = null;
    if (dialog.open) dialog.close();
  }
  cancelButton.addEventListener('click', () => {
    closeDialog();
    search.focus();
  });
  dialog.addEventListener('cancel', () => {
    pending = null;
    setTimeout(() => search.focus());
  });
  confirmButton.addEventListener('click', async () => {
    const entry = pending;
    if (!entry) return;
    const res = await run(session, 'person.delete', entry.kind === 'member' ? { member: entry.id } : { person: entry.id });
    closeDialog();
    search.focus();
    if (res.ok) {
      status.ok(t('org.people.deleted', { name: entry.name }));
      announce(live, t('org.people.deleted', { name: entry.name }));
    } else status.fail(res.message);
  });

  function list() {
    const q = norm(search.value.trim());
    const all = everyone();
    const found = q ? all.filter((e) => [e.name, e.email, e.organisation, e.id].some((v) => norm(v).includes(q))) : all;
    // Only a real change is read out: redraws after unrelated events leave the status alone.
    setText(count, q ? t('org.people.found', { count: found.length }) : t('org.people.total', { count: all.length }));
    if (!found.length) return [h('p', { text: q ? t('org.people.none') : t('org.people.empty') })];
    const rows = found.slice(0, SHOWN).map((e) => {
      const exp = h('button', { class: 'sp-button sp-button--small sp-button--secondary', type: 'button', dataset: { focusKey: `exp-${e.id}` } }, t('org.people.export'), h('span', { class: 'sp-visually-hidden', text: ` ${e.name}` }));
      exp.addEventListener('click', () => exportPerson(e));
      const del = h('button', { class: 'sp-button sp-button--small sp-button--warning', type: 'button', dataset: { focusKey: `del-${e.id}` } }, t('org.people.delete'), h('span', { class: 'sp-visually-hidden', text: ` ${e.name}` }));
      del.addEventListener('click', () => ask(e));
      return h(
        'tr',
        { dataset: { person: e.id } },
        h('th', { scope: 'row', text: e.name }),
        h('td', { text: e.email ?? '–' }),
        h('td', { text: e.organisation || '–' }),
        h('td', { text: e.team || '–' }),
        h('td', { class: 'sp-org-actions-cell' }, exp, ' ', del),
      );
    });
    return [
      h(
        'div',
        { class: 'sp-org-scroll', role: 'region', tabindex: '0', 'aria-labelledby': 'sp-org-people-caption' },
        h(
          'table',
          { class: 'sp-table sp-org-people-table js-org-people' },
          h('caption', { id: 'sp-org-people-caption', text: t('org.people.caption') }),
          h('thead', {}, h('tr', {}, ['name', 'email', 'organisation', 'team', 'actions'].map((c) => h('th', { scope: 'col', text: t(`org.people.col.${c}`) })))),
          h('tbody', {}, rows),
        ),
      ),
      found.length > SHOWN ? h('p', { text: t('org.people.more', { count: found.length - SHOWN }) }) : null,
    ];
  }

  const draw = () => rerender(results, list);
  search.addEventListener('input', draw);
  draw();

  const el = section('org-people', t('org.people.title'), [
    h('p', { class: 'sp-section-intro', text: t('org.people.intro') }),
    h(
      'div',
      { class: 'sp-field' },
      h('label', { class: 'sp-field__label', for: 'sp-org-people-search', text: t('org.people.search') }),
      h('p', { class: 'sp-field__hint', id: 'sp-org-people-hint', text: t('org.people.searchHint') }),
      search,
    ),
    count,
    results,
    status.el,
    dialog,
  ]);
  return {
    el,
    refresh() {
      // A redraw while the dialog is open would drop the row the dialog is about; it waits.
      if (!dialog.open) draw();
    },
  };
}
