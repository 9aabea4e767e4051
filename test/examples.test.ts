import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { repoRoot, tempDir } from './helpers/cli.js';
import { tree } from './helpers/module.js';

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
