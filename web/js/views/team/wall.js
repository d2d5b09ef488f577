// views/team/wall.js – the clustering wall: the board's notes as sticky notes on one surface,
// groups as labelled areas. Drag a note into a group, onto another note (a new group of the two)
// or onto free space; drag a group by its bar; rename a group in place. By keyboard: Space picks a
// note up, the arrow keys choose a group, Space puts it down, Escape cancels, and a live region
// says where the note is. The same wall, read-only, is what a facilitator puts on the projector.
//
// Every screen shows the same surface of WALL_W x WALL_H units, scaled to its width, so a note
// lies at the same spot on a laptop and on the projector. Positions are events (note.placed,
// cluster.placed), sent at most every SEND_MS while dragging and once on the drop. A note in a
// group lies in the group's order; a loose note where it was put. The DOM is kept per note and
// per group and only updated, never rebuilt, so a drag is never interrupted by a redraw and a
// focused note keeps the focus.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { boardClusters, boardNotes } from '../../state.js';
import { snippet } from './kit.js';

export const WALL_W = 1600;
export const WALL_H = 1000;
const NOTE_W = 170;
const NOTE_H = 100;
const GAP = 10;
const HEAD = 52;
const PAD = 10;
const SEND_MS = 125;
const MIN_SCALE = 0.55;

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, Math.round(v)));
const idNumber = (id) => Number(/\d+$/.exec(id)?.[0] ?? 0);
const byId = (a, b) => idNumber(a.id) - idNumber(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The size of a group's area for a number of notes: two columns, as many rows as needed.
 * @param {number} count
 * @returns {{cols: number, w: number, h: number}}
 */
export function groupSize(count) {
  const cols = 2; // a group grows downwards only, so it keeps out of its neighbours' way
  const rows = Math.max(1, Math.ceil(count / cols));
  return { cols, w: 2 * PAD + cols * NOTE_W + (cols - 1) * GAP, h: HEAD + 2 * PAD + rows * NOTE_H + (rows - 1) * GAP };
}

/**
 * The first spot, row by row, where an area of size w x h keeps a gap from every box
 * ([x, y, w, h]); null when the wall has none.
 */
export function freeIn(boxes, w, h) {
  for (let y = GAP; y + h <= WALL_H; y += 2 * GAP) {
    for (let x = GAP; x + w <= WALL_W; x += 2 * GAP) {
      const hit = boxes.find(([bx, by, bw, bh]) => x < bx + bw + GAP && bx < x + w + GAP && y < by + bh + GAP && by < y + h + GAP);
      if (!hit) return { x, y };
      x = Math.max(x, hit[0] + hit[2]); // jump past what is in the way
    }
  }
  return null;
}

/**
 * Where everything lies. A loose note never placed lies at the spot of its number on the wall
 * (the n-th note written, row by row), so it does not move when others are grouped; a group
 * never placed (made by name or from a proposal) takes the first free spot. A note of a group
 * is placed relative to its group, in the group's order. The same notes and groups give the
 * same wall on every screen.
 * @param {object[]} notes the board's shared notes, in the order they were written
 * @param {object[]} clusters the board's groups, in order
 * @returns {{groups: Map<string, {x: number, y: number, w: number, h: number, cols: number, notes: object[]}>, loose: Map<string, {x: number, y: number}>, slot: Map<string, {x: number, y: number}>, height: number}}
 */
export function layout(notes, clusters) {
  const members = new Map(clusters.map((c) => [c.id, []]));
  const perRow = Math.floor((WALL_W - GAP) / (NOTE_W + GAP));
  const loose = new Map();
  notes.forEach((n, i) => {
    if (n.cluster && members.has(n.cluster) && !n.free) members.get(n.cluster).push(n);
    else loose.set(n.id, n.placed ? { x: n.x, y: n.y } : { x: GAP + (i % perRow) * (NOTE_W + GAP), y: GAP + Math.floor(i / perRow) * (NOTE_H + GAP) });
  });
  const boxes = [...loose.values()].map((at) => [at.x, at.y, NOTE_W, NOTE_H]);
  const groups = new Map();
  const sizes = new Map(clusters.map((c) => [c.id, groupSize(members.get(c.id).length)]));
  for (const c of clusters) {
    if (!c.placed) continue;
    const size = sizes.get(c.id);
    groups.set(c.id, { x: Math.min(c.x, WALL_W - size.w), y: c.y, ...size });
    boxes.push([c.x, c.y, size.w, size.h]);
  }
  let below = Math.max(WALL_H, ...boxes.map((b) => b[1] + b[3] + 2 * GAP));
  for (const c of clusters) {
    if (c.placed) continue;
    const size = sizes.get(c.id);
    let at = freeIn(boxes, size.w, size.h);
    if (!at) {
      at = { x: GAP, y: below };
      below += size.h + 2 * GAP;
    }
    groups.set(c.id, { ...at, ...size });
    boxes.push([at.x, at.y, size.w, size.h]);
  }
  const slot = new Map();
  let height = WALL_H;
  for (const c of clusters) {
    const g = groups.get(c.id);
    const list = members.get(c.id);
    // In the map's order of the clusters, with the notes of each (for the caller).
    groups.delete(c.id);
    groups.set(c.id, { ...g, notes: list });
    list.forEach((n, i) => slot.set(n.id, { x: PAD + (i % g.cols) * (NOTE_W + GAP), y: HEAD + PAD + Math.floor(i / g.cols) * (NOTE_H + GAP) }));
    height = Math.max(height, g.y + g.h + GAP);
  }
  for (const at of loose.values()) height = Math.max(height, at.y + NOTE_H + GAP);
  return { groups, loose, slot, height };
}

/** Sets left/top through the CSSOM (the CSP forbids style attributes). */
function put(el, x, y) {
  el.style.setProperty('left', `${x}px`);
  el.style.setProperty('top', `${y}px`);
}

/**
 * Calls fn at most once per `ms` (leading and trailing); `cancel` drops what is pending.
 * @returns {{call: (...args: any[]) => void, cancel: () => void}}
 */
function throttle(fn, ms) {
  let last = -Infinity;
  let timer = null;
  let pending = null;
  const run = () => {
    timer = null;
    last = performance.now();
    const args = pending;
    pending = null;
    if (args) fn(...args);
  };
  return {
    call(...args) {
      pending = args;
      if (timer) return;
      const wait = last + ms - performance.now();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    cancel() {
      clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}

/**
 * Creates a wall.
 * @param {object} o
 * @param {object} o.state the client state
 * @param {() => string|null} o.team the team whose wall it is
 * @param {string} o.board the board
 * @param {object|null} o.tc the team context (commands, live region); null: read-only (projector)
 * @returns {{el: HTMLElement, sync: (ev: object|null) => void, spot: () => {x: number, y: number}, destroy: () => void}}
 */
export function createWall({ state, team, board, tc }) {
  const readOnly = !tc;
  const helpId = `sp-wall-help-${board}`;
  const surface = h('div', { class: 'sp-wall__surface js-wall-surface' });
  const looseList = h('ul', { class: 'sp-wall__loose js-wall-loose', 'aria-label': t('team.wall.loose') });
  surface.append(looseList);
  const el = h(
    'div',
    { class: `sp-wall js-wall ${readOnly ? 'sp-wall--screen' : ''}`.trim() },
    readOnly ? null : h('p', { class: 'sp-visually-hidden', id: helpId, text: t('team.wall.help') }),
    h('div', { class: 'sp-wall__viewport js-wall-viewport', role: 'region', 'aria-label': t('team.wall.label'), tabindex: readOnly ? null : '-1' }, surface),
  );

  /** id → {li, card, text, where} */
  const noteEls = new Map();
  /** id → {section, bar, title, input, list, count} */
  const groupEls = new Map();
  let scale = 1;
  let current = { groups: new Map(), loose: new Map(), slot: new Map(), height: WALL_H };
  /** The note or group being dragged by this user. */
  let drag = null;
  /** The note picked up by keyboard: {id, from, index}. */
  let held = null;

  // In the order the notes were written (their ids count up), the same for everyone: a member
  // met her own notes first, while they were private, and the others' when they were shared.
  const notesNow = () => (team() ? boardNotes(state, team(), board).filter((n) => !n.private).sort(byId) : []);
  const groupsNow = () => (team() ? boardClusters(state, team(), board) : []);
  const groupName = (id) => (id ? state.clusters.get(id)?.name ?? '' : t('team.wall.loose'));

  function rescale() {
    const width = el.clientWidth || WALL_W;
    scale = Math.max(MIN_SCALE, Math.min(width / WALL_W, 1.5));
    surface.style.setProperty('transform', `scale(${scale})`);
    surface.parentElement.style.setProperty('height', `${Math.ceil(current.height * scale)}px`);
  }

  const send = (cmd, args) => (tc ? tc.command(cmd, args).catch(() => {}) : Promise.resolve());
  const sendNote = throttle((id, x, y) => send('note.place', { note: id, x, y }), SEND_MS);
  const sendGroup = throttle((id, x, y) => send('cluster.place', { cluster: id, x, y }), SEND_MS);

  // ---- notes ----

  function buildNote(n) {
    const text = h('p', { class: 'sp-wall__text', text: n.text });
    const where = h('span', { class: 'sp-visually-hidden' });
    const card = h(
      'div',
      readOnly
        ? { class: 'sp-wall__note' }
        : { class: 'sp-wall__note js-wall-note', role: 'button', tabindex: '0', 'aria-pressed': 'false', 'aria-describedby': helpId, dataset: { note: n.id } },
      text,
      where,
    );
    const li = h('li', { class: 'sp-wall__slot js-wall-slot', dataset: { note: n.id } }, card);
    const item = { li, card, text, where };
    if (!readOnly) {
      card.addEventListener('pointerdown', (e) => startDrag(e, 'note', n.id, li));
      card.addEventListener('keydown', (e) => onNoteKey(e, n.id));
    }
    return item;
  }

  function onNoteKey(e, id) {
    const targets = [null, ...groupsNow().map((c) => c.id)];
    if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      if (!held) {
        const from = state.notes.get(id)?.cluster ?? null;
        held = { id, from, index: Math.max(0, targets.indexOf(from)) };
        markHeld();
        tc.live(t('team.wall.pickedUp', { text: snippet(state.notes.get(id)?.text), group: groupName(from) }));
      } else if (held.id === id) {
        const to = targets[held.index] ?? null;
        const { from } = held;
        held = null;
        markHeld();
        const text = snippet(state.notes.get(id)?.text);
        if (to !== from) send('note.move', { note: id, cluster: to }).then(() => tc.live(t('team.wall.dropped', { text, group: groupName(to) })));
        else tc.live(t('team.wall.dropped', { text, group: groupName(to) }));
      }
    } else if (held && held.id === id && ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp'].includes(e.key)) {
      e.preventDefault();
      const d = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : -1;
      held.index = (held.index + d + targets.length) % targets.length;
      markHeld();
      tc.live(t('team.wall.over', { group: groupName(targets[held.index]), n: held.index + 1, total: targets.length }));
    } else if (held && held.id === id && e.key === 'Escape') {
      e.preventDefault();
      const { from } = held;
      held = null;
      markHeld();
      tc.live(t('team.wall.cancelled', { group: groupName(from) }));
    }
  }

  /** Shows which note is held and over which group (or the loose notes) it would land. */
  function markHeld() {
    const targets = [null, ...groupsNow().map((c) => c.id)];
    const over = held ? targets[held.index] ?? null : undefined;
    for (const [id, item] of noteEls) {
      item.card.setAttribute('aria-pressed', String(held?.id === id));
      item.card.classList.toggle('sp-wall__note--held', held?.id === id);
    }
    for (const [id, g] of groupEls) g.section.classList.toggle('sp-wall__group--target', over === id);
    looseList.classList.toggle('sp-wall__loose--target', held !== null && over === null);
  }

  // ---- groups ----

  function buildGroup(c) {
    const titleId = `sp-wall-group-${c.id}`;
    const count = h('span', { class: 'sp-wall__count' });
    let input = null;
    let title;
    if (readOnly) {
      title = h('h3', { class: 'sp-wall__name', id: titleId, text: c.name });
    } else {
      input = h('input', { class: 'sp-wall__name-input js-wall-name', id: titleId, type: 'text', maxlength: '80', 'aria-label': t('team.wall.groupName'), dataset: { cluster: c.id } });
      input.value = c.name;
      const commit = () => {
        const name = input.value.trim();
        const now = state.clusters.get(c.id)?.name;
        if (name && name !== now) send('cluster.rename', { cluster: c.id, name });
        else if (!name) input.value = now ?? '';
      };
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        } else if (e.key === 'Escape') input.value = state.clusters.get(c.id)?.name ?? '';
      });
      input.addEventListener('change', commit);
      title = input;
    }
    const grip = readOnly ? null : h('span', { class: 'sp-wall__grip js-wall-grip', 'aria-hidden': 'true', title: t('team.wall.dragGroup', { name: c.name }) }, '⠿');
    const bar = h('div', { class: 'sp-wall__bar js-wall-bar' }, grip, title, count);
    const list = h('ul', { class: 'sp-wall__notes', 'aria-labelledby': readOnly ? titleId : null, 'aria-label': readOnly ? null : c.name });
    const section = h('section', { class: 'sp-wall__group js-wall-group', dataset: { cluster: c.id }, 'aria-label': c.name }, bar, list);
    if (!readOnly) bar.addEventListener('pointerdown', (e) => e.target !== input && startDrag(e, 'group', c.id, section));
    return { section, title, input, list, count };
  }

  // ---- pointer dragging ----

  function startDrag(e, kind, id, node) {
    if (e.button !== 0 || drag) return;
    e.preventDefault();
    const rect = surface.getBoundingClientRect();
    const origin = kind === 'note' ? notePosition(id) : current.groups.get(id);
    if (!origin) return;
    drag = { kind, id, node, pointer: e.pointerId, sx: e.clientX, sy: e.clientY, ox: origin.x, oy: origin.y, rect, moved: false, x: origin.x, y: origin.y };
    node.setPointerCapture?.(e.pointerId);
    node.addEventListener('pointermove', onMove);
    node.addEventListener('pointerup', onUp);
    node.addEventListener('pointercancel', onCancel);
  }

  /** A note's top-left corner in surface units. */
  function notePosition(id) {
    const n = state.notes.get(id);
    if (!n) return null;
    const g = n.cluster && !n.free ? current.groups.get(n.cluster) : null;
    if (g) {
      const s = current.slot.get(id);
      return s ? { x: g.x + s.x, y: g.y + s.y } : null;
    }
    return current.loose.get(id) ?? null;
  }

  function onMove(e) {
    if (!drag || e.pointerId !== drag.pointer) return;
    const dx = (e.clientX - drag.sx) / scale;
    const dy = (e.clientY - drag.sy) / scale;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) {
      drag.moved = true;
      drag.node.classList.add('sp-wall--dragging');
    }
    const w = drag.kind === 'note' ? NOTE_W : current.groups.get(drag.id)?.w ?? NOTE_W;
    drag.x = clamp(drag.ox + dx, 0, WALL_W - Math.min(w, WALL_W));
    drag.y = clamp(drag.oy + dy, 0, WALL_H);
    drag.node.style.setProperty('transform', `translate(${drag.x - drag.ox}px, ${drag.y - drag.oy}px)`);
    if (drag.kind === 'note') {
      sendNote.call(drag.id, drag.x, drag.y);
      markOver(e);
    } else sendGroup.call(drag.id, drag.x, drag.y);
  }

  /** The point under the pointer, in surface units. */
  function surfacePoint(e) {
    const rect = surface.getBoundingClientRect();
    return { x: (e.clientX - rect.left) / scale, y: (e.clientY - rect.top) / scale };
  }

  /** What a note dropped at point p lands on: another loose note (they lie on top), a group,
   * or free space. */
  function dropTarget(p, self) {
    for (const [id, at] of current.loose) if (id !== self && p.x >= at.x && p.x <= at.x + NOTE_W && p.y >= at.y && p.y <= at.y + NOTE_H) return { note: id };
    for (const [id, g] of current.groups) if (p.x >= g.x && p.x <= g.x + g.w && p.y >= g.y && p.y <= g.y + g.h) return { group: id };
    return {};
  }

  /** A free spot for an area of `size`, not counting the loose notes in `skip`. */
  function freeSpot(size, skip) {
    const boxes = [...current.groups.values()].map((g) => [g.x, g.y, g.w, g.h]);
    for (const [id, at] of current.loose) if (!skip.has(id)) boxes.push([at.x, at.y, NOTE_W, NOTE_H]);
    const small = groupSize(2);
    // Room to grow if there is; else room for now; else below everything (the wall grows).
    return freeIn(boxes, size.w, size.h) ?? freeIn(boxes, small.w, small.h) ?? { x: GAP, y: Math.min(WALL_H, Math.max(0, ...boxes.map((b) => b[1] + b[3] + GAP))) };
  }

  function markOver(e) {
    const target = dropTarget(surfacePoint(e), drag.id);
    for (const [id, g] of groupEls) g.section.classList.toggle('sp-wall__group--target', target.group === id);
    for (const [id, item] of noteEls) item.card.classList.toggle('sp-wall__note--target', target.note === id);
  }

  function endDrag() {
    const d = drag;
    drag = null;
    d.node.removeEventListener('pointermove', onMove);
    d.node.removeEventListener('pointerup', onUp);
    d.node.removeEventListener('pointercancel', onCancel);
    d.node.classList.remove('sp-wall--dragging');
    for (const g of groupEls.values()) g.section.classList.remove('sp-wall__group--target');
    for (const item of noteEls.values()) item.card.classList.remove('sp-wall__note--target');
    return d;
  }

  function onCancel() {
    if (!drag) return;
    const d = endDrag();
    sendNote.cancel();
    sendGroup.cancel();
    d.node.style.removeProperty('transform');
  }

  async function onUp(e) {
    if (!drag || e.pointerId !== drag.pointer) return;
    const d = endDrag();
    if (!d.moved) {
      if (d.kind === 'note') noteEls.get(d.id)?.card.focus({ preventScroll: true });
      return;
    }
    if (d.kind === 'group') {
      sendGroup.cancel();
      await send('cluster.place', { cluster: d.id, x: d.x, y: d.y });
      return;
    }
    sendNote.cancel();
    const note = state.notes.get(d.id);
    const target = dropTarget(surfacePoint(e), d.id);
    if (target.group) {
      await send('note.move', { note: d.id, cluster: target.group });
    } else if (target.note) {
      // Room for the group to grow to six notes without covering anything.
      const at = freeSpot(groupSize(6), new Set([target.note, d.id]));
      await send('cluster.add', { board, name: t('team.wall.newGroup'), notes: [target.note, d.id], x: at.x, y: at.y });
      tc.live(t('team.wall.grouped', { count: 2 }));
    } else {
      if (note?.cluster) await send('note.move', { note: d.id, cluster: null });
      await send('note.place', { note: d.id, x: d.x, y: d.y });
    }
  }

  // ---- drawing ----

  function sync() {
    const notes = notesNow();
    const clusters = groupsNow();
    current = layout(notes, clusters);
    const active = document.activeElement;

    const keepG = new Set(clusters.map((c) => c.id));
    for (const [id, g] of groupEls) {
      if (keepG.has(id)) continue;
      g.section.remove();
      groupEls.delete(id);
    }
    for (const c of clusters) {
      let g = groupEls.get(c.id);
      if (!g) {
        g = buildGroup(c);
        groupEls.set(c.id, g);
        surface.append(g.section);
      }
      const at = current.groups.get(c.id);
      if (!(drag?.kind === 'group' && drag.id === c.id)) {
        g.section.style.removeProperty('transform');
        put(g.section, at.x, at.y);
      }
      g.section.style.setProperty('width', `${at.w}px`);
      g.section.style.setProperty('height', `${at.h}px`);
      g.section.setAttribute('aria-label', c.name);
      g.section.dataset.name = c.name;
      if (g.input) {
        if (document.activeElement !== g.input) g.input.value = c.name;
        g.list.setAttribute('aria-label', c.name);
      } else if (g.title.textContent !== c.name) g.title.textContent = c.name;
      g.count.textContent = String(at.notes.length);
    }

    const keepN = new Set(notes.map((n) => n.id));
    for (const [id, item] of noteEls) {
      if (keepN.has(id)) continue;
      item.li.remove();
      noteEls.delete(id);
      if (held?.id === id) held = null;
    }
    /** Per list, the last note put in order, so only what is out of place moves. */
    const prev = new Map();
    for (const n of notes) {
      let item = noteEls.get(n.id);
      if (!item) {
        item = buildNote(n);
        noteEls.set(n.id, item);
      }
      if (item.text.textContent !== n.text) item.text.textContent = n.text;
      const inGroup = n.cluster && current.groups.has(n.cluster) && !n.free;
      const parent = inGroup ? groupEls.get(n.cluster).list : looseList;
      const at = inGroup ? current.slot.get(n.id) : current.loose.get(n.id);
      const dragging = drag?.kind === 'note' && drag.id === n.id;
      // Each list in the notes' order; a node is moved only when out of place (moving a
      // focused node drops the focus). A note being dragged stays put until it is dropped.
      if (!dragging) {
        const before = prev.get(parent);
        const want = before ? before.nextElementSibling : parent.firstElementChild;
        if (want !== item.li) parent.insertBefore(item.li, want);
        prev.set(parent, item.li);
        item.li.style.removeProperty('transform');
        put(item.li, at.x, at.y);
      }
      const where = inGroup ? t('team.wall.inGroup', { group: state.clusters.get(n.cluster)?.name ?? '' }) : '';
      if (item.where.textContent !== (where ? ` (${where})` : '')) item.where.textContent = where ? ` (${where})` : '';
    }
    // Moving a focused node drops the focus: give it back.
    if (active && active !== document.activeElement && el.contains(active)) active.focus({ preventScroll: true });
    surface.style.setProperty('height', `${current.height}px`);
    rescale();
    if (held) markHeld();
  }

  const resize = typeof ResizeObserver === 'function' ? new ResizeObserver(() => rescale()) : null;
  resize?.observe(el);
  sync();

  return {
    el,
    sync,
    /** Where a new group of a few notes may go without covering anything. */
    spot: () => freeSpot(groupSize(6), new Set()),
    destroy() {
      resize?.disconnect();
      sendNote.cancel();
      sendGroup.cancel();
    },
  };
}
