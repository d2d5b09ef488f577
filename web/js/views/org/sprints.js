// views/org/sprints.js – the organiser's sprints (SPRINTS.md): every sprint of this server with
// its state, figures, what it publishes and its report (GET /api/sprints,
// /api/sprints/<id>/report.pdf|json|md); archiving the live sprint after one confirmation with
// the three publish choices (command sprint.archive); changing an archive's publication
// (POST /api/sprints/<id>/publish); and a new sprint from the default or an earlier one
// (POST /api/sprints), after which the page goes to the new sprint's organiser link.

import { announce, h, rerender } from '../../dom.js';
import { formatDate, t } from '../../i18n.js';
import { sameOriginHash, sprintList } from '../../bank.js';
import { staffOf } from '../../staff-state.js';
import { section } from '../common.js';
import { api, apiError, download, field, run, statusLine } from './kit.js';

const SWITCH_KEY = 'sp.switch';
const SWITCH_MS = 30000;

/**
 * The switch to a new sprint this tab is waiting for: after `POST /api/sprints` the server closes
 * every connection with `sprint_archived` and starts the new sprint in-process, so for a moment
 * the new link is not served yet. Kept in sessionStorage so a remount of the view still knows.
 * @returns {{token: string, hash: string, until: number}|null}
 */
export function pendingSwitch() {
  try {
    const v = JSON.parse(sessionStorage.getItem(SWITCH_KEY) ?? 'null');
    return v && typeof v.token === 'string' && v.until > Date.now() ? v : null;
  } catch {
    return null;
  }
}

function setPendingSwitch(v) {
  try {
    if (v) sessionStorage.setItem(SWITCH_KEY, JSON.stringify(v));
    else sessionStorage.removeItem(SWITCH_KEY);
  } catch {
    // Without storage the page still goes to the new link; a refusal then shows as usual.
  }
}

/** The new sprint's link works: the switch is over. */
export function endSwitch() {
  setPendingSwitch(null);
}

/**
 * What the organiser view does with a refused link while a switch is pending: the old
 * sprint's connection closing (`sprint_archived`) is the signal to go to the new link; the
 * new link refused while the server restarts is tried again. Returns false when no switch
 * is pending (the refusal is shown as usual).
 * @param {object} ctx app context
 * @param {object} err the refusal
 * @returns {boolean}
 */
export function followSwitch(ctx, err) {
  const sw = pendingSwitch();
  if (!sw) return false;
  const mine = ctx.route.token === sw.token;
  if (!mine && err?.code !== 'sprint_archived') return false;
  ctx.dropSession();
  setTimeout(() => ctx.navigate(sw.hash), mine ? 1000 : 200);
  return true;
}

const REPORTS = [
  { ext: 'pdf', type: 'application/pdf' },
  { ext: 'json', type: 'application/json' },
  { ext: 'md', type: 'text/markdown' },
];

/** The three publish choices of an archive, as checkboxes with a hint each. */
function publishChoices(prefix, values = { bank: true, orgs: false, public: false }) {
  const boxes = {};
  const items = ['bank', 'orgs', 'public'].map((key) => {
    const id = `${prefix}-${key}`;
    const box = h('input', { class: 'sp-checkbox', type: 'checkbox', id, 'aria-describedby': `${id}-hint`, dataset: { choice: key } });
    box.checked = values[key] === true;
    boxes[key] = box;
    return h('div', { class: 'sp-check sp-sprints-choice' }, box,
      h('label', { for: id, text: t(`org.sprints.choice.${key}`) }),
      h('p', { class: 'sp-field__hint', id: `${id}-hint`, text: t(`org.sprints.choice.${key}Hint`) }));
  });
  return { boxes, items, get: () => ({ bank: boxes.bank.checked, orgs: boxes.orgs.checked, public: boxes.public.checked }) };
}

/**
 * Mounts the sprints section.
 * @param {{session: object, token: string, live: HTMLElement}} env
 * @returns {{el: HTMLElement, refresh: (ev: object|null) => void}}
 */
