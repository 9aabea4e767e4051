import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { repoRoot, tempDir } from './helpers/cli.js';

async function tree(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && !e.parentPath.includes('node_modules'));
  return Object.fromEntries(
    await Promise.all(files.map(async (e) => [join(e.parentPath, e.name).slice(dir.length + 1), await readFile(join(e.parentPath, e.name), 'utf8')])),
  );
}

it('examples/ holds at least a TDX and a SCONE module', async () => {
  const tees = await Promise.all(
    (await readdir(join(repoRoot, 'examples'))).map(
      async (e) => JSON.parse(await readFile(join(repoRoot, 'examples', e, '.create-iexec-module.json'), 'utf8')).answers.tee,
    ),
  );
  expect(new Set(tees)).toEqual(new Set(['tdx', 'scone']));
});

it('examples/ is what the generator writes today (run `npm run examples` after a template change)', async () => {
  const fresh = await tempDir();
  await execa('node', [join(repoRoot, 'scripts/regenerate-examples.mjs'), '--into', fresh]);
  for (const example of await readdir(join(repoRoot, 'examples'))) {
    expect(await tree(join(repoRoot, 'examples', example)), example).toEqual(await tree(join(fresh, example)));
  }
});
