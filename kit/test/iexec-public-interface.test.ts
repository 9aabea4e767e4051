import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * The kit talks to the iexec SDK through its CLI and its package.json only: a path into the SDK's
 * build output is private, moves between releases (8.24 and 9.0.1 differ inside), and broke the
 * vendored scripts this kit replaces.
 */
const KIT = fileURLToPath(new URL('..', import.meta.url));
const PRIVATE_PATH = ['iexec', 'dist'].join('/');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : [full];
  });
}

describe('the kit uses public interfaces of the iexec SDK only', () => {
  it(`no file of the kit names ${PRIVATE_PATH}`, () => {
    const all = files(KIT);
    expect(all.length).toBeGreaterThan(0);
    const offenders = all.filter((file) => fs.readFileSync(file, 'latin1').includes(PRIVATE_PATH));
    expect(offenders).toEqual([]);
  });
});
