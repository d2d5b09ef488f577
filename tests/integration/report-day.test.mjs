// The report of a real day, tested on the text of its PDF: a 40-team simulated day with four
// more planned teams that nobody joined (`simulate --teams 40 --idle 4`). Only teams that took
// part get a page (the idle ones are named once, under their challenge, never in the contents); no
// "0." rank; Dutch dates and plurals; the cover counts the people who took part. And a day where
// only two teams played: "geen winnaar" for the challenges no one was scored in.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runBin as run, tempDir, removeDir, sanitizerReport } from './lib.mjs';

async function runBin(args, timeoutMs) {
  const r = await run(args, timeoutMs);
  const rep = sanitizerReport(r.stderr + r.stdout);
  assert.equal(rep, null, `staatsprint ${args.join(' ')} printed a sanitizer report:\n${rep}`);
  return r;
}

const HEADER = 'Staatsprint digitale overheid voor betere dienstverlening';
const FOOTER = /^Resultaten van de Staatsprint\s+\d+$/;

test('a 40-team day: no empty team pages, no "0." ranks, Dutch dates and plurals', { timeout: 600000 }, async (t) => {
  const dir = tempDir('staatsprint-day-');
  t.after(() => removeDir(dir));
  const db = path.join(dir, 'day.db');
  const sim = await runBin(['simulate', '--db', db, '--teams', '40', '--idle', '4', '--speed', '10'], 540000);
  assert.equal(sim.code, 0, `simulate failed:\n${sim.stdout}\n${sim.stderr}`);
  const pdf = path.join(dir, 'r.pdf');
  const json = path.join(dir, 'r.json');
  const ex = await runBin(['export', '--db', db, '--pdf', pdf, '--json', json], 120000);
  assert.equal(ex.code, 0, `export failed: ${ex.stderr}`);
  const doc = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.equal(doc.teams.length, 44, 'the day planned 44 teams');
  const idle = doc.teams.filter((tm) => tm.members.length === 0);
  assert.equal(idle.length, 4, 'four teams nobody joined');
  const members = doc.teams.reduce((a, tm) => a + tm.members.length, 0);

  const txt = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(txt.status, 0, `pdftotext failed: ${txt.stderr}`);
  const pages = txt.stdout.split('\f').filter((p) => p.trim() !== '');
  const lines = (p) => p.split('\n').map((l) => l.trim()).filter((l) => l && l !== HEADER && !FOOTER.test(l));

  // The cover: a Dutch date, the people and teams that took part.
  const cover = pages[0];
  assert.match(cover, /13 maart 2024/, 'a Dutch date on the cover');
  assert.ok(!/\d{4}-\d{2}-\d{2}/.test(cover), 'no ISO date on the cover');
  assert.match(cover, new RegExp(`40 teams · ${members} deelnemers`), 'the cover counts the 40 teams and the people that took part');

  // No team page without work: every page that opens with a team's name has its work on it.
  const names = new Set(doc.teams.map((tm) => tm.name));
  let teamPages = 0;
  for (const [i, p] of pages.entries()) {
    const body = lines(p);
    if (!names.has(body[0])) continue;
    teamPages++;
    assert.ok(body.length >= 12, `page ${i + 1} (${body[0]}) has the team's work, not an empty page: ${JSON.stringify(body)}`);
    assert.ok(!idle.some((tm) => tm.name === body[0]), `${body[0]} did nothing and gets no page`);
    assert.ok(!body.includes('Niemand heeft zich bij dit team aangemeld.'), `page ${i + 1} is no page for an empty team`);
  }
  assert.ok(teamPages >= 40, `a page (or more) for each of the 40 teams that worked: ${teamPages}`);
  // The idle teams: named once each, under their challenge, and not in the contents.
  const all = txt.stdout;
  for (const tm of idle) {
    const n = all.split('\n').filter((l) => new RegExp(`(^|[ ,•])${tm.name}(,|$)`).test(l.trim())).length;
    assert.equal(n, 1, `${tm.name} is listed once`);
  }
  assert.match(all, /Aan deze teams deed niemand mee|Aan dit team deed niemand mee/, 'the idle teams are introduced as such');

  // The ranking: only scored teams, numbered from 1, with Dutch plurals.
  const jury = all.slice(all.lastIndexOf('Ranglijst van de jury'));
  const ranks = jury.split('\n').map((l) => /^\s*(\d+)\.\s+(.+?) – gemiddeld/.exec(l)).filter(Boolean);
  assert.equal(ranks.length, 40, 'the 40 scored teams are ranked');
  assert.ok(ranks.every((m) => Number(m[1]) >= 1), 'no rank 0');
  assert.ok(!/(^|\n)\s*0\.\s/.test(jury), 'no "0." line');
  assert.ok(!/\b1 juryleden\b/.test(all), 'never "1 juryleden"');
  for (const tm of idle) assert.ok(!ranks.some((m) => m[2] === tm.name), `${tm.name} is not ranked`);
  assert.match(jury, /\(3 juryleden\)/);
});

test('a day where two teams played: "geen winnaar" for the challenges without a scored team', { timeout: 300000 }, async (t) => {
  const dir = tempDir('staatsprint-day2-');
  t.after(() => removeDir(dir));
  const db = path.join(dir, 'day.db');
  const sim = await runBin(['simulate', '--db', db, '--teams', '2', '--speed', '50'], 240000);
  assert.equal(sim.code, 0, `simulate failed:\n${sim.stdout}\n${sim.stderr}`);
  const pdf = path.join(dir, 'r.pdf');
  const json = path.join(dir, 'r.json');
  assert.equal((await runBin(['export', '--db', db, '--pdf', pdf, '--json', json], 120000)).code, 0);
  const doc = JSON.parse(fs.readFileSync(json, 'utf8'));
  const played = doc.teams.filter((tm) => tm.members.length > 0);
  assert.equal(played.length, 2);
  const text = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  const without = doc.challenges.filter((c) => !played.some((tm) => tm.challenge === c.id));
  assert.ok(without.length >= 1, 'a challenge no team played');
  for (const c of without) assert.match(text, new RegExp(`${c.title}:\\s+geen winnaar`), `"geen winnaar" for ${c.title}`);
  const ranks = text.slice(text.lastIndexOf('Ranglijst van de jury')).split('\n').filter((l) => /^\s*\d+\.\s/.test(l));
  assert.equal(ranks.length, 2, 'only the two scored teams are ranked');
  assert.match(text, /2 teams · \d+ deelnemers/, 'the cover counts the teams that took part');
});
