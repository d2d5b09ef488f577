// views/jury.js – the jury: each juror reads every team's dossier in pitch order – the teams of
// their own challenge first, with filters by challenge and for what they have not scored yet – and
// scores it on the weighted criteria, with private notes, conflict flags and recusal; the chair
// sees who has scored which teams, locks (naming the teams no one scored, and asking first) and
// announces; after the announcement the jury sees the full results.
//
// The shared jury link (actor "jury") is the jury room's read-only view: it receives what all
// jurors receive (criteria, dossiers) but may not score.

import { announce, h, rerender } from '../dom.js';
import { errorText, formatDate, pick, t } from '../i18n.js';
import { ownTotal, pitchSequence, staffOf } from '../staff-state.js';
import { batched, challengeList, section, showBadLink } from './common.js';
import { button, teamName } from './staff/kit.js';
import { num, resultsNodes } from './staff/results.js';

/** Events of state.js that change what the jury page shows. */
const RELEVANT = new Set(['sprint.created', 'challenge.set', 'team.created', 'room.created', 'playbook.set']);
const NOTE_MAX = 2000;

/**
 * The canvases of the playbook with their field names, in playbook order.
 * @param {import('../state.js').ClientState} state
 * @returns {Map<string, {name: object, fields: object[]}>} canvas id → step name and fields
 */
function canvasDefs(state) {
  const defs = new Map();
  for (const step of state.steps) {
    if (step.activity === 'canvas' && step.params?.canvas) defs.set(step.params.canvas, { name: step.name, fields: step.params.fields ?? [] });
  }
  return defs;
}

