// @ts-check
// Usage: npm run mock:protected-data -- <out.zip> '<json object>' [--file <key>=<path>]...
// Writes a protected data file as @iexec/dataprotector makes them (before encryption) and as the worker
// hands it decrypted to the app: a zip with one entry per value, nested objects as folders, values
// serialized with borsh like `protectData` does: strings as "string", booleans as "bool", numbers as
// "f64", and --file contents as raw bytes. Use it with `npm run local -- --protected-data <out.zip>`.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serialize } from 'borsh';
import JSZip from 'jszip';

/** @typedef {string | number | boolean | Uint8Array | { [key: string]: ProtectedValue }} ProtectedValue */

/** Key names @iexec/dataprotector accepts. */
const KEY = /^[a-zA-Z0-9\-_]+$/;

/**
 * @param {JSZip} zip
 * @param {string} path
 * @param {unknown} value
 */
function add(zip, path, value) {
  const key = path.split('/').pop() ?? '';
  if (!KEY.test(key)) throw new Error(`protected data key ${JSON.stringify(key)} must be letters, digits, - or _`);
  if (value instanceof Uint8Array) zip.file(path, value);
  else if (typeof value === 'string') zip.file(path, serialize('string', value));
  else if (typeof value === 'boolean') zip.file(path, serialize('bool', value));
  else if (typeof value === 'number' && Number.isFinite(value)) zip.file(path, serialize('f64', value));
  else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    zip.folder(path);
    for (const [nested, inner] of Object.entries(value)) add(zip, `${path}/${nested}`, inner);
  } else {
    throw new Error(`protected data value ${path.replaceAll('/', '.')} is ${JSON.stringify(value)}: use a string, a finite number, a boolean, bytes or an object`);
  }
}

/**
 * The bytes of a protected data holding `data`.
 * @param {Object<string, ProtectedValue>} data
 * @returns {Promise<Uint8Array>}
 */
export async function createProtectedData(data) {
  const zip = new JSZip();
  for (const [key, value] of Object.entries(data)) add(zip, key, value);
  return zip.generateAsync({ type: 'uint8array' });
}

/**
 * Sets `bytes` at a dotted path (`photo`, `nested.photo`) in `data`.
 * @param {Object<string, ProtectedValue>} data
 * @param {string} dotted
 * @param {Uint8Array} bytes
 */
function setFile(data, dotted, bytes) {
  const keys = dotted.split('.');
  let node = data;
  for (const key of keys.slice(0, -1)) {
    const next = node[key] ?? {};
    if (typeof next !== 'object' || next instanceof Uint8Array) throw new Error(`--file ${dotted}: ${key} already holds a value`);
    node = node[key] = next;
  }
  node[keys[keys.length - 1] ?? ''] = bytes;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const usage = `Usage: npm run mock:protected-data -- <out.zip> '<json object>' [--file <key>=<path>]...
  e.g. npm run mock:protected-data -- mock.zip '{"name": "Alice"}'`;
  try {
    const { positionals, values } = parseArgs({ options: { file: { type: 'string', multiple: true } }, allowPositionals: true });
    const [out, json = '{}', ...extra] = positionals;
    if (!out || extra.length > 0) throw new Error('expected an output file and at most one JSON object');
    const data = JSON.parse(json);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error(`${json} is not a JSON object`);
    for (const pair of values.file ?? []) {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--file takes <key>=<path>, got ${pair}`);
      setFile(data, pair.slice(0, at), readFileSync(pair.slice(at + 1)));
    }
    writeFileSync(out, await createProtectedData(data));
    console.log(`wrote ${out}: ${Object.keys(data).join(', ') || 'no values'}`);
  } catch (error) {
    console.error(`${/** @type {Error} */ (error).message}\n${usage}`);
    process.exit(1);
  }
}
