// views/team/intro.js – the team introduction: each member's profile, and the team roles.

import { h, rerender } from '../../dom.js';
import { t } from '../../i18n.js';
import { memberName, teamMembers } from '../../state.js';
import { button, part, selectField, textField } from './kit.js';

const PROFILE_FIELDS = [
  ['organisation', 200, false],
  ['role', 200, false],
  ['motivation', 500, true],
];

/**
 * The intro activity.
 * @param {object} tc team context (shell.js)
 * @returns {{el: HTMLElement, sync: () => void}}
 */
export function create(tc) {
  const { state } = tc;
  const mine = state.profiles.get(state.me) ?? {};
  const fields = {};
  const status = h('p', { class: 'sp-field__hint js-profile-status', role: 'status' });
  const profileForm = h(
    'form',
    { class: 'sp-form js-profile', novalidate: true },
    PROFILE_FIELDS.map(([key, max, multiline]) => {
      const f = textField({ id: `sp-profile-${key}`, label: t(`team.profile.${key}`), max, multiline, value: mine[key] ?? '' });
      fields[key] = f.input;
      return f.wrap;
    }),
    button(t('team.profile.save'), { type: 'submit' }),
    status,
  );
  profileForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const args = Object.fromEntries(Object.entries(fields).map(([k, el]) => [k, el.value.trim()]));
    tc.command('profile.set', args).then(() => (status.textContent = t('team.profile.saved')), () => {});
  });

  /** Role choices not saved yet, so a redraw (someone else's profile) does not undo them. */
  const chosen = new Map();
  const membersList = h('ul', { class: 'sp-cards sp-members js-members' });
  const rolesBox = h('div', { class: 'js-roles' });

  function roleLine(role) {
    const id = tc.roles()[role];
    return h('li', {}, h('strong', { text: `${t(`team.role.${role}`)}: ` }), id ? memberName(state, id) ?? '?' : t('team.role.none'));
  }

  function sync() {
    const members = teamMembers(state, state.team);
    rerender(membersList, () =>
      members.map((m) => {
        const p = state.profiles.get(m.id);
        return h(
          'li',
          { class: 'sp-card' },
          h('h4', { class: 'sp-card__title', text: m.id === state.me ? t('team.member.me', { name: m.name }) : m.name }),
          p
            ? h('dl', { class: 'sp-profile' }, PROFILE_FIELDS.filter(([k]) => p[k]).map(([k]) => [h('dt', { text: t(`team.profile.${k}`) }), h('dd', { text: p[k] })]))
            : h('p', { class: 'sp-muted', text: t('team.profile.none') }),
        );
      }),
    );
    rerender(rolesBox, () => {
      const roles = tc.roles();
      const out = [h('ul', { class: 'sp-roles js-roles-list' }, ['captain', 'timekeeper', 'presenter'].map(roleLine))];
      const may = !roles.captain || tc.isCaptain();
      if (!may) {
        out.push(h('p', { class: 'sp-muted', text: t('team.roles.captainOnly') }));
        return out;
      }
      const options = [{ value: '', text: t('team.role.none') }, ...members.map((m) => ({ value: m.id, text: m.name }))];
      const selects = {};
      const form = h(
        'form',
        { class: 'sp-form js-roles-form', novalidate: true },
        ['captain', 'timekeeper', 'presenter'].map((role) => {
          const f = selectField({ id: `sp-role-${role}`, label: t(`team.role.${role}`), options, value: chosen.get(role) ?? roles[role] ?? '', key: `role-${role}` });
          f.select.addEventListener('change', () => chosen.set(role, f.select.value));
          selects[role] = f.select;
          return f.wrap;
        }),
        button(t('team.roles.save'), { type: 'submit', key: 'roles-save' }),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const args = {};
        if (selects.captain.value) args.captain = selects.captain.value;
        args.timekeeper = selects.timekeeper.value || null;
        args.presenter = selects.presenter.value || null;
        chosen.clear();
        tc.run('roles.set', args);
      });
      out.push(form);
      return out;
    });
  }

  const el = h(
    'div',
    { class: 'sp-intro' },
    part('sp-intro-profile', t('team.profile.title'), h('p', { class: 'sp-section-intro', text: t('team.profile.intro') }), profileForm),
    part('sp-intro-members', t('team.members.title'), membersList),
    part('sp-intro-roles', t('team.roles.title'), h('p', { class: 'sp-section-intro', text: t('team.roles.intro') }), rolesBox),
  );
  sync();
  return { el, sync };
}
