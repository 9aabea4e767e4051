import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST_FILE, manifestText } from '../src/manifest.js';
import { PACKAGE_MANAGERS } from '../src/package-manager.js';
import { TEES } from '../src/profiles.js';
import { repoRoot, runCli, tempDir } from './helpers/cli.js';
import { generate, manifestOf, render } from './helpers/module.js';
import { jobSteps, lintWorkflow } from './helpers/workflow.js';

/*
 * Both GitHub Actions workflows pass a real linter (actionlint, and shellcheck on their scripts as
 * actionlint runs it), and say what they must: the repository's runs .ci/run's suites, a module's
 * runs its own checks with its own package manager. test/module-ci.e2e.ts runs a module's steps.
 */

const WORKFLOW = '.github/workflows/ci.yml';
const repositoryWorkflow = readFileSync(join(repoRoot, WORKFLOW), 'utf8');

async function moduleWorkflow(given: Record<string, unknown>): Promise<string> {
  const text = (await render(given))[WORKFLOW];
  if (text === undefined) throw new Error(`no ${WORKFLOW} rendered for ${JSON.stringify(given)}`);
  return text;
}

describe('the lint', () => {
  it('fails a broken workflow, naming each problem: a misspelt key, an unknown input, a bad expression, a shell error', async () => {
    const broken = (await moduleWorkflow({ packageManager: 'npm' }))
      .replace('runs-on: ubuntu-latest', 'run-on: ubuntu-latest')
      .replace('node-version: 22', 'node-versions: 22')
      .replace('run: npm test', 'run: npm test ${{ github.nope }}')
      .replace('[ -f package-lock.json ]', '[ -f package-lock.json]');
    const problems = await lintWorkflow(broken);
    expect(problems.join('\n')).toMatch(/unexpected key "run-on"/);
    expect(problems.join('\n')).toMatch(/input "node-versions" is not defined in action "actions\/setup-node@v4"/);
    expect(problems.join('\n')).toMatch(/property "nope" is not defined/);
    expect(problems.join('\n')).toMatch(
      /module: if \[ -f package-lock\.json\][^\n]*: SC1020 line 1: You need a space before the \]\. \[shellcheck\]/,
    );
    // Nothing else: the `${{ }}` is actionlint's to judge, and blanked out before shellcheck.
    expect(problems.filter((p) => p.includes('npm test'))).toEqual([]);
  });
});

describe('the repository workflow', () => {
  it('passes the lint', async () => {
    expect(await lintWorkflow(repositoryWorkflow)).toEqual([]);
  });

  it("runs .ci/run's commands, in its order, in the Debian container as root that its scripts expect", () => {
    const ciRun = readFileSync(join(repoRoot, '.ci/run'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('npm '));
    const steps = jobSteps(repositoryWorkflow, 'suites');
    expect(steps.flatMap((s) => (s.run?.startsWith('npm ') && !s.run.includes('--global') ? [s.run] : []))).toEqual(ciRun);
    expect(repositoryWorkflow).toMatch(/image: debian:bookworm\n\s+#[^\n]*\n\s+options: --privileged/);
    // scripts/ci-containers.sh refuses a machine without a docker client.
    expect(steps[0]!.run).toMatch(/tar -xz -C \/usr\/local\/bin .*docker\/docker/);
  });
});

describe("a module's workflow", () => {
  it.each(PACKAGE_MANAGERS.flatMap((pm) => TEES.map((tee) => [pm, tee] as const)))(
    'passes the lint (%s, %s)',
    async (packageManager, tee) => {
      expect(await lintWorkflow(await moduleWorkflow({ packageManager, tee }))).toEqual([]);
    },
  );

  it.each([
    ['npm', /npm ci;/, ['npm run typecheck', 'npm test', 'npm run local', 'npm run docker:build']],
    ['pnpm', /pnpm install --frozen-lockfile;/, ['pnpm typecheck', 'pnpm test', 'pnpm local', 'pnpm docker:build']],
    ['yarn', /yarn install --frozen-lockfile --ignore-engines;/, ['yarn typecheck', 'yarn test', 'yarn local', 'yarn docker:build']],
  ] as const)(
    'checks the module with %s: install, type-check, tests, a run like a worker, the image; then upgrade --check',
    async (pm, install, checks) => {
      const text = await moduleWorkflow({ packageManager: pm });
      const runs = jobSteps(text, 'module').flatMap((s) => (s.run ? [s.run] : []));
      expect(runs[0]).toMatch(install);
      expect(runs.slice(1)).toEqual(checks);
      expect(jobSteps(text, 'module').some((s) => s.uses?.startsWith('pnpm/action-setup@'))).toBe(pm === 'pnpm');
      expect(jobSteps(text, 'generator').at(-1)!.run).toBe('npx --yes create-iexec-module@latest upgrade --check');
    },
  );

  it('is left out with --no-ci, which the manifest records', async () => {
    const dir = await tempDir();
    await generate(join(dir, 'with'), ['--yes']);
    await generate(join(dir, 'without'), ['--yes', '--no-ci']);
    expect(manifestOf(join(dir, 'with')).answers.ci).toBe(true);
    expect(Object.keys(manifestOf(join(dir, 'with')).files)).toContain(WORKFLOW);
    expect(manifestOf(join(dir, 'without')).answers.ci).toBe(false);
    expect(Object.keys(manifestOf(join(dir, 'without')).files)).not.toContain(WORKFLOW);
    await expect(readFile(join(dir, 'without', WORKFLOW))).rejects.toThrow(/ENOENT/);
  });

  it('is kept current by upgrade: added to a module from before the answer, not to one that said --no-ci, removed by --no-ci', async () => {
    const dir = await tempDir();
    const [older, without] = [join(dir, 'older'), join(dir, 'without')];
    await generate(older, ['--yes']);
    await generate(without, ['--yes', '--no-ci']);
    // A module of a generator that did not ask: no answer recorded, no workflow.
    const manifest = manifestOf(older);
    delete manifest.answers.ci;
    delete manifest.files[WORKFLOW];
    await writeFile(join(older, MANIFEST_FILE), manifestText(manifest));
    await rm(join(older, '.github'), { recursive: true });

    const upgrade = (module: string, ...args: string[]) => runCli(['upgrade', module, '--no-install', '--no-validate', ...args]);
    const added = await upgrade(older);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stdout).toMatch(new RegExp(`add +${WORKFLOW.replaceAll('.', '\\.')} +new in this generator`));
    expect(manifestOf(older).answers.ci).toBe(true);
    expect(await readFile(join(older, WORKFLOW), 'utf8')).toBe(await moduleWorkflow({ name: 'older' }));

    const untouched = await upgrade(without, '--dry-run');
    expect(untouched.stdout).not.toContain(WORKFLOW);

    const removed = await upgrade(older, '--no-ci');
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(new RegExp(`delete +${WORKFLOW.replaceAll('.', '\\.')}`));
    expect(manifestOf(older).answers.ci).toBe(false);
  });
});
