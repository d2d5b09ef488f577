// views/org/assign.js – the assignment: team sizes and seed, run (assign.run), the figures, the
// teams with their people, suggestions for captain and timekeeper, and moving people by drag
// and drop or with a select and a button (assign.move), pinning and unpinning (assign.pin).

import { announce, h, rerender } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { teamPeople, colleaguePairs } from '../../org-state.js';
import { section } from '../common.js';
import { field, percent, run, statusLine, trackDirty } from './kit.js';

/** Teams grouped by the challenge of their room, in creation order. */
function teamsByChallenge(session, org) {
  const groups = new Map();
  for (const c of session.state.challenges.values()) groups.set(c.id, []);
  for (const team of session.state.teams.values()) {
    const room = { ...(session.state.rooms.get(team.room) ?? {}), ...(org.state.rooms.get(team.room) ?? {}) };
    const key = room.challenge ?? '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push({ ...team, roomName: room.name, challenge: key });
  }
  return groups;
}

/**
 * Mounts the assignment section.
 * @param {{session: object, org: object, live: HTMLElement}} env
 * @returns {{el: HTMLElement, refresh: (ev: object|null) => void}}
 */
export function mountAssign({ session, org, live }) {
  const st = org.state;
  const min = field({ id: 'sp-org-size-min', label: t('org.assign.min'), value: String(st.run?.team_size_min ?? 6), attrs: { type: 'number', min: '1', max: '50', inputmode: 'numeric' } });
  const max = field({ id: 'sp-org-size-max', label: t('org.assign.max'), value: String(st.run?.team_size_max ?? 8), attrs: { type: 'number', min: '1', max: '50', inputmode: 'numeric' } });
  const perRoom = field({ id: 'sp-org-per-room', label: t('org.assign.perRoom'), hint: t('org.assign.perRoomHint'), value: String(st.run?.teams_per_room ?? 6), attrs: { type: 'number', min: '1', max: '100', inputmode: 'numeric' } });
  const seed = field({ id: 'sp-org-seed', label: t('org.assign.seed'), hint: t('org.assign.seedHint'), value: String(st.run?.seed ?? 1), attrs: { type: 'number', min: '0', inputmode: 'numeric' } });
  const runButton = h('button', { class: 'sp-button js-org-assign-run', type: 'submit' });
  const status = statusLine();
  const form = h(
    'form',
    { class: 'sp-form sp-org-form', 'aria-labelledby': 'sp-org-assign-form', novalidate: true },
    h('h3', { class: 'sp-org-subtitle', id: 'sp-org-assign-form', text: t('org.assign.settings') }),
    h('p', { class: 'sp-field__hint', text: t('org.assign.intro') }),
    h('div', { class: 'sp-org-row' }, min.group, max.group, perRoom.group, seed.group),
    h('p', { class: 'sp-actions' }, runButton),
    status.el,
  );
  const formDirty = trackDirty(form);
  const figuresBox = h('div', { class: 'sp-org-assign-figures' });
  const teamsBox = h('div', { class: 'sp-org-teams' });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const lo = Number(min.input.value);
    const hi = Number(max.input.value);
    const s = Number(seed.input.value);
    const sizeOk = Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi <= 50 && lo <= hi;
    min.setError(sizeOk ? null : t('org.assign.badSize'));
    seed.setError(Number.isInteger(s) && s >= 0 ? null : t('org.assign.badSeed'));
    if (!sizeOk) return min.input.focus();
    if (!(Number.isInteger(s) && s >= 0)) return seed.input.focus();
    const pr = Number(perRoom.input.value);
    const prOk = Number.isInteger(pr) && pr >= 1 && pr <= 100;
    perRoom.setError(prOk ? null : t('org.assign.badPerRoom'));
    if (!prOk) return perRoom.input.focus();
    status.ok(t('org.assign.running'));
    const res = await run(session, 'assign.run', { team_size_min: lo, team_size_max: hi, seed: s, teams_per_room: pr });
    if (res.ok) {
      formDirty.dirty = false;
      const f = st.figures;
      status.ok(f ? t('org.assign.doneFigures', { people: f.people, first: percent(f.share_first), teams: f.teams }) : t('org.assign.done'));
    } else status.fail(res.message);
  });

  async function move(personId, teamId) {
    const p = st.people.get(personId);
    const team = session.state.teams.get(teamId);
    if (!p || !team || st.placement.get(personId) === teamId) return;
    const res = await run(session, 'assign.move', { person: personId, team: teamId });
    announce(live, res.ok ? t('org.assign.moved', { name: p.name, team: pick(team.name) }) : res.message);
  }

  async function togglePin(personId) {
    const p = st.people.get(personId);
    if (!p) return;
    const pinned = st.pins.has(personId);
    const team = st.placement.get(personId);
    const args = pinned || !team ? { person: personId } : { person: personId, team };
    const res = await run(session, 'assign.pin', args);
    announce(live, res.ok ? t(pinned ? 'org.assign.unpinnedSay' : 'org.assign.pinnedSay', { name: p.name }) : res.message);
  }

  function figures() {
    const f = st.figures;
    if (!f) return h('p', { text: st.people.size ? t('org.assign.notYet', { count: st.people.size }) : t('org.assign.noPeople') });
    const items = [
      ['people', String(f.people)],
      ['first', `${percent(f.share_first)} (${f.first})`],
      ['second', String(f.second)],
      ['neither', `${percent(f.share_neither)} (${f.neither})`],
      ['noChoice', String(f.no_choice)],
      ['colleagues', t('org.assign.colleaguesValue', { pairs: f.colleague_pairs, min: f.colleague_pairs_min })],
      ['teams', String(f.teams)],
      ['sizes', f.teams ? t('org.assign.sizesValue', { min: f.team_size_min, max: f.team_size_max }) : '–'],
      ['unplaced', String(f.unplaced)],
    ];
    const cols = ['people', 'first', 'second', 'no_choice', 'neither', 'teams', 'rooms'];
    const perChallenge = (f.challenges ?? []).length
      ? h(
          'div',
          { class: 'sp-org-scroll', role: 'region', tabindex: '0', 'aria-labelledby': 'sp-org-per-challenge' },
          h(
            'table',
            { class: 'sp-table js-org-per-challenge' },
            h('caption', { id: 'sp-org-per-challenge', text: t('org.assign.perChallenge') }),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('org.assign.pc.challenge') }), cols.map((c) => h('th', { scope: 'col', class: 'sp-table__number', text: t(`org.assign.pc.${c}`) })))),
            h(
              'tbody',
              {},
              f.challenges.map((c) => {
                const ch = session.state.challenges.get(c.challenge);
                return h('tr', { dataset: { challenge: c.challenge } }, h('th', { scope: 'row', text: ch ? pick(ch.title) : c.challenge }), cols.map((k) => h('td', { class: 'sp-table__number', dataset: { key: k }, text: String(c[k] ?? 0) })));
              }),
            ),
          ),
        )
      : null;
    const notes = (f.notes ?? []).map((n) => {
      const ch = session.state.challenges.get(n.challenge);
      return h('p', { class: 'sp-notice js-org-assign-note', role: 'status', text: t(`org.assign.note.${n.code}`, { challenge: ch ? pick(ch.title) : n.challenge ?? '', first: n.first, placed: n.placed, min: n.team_size_min, max: n.team_size_max }) });
    });
    return h(
      'div',
      {},
      h(
        'dl',
        { class: 'sp-org-figures js-org-figures' },
        items.map(([k, v]) => h('div', { class: 'sp-org-figure', dataset: { key: k } }, h('dt', { text: t(`org.assign.fig.${k}`) }), h('dd', { text: v }))),
      ),
      notes,
      perChallenge,
    );
  }

  function choiceBadge(p, challenge) {
    if (!p.choice1 && !p.choice2) return h('span', { class: 'sp-org-badge', text: t('org.assign.choice.none') });
    if (p.choice1 === challenge) return h('span', { class: 'sp-org-badge sp-org-badge--first', text: t('org.assign.choice.first') });
    if (p.choice2 === challenge) return h('span', { class: 'sp-org-badge', text: t('org.assign.choice.second') });
    return h('span', { class: 'sp-org-badge sp-org-badge--neither', text: t('org.assign.choice.neither') });
  }

  function personItem(p, teamOptions, teamId, challenge) {
    const sugg = teamId ? st.suggestions.get(teamId) : null;
    const pinned = st.pins.has(p.id);
    const selectId = `sp-org-move-${p.id}`;
    const select = h('select', { class: 'sp-input sp-org-select sp-org-move', id: selectId, dataset: { focusKey: `move-${p.id}` } }, teamOptions());
    select.value = teamId ?? '';
    const moveButton = h('button', { class: 'sp-button sp-button--small sp-button--secondary', type: 'button', dataset: { focusKey: `moveb-${p.id}` } }, t('org.assign.move'), h('span', { class: 'sp-visually-hidden', text: ` ${p.name}` }));
    moveButton.addEventListener('click', () => {
      if (select.value) move(p.id, select.value);
    });
    const pinButton = h(
      'button',
      { class: 'sp-button sp-button--small sp-button--secondary', type: 'button', 'aria-pressed': pinned ? 'true' : 'false', dataset: { focusKey: `pin-${p.id}` } },
      t('org.assign.pin'),
      h('span', { class: 'sp-visually-hidden', text: ` ${p.name}` }),
    );
    pinButton.addEventListener('click', () => togglePin(p.id));
    const li = h(
      'li',
      { class: `sp-org-person${pinned ? ' sp-org-person--pinned' : ''}`, draggable: 'true', dataset: { person: p.id } },
      h(
        'div',
        { class: 'sp-org-person__who' },
        h('span', { class: 'sp-org-person__name', text: p.name }),
        h('span', { class: 'sp-org-person__meta', text: [p.organisation, p.role].filter(Boolean).join(' · ') || t('org.assign.noProfile') }),
      ),
      h(
        'p',
        { class: 'sp-org-person__badges' },
        challenge ? choiceBadge(p, challenge) : null,
        sugg?.captain === p.id ? h('span', { class: 'sp-org-badge sp-org-badge--role', text: t('org.assign.suggestCaptain') }) : null,
        sugg?.timekeeper === p.id ? h('span', { class: 'sp-org-badge sp-org-badge--role', text: t('org.assign.suggestTimekeeper') }) : null,
        pinned ? h('span', { class: 'sp-org-badge sp-org-badge--pin', text: t('org.assign.pinned') }) : null,
        st.linked.has(p.id) ? h('span', { class: 'sp-org-badge', text: t('org.assign.joined') }) : null,
      ),
      h(
        'div',
        { class: 'sp-org-person__actions' },
        h('label', { class: 'sp-visually-hidden', for: selectId, text: t('org.assign.moveLabel', { name: p.name }) }),
        select,
        moveButton,
        // Only a placed person can be pinned where they are.
        teamId ? pinButton : null,
      ),
    );
    li.addEventListener('dragstart', (e) => {
      e.dataTransfer.setData('text/plain', p.id);
      e.dataTransfer.effectAllowed = 'move';
      li.classList.add('sp-org-person--dragging');
    });
    li.addEventListener('dragend', () => li.classList.remove('sp-org-person--dragging'));
    return li;
  }

  function dropZone(el, teamId) {
    el.addEventListener('dragover', (e) => {
      if (!e.dataTransfer.types.includes('text/plain')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      el.classList.add('sp-org-team--over');
    });
    el.addEventListener('dragleave', (e) => {
      if (!el.contains(e.relatedTarget)) el.classList.remove('sp-org-team--over');
    });
    el.addEventListener('drop', (e) => {
      e.preventDefault();
      el.classList.remove('sp-org-team--over');
      const id = e.dataTransfer.getData('text/plain');
      if (st.people.has(id)) move(id, teamId);
    });
  }

  function teams() {
    if (!st.figures && st.placement.size === 0) return [];
    const groups = teamsByChallenge(session, org);
    // The options of every "move to" select, grouped by challenge; built once per draw.
    const optionSpec = [...groups].map(([ch, list]) => ({ label: pick(session.state.challenges.get(ch)?.title) || t('org.assign.noChallenge'), teams: list }));
    const teamOptions = () => [
      h('option', { value: '', text: t('org.assign.moveTo') }),
      optionSpec.filter((g) => g.teams.length).map((g) => h('optgroup', { label: g.label }, g.teams.map((tm) => h('option', { value: tm.id, text: pick(tm.name) })))),
    ];
    const out = [];
    for (const [ch, list] of groups) {
      if (list.length === 0) continue;
      const challenge = session.state.challenges.get(ch);
      const cards = list.map((team) => {
        const people = teamPeople(st, team.id);
        const sugg = st.suggestions.get(team.id);
        const pairs = colleaguePairs(people);
        const headId = `sp-org-team-${team.id}`;
        const card = h(
          'section',
          { class: 'sp-org-team js-org-team', 'aria-labelledby': headId, dataset: { team: team.id } },
          h('h4', { class: 'sp-org-team__name', id: headId, text: pick(team.name) }),
          h(
            'p',
            { class: 'sp-org-team__meta' },
            [pick(team.roomName), t('org.assign.size', { count: people.length }), pairs ? t('org.assign.teamColleagues', { count: pairs }) : null].filter(Boolean).join(' · '),
          ),
          sugg && !sugg.captain && people.length ? h('p', { class: 'sp-org-team__note', text: t('org.assign.noCaptain') }) : null,
          people.length
            ? h('ul', { class: 'sp-org-people', 'aria-labelledby': headId }, people.map((p) => personItem(p, teamOptions, team.id, ch)))
            : h('p', { class: 'sp-org-team__empty', text: t('org.assign.empty') }),
        );
        dropZone(card, team.id);
        return card;
      });
      out.push(
        h(
          'section',
          { class: 'sp-org-group', 'aria-labelledby': `sp-org-group-${ch || 'none'}` },
          h('h3', { class: 'sp-org-subtitle', id: `sp-org-group-${ch || 'none'}`, text: challenge ? pick(challenge.title) : t('org.assign.noChallenge') }),
          h('div', { class: 'sp-org-team-grid' }, cards),
        ),
      );
    }
    const unplaced = [...st.people.values()].filter((p) => !st.placement.has(p.id));
    if (unplaced.length) {
      out.push(
        h(
          'section',
          { class: 'sp-org-group', 'aria-labelledby': 'sp-org-unplaced' },
          h('h3', { class: 'sp-org-subtitle', id: 'sp-org-unplaced', text: t('org.assign.unplaced', { count: unplaced.length }) }),
          h('ul', { class: 'sp-org-people sp-org-people--unplaced' }, unplaced.map((p) => personItem(p, teamOptions, null, null))),
        ),
      );
    }
    return out;
  }

  function draw() {
    // The settings of the last run, unless someone is changing them.
    if (st.run && !formDirty.dirty) {
      min.input.value = String(st.run.team_size_min ?? min.input.value);
      max.input.value = String(st.run.team_size_max ?? max.input.value);
      seed.input.value = String(st.run.seed ?? seed.input.value);
    }
    runButton.textContent = st.figures ? t('org.assign.rerun') : t('org.assign.run');
    rerender(figuresBox, () => [figures()]);
    rerender(teamsBox, teams);
  }
  draw();

  const el = section('org-assign', t('org.assign.title'), [
    form,
    h('h3', { class: 'sp-org-subtitle', text: t('org.assign.figures') }),
    figuresBox,
    h('p', { class: 'sp-section-intro', text: t('org.assign.howToMove') }),
    teamsBox,
  ]);
  return {
    el,
    refresh() {
      draw();
    },
  };
}
