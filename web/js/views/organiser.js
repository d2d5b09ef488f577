// views/organiser.js – the organiser's page: the sprint and its rooms with team codes, then the
// sections of views/org/ (day, briefs, rooms, import, assignment, links, personal data) and the jury.

import { announce, h, rerender } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';
import { roomTeams, teamMembers } from '../state.js';
import { batched, section, showBadLink } from './common.js';
import { mountJuryAdmin } from './staff/jury-admin.js';
import { mountOrgSections } from './org/index.js';
import { endSwitch, followSwitch, pendingSwitch } from './org/sprints.js';
import { orgOf } from '../org-state.js';

/** Events after which the overview is drawn again; note traffic is left alone. */
const RELEVANT = new Set(['sprint.created', 'programme.set', 'challenge.set', 'room.created', 'team.created', 'team.code', 'links.set', 'member.joined']);

/**
 * The full address of a link token for a role.
 * @param {string} role 'organiser', 'facilitator', 'jury' or 'screen'
 * @param {string} token the link token
 * @returns {string}
 */
export function linkUrl(role, token) {
  const letter = { organiser: 'o', facilitator: 'f', jury: 'j', screen: 's' }[role] ?? role.charAt(0);
  return `${location.origin}/#/${letter}/${encodeURIComponent(token)}`;
}

/**
 * Mounts the organiser view.
 * @param {object} ctx app context (see app.js)
 * @returns {{unmount: () => void, authFailed: () => void}}
 */
export function mount(ctx) {
  const { main } = ctx;
  const session = ctx.useSession(ctx.route.token);
  const state = session.state;
  ctx.setTitle(t('organiser.title'));

  const heading = h('h1', { class: 'sp-heading', tabindex: '-1' });
  const meta = h('p', { class: 'sp-lead' });
  const body = h('div', { class: 'sp-organiser' });
  const live = h('div', { class: 'sp-visually-hidden', 'aria-live': 'polite' });
  main.append(heading, meta, body, live);
  // The day, briefs, rooms, registrations, the assignment, join sheets and personal data
  // (views/org/): forms of their own, never redrawn while someone types in them.
  const orgSections = mountOrgSections({ session, token: ctx.route.token, container: main, live, tocBefore: body });
  // The jury: add jurors and hand out their personal links (a form of its own, never redrawn
  // while someone types in it).
  const juryAdmin = mountJuryAdmin({ session, container: main, live, copyButton: (url, key) => copyButton(url, key), linkUrl });

  function copyButton(url, key) {
    const button = h('button', { class: 'sp-button sp-button--small sp-button--secondary', type: 'button', dataset: { focusKey: `copy-${key}` } }, t('organiser.copy'), h('span', { class: 'sp-visually-hidden', text: t('organiser.copyHidden', { what: key }) }));
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(url);
        announce(live, t('organiser.copied'));
      } catch {
        // The clipboard needs a secure context or a permission; the link text can be selected instead.
        announce(live, t('organiser.copyFailed'));
      }
    });
    return button;
  }

  function roomsSection() {
    const rooms = [...state.rooms.values()].map((r) => ({ ...r, ...(orgOf(session).state.rooms.get(r.id) ?? {}) })).map((room) => {
      const challenge = state.challenges.get(room.challenge);
      const rows = roomTeams(state, room.id).map((team) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row', text: pick(team.name) }),
          h('td', {}, state.codes.has(team.id) ? h('code', { class: 'sp-code js-team-code', dataset: { team: team.id }, text: state.codes.get(team.id) }) : t('organiser.rooms.noCode')),
          h('td', { class: 'sp-table__number', text: String(teamMembers(state, team.id).length) }),
        ),
      );
      return h(
        'section',
        { class: 'sp-room' },
        h('h3', { class: 'sp-room__title', text: pick(room.name) }),
        challenge ? h('p', { class: 'sp-room__challenge', text: t('organiser.rooms.challenge', { title: pick(challenge.title) }) }) : null,
        rows.length
          ? h(
              'table',
              { class: 'sp-table' },
              h('caption', { class: 'sp-visually-hidden', text: t('organiser.rooms.caption', { room: pick(room.name) }) }),
              h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('organiser.rooms.team') }), h('th', { scope: 'col', text: t('organiser.rooms.code') }), h('th', { scope: 'col', class: 'sp-table__number', text: t('organiser.rooms.members') }))),
              h('tbody', {}, rows),
            )
          : h('p', { text: t('organiser.rooms.noTeams') }),
      );
    });
    return section('rooms', t('organiser.rooms.title'), rooms.length ? rooms : h('p', { text: t('organiser.rooms.empty') }));
  }

  function draw() {
    // sprint.updated and room.updated are folded by org-state.js.
    const sprint = state.sprint ? { ...state.sprint, ...orgOf(session).state.sprint } : null;
    heading.textContent = sprint?.title ? pick(sprint.title) : t('organiser.heading');
    meta.textContent = sprint ? [t('organiser.role'), formatDate(sprint.date), pick(sprint.venue)].filter(Boolean).join(' · ') : t('organiser.role');
    rerender(body, () => [roomsSection()]);
  }

  const schedule = batched(draw);

  const offs = [
    session.on('synced', () => {
      if (pendingSwitch()?.token === ctx.route.token) endSwitch();
    }),
    session.on('change', (ev) => {
      if (!ev || RELEVANT.has(ev.type)) schedule();
    }),
    orgOf(session).on('change', (ev) => {
      if (ev.type === 'sprint.updated' || ev.type === 'room.updated') schedule();
    }),
  ];
  draw();
  return {
    unmount() {
      juryAdmin.unmount();
      orgSections.unmount();
      for (const off of offs) off();
    },
    authFailed(err) {
      // Right after making a new sprint, refusals are the server switching over (org/sprints.js).
      if (!followSwitch(ctx, err)) showBadLink(ctx, err);
    },
  };
}
