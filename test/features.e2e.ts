import { rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES, type Feature, parseFeatures } from '../src/features.js';
import { runCli, tempDir } from './helpers/cli.js';
import { QUIET } from './helpers/module.js';

/*
 * Real modules, as the acceptance asks: for no feature, each feature alone and all of them together,
 * the CLI generates a module and its `validate` type-checks, bundles and runs the module's own tests.
 * One module (all features) is installed for real; the others share its node_modules through a
 * symbolic link, since their dependencies are a subset of its own: one install instead of nine.
 */
const ALL = FEATURES.join(',');
const CASES: { label: string; features: string }[] = [
  { label: 'no feature', features: 'none' },
  ...FEATURES.map((feature) => ({ label: feature, features: feature })),
];

/** Every pair of features, in each of the four on/off states, that some built module covers. */
function coveredPairs(modules: Feature[][]): Set<string> {
  const covered = new Set<string>();
  for (const features of modules) {
    for (const a of FEATURES) {
      for (const b of FEATURES) {
        if (a < b) covered.add(`${a}=${features.includes(a)},${b}=${features.includes(b)}`);
      }
    }
  }
  return covered;
}

it('the modules built below cover every pair of features, each on or off (pairwise)', () => {
  const built = [...CASES.map((c) => parseFeatures(c.features)), parseFeatures(ALL)];
  // Everything but what parseFeatures forbids: bulk without protected-data.
  const possible = coveredPairs(
    Array.from({ length: 2 ** FEATURES.length }, (_, mask) => FEATURES.filter((_f, i) => mask & (1 << i))).filter(
      (features) => !features.includes('bulk') || features.includes('protected-data'),
    ),
  );
  expect([...possible].filter((pair) => !coveredPairs(built).has(pair))).toEqual([]);
});

describe('generated modules, per feature', () => {
  let work: string;
  let all: string;

  async function generate(name: string, features: string): Promise<string> {
    const dir = join(work, name);
    const created = await runCli([dir, '--features', features, ...QUIET]);
    expect(created.exitCode, created.stderr).toBe(0);
    await symlink(join(all, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return dir;
  }

  function npm(dir: string, args: string[]) {
    return execa('npm', args, { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1', FORCE_COLOR: '0' } });
  }

  beforeAll(async () => {
    work = await tempDir('cim-features-');
    all = join(work, 'all');
    // Install, type-check, bundle and run the module's tests: the acceptance for all features together.
    const created = await runCli([all, '--features', ALL, '--no-git'], { timeout: 600_000 });
    expect(created.exitCode, `${created.stdout}\n${created.stderr}`).toBe(0);
    expect(created.stdout).toMatch(/✔ module tests/);
  }, 600_000);
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('all features: installs, builds and passes its own tests (in beforeAll), and runs locally with every option', {
    timeout: 120_000,
  }, async () => {
    await writeFile(join(all, 'names.txt'), 'Carol\n');
    for (const [file, name] of [
      ['mine.zip', 'Dora'],
      ['bulk-1.zip', 'Ezra'],
      ['bulk-2.zip', 'Fay'],
    ]) {
      const mock = await npm(all, ['run', 'mock:protected-data', '--', file!, JSON.stringify({ name })]);
      expect(mock.exitCode, mock.all).toBe(0);
    }
    const local = await npm(all, [
      'run',
      'local',
      '--',
      // A callback deal only gets callback-data when the requester asks for it in the task args.
      "--args=--callback Alice 'Ada Lovelace'",
      '--input-file',
      'names.txt',
      '--requester-secret',
      '1=requester-value',
      '--app-secret',
      'app-value',
      '--protected-data',
      'mine.zip',
      '--bulk',
      'bulk-1.zip',
      '--bulk',
      'bulk-2.zip',
      '--callback',
    ]);
    expect(local.exitCode, local.all).toBe(0);
    // npm echoes the command line itself: what the emulation prints starts after it.
    const report = local.all.slice(local.all.indexOf('Task folders:'));
    expect(report).toMatch(/PASS: a worker would complete this task/);
    expect(report).toMatch(/"greeting": "Hello, Alice, Ada Lovelace, Carol, Dora, Ezra, and Fay!"/);
    expect(report).toMatch(/IEXEC_REQUESTER_SECRET_1=<hidden>/);
    expect(report).not.toMatch(/requester-value|app-value/);
  });

  it.concurrent.each(CASES)('$label: builds and passes its own tests', { timeout: 300_000 }, async ({ label, features }) => {
    const dir = await generate(label.replace(/ /g, '-'), features);
    const validated = await runCli(['validate', dir], { timeout: 300_000 });
    expect(validated.exitCode, `${validated.stdout}\n${validated.stderr}`).toBe(0);
    expect(validated.stdout).toMatch(/✔ type-check and build/);
    expect(validated.stdout).toMatch(/✔ module tests/);
  });

  describe('npm run local fails with the reason when the app breaks the worker contract', () => {
    it.each([
      [
        'writes no computed.json',
        "import { writeFileSync } from 'node:fs';\nwriteFileSync(`${process.env.IEXEC_OUT}/result.json`, '{}');\n",
        /FAIL: the app wrote no computed.json in IEXEC_OUT/,
      ],
      [
        'points computed.json outside IEXEC_OUT',
        "import { writeFileSync } from 'node:fs';\nwriteFileSync(`${process.env.IEXEC_OUT}/computed.json`, JSON.stringify({ 'deterministic-output-path': '/etc/hostname' }));\n",
        /FAIL: deterministic-output-path \/etc\/hostname is outside IEXEC_OUT/,
      ],
      // The worker (since 9.2.0) goes on to the post-compute after a failed app: the exit is a warning, the missing computed.json the failure.
      ['exits non-zero', 'process.exit(3);\n', /the app exited with status 3[^]*FAIL: the app wrote no computed\.json in IEXEC_OUT/],
    ])('an app that %s', { timeout: 120_000 }, async (label, app, reason) => {
      const dir = await generate(`broken-${label.split(' ')[0]}`, 'args');
      await writeFile(join(dir, 'src/app.ts'), app);
      const local = await npm(dir, ['run', 'local']);
      expect(local.exitCode).not.toBe(0);
      expect(local.all).toMatch(reason);
      expect(local.all).not.toMatch(/PASS/);
    });
  });
});
