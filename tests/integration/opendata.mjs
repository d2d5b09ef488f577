// Readers for the open-data tests: a validator for the part of JSON Schema 2020-12 that
// docs/report-schema.json and docs/bank-schema.json use, and a CSV (RFC 4180) reader.

import assert from 'node:assert/strict';

const KNOWN = new Set(['$schema', '$id', 'title', 'description', 'type', 'required', 'properties',
  'additionalProperties', 'items', 'enum', 'const', 'minimum', '$ref', '$defs']);

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function validate(schema, value, root = schema, at = '$', errors = []) {
  for (const k of Object.keys(schema)) {
    if (!KNOWN.has(k)) throw new Error(`the schema uses ${k} at ${at}, which this validator does not know`);
  }
  if (schema.$ref) {
    const m = /^#\/\$defs\/(.+)$/.exec(schema.$ref);
    if (!m || !root.$defs[m[1]]) throw new Error(`unresolvable $ref ${schema.$ref}`);
    validate(root.$defs[m[1]], value, root, at, errors);
  }
  if (schema.type) {
    const types = [].concat(schema.type);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
      errors.push(`${at}: ${t} is not ${types.join('|')}`);
      return errors;
    }
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) errors.push(`${at}: not the constant ${schema.const}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in ${schema.enum}`);
  if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum) errors.push(`${at}: ${value} < ${schema.minimum}`);
  if (typeOf(value) === 'object') {
    for (const r of schema.required || []) if (!(r in value)) errors.push(`${at}: missing ${r}`);
    for (const [k, v] of Object.entries(value)) {
      if (schema.properties && k in schema.properties) validate(schema.properties[k], v, root, `${at}.${k}`, errors);
      else if (schema.additionalProperties === false) errors.push(`${at}: unexpected property ${k}`);
      else if (typeof schema.additionalProperties === 'object') validate(schema.additionalProperties, v, root, `${at}.${k}`, errors);
    }
  }
  if (typeOf(value) === 'array' && schema.items) value.forEach((v, i) => validate(schema.items, v, root, `${at}[${i}]`, errors));
  return errors;
}

// The rows of a CSV file (RFC 4180, byte-order mark allowed) as objects by header.
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [], cell = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') q = false; else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r') { /* CRLF */ } else if (ch === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  assert.equal(q, false, 'a quoted CSV field is not closed');
  const [head, ...body] = rows;
  return body.map((r) => { assert.equal(r.length, head.length, `a CSV row has ${r.length} cells, the header ${head.length}`); return Object.fromEntries(head.map((h, i) => [h, r[i]])); });
}