export function mountSprints({ session, token, live }) {
  const state = session.state;
  const staff = staffOf(session);
  const listBox = h('div', { class: 'sp-sprints js-sprints', 'aria-busy': 'true' });
  const listStatus = statusLine();
  let sprints = [];

  async function load() {
    try {
      const res = await api(token, '/api/sprints');
      if (!res.ok) {
        // The server may still be starting this new sprint: ask again in a moment.
        if (res.status === 401 && pendingSwitch()?.token === token) {
          setTimeout(load, 700);
          return;
        }
        listStatus.fail(await apiError(res));
        return;
      }
      if (pendingSwitch()?.token === token) endSwitch();
      sprints = sprintList(await res.json()).sprints;
      drawList();
      fillFrom();
    } catch {
      if (pendingSwitch()?.token === token) setTimeout(load, 700);
      else listStatus.fail(t('org.http.offline'));
    } finally {
      listBox.removeAttribute('aria-busy');
    }
  }

  async function fetchReport(s, r) {
    listStatus.ok(t('org.report.making'));
    try {
      const res = await api(token, `/api/sprints/${encodeURIComponent(s.id)}/report.${r.ext}`);
      if (!res.ok) {
        listStatus.fail(await apiError(res));
        return;
      }
      download(new Blob([await res.blob()], { type: r.type }), t('org.sprints.file', { id: s.id, ext: r.ext }));
      listStatus.ok(t('org.sprints.reportReady', { title: s.title }));
    } catch {
      listStatus.fail(t('org.http.offline'));
    }
  }

  function publishedText(pub) {
    const published = ['bank', 'orgs', 'public'].filter((k) => pub[k]).map((k) => t(`org.sprints.pub.${k}`));
    return published.length ? t('org.sprints.publishedList', { list: published.join(', ') }) : t('org.sprints.unpublished');
  }

  function publishForm(s, line) {
    const choices = publishChoices(`sp-sprint-pub-${s.id}`, s);
    const status = statusLine();
    const form = h('form', { class: 'sp-form js-sprint-publish', novalidate: true },
      h('fieldset', { class: 'sp-fieldset' }, h('legend', { class: 'sp-field__label', text: t('org.sprints.publishLegend', { title: s.title }) }), choices.items),
      h('p', { class: 'sp-actions' }, h('button', { class: 'sp-button sp-button--small', type: 'submit', text: t('org.sprints.publishSave') })),
      status.el);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const res = await api(token, `/api/sprints/${encodeURIComponent(s.id)}/publish`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(choices.get()) });
        if (!res.ok) {
          status.fail(await apiError(res));
          return;
        }
        Object.assign(s, choices.get());
        line.textContent = publishedText(s);
        status.ok(t('org.saved'));
        announce(live, t('org.sprints.published', { title: s.title }));
      } catch {
        status.fail(t('org.http.offline'));
      }
    });
    return h('details', { class: 'sp-sprints-details' }, h('summary', { class: 'sp-sprints-summary', text: t('org.sprints.publishChange') }), form);
  }

  function card(s) {
    const archived = s.state === 'archived' || (s.live && state.archived);
    const pub = archived && s.live && state.archived ? state.archived : s;
    const stateText = archived ? t('org.sprints.archived') : t('org.sprints.live');
    const pubLine = archived ? h('p', { class: 'js-sprint-pub', text: publishedText(pub) }) : null;
    const titleId = `sp-sprint-${s.id}`;
    return h('li', { class: `sp-card sp-sprints-card${s.live ? ' sp-sprints-card--live' : ''} js-sprint`, dataset: { sprint: s.id, state: archived ? 'archived' : 'live' } },
      h('h3', { class: 'sp-card__title', id: titleId }, s.title, ' ', h('span', { class: `sp-sprints-state${archived ? '' : ' sp-sprints-state--live'}`, text: stateText })),
      h('p', { text: [s.date ? formatDate(s.date) : '', t('org.sprints.figures', { teams: s.teams, people: s.people, ideas: s.ideas })].filter(Boolean).join(' · ') }),
      pubLine,
      h('p', { class: 'sp-actions sp-sprints-reports' }, REPORTS.map((r) => {
        const b = h('button', { class: 'sp-button sp-button--small sp-button--secondary', type: 'button', dataset: { focusKey: `rep-${s.id}-${r.ext}`, report: r.ext } }, t(`org.sprints.report.${r.ext}`), h('span', { class: 'sp-visually-hidden', text: ` ${s.title}` }));
        b.addEventListener('click', () => fetchReport(s, r));
        return b;
      })),
      archived && !s.live ? publishForm(s, pubLine) : null,
    );
  }

  function drawList() {
    const anyPublic = sprints.some((s) => s.public && s.state === 'archived');
    rerender(listBox, () => [
      sprints.length ? h('ul', { class: 'sp-cards' }, sprints.map(card)) : h('p', { text: t('org.sprints.none') }),
      // The public page (no token) once a closed sprint is published there.
      anyPublic ? h('p', { class: 'sp-sprints-public' }, h('a', { class: 'sp-link js-public-bank', href: '#/bank', text: t('org.sprints.publicLink') })) : null,
    ]);
  }

  // ---- archiving, after one confirmation ----
  const archiveChoices = publishChoices('sp-sprint-archive');
  const juryWarning = h('p', { class: 'sp-notice js-archive-jury', hidden: true, text: t('org.sprints.juryOpen') });
  const confirmButton = h('button', { class: 'sp-button sp-button--warning js-archive-confirm', type: 'button', text: t('org.sprints.archiveConfirm') });
  const cancelButton = h('button', { class: 'sp-button sp-button--secondary', type: 'button', text: t('org.sprints.cancel') });
  const dialogStatus = statusLine();
  const dialog = h('dialog', { class: 'sp-org-dialog js-archive-dialog', 'aria-labelledby': 'sp-archive-title', 'aria-describedby': 'sp-archive-text' },
    h('h2', { class: 'sp-org-dialog__title', id: 'sp-archive-title', text: t('org.sprints.archiveTitle') }),
    h('p', { id: 'sp-archive-text', text: t('org.sprints.archiveText') }),
    juryWarning,
    h('fieldset', { class: 'sp-fieldset' }, h('legend', { class: 'sp-field__label', text: t('org.sprints.archiveLegend') }), archiveChoices.items),
    h('p', { class: 'sp-actions' }, confirmButton, cancelButton),
    dialogStatus.el);
  const archiveButton = h('button', { class: 'sp-button sp-button--warning js-archive', type: 'button', text: t('org.sprints.archive') });
  const archivedLine = h('p', { class: 'sp-notice js-archived-line', hidden: true });
  let afterArchive = null;
  let returnFocus = archiveButton;

  function askArchive(then = null, from = archiveButton) {
    afterArchive = then;
    returnFocus = from;
    juryWarning.hidden = staff.state.jury.phase === 'announced';
    dialogStatus.clear();
    dialog.showModal();
    cancelButton.focus();
  }
  archiveButton.addEventListener('click', () => askArchive());
  cancelButton.addEventListener('click', () => {
    afterArchive = null;
    dialog.close();
    returnFocus.focus();
  });
  dialog.addEventListener('cancel', () => {
    afterArchive = null;
    setTimeout(() => returnFocus.focus());
  });
  confirmButton.addEventListener('click', async () => {
    // The dialog is the one confirmation: it names an unannounced jury, so confirm is true.
    const res = await run(session, 'sprint.archive', { ...archiveChoices.get(), confirm: true });
    if (!res.ok) {
      dialogStatus.fail(res.message);
      return;
    }
    dialog.close();
    announce(live, t('org.sprints.archivedNews'));
    const then = afterArchive;
    afterArchive = null;
    if (then) then();
    else returnFocus.focus();
  });

  // ---- a new sprint ----
  const fromSel = h('select', { class: 'sp-input sp-org-select js-new-from', id: 'sp-new-sprint-from', 'aria-describedby': 'sp-new-sprint-from-hint' });
  const fromGroup = h('div', { class: 'sp-field' },
    h('label', { class: 'sp-field__label', for: 'sp-new-sprint-from', text: t('org.sprints.from') }),
    h('p', { class: 'sp-field__hint', id: 'sp-new-sprint-from-hint', text: t('org.sprints.fromHint') }),
    fromSel);
  const title = field({ id: 'sp-new-sprint-title', label: t('org.sprints.newTitle'), attrs: { maxlength: '200', autocomplete: 'off', required: true } });
  const date = field({ id: 'sp-new-sprint-date', label: t('org.sprints.newDate'), attrs: { type: 'date', required: true } });
  const createStatus = statusLine();
  const createButton = h('button', { class: 'sp-button js-new-sprint', type: 'submit', text: t('org.sprints.create') });
  const createHint = h('p', { class: 'sp-field__hint js-new-hint' });
  const createForm = h('form', { class: 'sp-form sp-org-form js-new-sprint-form', 'aria-labelledby': 'sp-new-sprint-heading', novalidate: true },
    h('h3', { class: 'sp-org-subtitle', id: 'sp-new-sprint-heading', text: t('org.sprints.newHeading') }),
    createHint,
    fromGroup,
    h('div', { class: 'sp-org-row' }, title.group, date.group),
    h('p', { class: 'sp-actions' }, createButton),
    createStatus.el);

  function fillFrom() {
    const keep = fromSel.value;
    fromSel.replaceChildren(h('option', { value: 'default', text: t('org.sprints.fromDefault') }),
      ...sprints.map((s) => h('option', { value: s.id, text: [s.title, s.date ? formatDate(s.date) : ''].filter(Boolean).join(' – ') })));
    fromSel.value = [...fromSel.options].some((o) => o.value === keep) ? keep : 'default';
  }

  let creating = false;
  async function create(body) {
    if (creating) return;
    creating = true;
    createStatus.ok(t('org.sprints.creating'));
    try {
      const res = await api(token, '/api/sprints', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) {
        createStatus.fail(await apiError(res));
        createButton.focus();
        return;
      }
      const answer = await res.json();
      createStatus.ok(t('org.sprints.created', { title: body.title }));
      const url = String(answer?.organiser ?? '');
      const hash = sameOriginHash(url, location.href);
      if (!hash) {
        // Another address (the server's public one): the browser loads it.
        if (url) location.assign(url);
        return;
      }
      // The page goes to the new organiser link once the server has closed this sprint's
      // connection (sprint_archived, see followSwitch), or after a few seconds in any case.
      setPendingSwitch({ token: /^#\/o\/([^/]+)$/.test(hash) ? decodeURIComponent(hash.slice(4)) : '', hash, until: Date.now() + SWITCH_MS });
      setTimeout(() => {
        if (location.hash !== hash && pendingSwitch()?.hash === hash) location.hash = hash;
      }, 5000);
    } catch {
      createStatus.fail(t('org.http.offline'));
    } finally {
      creating = false;
    }
  }

  createForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = { from: fromSel.value || 'default', title: title.input.value.trim(), date: date.input.value };
    title.setError(body.title ? null : t('org.sprints.titleMissing'));
    date.setError(/^\d{4}-\d{2}-\d{2}$/.test(body.date) ? null : t('org.sprints.dateMissing'));
    if (!body.title) {
      title.input.focus();
      return;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(body.date)) {
      date.input.focus();
      return;
    }
    // A new sprint needs the live one archived: the same one confirmation comes first.
    if (!state.archived) askArchive(() => create(body), createButton);
    else create(body);
  });

  function drawState() {
    const a = state.archived;
    archiveButton.hidden = Boolean(a);
    archivedLine.hidden = !a;
    archivedLine.textContent = a ? t('org.sprints.isArchived') : '';
    createHint.textContent = t(a ? 'org.sprints.newHintArchived' : 'org.sprints.newHint');
  }

  const el = section('org-sprints', t('org.sprints.title'), [
    h('p', { class: 'sp-section-intro', text: t('org.sprints.intro') }),
    h('p', {}, h('a', { class: 'sp-link js-bank-link', href: `#/o/${encodeURIComponent(token)}/bank`, text: t('org.sprints.bankLink') })),
    listBox,
    listStatus.el,
    h('h3', { class: 'sp-org-subtitle', text: t('org.sprints.archiveHeading') }),
    h('p', { class: 'sp-field__hint', text: t('org.sprints.archiveIntro') }),
    archivedLine,
    h('p', { class: 'sp-actions' }, archiveButton),
    createForm,
    dialog,
  ]);
  fillFrom();
  drawState();
  load();
  return {
    el,
    refresh(ev) {
      if (!ev || ev.type === 'sprint.archived' || ev.type === 'sprint.published') {
        drawState();
        if (sprints.length && !dialog.open) drawList();
      }
    },
  };
}
