import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize } from 'borsh';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { mockProtectedData } from '../src/worker/protected-data.js';

const work = mkdtempSync(join(tmpdir(), 'kit-protected-data-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file entry of the zip, by path, as raw bytes. */
async function entries(bytes: Uint8Array): Promise<Record<string, Uint8Array>> {
  const zip = await JSZip.loadAsync(bytes);
  const files = Object.values(zip.files).filter((entry) => !entry.dir);
  return Object.fromEntries(await Promise.all(files.map(async (entry) => [entry.name, await entry.async('uint8array')] as const)));
}

describe('mockProtectedData', () => {
  it('writes each value as @iexec/dataprotector does: borsh string, f64 and bool, raw bytes, objects as folders', async () => {
    const photo = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const zip = await entries(await mockProtectedData({ name: 'Bob', age: 42.5, adult: true, nested: { city: 'Paris', photo } }));
    expect(Object.keys(zip).sort()).toEqual(['adult', 'age', 'name', 'nested/city', 'nested/photo']);
    expect(deserialize('string', zip.name!)).toBe('Bob');
    expect(deserialize('f64', zip.age!)).toBe(42.5);
    expect(deserialize('bool', zip.adult!)).toBe(true);
    expect(deserialize('string', zip['nested/city']!)).toBe('Paris');
    expect(zip['nested/photo']).toEqual(photo);
  });

  it('takes raw bytes from files by dotted key, without touching the data it was given', async () => {
    const path = join(work, 'photo.png');
    writeFileSync(path, new Uint8Array([1, 2, 3]));
    const data = { nested: { city: 'Paris' } };
    const zip = await entries(await mockProtectedData(data, { photo: path, 'nested.photo': path, 'deep.er.photo': path }));
    expect(Object.keys(zip).sort()).toEqual(['deep/er/photo', 'nested/city', 'nested/photo', 'photo']);
    expect(zip['deep/er/photo']).toEqual(new Uint8Array([1, 2, 3]));
    expect(data).toEqual({ nested: { city: 'Paris' } });
    await expect(mockProtectedData({ name: 'x' }, { 'name.photo': path })).rejects.toThrow('--file name.photo: name already holds a value');
  });

  it('refuses what @iexec/dataprotector refuses, naming the value', async () => {
    await expect(mockProtectedData({ 'a.b': 'x' })).rejects.toThrow('protected data key "a.b" must be letters, digits, - or _');
    await expect(mockProtectedData({ nested: { list: [1] as never } })).rejects.toThrow(
      /protected data value nested.list is \[1\]: use a string, a finite number/,
    );
    await expect(mockProtectedData({ n: Number.NaN })).rejects.toThrow(/value n is null/);
  });
});
