// views/org/rooms.js – break-out rooms: name, challenge and facilitators (room.update), each
// room's facilitator link, and a new room (room.add, which makes a new facilitator link).

import { announce, h } from '../../dom.js';
import { pick, t } from '../../i18n.js';
import { section } from '../common.js';
import { bilingual, copyButton, field, run, statusLine, trackDirty } from './kit.js';

/** A room as it is now: `room.created` with the latest `room.updated` on top. */
export function currentRoom(session, org, id) {
  return { ...(session.state.rooms.get(id) ?? {}), ...(org.state.rooms.get(id) ?? {}) };
}

/**
 * The full address of a role's link.
 * @param {string} role organiser, facilitator, jury or screen
 * @param {string} token
 * @returns {string}
 */
export function roleUrl(role, token) {
  const letter = { organiser: 'o', facilitator: 'f', jury: 'j', screen: 's' }[role] ?? 'o';
  return `${location.origin}/#/${letter}/${encodeURIComponent(token)}`;
}

function challengeSelect(session, id, value) {
  const select = h(
    'select',
    { class: 'sp-input sp-org-select', id },
    [...session.state.challenges.values()].map((c) => h('option', { value: c.id, text: pick(c.title) })),
  );
  select.value = value ?? '';
  return select;
}

/**
 * Mounts the rooms section.
 * @param {{session: object, org: object, live: HTMLElement}} env
 * @returns {{el: HTMLElement, refresh: (ev: object|null) => void}}
 */
