// bank.js – the browser's side of several sprints on one server and the idea bank, without the
// DOM: the sprint list, bank search addresses, snippets, outcomes, the team page of an archived
// sprint's report, and the `sprint_archived` refusal. Pure functions over the JSON of SPRINTS.md
// (GET /api/sprints, /api/bank, /api/public/bank, /api/sprints/<id>/report.json), so the views
// stay thin and tests/e2e/bank-client.test.mjs checks them without a server.

import { formatDate, pick, t } from './i18n.js';

/** The kinds of bank entries, in the order of the day's method. */
export const BANK_KINDS = ['knelpunt', 'hkw', 'probleem', 'idee', 'gekozen', 'jury'];

/** How many hits one page of results asks for. */
export const BANK_PAGE = 20;

/**
 * The sprints of the server from `GET /api/sprints`, newest first (as the server sends them),
 * each with its state; unknown or broken entries are left out.
 * @param {*} json the answer
 * @returns {{live: string|null, sprints: {id: string, title: string, date: string, state: string, live: boolean, bank: boolean, orgs: boolean, public: boolean, teams: number, people: number, ideas: number}[]}}
 */
export function sprintList(json) {
  const live = typeof json?.live === 'string' ? json.live : null;
  const sprints = (Array.isArray(json?.sprints) ? json.sprints : [])
    .filter((s) => s && typeof s.id === 'string' && s.id)
    .map((s) => ({
      id: s.id,
      title: textOf(s.title) || s.id,
      date: typeof s.date === 'string' ? s.date : '',
      state: s.state === 'archived' ? 'archived' : 'live',
      live: s.id === live,
      bank: s.bank === true,
      orgs: s.orgs === true,
      public: s.public === true,
      teams: count(s.teams),
      people: count(s.people),
      ideas: count(s.ideas),
    }));
  return { live, sprints };
}

function count(n) {
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
}

/** A title that may be a plain string or bilingual ({nl, en}): the Dutch one first. */
function textOf(value) {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return String(value.nl ?? value.en ?? '');
  return '';
}

/**
 * The address of a bank search: `q` and the filters that are set, then `limit` and `offset`.
 * Empty filters are left out; `chosen` and `won` are sent as 0 or 1.
 * @param {string} base '/api/bank' or '/api/public/bank'
 * @param {{q?: string, sprint?: string, challenge?: string, kind?: string, chosen?: string|boolean|null, won?: string|boolean|null, limit?: number, offset?: number}} f
 * @returns {string}
 */
export function bankSearchPath(base, f = {}) {
  const params = new URLSearchParams();
  params.set('q', String(f.q ?? '').trim());
  for (const key of ['sprint', 'challenge', 'kind']) if (f[key]) params.set(key, String(f[key]));
  for (const key of ['chosen', 'won']) {
    const v = f[key];
    if (v === true || v === '1' || v === 1) params.set(key, '1');
    else if (v === false || v === '0' || v === 0) params.set(key, '0');
  }
  params.set('limit', String(f.limit ?? BANK_PAGE));
  if (f.offset) params.set('offset', String(f.offset));
  return `${base}?${params.toString()}`;
}

/**
 * The snippet of a hit as parts to show, the matched words marked. The server marks them with
 * `[` and `]` in a string, or sends ranges `[[start, end], …]` (code points, end exclusive) over
 * the entry's text; without either, the text is one unmarked part.
 * @param {string|Array|null|undefined} snippet
 * @param {string} [text] the entry's text (for ranges, or when there is no snippet)
 * @returns {{text: string, mark: boolean}[]}
 */
