// views/facilitator.js – the facilitator's room: its teams, their members and note counts, live.

import { h, rerender } from '../dom.js';
import { pick, t } from '../i18n.js';
import { roomTeams, teamMembers, teamNotes } from '../state.js';
import { batched, section, showBadLink } from './common.js';

/**
 * The rooms this connection facilitates. The server sends a facilitator the events of its
 * own room's teams; the room is named in `welcome` (`me.room`, or `me` when that is a room id).
 * When neither says, the rooms whose teams we hear from are shown, and failing that all
 * rooms, rather than an empty page.
 * @param {import('../state.js').ClientState} state
 * @param {object|null} welcome the last welcome message
 * @returns {object[]}
 */
export function facilitatedRooms(state, welcome) {
  const named = state.room ?? welcome?.room ?? (state.rooms.has(state.me) ? state.me : null);
  if (named && state.rooms.has(named)) return [state.rooms.get(named)];
  const heard = new Set();
  for (const m of state.members.values()) heard.add(state.teams.get(m.team)?.room);
  for (const n of state.notes.values()) heard.add(state.teams.get(n.team)?.room);
  const rooms = [...state.rooms.values()];
  const some = rooms.filter((r) => heard.has(r.id));
  return some.length ? some : rooms;
}

/**
 * Mounts the facilitator view.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function mount(ctx) {
  const { main } = ctx;
  const session = ctx.useSession(ctx.route.token);
  const state = session.state;
  ctx.setTitle(t('facilitator.title'));

  const heading = h('h1', { class: 'sp-heading', tabindex: '-1' });
  const body = h('div', { class: 'sp-facilitator' });
  main.append(heading, body);

  function roomNode(room, alone) {
    const rows = roomTeams(state, room.id).map((team) =>
      h(
        'tr',
        { class: 'js-team-row', dataset: { team: team.id } },
        h('th', { scope: 'row', text: pick(team.name) }),
        h('td', { class: 'sp-table__number', text: String(teamMembers(state, team.id).length) }),
        h('td', { class: 'sp-table__number js-note-total', text: String(teamNotes(state, team.id).length) }),
      ),
    );
    const challenge = state.challenges.get(room.challenge);
    // With one room the page heading names it already; the section then just says "teams".
    return section(`room-${room.id}`, alone ? t('facilitator.teams') : pick(room.name), [
      challenge ? h('p', { class: 'sp-room__challenge', text: t('organiser.rooms.challenge', { title: pick(challenge.title) }) }) : null,
      rows.length
        ? h(
            'table',
            { class: 'sp-table' },
            h('caption', { class: 'sp-visually-hidden', text: t('facilitator.caption', { room: pick(room.name) }) }),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('organiser.rooms.team') }), h('th', { scope: 'col', class: 'sp-table__number', text: t('organiser.rooms.members') }), h('th', { scope: 'col', class: 'sp-table__number', text: t('facilitator.notes') }))),
            h('tbody', {}, rows),
          )
        : h('p', { text: t('organiser.rooms.noTeams') }),
    ]);
  }

  function draw() {
    const rooms = facilitatedRooms(state, session.welcome);
    heading.textContent = rooms.length === 1 ? t('facilitator.heading', { room: pick(rooms[0].name) }) : t('facilitator.headingAll');
    rerender(body, () => (rooms.length ? rooms.map((room) => roomNode(room, rooms.length === 1)) : [h('p', { text: t('organiser.rooms.empty') })]));
  }

  const schedule = batched(draw);
  const offs = [
    session.on('change', schedule),
  ];
  draw();
  return {
    unmount() {
      for (const off of offs) off();
    },
    authFailed: () => showBadLink(ctx),
  };
}
