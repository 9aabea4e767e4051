// A protected data file as @iexec/dataprotector makes them (before encryption) and as the worker hands
// it decrypted to the app: a zip with one entry per value, nested objects as folders, values serialized
// with borsh like `protectData` does: strings as "string", booleans as "bool", numbers as "f64", and
// bytes as they are.
import { readFileSync } from 'node:fs';
import { serialize } from 'borsh';
import JSZip from 'jszip';

/** A value a protected data can hold; an object is a folder of values. */
export type ProtectedValue = string | number | boolean | Uint8Array | { [key: string]: ProtectedValue };

/** Key names @iexec/dataprotector accepts. */
const KEY = /^[a-zA-Z0-9\-_]+$/;

function add(zip: JSZip, path: string, value: unknown): void {
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
    throw new Error(
      `protected data value ${path.replaceAll('/', '.')} is ${JSON.stringify(value)}: use a string, a finite number, a boolean, bytes or an object`,
    );
  }
}

/** Sets `bytes` at a dotted path (`photo`, `nested.photo`) in `data`, copying the folders on the way so the caller's objects stay as they were. */
function setFile(data: Record<string, ProtectedValue>, dotted: string, bytes: Uint8Array): void {
  const keys = dotted.split('.');
  let node = data;
  for (const key of keys.slice(0, -1)) {
    const next = node[key] ?? {};
    if (typeof next !== 'object' || next instanceof Uint8Array) throw new Error(`--file ${dotted}: ${key} already holds a value`);
    node = node[key] = { ...next };
  }
  node[keys[keys.length - 1] ?? ''] = bytes;
}

/**
 * The bytes of a protected data holding `data`, to run the app with (TaskOptions.protectedData, bulk).
 * @param data the values by key; `Uint8Array`s are kept as raw bytes (a file)
 * @param files raw-bytes values read from files, by dotted key (`photo`, `nested.photo`) to path, as
 *   `iexec-module mock-protected-data --file key=path` takes them
 * @throws on a key @iexec/dataprotector refuses, a value it cannot serialize, or a file key that
 *   crosses a value
 */
export async function mockProtectedData(data: Record<string, ProtectedValue>, files: Record<string, string> = {}): Promise<Uint8Array> {
  const values = { ...data };
  for (const [dotted, path] of Object.entries(files)) setFile(values, dotted, readFileSync(path));
  const zip = new JSZip();
  for (const [key, value] of Object.entries(values)) add(zip, key, value);
  return zip.generateAsync({ type: 'uint8array' });
}