/**
 * Mounts the jury view.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function mount(ctx) {
  const { main } = ctx;
  const session = ctx.useSession(ctx.route.token);
  const state = session.state;
  const staff = staffOf(session);
  const jury = staff.state.jury;
  ctx.setTitle(t('jury.title'));

  const heading = h('h1', { class: 'sp-heading', tabindex: '-1' });
  const meta = h('p', { class: 'sp-lead' });
  const who = h('p', { class: 'sp-jury__who js-jury-who' });
  const phaseNote = h('p', { class: 'sp-notice js-jury-phase' });
  const errors = h('div', { class: 'sp-alert js-jury-error', role: 'alert' });
  const live = h('div', { class: 'sp-visually-hidden', 'aria-live': 'polite' });
  const body = h('div', { class: 'sp-jury' });
  main.append(heading, meta, who, phaseNote, errors, body, live);

  /** Drafts of private notes by team, so a redraw never eats what a juror is typing. */
  const drafts = new Map();
  let selected = null;
  let confirming = false;
  /** The teams no juror scored fully, when a lock was refused for them (then the chair confirms). */
  let unscored = null;
  const filter = { challenge: null, open: false };

  function me() {
    const m = session.welcome?.me ?? {};
    const id = m.juror ?? null;
    const juror = id ? jury.jurors.get(id) : null;
    return { id, name: juror?.name ?? m.name ?? '', chair: juror ? juror.chair : m.chair === true };
  }

  async function run(cmd, args, done) {
    errors.replaceChildren();
    try {
      await session.conn.send(cmd, args);
      if (done) announce(live, done);
      return true;
    } catch (err) {
      if (err?.code !== 'closed') errors.replaceChildren(h('p', { text: errorText(err) }));
      return false;
    }
  }

  function criteriaSection() {
    const order = jury.tiebreak?.order ?? [];
    const critName = (id) => pick(jury.criteria.find((c) => c.id === id)?.name) || id;
    return section('criteria', t('jury.criteria.title'), [
      h('p', { class: 'sp-section-intro', text: t('jury.criteria.intro', { scale: jury.scale }) }),
      h('ul', { class: 'sp-jury__criteria' },
        jury.criteria.map((c) =>
          h('li', { class: 'sp-jury__criterion' },
            h('span', { class: 'sp-jury__criterion-name', text: pick(c.name) }), ' ',
            h('span', { class: 'sp-jury__weight', text: t('jury.weight', { weight: num(c.weight ?? 1, 1, 0) }) }),
            c.hint ? h('p', { class: 'sp-jury__hint', text: pick(c.hint) }) : null,
          ),
        ),
      ),
      h('p', { class: 'sp-jury__rule js-jury-tiebreak', text: jury.tiebreak ? t(jury.tiebreak.normalise ? 'jury.tiebreak.normalised' : 'jury.tiebreak.mean', { order: order.map(critName).join(', ') }) : t('jury.tiebreak.none') }),
    ]);
  }

  function chairSection() {
    const rows = [...jury.jurors.values()].map((j) => {
      const p = jury.progress.get(j.id);
      const recused = [...jury.recused].filter((k) => k.startsWith(`${j.id}|`)).map((k) => teamName(state, k.split('|')[1]));
      const conflicts = [...jury.conflicts.values()].filter((c) => c.juror === j.id).map((c) => teamName(state, c.team));
      return h('tr', { dataset: { juror: j.id } },
        h('th', { scope: 'row', text: j.chair ? t('jury.chair.nameChair', { name: j.name }) : j.name }),
        h('td', { class: 'sp-table__number js-progress', text: p ? t('jury.chair.done', { done: p.done, teams: p.teams }) : '–' }),
        h('td', { class: 'js-juror-todo' }, todoNode(j.id, p)),
        h('td', { text: recused.join(', ') || '–' }),
        h('td', { text: conflicts.join(', ') || '–' }),
      );
    });
    const actions = [];
    if (jury.phase === 'setup') actions.push(button(t('jury.chair.open'), { key: 'chair-open', onClick: () => run('jury.open', {}, t('jury.chair.opened')) }));
    if (jury.phase === 'open' && unscored) {
      actions.push(h('p', { class: 'sp-jury__confirm js-lock-confirm', text: t('jury.chair.unscored', { count: unscored.length, names: unscored.map((id) => teamName(state, id, jury.dossiers.get(id)?.name)).join(', ') }) }));
      actions.push(button(t('jury.chair.lockAnyway'), { kind: 'warning', key: 'chair-lock-yes', onClick: async () => {
        unscored = null;
        await run('jury.lock', { confirm: true }, t('jury.chair.locked'));
        schedule();
      } }));
      actions.push(button(t('jury.chair.cancel'), { kind: 'secondary', key: 'chair-lock-cancel', onClick: () => {
        unscored = null;
        draw();
        main.querySelector('[data-focus-key="chair-lock"]')?.focus();
      } }));
    } else if (jury.phase === 'open') {
      actions.push(button(t('jury.chair.lock'), { key: 'chair-lock', onClick: () => lock() }));
      actions.push(button(t('jury.chair.refresh'), { kind: 'secondary', key: 'chair-refresh', onClick: () => run('jury.refresh', {}, t('jury.chair.refreshed')) }));
    }
    if (jury.phase === 'locked') {
      if (confirming) {
        actions.push(h('p', { class: 'sp-jury__confirm', text: t('jury.chair.confirm') }));
        actions.push(button(t('jury.chair.announceYes'), { key: 'chair-announce-yes', onClick: async () => {
          confirming = false;
          await run('jury.announce', {}, t('jury.chair.announced'));
          schedule();
        } }));
        actions.push(button(t('jury.chair.cancel'), { kind: 'secondary', key: 'chair-cancel', onClick: () => {
          confirming = false;
          draw();
          main.querySelector('[data-focus-key="chair-announce"]')?.focus();
        } }));
      } else {
        actions.push(button(t('jury.chair.announce'), { key: 'chair-announce', onClick: () => {
          confirming = true;
          draw();
          main.querySelector('[data-focus-key="chair-announce-yes"]')?.focus();
        } }));
        actions.push(button(t('jury.chair.unlock'), { kind: 'secondary', key: 'chair-unlock', onClick: () => run('jury.unlock', {}, t('jury.chair.unlocked')) }));
      }
    }
    return section('chair', t('jury.chair.title'), [
      h('p', { class: 'sp-section-intro', text: t('jury.chair.intro') }),
      rows.length
        ? h('table', { class: 'sp-table sp-jury__progress' },
            h('caption', { class: 'sp-visually-hidden', text: t('jury.chair.caption') }),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('jury.chair.juror') }), h('th', { scope: 'col', class: 'sp-table__number', text: t('jury.chair.progress') }), h('th', { scope: 'col', text: t('jury.chair.todo') }), h('th', { scope: 'col', text: t('jury.chair.recused') }), h('th', { scope: 'col', text: t('jury.chair.conflicts') }))),
            h('tbody', {}, rows))
        : null,
      h('div', { class: 'sp-actions' }, actions),
    ]);
  }

  /** The teams a juror has not fully scored yet (the chair knows which, never the scores). */
  function todoNode(jurorId, p) {
    if (!p?.scored) return '–';
    const done = new Set(p.scored);
    const todo = [...jury.dossiers.keys()].filter((id) => !done.has(id) && !jury.recused.has(`${jurorId}|${id}`));
    if (!todo.length) return t('jury.chair.allScored');
    return h('details', { class: 'sp-jury__todo' },
      h('summary', { text: t('jury.chair.todoCount', { count: todo.length }) }),
      h('p', { text: todo.map((id) => teamName(state, id, jury.dossiers.get(id)?.name)).join(', ') }));
  }

  /** The teams no juror has scored on every criterion, as far as the chair's progress tells. */
  function nobodyScored() {
    const scored = new Set();
    for (const p of jury.progress.values()) for (const id of p.scored ?? []) scored.add(id);
    return [...jury.dossiers.keys()].filter((id) => !scored.has(id));
  }

  /** Locks; with teams unscored the server refuses, and the chair is asked, naming them. */
  async function lock() {
    errors.replaceChildren();
    try {
      await session.conn.send('jury.lock', {});
      announce(live, t('jury.chair.locked'));
    } catch (err) {
      if (err?.code === 'jury_unscored') {
        unscored = nobodyScored();
        draw();
        main.querySelector('[data-focus-key="chair-lock-yes"]')?.focus();
      } else if (err?.code !== 'closed') errors.replaceChildren(h('p', { text: errorText(err) }));
    }
  }

  function scoredCount(team) {
    return jury.criteria.filter((c) => jury.scores.has(`${team}|${c.id}`)).length;
  }

  function pitchList(order, myId) {
    return h('ol', { class: 'sp-jury__pitches' },
      order.map((id) => {
        const status = [];
        if (myId) {
          if (jury.recused.has(`${myId}|${id}`)) status.push(t('jury.pitch.recused'));
          else status.push(t('jury.pitch.scored', { done: scoredCount(id), total: jury.criteria.length }));
          if (jury.conflicts.has(`${myId}|${id}`)) status.push(t('jury.pitch.conflict'));
        }
        return h('li', { class: 'sp-jury__pitch' },
          h('button', { class: `sp-jury__pitch-button js-pitch${id === selected ? ' sp-jury__pitch-button--current' : ''}`, type: 'button', 'aria-current': id === selected ? 'true' : null, dataset: { team: id, focusKey: `pitch-${id}` }, on: { click: () => { selected = id; draw(); main.querySelector('#sp-jury-team')?.focus(); } } },
            h('span', { class: 'sp-jury__pitch-name', text: teamName(state, id, jury.dossiers.get(id)?.name) }),
            status.length ? h('span', { class: 'sp-jury__pitch-status', text: status.join(' · ') }) : null),
        );
      }),
    );
  }

  function dossierNodes(team) {
    const dossier = jury.dossiers.get(team);
    if (!dossier) return [h('p', { class: 'sp-jury__quiet', text: t('jury.dossier.none') })];
    const defs = canvasDefs(state);
    const parts = [];
    for (const canvasId of ['pitch', 'plan']) {
      const fields = dossier.canvases?.[canvasId] ?? {};
      const def = defs.get(canvasId);
      // Only what the team wrote; an empty canvas says so once instead of field by field.
      const filled = (def?.fields ?? Object.keys(fields).map((id) => ({ id, name: id }))).filter((f) => (fields[f.id] ?? '').trim() !== '');
      const list = filled.map((f) => h('div', { class: 'sp-jury__field' }, h('dt', { text: pick(f.name) }), h('dd', { text: fields[f.id] })));
      parts.push(h('div', { class: 'sp-jury__canvas' }, h('h4', { class: 'sp-jury__canvas-title', text: def ? pick(def.name) : canvasId }), list.length ? h('dl', { class: 'sp-jury__fields' }, list) : h('p', { class: 'sp-jury__quiet', text: t('jury.dossier.emptyCanvas') })));
    }
    const ms = dossier.milestones ?? [];
    const ideas = new Map();
    for (const m of ms) {
      if (!ideas.has(m.idea)) ideas.set(m.idea, { text: m.idea_text, items: [] });
      ideas.get(m.idea).items.push(m);
    }
    parts.push(h('div', { class: 'sp-jury__canvas' },
      h('h4', { class: 'sp-jury__canvas-title', text: t('jury.dossier.crystal') }),
      ideas.size
        ? [...ideas.values()].map((idea) =>
            h('div', { class: 'sp-jury__idea' },
              h('p', { class: 'sp-jury__idea-text', text: idea.text || t('jury.dossier.idea') }),
              h('ol', { class: 'sp-jury__timeline' }, idea.items.sort((a, b) => a.at - b.at).map((m) =>
                h('li', {}, h('span', { class: 'sp-jury__when', text: m.at === 0 ? t('jury.dossier.now') : t('jury.dossier.year', { count: m.at }) }), ' ', h('span', { class: 'sp-jury__kind', text: `${t(`jury.dossier.kind.${m.kind}`)}:` }), ' ', m.text)))))
        : h('p', { class: 'sp-jury__quiet', text: t('jury.dossier.noCrystal') })));
    return parts;
  }

  function scoringNodes(team, myId) {
    const recused = jury.recused.has(`${myId}|${team}`);
    const conflict = jury.conflicts.get(`${myId}|${team}`);
    const name = teamName(state, team, jury.dossiers.get(team)?.name);
    const nodes = [];
    if (conflict) {
      nodes.push(h('div', { class: 'sp-jury__conflict js-conflict' },
        h('p', { text: t('jury.conflict.text', { organisation: conflict.organisation, count: conflict.members?.length ?? 1 }) })));
    }
    if (jury.phase === 'setup' || jury.phase === 'open') {
      nodes.push(h('div', { class: 'sp-actions' },
        recused
          ? button(t('jury.recuse.undo'), { kind: 'secondary', hidden: t('jury.for', { team: name }), key: `unrecuse-${team}`, onClick: () => run('jury.recuse', { team, recused: false }, t('jury.recuse.undone')) })
          : button(t('jury.recuse.do'), { kind: 'warning', hidden: t('jury.for', { team: name }), key: `recuse-${team}`, onClick: () => run('jury.recuse', { team, recused: true }, t('jury.recuse.done')) })));
    }
    if (recused) {
      nodes.push(h('p', { class: 'sp-notice', text: t('jury.recused') }));
      return nodes;
    }
    const open = jury.phase === 'open';
    const total = ownTotal(jury, team);
    const fields = jury.criteria.map((c) => {
      const id = `sp-score-${team}-${c.id}`;
      const value = jury.scores.get(`${team}|${c.id}`);
      const hintId = c.hint ? `${id}-hint` : null;
      const select = h('select', { class: 'sp-input sp-jury__score js-score', id, 'aria-describedby': hintId, disabled: !open, dataset: { criterion: c.id, focusKey: `score-${team}-${c.id}` } },
        h('option', { value: '', text: t('jury.score.none') }),
        Array.from({ length: jury.scale }, (_, i) => h('option', { value: String(i + 1), text: String(i + 1), selected: value === i + 1 })));
      select.addEventListener('change', () => {
        if (select.value) run('jury.score', { team, criterion: c.id, score: Number(select.value) });
      });
      return h('div', { class: 'sp-field sp-jury__score-field' },
        h('label', { class: 'sp-field__label', for: id, text: t('jury.score.label', { name: pick(c.name), weight: num(c.weight ?? 1, 1, 0) }) }),
        c.hint ? h('p', { class: 'sp-field__hint', id: hintId, text: pick(c.hint) }) : null,
        select);
    });
    nodes.push(h('fieldset', { class: 'sp-jury__scores' },
      h('legend', { class: 'sp-jury__legend', text: t('jury.score.legend', { team: name, scale: jury.scale }) }),
      fields,
      h('p', { class: 'sp-jury__total js-own-total', text: total === null ? t('jury.total.none') : t('jury.total', { total: num(total) }) })));

    const noteId = `sp-note-${team}`;
    const textarea = h('textarea', { class: 'sp-textarea', id: noteId, rows: '3', maxlength: String(NOTE_MAX), 'aria-describedby': `${noteId}-hint`, dataset: { focusKey: `note-${team}` } });
    textarea.value = drafts.get(team) ?? jury.notes.get(team) ?? '';
    textarea.addEventListener('input', () => drafts.set(team, textarea.value));
    nodes.push(h('div', { class: 'sp-field sp-jury__note' },
      h('label', { class: 'sp-field__label', for: noteId, text: t('jury.note.label') }),
      h('p', { class: 'sp-field__hint', id: `${noteId}-hint`, text: t('jury.note.hint') }),
      textarea,
      h('div', { class: 'sp-actions' }, button(t('jury.note.save'), { kind: 'secondary', hidden: t('jury.for', { team: name }), key: `note-save-${team}`, onClick: async () => {
        if (await run('jury.note', { team, text: textarea.value.trim() }, t('jury.note.saved'))) drafts.delete(team);
      } }))));
    return nodes;
  }

  /** The challenge of a team, from its dossier or its room. */
  function challengeOf(id) {
    return jury.dossiers.get(id)?.challenge ?? state.rooms.get(state.teams.get(id)?.room)?.challenge ?? '';
  }

  /** Filters: by challenge, and only what this juror has not scored yet. */
  function filterNodes(myId) {
    const select = h('select', { class: 'sp-input sp-jury__filter js-jury-filter', id: 'sp-jury-filter', dataset: { focusKey: 'jury-filter' } },
      h('option', { value: '', text: t('jury.filter.all') }),
      [...state.challenges.values()].map((c) => h('option', { value: c.id, text: pick(c.title), selected: filter.challenge === c.id })));
    select.addEventListener('change', () => {
      filter.challenge = select.value || null;
      draw();
    });
    const open = h('input', { type: 'checkbox', id: 'sp-jury-open', class: 'sp-checkbox js-jury-open', checked: filter.open, dataset: { focusKey: 'jury-open' } });
    open.addEventListener('change', () => {
      filter.open = open.checked;
      draw();
    });
    return h('div', { class: 'sp-jury__filters' },
      h('div', { class: 'sp-field sp-field--inline' }, h('label', { class: 'sp-field__label', for: 'sp-jury-filter', text: t('jury.filter.label') }), select),
      myId ? h('div', { class: 'sp-check' }, open, h('label', { for: 'sp-jury-open', text: t('jury.filter.open') })) : null);
  }

  function pitchesSection(myId) {
    let order = pitchSequence(staff.state, [...state.teams.keys()], [...state.rooms.keys()]);
    // The juror's own challenge first, in pitch order; then the others.
    const mine = myId ? jury.jurors.get(myId)?.challenge : '';
    if (mine) order = [...order.filter((id) => challengeOf(id) === mine), ...order.filter((id) => challengeOf(id) !== mine)];
    if (filter.challenge) order = order.filter((id) => challengeOf(id) === filter.challenge);
    if (filter.open && myId) order = order.filter((id) => id === selected || (!jury.recused.has(`${myId}|${id}`) && scoredCount(id) < jury.criteria.length));
    if (!order.length) {
      return section('pitches', t('jury.pitches.title'), [filterNodes(myId), h('p', { class: 'sp-jury__quiet', text: t('jury.filter.none') })]);
    }
    if (!selected || !order.includes(selected)) selected = order[0];
    const dossier = jury.dossiers.get(selected);
    const room = state.rooms.get(dossier?.room ?? state.teams.get(selected)?.room);
    const challenge = state.challenges.get(dossier?.challenge ?? room?.challenge);
    const detail = h('section', { class: 'sp-jury__team js-jury-team', 'aria-labelledby': 'sp-jury-team', dataset: { team: selected } },
      h('h3', { class: 'sp-jury__team-name', id: 'sp-jury-team', tabindex: '-1', text: teamName(state, selected, dossier?.name) }),
      challenge ? h('p', { class: 'sp-jury__challenge', text: t('organiser.rooms.challenge', { title: pick(challenge.title) }) }) : null,
      dossierNodes(selected),
      myId ? scoringNodes(selected, myId) : null);
    return section('pitches', t('jury.pitches.title'), [
      h('p', { class: 'sp-section-intro', text: mine ? t('jury.pitches.introMine', { title: pick(state.challenges.get(mine)?.title) || mine }) : t('jury.pitches.intro') }),
      filterNodes(myId),
      h('div', { class: 'sp-jury__layout' }, h('nav', { class: 'sp-jury__nav', 'aria-label': t('jury.pitches.nav') }, pitchList(order, myId)), detail),
    ]);
  }

  function phaseText() {
    if (jury.phase === 'open') return t('jury.phase.open');
    if (jury.phase === 'locked') return t('jury.phase.locked');
    if (jury.phase === 'announced') return t('jury.phase.announced');
    return t('jury.scoringLater');
  }

  function draw() {
    const sprint = state.sprint;
    heading.textContent = t('jury.heading', { title: sprint?.title ? pick(sprint.title) : t('app.name') });
    meta.textContent = sprint?.date ? formatDate(sprint.date) : '';
    const m = me();
    who.textContent = m.id ? (m.chair ? t('jury.who.chair', { name: m.name }) : t('jury.who.juror', { name: m.name })) : t('jury.who.room');
    phaseNote.textContent = phaseText();
    rerender(body, () => [
      jury.results ? section('results', t('results.title'), resultsNodes(state, jury.results, 'sp-jury-results')) : null,
      m.id && m.chair ? chairSection() : null,
      jury.phase !== 'setup' ? pitchesSection(m.id) : null,
      jury.criteria.length ? criteriaSection() : null,
      jury.phase === 'setup' ? section('challenges', t('jury.challenges.title'), challengeList(state)) : null,
    ]);
  }

  const schedule = batched(draw);
  const offs = [
    session.on('change', (ev) => {
      if (!ev || RELEVANT.has(ev.type)) schedule();
    }),
    staff.on('change', (ev) => {
      if (ev.type.startsWith('jury.') || ev.type === 'pitch.order') schedule();
    }),
  ];
  draw();
  return {
    unmount() {
      for (const off of offs) off();
    },
    authFailed: (err) => showBadLink(ctx, err),
  };
}