export function mountRooms({ session, org, live }) {
  const list = h('div', { class: 'sp-org-rooms' });
  const forms = new Map();

  function linkLine(id) {
    const box = h('p', { class: 'sp-org-link' });
    const draw = () => {
      const link = session.state.links.find((l) => l.role === 'facilitator' && l.room === id);
      const room = currentRoom(session, org, id);
      if (!link) {
        box.replaceChildren(t('org.rooms.noLink'));
        return;
      }
      const url = roleUrl('facilitator', link.token);
      box.replaceChildren(
        h('span', { class: 'sp-org-link__label', text: t('org.rooms.link') }),
        ' ',
        // Text, not a link: the page lists every role's link once, under Links.
        h('code', { class: 'sp-org-url', text: url }),
        ' ',
        copyButton(url, t('org.rooms.linkFor', { room: pick(room.name) }), live, `fac-${id}`),
      );
      // The room's projector: the screen link with the room's id.
      const screen = session.state.links.find((l) => l.role === 'screen');
      if (screen) {
        const surl = `${roleUrl('screen', screen.token)}/${encodeURIComponent(id)}`;
        box.append(h('br'), h('span', { class: 'sp-org-link__label', text: t('org.rooms.screenLink') }), ' ', h('code', { class: 'sp-org-url js-room-screen-link', text: surl }), ' ',
          copyButton(surl, t('org.rooms.screenLinkFor', { room: pick(room.name) }), live, `screen-${id}`));
      }
    };
    draw();
    return { box, draw };
  }

  /** The room's screen link and its teams, each movable to another room with a select. */
  function teamsLine(id) {
    const box = h('div', { class: 'sp-org-room-teams js-org-room-teams', dataset: { room: id } });
    const draw = () => {
      const room = currentRoom(session, org, id);
      const screen = session.state.links.find((l) => l.role === 'screen' && l.room === id);
      const parts = [];
      if (screen) {
        const url = roleUrl('screen', screen.token);
        parts.push(h('p', { class: 'sp-org-link' }, h('span', { class: 'sp-org-link__label', text: t('org.rooms.screen') }), ' ', h('code', { class: 'sp-org-url', text: url }), ' ', copyButton(url, t('org.rooms.screenFor', { room: pick(room.name) }), live, `screen-${id}`)));
      }
      const teams = [...session.state.teams.values()].filter((tm) => tm.room === id);
      parts.push(h('h4', { class: 'sp-org-subsubtitle', text: `${t('org.rooms.teams')} (${teams.length})` }));
      if (!teams.length) parts.push(h('p', { text: t('org.rooms.noTeams') }));
      else
        parts.push(
          h(
            'ul',
            { class: 'sp-org-list' },
            teams.map((tm) => {
              const selId = `sp-org-team-room-${tm.id}`;
              const select = h(
                'select',
                { class: 'sp-input sp-org-select', id: selId, dataset: { focusKey: `room-${tm.id}` } },
                [...session.state.rooms.keys()].map((rid) => h('option', { value: rid, text: pick(currentRoom(session, org, rid).name) || rid })),
              );
              select.value = id;
              const button = h('button', { class: 'sp-button sp-button--small sp-button--secondary', type: 'button', dataset: { focusKey: `roomb-${tm.id}` } }, t('org.rooms.moveButton'), h('span', { class: 'sp-visually-hidden', text: ` ${pick(tm.name)}` }));
              button.addEventListener('click', async () => {
                if (select.value === id) return;
                const to = select.value;
                const res = await run(session, 'team.move', { team: tm.id, room: to });
                announce(live, res.ok ? t('org.rooms.moved', { team: pick(tm.name), room: pick(currentRoom(session, org, to).name) }) : res.message);
              });
              return h('li', { class: 'sp-org-room-team' }, h('label', { class: 'sp-field__label', for: selId, text: t('org.rooms.moveTo', { team: pick(tm.name) }) }), select, ' ', button);
            }),
          ),
        );
      box.replaceChildren(...parts);
    };
    draw();
    return { box, draw };
  }

  function roomForm(id) {
    const r = () => currentRoom(session, org, id);
    const heading = h('h3', { class: 'sp-org-subtitle', id: `sp-org-room-${id}-title`, text: pick(r().name) || id });
    const name = bilingual({ id: `sp-org-room-${id}-name`, legend: t('org.rooms.name'), value: r().name, attrs: { maxlength: '100' } });
    const chId = `sp-org-room-${id}-challenge`;
    const challenge = challengeSelect(session, chId, r().challenge);
    const facs = field({ id: `sp-org-room-${id}-facs`, label: t('org.rooms.facilitators'), hint: t('org.rooms.facilitatorsHint'), value: (r().facilitators ?? []).join('\n'), textarea: true, attrs: { rows: '3' } });
    const link = linkLine(id);
    const teams = teamsLine(id);
    const status = statusLine();
    const form = h(
      'form',
      { class: 'sp-form sp-org-form sp-org-room', 'aria-labelledby': heading.id, novalidate: true },
      heading,
      link.box,
      name.fieldset,
      h('div', { class: 'sp-field' }, h('label', { class: 'sp-field__label', for: chId, text: t('org.rooms.challenge') }), challenge),
      facs.group,
      h('p', { class: 'sp-actions' }, h('button', { class: 'sp-button', type: 'submit' }, t('org.rooms.save'), h('span', { class: 'sp-visually-hidden', text: ` ${pick(r().name)}` }))),
      status.el,
    );
    // The teams sit outside the form: moving one is not an edit of the room.
    const wrap = h('div', { class: 'sp-org-room-wrap' }, form, teams.box);
    const dirty = trackDirty(form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const names = facs.input.value.split('\n').map((s) => s.trim()).filter(Boolean);
      if (names.length > 10 || names.some((n) => [...n].length > 60)) {
        facs.setError(t('org.rooms.facilitatorsTooMany'));
        facs.input.focus();
        return;
      }
      facs.setError(null);
      const n = name.get();
      if (!n.nl || !n.en) {
        status.fail(t('org.rooms.nameMissing'));
        name.inputs[n.nl ? 1 : 0].focus();
        return;
      }
      const res = await run(session, 'room.update', { room: id, name: n, challenge: challenge.value, facilitators: names });
      if (res.ok) {
        dirty.dirty = false;
        status.ok(t('org.saved'));
      } else status.fail(res.message);
    });
    const fill = () => {
      heading.textContent = pick(r().name) || id;
      name.set(r().name);
      challenge.value = r().challenge ?? '';
      facs.input.value = (r().facilitators ?? []).join('\n');
    };
    return { form, wrap, dirty, fill, link, teams };
  }

  function sync() {
    for (const id of session.state.rooms.keys()) {
      if (forms.has(id)) continue;
      const f = roomForm(id);
      forms.set(id, f);
      list.append(f.wrap);
    }
  }
  sync();

  // ---- a new room ----
  const newName = bilingual({ id: 'sp-org-newroom-name', legend: t('org.rooms.name'), attrs: { maxlength: '100' } });
  const newChallenge = challengeSelect(session, 'sp-org-newroom-challenge', null);
  const addStatus = statusLine();
  const addForm = h(
    'form',
    { class: 'sp-form sp-org-form', 'aria-labelledby': 'sp-org-newroom-title', novalidate: true },
    h('h3', { class: 'sp-org-subtitle', id: 'sp-org-newroom-title', text: t('org.rooms.add') }),
    newName.fieldset,
    h('div', { class: 'sp-field' }, h('label', { class: 'sp-field__label', for: 'sp-org-newroom-challenge', text: t('org.rooms.challenge') }), newChallenge),
    h('p', { class: 'sp-actions' }, h('button', { class: 'sp-button sp-button--secondary', type: 'submit', text: t('org.rooms.addButton') })),
    addStatus.el,
  );
  addForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const n = newName.get();
    if (!n.nl || !n.en) {
      addStatus.fail(t('org.rooms.nameMissing'));
      newName.inputs[n.nl ? 1 : 0].focus();
      return;
    }
    const res = await run(session, 'room.add', { name: n, challenge: newChallenge.value });
    if (res.ok) {
      newName.set({ nl: '', en: '' });
      addStatus.ok(t('org.rooms.added', { room: n.nl }));
    } else addStatus.fail(res.message);
  });

  const el = section('org-rooms', t('org.rooms.title'), [h('p', { class: 'sp-section-intro', text: t('org.rooms.intro') }), list, addForm]);
  return {
    el,
    refresh(ev) {
      const type = ev?.type;
      if (ev && !['room.created', 'room.updated', 'links.set', 'challenge.set', 'team.created', 'team.moved'].includes(type)) return;
      sync();
      for (const [id, f] of forms) {
        f.link.draw();
        f.teams.draw();
        if (!f.dirty.dirty && (type !== 'room.updated' || ev.data?.id === id)) f.fill();
      }
    },
  };
}
