// A whole simulated day with 12 teams through the real server, then every export: the PDF
// (text and pages), the JSON against its schema, the Markdown and the CSV files.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_DIR, runBin as run, tempDir, removeDir, sanitizerReport } from './lib.mjs';
import { validate, parseCsv } from './opendata.mjs';

async function runBin(args, timeoutMs) {
  const r = await run(args, timeoutMs);
  const rep = sanitizerReport(r.stderr + r.stdout);
  assert.equal(rep, null, `staatsprint ${args.join(' ')} printed a sanitizer report:\n${rep}`);
  return r;
}

// ---- PGM reader ---------------------------------------------------------------------------

function pgmStats(buf) {
  // P5 <w> <h> <max>\n<bytes>
  const header = buf.subarray(0, 64).toString('latin1');
  const m = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(header);
  assert.ok(m, 'pdftoppm -gray must write binary PGM');
  const [w, h] = [Number(m[1]), Number(m[2])];
  const px = buf.subarray(m[0].length, m[0].length + w * h);
  assert.equal(px.length, w * h, 'the PGM holds every pixel');
  let sum = 0, sq = 0, dark = 0;
  for (const v of px) { sum += v; sq += v * v; if (v < 128) dark++; }
  const mean = sum / px.length;
  return { w, h, variance: sq / px.length - mean * mean, dark };
}

// Text as pdftotext gives it, compared without layout: no white space, no hyphens (pango may
// break a long word with a hyphen), no soft hyphens.
const squash = (s) => s.replace(/[\s\u00ad\-‐‑–]/g, '');

