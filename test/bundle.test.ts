import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { create } from '../src/create.js';
import { FEATURES } from '../src/features.js';
import { parseInvocation } from '../src/options.js';
import { generatorVersion } from '../src/paths.js';
import { TEE_PROFILES } from '../src/profiles.js';
import { EVIL_DESCRIPTION, repoRoot, tempDir } from './helpers/cli.js';
import { QUIET, tree } from './helpers/module.js';

/*
 * The published CLI is a bundle built differently from the source: Handlebars' compiler is left out
 * and the templates are compiled at build time (build.mjs), and unused library code is stubbed.
 * For each kind of module, the bundle must write exactly what the source writes with the real
 * Handlebars compiler. It runs from a copy of the package's files outside this repository, as when
 * installed: no Handlebars compiler to fall back on there, so only the precompiled templates render.
 */
const CASES = [
  { label: 'the defaults', flags: ['--yes'] },
  { label: 'TDX with every feature', flags: ['--features', FEATURES.join(',')] },
  {
    label: 'SCONE with every feature it runs and a hostile description',
    flags: ['--tee', 'scone', '--chain', 'bellecour', '--features', FEATURES.filter((f) => !TEE_PROFILES.scone.unsupportedFeatures[f]).join(','), '--description', EVIL_DESCRIPTION],
  },
  { label: 'TDX on mainnet, no features, pnpm', flags: ['--tee', 'tdx', '--chain', 'arbitrum-mainnet', '--features', 'none', '--package-manager', 'pnpm'] },
];

let work: string;
let installed: string;
beforeAll(async () => {
  work = await tempDir();
  installed = join(work, 'installed');
  const { files } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { files: string[] };
  for (const path of [...files, 'package.json']) await cp(join(repoRoot, path), join(installed, path), { recursive: true });
  // create() reports progress on stdout, which is noise in a test report.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterAll(() => {
  vi.restoreAllMocks();
});

describe.each(CASES.map((c, i) => ({ ...c, i })))('$label', ({ flags, i }) => {
  it('the bundle writes the same files as the source', async () => {
    // The same folder name in both places: the package name defaults to it.
    const fromSource = join(work, `source-${i}`, 'mod');
    const fromBundle = join(work, `bundle-${i}`, 'mod');
    // The kit by version in both: a checkout would otherwise point its module at the kit it packs.
    const kit = ['--kit', generatorVersion];
    await create(parseInvocation([fromSource, ...flags, ...QUIET, ...kit]));
    const bundled = await execa('node', [join(installed, 'dist/cli.js'), fromBundle, ...flags, ...QUIET, ...kit], {
      reject: false,
      stdin: 'ignore',
      env: { CI: '', npm_config_user_agent: '', NO_COLOR: '1' },
    });
    expect(bundled.exitCode, bundled.stderr).toBe(0);

    const [source, bundle] = [await tree(fromSource, { executables: true }), await tree(fromBundle, { executables: true })];
    expect(Object.keys(bundle)).toEqual(Object.keys(source));
    for (const file of Object.keys(source)) expect(bundle[file], file).toBe(source[file]);
  });
});