export function snippetParts(snippet, text = '') {
  const out = [];
  const push = (s, mark) => {
    if (!s) return;
    const last = out[out.length - 1];
    if (last && last.mark === mark) last.text += s;
    else out.push({ text: s, mark });
  };
  if (typeof snippet === 'string' && snippet) {
    let mark = false;
    let buf = '';
    for (const ch of snippet) {
      if (ch === '[' && !mark) {
        push(buf, false);
        buf = '';
        mark = true;
      } else if (ch === ']' && mark) {
        push(buf, true);
        buf = '';
        mark = false;
      } else buf += ch;
    }
    // An unclosed "[" marks nothing: the text is shown as it came.
    push(mark ? `[${buf}` : buf, false);
    return out;
  }
  const chars = Array.from(String(text ?? ''));
  if (Array.isArray(snippet) && snippet.length) {
    const ranges = snippet
      .filter((r) => Array.isArray(r) && Number.isInteger(r[0]) && Number.isInteger(r[1]))
      .map(([a, b]) => [Math.max(0, a), Math.min(chars.length, b)])
      .filter(([a, b]) => b > a)
      .sort((x, y) => x[0] - y[0]);
    let at = 0;
    for (const [a, b] of ranges) {
      if (a < at) continue;
      push(chars.slice(at, a).join(''), false);
      push(chars.slice(a, b).join(''), true);
      at = b;
    }
    push(chars.slice(at).join(''), false);
    return out;
  }
  push(chars.join(''), false);
  return out;
}

/**
 * What became of a bank entry, as a catalogue key and its parameters: the jury's place for
 * kind `jury`, else won, chosen or not chosen.
 * @param {{kind?: string, chosen?: number|boolean, won?: number|boolean, detail?: *}} entry
 * @returns {{key: string, params: object}}
 */
export function outcome(entry) {
  const won = entry?.won === 1 || entry?.won === true;
  const chosen = entry?.chosen === 1 || entry?.chosen === true;
  if (entry?.kind === 'jury') {
    const d = entry.detail && typeof entry.detail === 'object' ? entry.detail : {};
    const place = Number.isInteger(d.place) ? d.place : Number.isInteger(d.rank) ? d.rank : null;
    if (place !== null) return { key: won ? 'bank.outcome.juryWon' : 'bank.outcome.jury', params: { place } };
  }
  if (won) return { key: 'bank.outcome.won', params: {} };
  if (chosen) return { key: 'bank.outcome.chosen', params: {} };
  return { key: 'bank.outcome.notChosen', params: {} };
}

/**
 * The sprint and team of a bank entry's `url` (`/r/<sprint>/<team>`, also with a leading `#`
 * or a whole address in front).
 * @param {string} url
 * @returns {{sprint: string, team: string}|null}
 */
