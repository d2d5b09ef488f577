// Generates registration exports the way form tools write them (Google Forms in Dutch:
// `;` between fields, a UTF-8 byte-order mark, CRLF), deterministic for a given seed.
// Usage: node tests/data/gen-registrations.mjs ROWS [SEED] > file.csv
// Rows 7, 19 and 31 (data rows, 1-based) are broken on purpose when `bad` is set:
// a missing name, an address that is not one, and row 2's person registering again (same
// name, same address; later timestamp).

const FIRST = ['Anna', 'Bram', 'Cor', 'Daan', 'Eva', 'Fleur', 'Gijs', 'Hanna', 'Ilse', 'Joris',
  'Karin', 'Lars', 'Mila', 'Noor', 'Otto', 'Pim', 'Quinten', 'Roos', 'Sven', 'Tess', 'Ümit', 'Zoë'];
const LAST = ['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder',
  'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Dijk', 'Yılmaz', 'El Amrani'];
const ORGS = ['Gemeente Utrecht', 'Gemeente Zwolle', 'Belastingdienst', 'UWV', 'RVO', 'Logius',
  'Provincie Gelderland', 'Waterschap Rivierenland', 'DUO', 'SVB', 'Kadaster', 'CJIB'];
const ROLES = ['Beleidsadviseur', 'Informatieadviseur', 'Product owner', 'Developer', 'Architect',
  'Projectleider', 'UX-ontwerper', 'Jurist'];
const CHALLENGES = ['Moderniseren van de gemeentelijke IT', 'Slimme IT-samenwerking tussen markt en overheid',
  'Tekort aan IT-personeel'];
const WILLING = ['Ja, teamcaptain', 'Tijdbewaker', 'Nee', 'Nee', 'Beide', ''];

function rng(seed) {
  let s = BigInt(seed) & 0xffffffffffffffffn;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    return Number((z ^ (z >> 31n)) & 0xffffffn) / 0x1000000;
  };
}

function cell(v) {
  return /[;"\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function registrationsCsv(rows, { seed = 1, bad = true } = {}) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const head = ['Tijdstempel', 'E-mailadres', 'Voornaam', 'Achternaam', 'Organisatie', 'Functie',
    'Waarom wil je meedoen?', 'Eerste keuze challenge', 'Tweede keuze challenge',
    'Wil je teamcaptain of tijdbewaker zijn?'];
  const lines = [head.join(';')];
  let second = null;
  for (let i = 1; i <= rows; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const c1 = Math.floor(r() * 3);
    const c2 = (c1 + 1 + Math.floor(r() * 2)) % 3;
    let email = `deelnemer${i}@voorbeeld.nl`;
    let vn = first;
    let an = `${last} ${i}`;
    if (bad && i === 7) { vn = ''; an = ''; }
    if (bad && i === 19) email = 'geen-adres';
    if (i === 2) second = [vn, an];
    if (bad && i === 31) [email, vn, an] = ['deelnemer2@voorbeeld.nl', ...second];
    const motivation = i % 5 === 0 ? `Ik wil leren; "samen" bouwen.\nEn ${pick(CHALLENGES).toLowerCase()}.` : 'Omdat het nodig is.';
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push([`2024/02/${day} 10:${String(i % 60).padStart(2, '0')}:00`, email, vn, an, pick(ORGS), pick(ROLES),
      motivation, CHALLENGES[c1], CHALLENGES[c2], pick(WILLING)].map(cell).join(';'));
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.argv[2] || 60);
  const seed = Number(process.argv[3] || 1);
  process.stdout.write(registrationsCsv(rows, { seed }));
}
