import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, newUser, type Packed, packPackage, repoRoot, startRegistry } from '../scripts/local-registry.mjs';
import type { Manifest } from '../src/manifest.js';
import { runLikeWorker } from './helpers/module.js';

/*
 * The install path a user takes: the packed package is published to a registry on loopback and
 * every `create` command of every package manager runs against it, as a new user with an empty
 * HOME. Each must leave a module that was installed by that same package manager, built, and passed
 * its own tests (the CLI validates by default), and whose bundle runs like a worker.
 */

const LOCKFILES = { npm: 'package-lock.json', pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock' } as const;
/** What each package manager leaves in node_modules, so a lockfile alone cannot fake the install. */
const INSTALL_MARKERS = { npm: 'node_modules/.package-lock.json', pnpm: 'node_modules/.pnpm', yarn: 'node_modules/.yarn-integrity' } as const;

type Pm = keyof typeof LOCKFILES;

const CASES: { pm: Pm; dir: string; command: string[] }[] = [
  // The first case meets an empty npm cache (and an empty registry cache): it pays the cold install.
  { pm: 'npm', dir: 'demo', command: ['npm', 'create', 'iexec-module@latest', 'demo', '--', '--yes'] },
  { pm: 'npm', dir: 'demo2', command: ['npm', 'init', 'iexec-module', 'demo2', '--', '--yes'] },
  { pm: 'pnpm', dir: 'demo3', command: ['pnpm', 'create', 'iexec-module', 'demo3', '--yes'] },
  { pm: 'yarn', dir: 'demo4', command: ['yarn', 'create', 'iexec-module', 'demo4', '--yes'] },
];

let registry: LocalRegistry;
let packed: Packed;
let work: string;
let npmCache: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cim-registry-test-'));
  npmCache = join(work, 'npm-cache');
  packed = packPackage(work);
  registry = await startRegistry();
  registry.publish(packed.tarball);
}, 300_000);

afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds only what runs: the bundle, the templates, the README and the manifest', () => {
    const unexpected = packed.files.filter(
      (f) => !/^dist\/[^/]+\.(js|txt)$/.test(f) && !f.startsWith('templates/module/') && !['README.md', 'package.json', 'LICENSE'].includes(f),
    );
    expect(unexpected).toEqual([]);
    expect(packed.files).toContain('dist/cli.js');
    expect(packed.files.some((f) => f.endsWith('.map'))).toBe(false);
  });

  it('passes publint', async () => {
    const { exitCode, stdout, stderr } = await execa('node_modules/.bin/publint', ['run', packed.tarball, '--strict'], {
      cwd: repoRoot,
      reject: false,
    });
    expect(exitCode, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).not.toMatch(/warning|error|suggestion/i);
  });
});

describe.each(CASES.map((c) => ({ ...c, label: c.command.join(' ') })))('`$label` from the registry', ({ pm, dir, command }) => {
  it(`creates a module installed with ${pm} that builds and passes its tests`, { timeout: 600_000 }, async () => {
    const { env } = newUser({ registry: registry.url, npmCache, home: await mkdtemp(join(work, 'home-')) });
    const result = await execa(command[0]!, command.slice(1), { cwd: work, env, extendEnv: false, all: true, reject: false, stdin: 'ignore' });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(new RegExp(`✔ ${pm} install`));
    expect(result.all).toMatch(/✔ type-check and build/);
    expect(result.all).toMatch(/✔ module tests/);

    const module = join(work, dir);
    const manifest: Manifest = JSON.parse(await readFile(join(module, '.create-iexec-module.json'), 'utf8'));
    expect(manifest.generator.version).toBe(packed.version);
    expect(manifest.answers.packageManager).toBe(pm);
    for (const [other, lockfile] of Object.entries(LOCKFILES)) {
      expect(existsSync(join(module, lockfile)), `${lockfile} after ${pm}`).toBe(other === pm);
    }
    expect(existsSync(join(module, INSTALL_MARKERS[pm]))).toBe(true);
    const log = await execa('git', ['log', '--format=%s'], { cwd: module });
    expect(log.stdout).toBe(`Initial commit from create-iexec-module ${packed.version}`);

    const task = await runLikeWorker(module, ['Alice']);
    expect(task.exitCode, task.stderr).toBe(0);
    expect(task.result).toEqual({ ok: true, result: { greeting: 'Hello, Alice!' } });
    expect(existsSync(String(task.computed['deterministic-output-path']))).toBe(true);
  });
});
