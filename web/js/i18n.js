// i18n.js – the UI language: Dutch by default, English on request, remembered in localStorage.

import nl from './i18n/nl.js';
import en from './i18n/en.js';
import { Emitter } from './emitter.js';

/** The languages the UI offers, the default first. */
export const LANGS = ['nl', 'en'];

const CATALOGUES = { nl, en };
const STORAGE_KEY = 'sp.lang';
const events = new Emitter();

let current = readStoredLang();

function readStoredLang() {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (LANGS.includes(stored)) return stored;
  } catch {
    // Storage can be switched off (private mode, policies): Dutch is then the answer.
  }
  return LANGS[0];
}

/** @returns {string} the current language code ('nl' or 'en') */
export function lang() {
  return current;
}

/**
 * Switches the language, remembers it, updates `<html lang>` and tells every listener.
 * @param {string} code 'nl' or 'en'; anything else is ignored
 */
export function setLang(code) {
  if (!LANGS.includes(code) || code === current) return;
  current = code;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, code);
  } catch {
    // Not remembered across reloads, but the switch still works for this page.
  }
  if (globalThis.document) document.documentElement.lang = code;
  events.emit('change', code);
}

/**
 * Subscribes to language changes.
 * @param {(code: string) => void} fn listener
 * @returns {() => void} unsubscribe
 */
export function onLangChange(fn) {
  return events.on('change', fn);
}

/**
 * Looks up a UI string and fills in `{name}` placeholders. A catalogue entry may be an
 * object of plural forms ({one, other}) chosen by `params.count`.
 * A key missing in English falls back to Dutch; a key missing everywhere is returned as is,
 * which makes the omission visible instead of silent.
 * @param {string} key catalogue key
 * @param {Object<string, *>} [params] values for placeholders
 * @returns {string}
 */
export function t(key, params = {}) {
  let entry = CATALOGUES[current][key] ?? CATALOGUES.nl[key];
  if (entry === undefined) return key;
  if (typeof entry === 'object') {
    const form = new Intl.PluralRules(current).select(Number(params.count ?? 0));
    entry = entry[form] ?? entry.other;
  }
  return entry.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/**
 * Chooses the current language from bilingual server content ({nl, en}); plain strings
 * pass through. Missing translations fall back to the other language.
 * @param {string|{nl?: string, en?: string}|null|undefined} value
 * @returns {string}
 */
export function pick(value) {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  return value[current] ?? value.nl ?? value.en ?? '';
}

/**
 * Formats an ISO date (YYYY-MM-DD) as a long date in the current language.
 * @param {string} iso date
 * @returns {string} the formatted date, or the input if it is not a date
 */
export function formatDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso ?? '');
  if (!m) return iso ?? '';
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Intl.DateTimeFormat(current === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'full' }).format(date);
}

/**
 * Formats a clock time (hours and minutes, 24-hour) in the current language.
 * @param {Date} date moment to show
 * @param {boolean} [seconds=false] include seconds
 * @returns {string}
 */
export function formatClock(date, seconds = false) {
  const opts = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (seconds) opts.second = '2-digit';
  return new Intl.DateTimeFormat(current === 'nl' ? 'nl-NL' : 'en-GB', opts).format(date);
}

/**
 * A person-readable text for a refused message: our own catalogue for the codes we know
 * (`error.CODE`), otherwise the server's own sentence in the chosen language.
 * @param {{code?: string, nl?: string, en?: string}} err the `err` message
 * @returns {string}
 */
export function errorText(err) {
  const key = `error.${err?.code}`;
  const ours = t(key);
  if (ours !== key) return ours;
  return pick({ nl: err?.nl, en: err?.en }) || t('error.unknown');
}
