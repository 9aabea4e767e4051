import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { execa } from 'execa';
import Handlebars from 'handlebars';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveAnswers } from '../src/answers.js';
import { templateContext } from '../src/context.js';
import { create } from '../src/create.js';
import { FEATURES } from '../src/features.js';
import { parseInvocation } from '../src/options.js';
import { generatorVersion } from '../src/paths.js';
import { PACKAGE_MANAGERS } from '../src/package-manager.js';
import { TEE_PROFILES, TEES } from '../src/profiles.js';
import { helpersFor, renderFiles } from '../src/render.js';
import { bundlePlugins, KNOWN_HELPERS } from '../scripts/bundle-plugins.mjs';
import { escapingHelpers } from '../src/escape.js';
import { EVIL_DESCRIPTION, repoRoot, tempDir } from './helpers/cli.js';
import { QUIET, tree } from './helpers/module.js';

/*
 * The published CLI is a bundle built differently from the source: the templates are precompiled at
 * build time and rendered by the Handlebars runtime, its compiler is left out, and code of node-plop
 * we never use is stubbed (build.mjs, scripts/bundle-plugins.mjs).
 * For each kind of module, the bundle must write exactly what the source writes with the real
 * Handlebars compiler. It runs from a copy of the package's files outside this repository, as when
 * installed: no Handlebars compiler to fall back on there, so only the precompiled templates render.
 */
const CASES = [
  { label: 'the defaults', flags: ['--yes'] },
  { label: 'TDX with every feature', flags: ['--features', FEATURES.join(',')] },
  {
    label: 'SCONE with every feature it runs and a hostile description',
    flags: [
      '--tee',
      'scone',
      '--chain',
      'bellecour',
      '--features',
      FEATURES.filter((f) => !TEE_PROFILES.scone.unsupportedFeatures[f]).join(','),
      '--description',
      EVIL_DESCRIPTION,
    ],
  },
  {
    label: 'TDX on mainnet, no features, pnpm',
    flags: ['--tee', 'tdx', '--chain', 'arbitrum-mainnet', '--features', 'none', '--package-manager', 'pnpm'],
  },
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

describe("the bundle's precompiled templates", () => {
  it('are compiled as calling the helpers the renderer sets, no more and no fewer', async () => {
    // A helper the build does not know fails the build; one it knows that the renderer lacks would fail a render.
    const context = templateContext(await resolveAnswers({}, { directory: '/modules/m' }), generatorVersion);
    expect(Object.keys(KNOWN_HELPERS).sort()).toEqual(Object.keys(helpersFor(context)).sort());
  });

  it('render every combination of features, on each TEE with each package manager, as Handlebars does', { timeout: 60_000 }, async () => {
    // src/render.ts bundled as build.mjs bundles it, templates precompiled: the renderer the package runs.
    const out = join(work, 'render-bundle.mjs');
    await build({
      absWorkingDir: repoRoot,
      entryPoints: [join(repoRoot, 'src/render.ts')],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      plugins: bundlePlugins(repoRoot),
      logLevel: 'warning',
    });
    const bundled: typeof import('../src/render.js') = await import(pathToFileURL(out).href);
    const combinations = Array.from({ length: 2 ** FEATURES.length }, (_, mask) => FEATURES.filter((_f, i) => mask & (1 << i)));
    let compared = 0;
    for (const tee of TEES) {
      for (const packageManager of PACKAGE_MANAGERS) {
        for (const features of combinations.filter((f) => f.every((feature) => !TEE_PROFILES[tee].unsupportedFeatures[feature]))) {
          const answers = await resolveAnswers(
            { tee, packageManager, features, description: EVIL_DESCRIPTION },
            { directory: '/modules/m' },
          );
          const context = templateContext(answers, generatorVersion);
          expect(await bundled.renderFiles(context), `${tee} ${packageManager} ${features.join(',')}`).toEqual(await renderFiles(context));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  /** generators/templates.ts bundled as build.mjs bundles it, these templates in place of the shipped ones: the module file. */
  async function bundleTemplates(name: string, templates: Record<string, string>): Promise<string> {
    const folder = join(work, name);
    await mkdir(folder, { recursive: true });
    for (const [file, text] of Object.entries(templates)) await writeFile(join(folder, file), text);
    const out = join(work, `${name}.mjs`);
    await build({
      absWorkingDir: repoRoot,
      entryPoints: [join(repoRoot, 'generators/templates.ts')],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      plugins: bundlePlugins(repoRoot, folder),
      logLevel: 'silent',
    });
    return out;
  }

  it('render the constructs of the language as Handlebars compiles them, on values our templates do not give yet', async () => {
    const templates: Record<string, string> = {
      'if.hbs': '{{#if list}}full{{else}}empty{{/if}} {{#if zero}}z{{/if}}{{#if text}}t{{/if}}{{#if (eq a "x")}}eq{{/if}}\n',
      'chain.hbs': '{{#if a}}\n  a\n{{else if b}}\n  b\n{{else}}\n  none\n{{/if}}\nend\n',
      'each.hbs': '{{#each list}}\n- {{@index}} {{json this}} {{json ../a}}\n{{/each}}{{#each none}}x{{else}}no list{{/each}}\n',
      'strip.hbs': 'a   {{~#if a~}}   b   {{~/if~}}   c {{!-- a comment --}}\\{{not a mustache}}\n',
      'nested.hbs': '{{#if o.p.q}}deep{{/if}}{{#if o.missing.q}}never{{/if}} {{text o.p.name}}{{#with o.p}} {{json name}}{{/with}}\n',
    };
    const { shippedTemplates }: typeof import('../generators/templates.js') = await import(
      pathToFileURL(await bundleTemplates('constructs', templates)).href
    );
    const helpers = { ...escapingHelpers, eq: (x: unknown, y: unknown) => x === y };
    for (const context of [
      { list: [], zero: 0, text: '', a: 'x', b: true, none: [], o: { p: { q: 1, name: 'n\nm' } } },
      { list: ['one', 'two'], zero: 1, text: 't', a: '', b: false, o: { p: { q: 0, name: 'n' } } },
    ]) {
      for (const [name, text] of Object.entries(templates)) {
        const path = name.slice(0, -'.hbs'.length);
        expect(shippedTemplates().get(path)!(context, { helpers }), name).toBe(Handlebars.compile(text)(context, { helpers }));
      }
    }
  });

  it('fail the build on a template Handlebars cannot parse, naming the file and the line', async () => {
    await expect(
      bundleTemplates('broken', { 'ok.hbs': 'fine\n', 'README.md.hbs': '# title\n{{#if a}}\nopen {{json }\n{{/if}}\n' }),
    ).rejects.toThrow(/broken\/README\.md\.hbs: Parse error on line 3/);
  });
});