export function reportTarget(url) {
  const m = /(?:^|[/#])r\/([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})\/?$/.exec(String(url ?? ''));
  return m ? { sprint: m[1], team: m[2] } : null;
}

/**
 * The route of a team's report page for a staff link: `#/o/TOKEN/r/SPRINT/TEAM` (or `f`).
 * @param {'o'|'f'} role
 * @param {string} token
 * @param {{sprint: string, team: string}} target
 * @returns {string}
 */
export function reportRoute(role, token, target) {
  return `#/${role}/${encodeURIComponent(token)}/r/${encodeURIComponent(target.sprint)}/${encodeURIComponent(target.team)}`;
}

/**
 * What an `idea.before` hint says became of the earlier idea: a catalogue key.
 * @param {{chosen?: *, won?: *}} hint
 * @returns {string}
 */
export function beforeOutcomeKey(hint) {
  if (hint?.won === true || hint?.won === 1) return 'before.won';
  if (hint?.chosen === true || hint?.chosen === 1) return 'before.chosen';
  return 'before.notChosen';
}

/**
 * The sentence of an `idea.before` hint: in which earlier sprint a close idea came up, the
 * idea as it was written then, and what became of it.
 * @param {{sprint_title?: *, sprint?: string, date?: string, text?: string, chosen?: *, won?: *}} hint
 * @returns {string}
 */
export function beforeText(hint) {
  const sprint = pick(hint?.sprint_title) || hint?.sprint || '';
  const when = hint?.date ? formatDate(hint.date) : '';
  return t('before.text', { sprint: when ? `${sprint} (${when})` : sprint, text: String(hint?.text ?? ''), outcome: t(beforeOutcomeKey(hint)) });
}

/**
 * The archived sprint named by a `sprint_archived` refusal: `{sprint, title}` in `detail`
 * (SPRINTS.md), also read from the top level of the message.
 * @param {object} err the `err` message or HTTP error body
 * @returns {{sprint: string|null, title: *}|null} null for any other refusal
 */
export function archivedSprint(err) {
  if (err?.code !== 'sprint_archived') return null;
  const d = err.detail && typeof err.detail === 'object' ? err.detail : err;
  return { sprint: typeof d.sprint === 'string' ? d.sprint : null, title: d.title ?? null };
}

/**
 * The hash to go to for an address the server answered (the new sprint's organiser link),
 * when it is on this page's origin; null when the browser has to load another address.
 * @param {string} url absolute or relative address
 * @param {string} here location.href
 * @returns {string|null}
 */
export function sameOriginHash(url, here) {
  let target;
  let base;
  try {
    base = new URL(here);
    target = new URL(url, base);
  } catch {
    return null;
  }
  if (target.origin !== base.origin || !target.hash.startsWith('#/')) return null;
  return target.hash;
}

/**
 * The team page of an archived sprint from its report document (docs/report-schema.json):
 * the sprint, the team's challenge and room, and its shared results in the order of the day.
 * Only what the document holds is shown; names only if the document carries them.
 * @param {object} doc the report JSON
 * @param {string} teamId
 * @returns {object|null} null when the team is not in the report
 */
export function teamReport(doc, teamId) {
  const team = (Array.isArray(doc?.teams) ? doc.teams : []).find((x) => x?.id === teamId);
  if (!team) return null;
  const challenge = (doc.challenges ?? []).find((c) => c.id === team.challenge) ?? null;
  const room = (doc.rooms ?? []).find((r) => r.id === team.room) ?? null;
  const s = doc.sprint ?? {};
  const canvases = [];
  for (const def of Array.isArray(doc.canvases) ? doc.canvases : []) {
    const values = team.canvases?.[def.id] ?? {};
    const fields = (def.fields ?? []).map((f) => ({ name: f.name, text: values[f.id] ?? '' })).filter((f) => f.text);
    if (fields.length) canvases.push({ id: def.id, name: def.name, fields });
  }
  const board = (b) => ({
    clusters: (b?.clusters ?? []).map((c) => ({ name: c.name, notes: c.notes ?? [], dots: typeof c.dots === 'number' ? c.dots : null, chosen: c.chosen === true })),
    loose: b?.unclustered ?? [],
  });
  const results = doc.jury?.results;
  const jr = results?.teams?.find((x) => x.team === teamId) ?? null;
  const winners = results?.winners?.overall ?? [];
  return {
    sprint: { id: s.id ?? '', title: s.title ?? '', titleEn: s.title_en ?? '', date: s.date ?? '', venue: s.venue ?? '' },
    team: { id: team.id, name: team.name ?? team.id },
    challenge: challenge ? { title: challenge.title ?? '', question: challenge.question ?? '' } : null,
    room: room ? room.name ?? '' : '',
    members: (team.members ?? []).map((m) => ({ name: m.name ?? '', organisation: m.organisation ?? '', role: m.role ?? '' })),
    knelpunten: (team.knelpunten?.items ?? []).map((k) => ({ text: k.text, dots: typeof k.dots === 'number' ? k.dots : null })),
    problems: board(team.problems),
    themes: board(team.themes),
    canvases,
    race: { total: team.race?.total ?? 0, won: team.race?.won === true, rounds: (team.race?.rounds ?? []).map((r) => ({ round: r.round, count: r.count })) },
    ideas: (team.ideas ?? []).map((i) => ({ text: i.text, votes: typeof i.votes === 'number' ? i.votes : null, chosen: i.chosen === true })),
    chosen: (team.chosen ?? []).map((c) => ({ text: c.text, votes: typeof c.votes === 'number' ? c.votes : null, milestones: [...(c.milestones ?? [])].sort((a, b) => a.at - b.at) })),
    jury: jr ? { rank: jr.rank, mean: typeof jr.mean === 'number' ? jr.mean : null, won: winners.includes(teamId) } : null,
  };
}
