// views/org/event.js – the organiser edits the event details (sprint.update) and the programme
// (programme.set). Forms are filled from the state and refilled from events only while
// nobody has typed in them.

import { h } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { section } from '../common.js';
import { bilingual, field, run, statusLine, trackDirty } from './kit.js';

const KINDS = ['plenary', 'briefing', 'phase', 'break', 'lunch', 'pitch', 'jury', 'feedback', 'closing', 'social'];

/** The sprint as it is now: `sprint.created` with every `sprint.updated` on top. */
function currentSprint(session, org) {
  return { ...(session.state.sprint ?? {}), ...org.state.sprint };
}

/**
 * Mounts the event details and the programme editor.
 * @param {{session: object, org: object, live: HTMLElement}} env
 * @returns {{el: HTMLElement, refresh: (ev: object|null) => void}}
 */
export function mountEvent({ session, org }) {
  // ---- details ----
  const s0 = currentSprint(session, org);
  const title = bilingual({ id: 'sp-org-title', legend: t('org.event.name'), value: s0.title, attrs: { maxlength: '200' } });
  const date = field({ id: 'sp-org-date', label: t('org.event.date'), value: s0.date ?? '', attrs: { type: 'date' } });
  const venue = field({ id: 'sp-org-venue', label: t('org.event.venue'), value: pick(s0.venue), attrs: { maxlength: '200', autocomplete: 'off' } });
  const host = field({ id: 'sp-org-host', label: t('org.event.organiser'), value: pick(s0.organiser), attrs: { maxlength: '200', autocomplete: 'organization' } });
  const detailsStatus = statusLine();
  const details = h(
    'form',
    { class: 'sp-form sp-org-form', 'aria-labelledby': 'sp-org-details-title', novalidate: true },
    h('h3', { class: 'sp-org-subtitle', id: 'sp-org-details-title', text: t('org.event.details') }),
    title.fieldset,
    h('div', { class: 'sp-org-row' }, date.group, venue.group, host.group),
    h('p', { class: 'sp-actions' }, h('button', { class: 'sp-button', type: 'submit', text: t('org.event.save') })),
    detailsStatus.el,
  );
  const detailsDirty = trackDirty(details);
  function fillDetails() {
    const s = currentSprint(session, org);
    title.set(s.title);
    date.input.value = s.date ?? '';
    venue.input.value = pick(s.venue);
    host.input.value = pick(s.organiser);
  }
  details.addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = title.get();
    if (!name.nl || !name.en) {
      detailsStatus.fail(t('org.event.nameMissing'));
      title.inputs[name.nl ? 1 : 0].focus();
      return;
    }
    const res = await run(session, 'sprint.update', { title: name, date: date.input.value, venue: venue.input.value.trim(), organiser: host.input.value.trim() });
    if (res.ok) {
      detailsDirty.dirty = false;
      detailsStatus.ok(t('org.saved'));
    } else detailsStatus.fail(res.message);
  });

  // ---- programme ----
  const rowsBox = h('ol', { class: 'sp-org-programme' });
  const programmeStatus = statusLine();
  let rows = [];
  let nextRow = 0;

  function programmeRow(item) {
    const n = ++nextRow;
    const id = `sp-org-prog-${n}`;
    const start = field({ id: `${id}-time`, label: t('org.programme.time'), value: item.time ?? '', attrs: { type: 'time', required: true } });
    const end = field({ id: `${id}-end`, label: t('org.programme.end'), value: item.end ?? '', attrs: { type: 'time' } });
    const what = bilingual({ id: `${id}-title`, legend: t('org.programme.what'), value: item.title, attrs: { maxlength: '200' } });
    const kind = h('select', { class: 'sp-input sp-org-select', id: `${id}-kind` }, KINDS.map((k) => h('option', { value: k, text: t(`org.kind.${k}`) })));
    kind.value = KINDS.includes(item.kind) ? item.kind : 'plenary';
    const remove = h('button', { class: 'sp-button sp-button--small sp-button--secondary', type: 'button' }, t('org.programme.remove'), h('span', { class: 'sp-visually-hidden', text: ` ${item.time ?? ''} ${pick(item.title)}` }));
    const li = h(
      'li',
      { class: 'sp-org-programme__row' },
      h('div', { class: 'sp-org-row' }, start.group, end.group, h('div', { class: 'sp-field' }, h('label', { class: 'sp-field__label', for: `${id}-kind`, text: t('org.programme.kind') }), kind)),
      what.fieldset,
      h('p', { class: 'sp-actions' }, remove),
    );
    const row = {
      li,
      start,
      // Fields the editor does not show (a phase number) travel along unchanged.
      value: () => {
        const out = { ...item, time: start.input.value, title: what.get(), kind: kind.value };
        if (end.input.value) out.end = end.input.value;
        else delete out.end;
        return out;
      },
    };
    remove.addEventListener('click', () => {
      const at = rows.indexOf(row);
      rows.splice(at, 1);
      li.remove();
      programmeDirty.dirty = true;
      programmeStatus.ok(t('org.programme.removed'));
      (rows[at]?.start.input ?? rows[at - 1]?.start.input ?? addButton).focus();
    });
    return row;
  }

  function fillProgramme() {
    rows = session.state.programme.map(programmeRow);
    rowsBox.replaceChildren(...rows.map((r) => r.li));
  }

  const addButton = h('button', { class: 'sp-button sp-button--secondary', type: 'button', text: t('org.programme.add') });
  addButton.addEventListener('click', () => {
    const row = programmeRow({ time: '', title: { nl: '', en: '' }, kind: 'plenary' });
    rows.push(row);
    rowsBox.append(row.li);
    programmeDirty.dirty = true;
    row.start.input.focus();
  });
  const programme = h(
    'form',
    { class: 'sp-form sp-org-form', 'aria-labelledby': 'sp-org-programme-title', novalidate: true },
    h('h3', { class: 'sp-org-subtitle', id: 'sp-org-programme-title', text: t('org.programme.title') }),
    h('p', { class: 'sp-field__hint', text: t('org.programme.hint') }),
    rowsBox,
    h('p', { class: 'sp-actions' }, addButton, h('button', { class: 'sp-button', type: 'submit', text: t('org.programme.save') })),
    programmeStatus.el,
  );
  const programmeDirty = trackDirty(programme);
  programme.addEventListener('submit', async (e) => {
    e.preventDefault();
    const items = rows.map((r) => r.value());
    let bad = false;
    for (const r of rows) {
      const v = r.value();
      const missing = !/^\d{2}:\d{2}$/.test(v.time) || !v.title.nl || !v.title.en;
      r.start.setError(missing ? t('org.programme.incomplete') : null);
      if (missing && !bad) r.start.input.focus();
      bad ||= missing;
    }
    if (bad) {
      programmeStatus.fail(t('org.programme.incomplete'));
      return;
    }
    items.sort((a, b) => a.time.localeCompare(b.time));
    const res = await run(session, 'programme.set', { items });
    if (res.ok) {
      programmeDirty.dirty = false;
      programmeStatus.ok(t('org.saved'));
    } else programmeStatus.fail(res.message);
  });
  fillProgramme();

  const el = section('org-event', t('org.event.title'), [details, programme]);
  return {
    el,
    refresh(ev) {
      const type = ev?.type;
      if (!ev || type === 'sprint.created' || type === 'sprint.updated') if (!detailsDirty.dirty) fillDetails();
      if (!ev || type === 'programme.set') if (!programmeDirty.dirty) fillProgramme();
    },
  };
}
