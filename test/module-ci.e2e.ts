import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, type LocalRegistry, newUser, packKit, packPackage, startRegistry } from '../scripts/local-registry.mjs';
import { PACKAGE_MANAGERS, type PackageManager } from '../src/package-manager.js';
import { jobSteps, type Step } from './helpers/workflow.js';
import { type Engine, missingPrerequisites, removeSuiteImages, startEngine } from './toolchain/engine.js';

/*
 * A generated module's .github/workflows/ci.yml, run here step by step: every `run:` of both jobs,
 * in order, in the module as `npm create iexec-module` leaves it (its first commit, no install),
 * with bash as GitHub runs it. The generator and the kit come from a registry on loopback, so
 * `npx create-iexec-module@latest upgrade --check` reaches this generator, as the workflow reaches
 * the published one. The `uses:` steps set up GitHub's machine and are not run: the checkout is the
 * module itself, Node.js is this machine's, pnpm and yarn are this repository's. `docker:build` goes
 * through the docker client to Podman's Docker API (test/toolchain/engine.ts), as on a laptop; the
 * install step runs twice, before and after the lockfile is committed, for both of its branches.
 */

const WORKFLOW = '.github/workflows/ci.yml';

let registry: LocalRegistry;
let engine: Engine;
let work: string;
let npmCache: string;

beforeAll(async () => {
  const missing = await missingPrerequisites();
  if (missing.length > 0)
    throw new Error(`missing ${missing.join(', ')}: run \`bash scripts/ci-containers.sh\` as root (npm run test:e2e does)`);
  work = await mkdtemp(join(tmpdir(), 'cim-module-ci-'));
  // The machine's npm cache: the registry suite pays for a cold one; this suite is about the steps.
  npmCache = (await execa('npm', ['config', 'get', 'cache'], { env: cleanEnv(), extendEnv: false })).stdout.trim();
  registry = await startRegistry();
  registry.publish(packKit(work).tarball);
  registry.publish(packPackage(work).tarball);
  engine = await startEngine();
}, 600_000);

afterAll(async () => {
  await engine?.stop();
  await removeSuiteImages();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs one `run:` step as GitHub's runner does on Linux: `bash --noprofile --norc -eo pipefail`. */
function runStep(step: Step, cwd: string, env: Record<string, string>) {
  return execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
    cwd,
    env,
    extendEnv: false,
    all: true,
    reject: false,
    stdin: 'ignore',
    timeout: 600_000,
  });
}

describe.each(PACKAGE_MANAGERS)('the CI workflow of a module using %s', (pm: PackageManager) => {
  it('runs every step it lists, and each passes', { timeout: 1_800_000 }, async () => {
    const home = await mkdtemp(join(work, `home-${pm}-`));
    const { env: user } = newUser({ registry: registry.url, npmCache, home });
    const created = await execa(
      'npm',
      ['create', 'iexec-module@latest', `ci-${pm}`, '--', '--yes', '--package-manager', pm, '--no-install', '--no-validate'],
      {
        cwd: work,
        env: user,
        extendEnv: false,
        all: true,
        reject: false,
        stdin: 'ignore',
      },
    );
    expect(created.exitCode, created.all).toBe(0);
    const module = join(work, `ci-${pm}`);
    const text = await readFile(join(module, WORKFLOW), 'utf8');
    // What a GitHub runner sets, and where the image goes: the engine's registry, which the suite cleans.
    const env = { ...user, CI: 'true', ...engine.env };

    const ran: string[] = [];
    const run = async (step: Step) => {
      const result = await runStep(step, module, env);
      expect(result.exitCode, `${step.run}\n${result.all}`).toBe(0);
      ran.push(step.run!);
      return result;
    };
    const [install, ...checks] = jobSteps(text, 'module').filter((step) => step.run !== undefined);
    await run(install!);
    const lockfile = { npm: 'package-lock.json', pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock' }[pm];
    expect(existsSync(join(module, lockfile))).toBe(true);
    await execa('git', ['add', lockfile], { cwd: module, env });
    await execa('git', ['commit', '--quiet', '-m', 'Lockfile'], { cwd: module, env });
    await run(install!);
    for (const step of checks) {
      const result = await run(step);
      if (step.run!.endsWith('local')) expect(result.all).toMatch(/PASS: a worker would complete this task/);
    }
    for (const step of jobSteps(text, 'generator').filter((s) => s.run !== undefined)) {
      expect((await run(step)).all).toMatch(/The module is up to date\./);
    }

    expect(ran).toHaveLength(7);
    const image = `${engine.env.DOCKER_NAMESPACE}/ci-${pm}:dev`;
    const arch = await execa('podman', ['image', 'inspect', '--format', '{{.Architecture}}', image]);
    expect(arch.stdout).toBe('amd64');
    expect((await execa('git', ['status', '--porcelain'], { cwd: module })).stdout).toBe('');
  });
});
