import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';

/** Every relative import of every file under src/, resolved: [importing file, imported path, static?]. */
async function imports(): Promise<[string, string, boolean][]> {
  const src = join(repoRoot, 'src');
  const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts'));
  const found: [string, string, boolean][] = [];
  for (const file of files) {
    const text = await readFile(join(src, file), 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)'([^']+)'/g)) {
      const isStatic = m[0].startsWith('from');
      found.push([file, m[1]!.startsWith('.') ? relative(src, resolve(dirname(join(src, file)), m[1]!)) : m[1]!, isStatic]);
    }
  }
  return found;
}

describe('the layout of src/', () => {
  it("imports nothing from outside src/ by path: another package's code comes by its name", async () => {
    expect((await imports()).filter(([, path]) => path.startsWith('..'))).toEqual([]);
  });

  it('keeps src/upgrade/ a floor above the rest: only cli.ts reaches it, by a dynamic import', async () => {
    const intoUpgrade = (await imports()).filter(([file, path]) => path.startsWith('upgrade/') && !file.startsWith('upgrade/'));
    expect(intoUpgrade).toEqual([['cli.ts', 'upgrade/upgrade.js', false]]);
  });
});
