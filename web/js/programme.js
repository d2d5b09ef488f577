// programme.js – what is on now and next, computed from the programme's times and the clock.

/**
 * Minutes since midnight of a "HH:MM" time.
 * @param {string} hhmm e.g. "09:30"
 * @returns {number|null} null when the text is not a time
 */
export function toMinutes(hhmm) {
  const m = /^(\d{1,2}):(\d{2})/.exec(hhmm ?? '');
  if (!m) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Splits the programme at a moment of the day. An item runs from its `time` until its `end`,
 * or, without an end, until the next item that starts later (the last item runs to
 * midnight). Items may overlap (a break during a phase): all running items are "now".
 * @param {Array<{time: string, end?: string}>} items the programme, in any order
 * @param {number} minutes the moment, in minutes since midnight (fractions allowed)
 * @returns {{now: object[], next: object|null}} the running items, oldest first, and the
 *   first item that starts after the moment
 */
export function nowAndNext(items, minutes) {
  const timed = items
    .map((item) => ({ item, start: toMinutes(item.time), end: toMinutes(item.end) }))
    .filter((x) => x.start !== null)
    .sort((a, b) => a.start - b.start);
  const now = [];
  let next = null;
  for (let i = 0; i < timed.length; i++) {
    const { item, start } = timed[i];
    let end = timed[i].end;
    if (end === null) {
      const later = timed.slice(i + 1).find((x) => x.start > start);
      end = later ? later.start : 24 * 60;
    }
    if (start <= minutes && minutes < end) now.push(item);
    else if (start > minutes && next === null) next = item;
  }
  return { now, next };
}