test('a simulated 12-team day exports a complete PDF, valid JSON, Markdown and CSV', async (t) => {
  const dir = tempDir('staatsprint-report-');
  t.after(() => removeDir(dir));
  const db = path.join(dir, 'dag.db');
  const started = Date.now();
  const sim = await runBin(['simulate', '--db', db, '--teams', '12', '--seed', '7'], 120000);
  const took = Date.now() - started;
  assert.ok(!sim.timedOut, `simulate did not finish within 120 s\n${sim.stdout}\n${sim.stderr}`);
  assert.equal(sim.code, 0, `simulate must exit 0 with every command accepted\n${sim.stdout}\n${sim.stderr}`);
  assert.match(sim.stdout, /12 teams/, `simulate must report 12 teams, printed ${sim.stdout}`);
  assert.match(sim.stdout, /\b0 geweigerd/, 'no command of the bots may be refused');
  assert.ok(took < 60000, `a 12-team day must simulate in under a minute, took ${took} ms`);

  const out = (f) => path.join(dir, f);
  const exp = await runBin(['export', '--db', db, '--pdf', out('r.pdf'), '--json', out('r.json'), '--md', out('r.md'),
    '--csv-ideas', out('ideas.csv'), '--csv-votes', out('votes.csv')], 60000);
  assert.equal(exp.code, 0, `export must exit 0\n${exp.stderr}`);
  const named = await runBin(['export', '--db', db, '--json', out('names.json'), '--names'], 60000);
  assert.equal(named.code, 0, `export --names must exit 0\n${named.stderr}`);

  // JSON: valid against the documented schema; the validator itself rejects broken copies.
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'docs/report-schema.json'), 'utf8'));
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const doc = JSON.parse(fs.readFileSync(out('r.json'), 'utf8'));
  assert.deepEqual(validate(schema, doc), [], 'the JSON export must validate against docs/report-schema.json');
  const broken = structuredClone(doc);
  delete broken.teams[0].race;
  broken.teams[1].knelpunten.items.push({ id: 'x', text: 1, cluster: '', dots: 2 });
  assert.equal(validate(schema, broken).length, 2, 'the validator must catch a missing field and a wrong type');
  const withNames = JSON.parse(fs.readFileSync(out('names.json'), 'utf8'));
  assert.deepEqual(validate(schema, withNames), []);

  assert.equal(doc.teams.length, 12, 'the day has 12 teams');
  assert.equal(doc.names, false);
  for (const team of doc.teams) {
    assert.ok(team.members.length >= 3 && team.members.length <= 6, `${team.name} has 3–6 members`);
    for (const m of team.members) {
      assert.equal(m.name, undefined, 'no names without --names');
      assert.ok(m.organisation.length > 0, `every member of ${team.name} names an organisation`);
    }
    assert.ok(team.members.some((m) => m.team_roles.includes('captain')), `${team.name} has a captain`);
    assert.ok(team.problems.clusters.length >= 2, `${team.name} made clusters`);
    assert.equal(team.knelpunten.revealed, true, `${team.name}'s knelpunten vote was revealed`);
    const dots = team.knelpunten.items.reduce((a, i) => a + i.dots, 0);
    assert.equal(dots, 10 * team.members.length, `${team.name}: every member placed 10 dots`);
    const themeDots = team.themes.clusters.reduce((a, c) => a + c.dots, 0);
    assert.equal(themeDots, 2 * team.members.length, `${team.name}: every member placed 2 dots on themes`);
    assert.equal(team.themes.clusters.filter((c) => c.chosen).length, 1, `${team.name} chose one theme`);
    for (const f of ['issue', 'owner', 'activity', 'result']) assert.ok(team.canvases.problem[f], `${team.name} wrote the problem statement's ${f}`);
    for (const f of ['driver', 'passengers', 'chassis', 'engine', 'fuel', 'road']) assert.ok(team.canvases.vehicle[f], `${team.name}'s vehicle has a ${f}`);
    assert.equal(team.race.rounds.length, 2, 'two rounds of the Idee Race');
    assert.equal(team.race.rounds[0].count + team.race.rounds[1].count, team.ideas.length);
    assert.ok(team.chosen.length >= 1 && team.chosen.length <= 3, `${team.name} goes on with 1–3 ideas`);
    const ideaVotes = team.ideas.reduce((a, i) => a + i.votes, 0);
    assert.equal(ideaVotes, 3 * team.members.length, `${team.name}: 3 votes per member on ideas`);
    for (const c of team.chosen) assert.ok(c.milestones.some((m) => m.at === 0) && c.milestones.some((m) => m.at === 5), 'the Crystal Ball runs from Nu to 5 jaar');
    assert.ok(team.canvases.pitch.idea && team.canvases.plan.impact, `${team.name} wrote a pitch and a plan`);
  }
  assert.ok(doc.rooms.every((r) => r.race_winners.length >= 1), 'every room has an Idee Race winner');
  assert.equal(doc.jury.phase, 'announced', 'the jury announced its results');
  assert.equal(doc.jury.results.teams.length, 12);
  assert.ok(doc.jury.results.winners.overall.length >= 1);

  // PDF text: every team's name, problem statement and chosen ideas.
  const txt = spawnSync('pdftotext', [out('r.pdf'), '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(txt.status, 0, `pdftotext failed: ${txt.stderr}`);
  const text = squash(txt.stdout);
  for (const team of doc.teams) {
    assert.ok(text.includes(squash(team.name)), `the PDF names ${team.name}`);
    assert.ok(text.includes(squash(team.canvases.problem.issue)), `the PDF holds ${team.name}'s problem statement`);
    for (const c of team.chosen) assert.ok(text.includes(squash(c.text)), `the PDF holds ${team.name}'s chosen idea "${c.text}"`);
  }
  assert.ok(text.includes(squash('Inhoud')) && text.includes(squash('Jury en winnaars')), 'a table of contents and the jury section');
  // Names stay out of every default export.
  const names = withNames.teams.flatMap((tm) => tm.members.map((m) => m.name));
  assert.equal(names.length, doc.teams.reduce((a, tm) => a + tm.members.length, 0));
  const md = fs.readFileSync(out('r.md'), 'utf8');
  const json = fs.readFileSync(out('r.json'), 'utf8');
  for (const n of names) {
    assert.ok(!txt.stdout.includes(n) && !md.includes(n) && !json.includes(n), `the name ${n} must not be in the default exports`);
  }
  for (const team of doc.teams) assert.ok(md.includes(team.name), `the Markdown names ${team.name}`);

  // PDF pages: every page renders and none is blank.
  const info = spawnSync('pdfinfo', [out('r.pdf')], { encoding: 'utf8' });
  const pages = Number(/Pages:\s+(\d+)/.exec(info.stdout)[1]);
  assert.ok(pages >= 12 + 4, `one or more pages per team plus cover, contents, programme, jury: ${pages}`);
  const ppm = spawnSync('pdftoppm', ['-r', '30', '-gray', out('r.pdf'), out('page')], { encoding: 'utf8' });
  assert.equal(ppm.status, 0, `pdftoppm failed: ${ppm.stderr}`);
  const files = fs.readdirSync(dir).filter((f) => /^page-\d+\.pgm$/.test(f)).sort();
  assert.equal(files.length, pages, 'pdftoppm renders every page');
  for (const f of files) {
    const s = pgmStats(fs.readFileSync(path.join(dir, f)));
    assert.ok(s.w > 200 && s.h > 300, `${f} has the size of an A4 page at 30 dpi`);
    assert.ok(s.variance > 20 && s.dark > 50, `${f} is not blank (variance ${s.variance.toFixed(1)}, ${s.dark} dark pixels)`);
  }

  // CSV: reads back and agrees with the JSON.
  const ideas = parseCsv(fs.readFileSync(out('ideas.csv'), 'utf8'));
  assert.equal(ideas.length, doc.teams.reduce((a, tm) => a + tm.ideas.length, 0), 'one CSV row per idea');
  for (const team of doc.teams) {
    const rows = ideas.filter((r) => r.team_id === team.id);
    assert.equal(rows.length, team.ideas.length);
    assert.equal(rows.filter((r) => r.chosen === 'ja').length, team.chosen.length, `${team.name}: chosen ideas in the CSV`);
    assert.equal(rows.reduce((a, r) => a + Number(r.votes), 0), 3 * team.members.length);
    for (const c of team.chosen) assert.ok(rows.some((r) => r.text === c.text && r.chosen === 'ja'));
  }
  const votes = parseCsv(fs.readFileSync(out('votes.csv'), 'utf8'));
  for (const team of doc.teams) {
    const rows = votes.filter((r) => r.team_id === team.id);
    const sum = (kind) => rows.filter((r) => r.vote === kind).reduce((a, r) => a + Number(r.dots), 0);
    assert.equal(sum('knelpunten'), 10 * team.members.length, `${team.name}: knelpunten dots in the CSV`);
    assert.equal(sum('themes'), 2 * team.members.length);
    assert.equal(sum('ideas'), 3 * team.members.length);
    assert.equal(rows.filter((r) => r.vote === 'knelpunten').length, team.knelpunten.items.length);
  }
});

test('export refuses a database that does not exist and bad usage', async (t) => {
  const dir = tempDir('staatsprint-report-');
  t.after(() => removeDir(dir));
  const missing = path.join(dir, 'bestaat-niet.db');
  const r = await runBin(['export', '--db', missing, '--json', path.join(dir, 'x.json')], 20000);
  assert.notEqual(r.code, 0);
  assert.ok(r.stderr.includes(missing), 'the error names the database');
  assert.ok(!fs.existsSync(missing), 'export never creates a database');
  const u = await runBin(['export', '--db', missing], 20000);
  assert.equal(u.code, 2, 'export without an output is bad usage');
  const s = await runBin(['simulate', '--teams', '3'], 20000);
  assert.equal(s.code, 2, 'simulate without --db is bad usage');
});
