import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, type LocalRegistry, newUser, type Packed, repoRoot, startRegistry } from '../../scripts/local-registry.mjs';
import type { Manifest } from '../../src/manifest.js';
import { checkoutCopy, GIT_IDENTITY } from '../helpers/checkout.js';
import { runLikeWorker } from '../helpers/module.js';

/*
 * The release and the install path a user takes. A clean clone of this checkout (`npm ci`) packs and
 * publishes with --dry-run, then `npm run release` publishes the kit and the generator at the next
 * version to a registry on loopback (verdaccio), after a kit publish the registry refuses and a
 * generator publish it refuses, each rerun picking up where the last stopped. Then every `create`
 * command of every package manager runs against that registry, as a new user with an empty HOME.
 * Each must leave a module that was installed by that same package manager, built, and passed its own
 * tests (the CLI validates by default), and whose bundle runs like a worker. The module names the kit
 * by version and its install took the kit from that registry: the generator a user downloads has no
 * kit/ folder to point at, and nothing of this checkout may leak into a module.
 */

const LOCKFILES = { npm: 'package-lock.json', pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock' } as const;
/** What each package manager leaves in node_modules, so a lockfile alone cannot fake the install. */
const INSTALL_MARKERS = {
  npm: 'node_modules/.package-lock.json',
  pnpm: 'node_modules/.pnpm',
  yarn: 'node_modules/.yarn-integrity',
} as const;

type Pm = keyof typeof LOCKFILES;

const CASES: { pm: Pm; dir: string; command: string[] }[] = [
  // The first case meets an empty npm cache (and an empty registry cache): it pays the cold install.
  { pm: 'npm', dir: 'demo', command: ['npm', 'create', 'iexec-module@latest', 'demo', '--', '--yes'] },
  { pm: 'npm', dir: 'demo2', command: ['npm', 'init', 'iexec-module', 'demo2', '--', '--yes'] },
  { pm: 'pnpm', dir: 'demo3', command: ['pnpm', 'create', 'iexec-module', 'demo3', '--yes'] },
  { pm: 'yarn', dir: 'demo4', command: ['yarn', 'create', 'iexec-module', 'demo4', '--yes'] },
];

const KIT = 'iexec-module-kit';
const GENERATOR = 'create-iexec-module';

let registry: LocalRegistry;
let packed: Packed;
let kit: Packed;
let work: string;
let npmCache: string;
/** The clean clone the release runs in, and the version it releases: the next patch. */
let clone: string;
let version: string;

/** What `npm pack --json` says of a tarball, read from the tarball itself. */
async function describeTarball(tarball: string): Promise<Packed> {
  const bytes = await readFile(tarball);
  const files = (await execa('tar', ['-tzf', tarball])).stdout.split('\n').map((f) => f.replace(/^package\//, ''));
  const pkg = JSON.parse((await execa('tar', ['-xzOf', tarball, 'package/package.json'])).stdout);
  const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  return { tarball, name: pkg.name, version: pkg.version, size: bytes.length, unpackedSize: 0, files, integrity };
}

/** A command in the clone as its maintainer runs it: their npm login for the local registry, a git identity. */
function maintainer(command: string, args: string[]) {
  return execa(command, args, {
    cwd: clone,
    env: { ...cleanEnv(), ...GIT_IDENTITY, npm_config_userconfig: registry.npmrc, NO_COLOR: '1' },
    extendEnv: false,
    all: true,
    reject: false,
    stdin: 'ignore',
  });
}

const release = (...extra: string[]) =>
  maintainer('node', ['scripts/release.mjs', version, '--registry', registry.url, '--suites', 'test', ...extra]);

/** The integrity the registry serves for name@version, or undefined when it does not hold it. */
async function onRegistry(name: string): Promise<string | undefined> {
  const view = await maintainer('npm', ['view', `${name}@${version}`, 'dist.integrity', '--registry', registry.url]);
  return view.exitCode === 0 && view.stdout.trim() ? view.stdout.trim() : undefined;
}

const git = async (...args: string[]) => (await maintainer('git', args)).stdout.trim();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cim-registry-test-'));
  // Open to other users: the fault suites the release runs try the CLI of the clone as nobody.
  await chmod(work, 0o755);
  npmCache = join(work, 'npm-cache');
  clone = join(work, 'clone');
  await checkoutCopy(clone);
  const [major, minor, patch] = JSON.parse(await readFile(join(clone, 'package.json'), 'utf8'))
    .version.split('.')
    .map(Number);
  version = `${major}.${minor}.${patch + 1}`;
  // The maintainer's changelog entries for the next version, committed before releasing it.
  for (const changelog of ['CHANGELOG.md', 'kit/CHANGELOG.md']) {
    const text = await readFile(join(clone, changelog), 'utf8');
    await writeFile(join(clone, changelog), text.replace(/^## /m, '## Unreleased\n\n- Tested by the registry suite.\n\n## '));
  }
  registry = await startRegistry({ refusePublish: [KIT] });
  const install = await maintainer('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund']);
  expect(install.exitCode, install.all).toBe(0);
  await maintainer('git', ['commit', '--quiet', '--all', '-m', `Changelog of ${version}`]);
}, 600_000);

/** The registry's tarball URL for a package version, the form npm and yarn record as `resolved`. */
const tarballUrl = (name: string, version: string) => `${registry.url}${name}/-/${name}-${version}.tgz`;

/** Where the lockfile says the kit came from; each package manager records it its own way. */
function lockedKit(pm: Pm, module: string): { resolved?: string; integrity?: string; spec?: string } {
  const text = readFileSync(join(module, LOCKFILES[pm]), 'utf8');
  if (pm === 'npm') {
    const lock = JSON.parse(text);
    const entry = lock.packages['node_modules/iexec-module-kit'] ?? {};
    return { resolved: entry.resolved, integrity: entry.integrity, spec: lock.packages[''].devDependencies['iexec-module-kit'] };
  }
  if (pm === 'yarn') {
    // yarn 1: `iexec-module-kit@0.2.0:` then indented `version`, `resolved "URL#sha1"`, `integrity`.
    const block = /^"?iexec-module-kit@([^:"]+)"?:\n((?:[ \t]+.*\n?)*)/m.exec(text);
    return {
      spec: block?.[1],
      resolved: /^\s+resolved "([^"#]+)/m.exec(block?.[2] ?? '')?.[1],
      integrity: /^\s+integrity (\S+)/m.exec(block?.[2] ?? '')?.[1],
    };
  }
  // pnpm 9/10 records no tarball URL for a package of the configured registry, only its integrity: the
  // integrity of the tarball published here is what ties the install to this registry (a file: spec
  // would record `resolution: {tarball: file:...}` and no registry integrity).
  const importer = /^ {6}iexec-module-kit:\n {8}specifier: (\S+)\n {8}version: (\S+)$/m.exec(text);
  const resolution = /^ {2}iexec-module-kit@[^:\n]+:\n {4}resolution: \{([^}]*)\}/m.exec(text);
  return {
    spec: importer?.[1],
    resolved: /tarball: ([^,\s]+)/.exec(resolution?.[1] ?? '')?.[1],
    integrity: /integrity: ([^,\s]+)/.exec(resolution?.[1] ?? '')?.[1],
  };
}

/** Files of the module (its lockfile and manifest included; node_modules and .git not) holding `pattern`. */
function filesMatching(module: string, pattern: RegExp): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== '.git') walk(path);
      } else if (entry.isFile() && pattern.test(readFileSync(path, 'utf8'))) {
        found.push(relative(module, path));
      }
    }
  };
  walk(module);
  return found;
}

afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('a clean clone', () => {
  it.each(['npm pack --dry-run', 'npm publish --dry-run', 'npm publish --dry-run -w kit'])(
    '`%s` exits 0 and writes no tarball',
    async (command) => {
      const [file, ...args] = command.split(' ');
      const result = await maintainer(file!, [...args, '--registry', registry.url]);
      expect(result.exitCode, result.all).toBe(0);
      expect(result.all).toMatch(new RegExp(`${args.includes('kit') ? KIT : GENERATOR}[@-]\\d`));
      expect(readdirSync(clone).filter((f) => f.endsWith('.tgz'))).toEqual([]);
      expect(readdirSync(join(clone, 'kit')).filter((f) => f.endsWith('.tgz'))).toEqual([]);
    },
  );
});

describe('`npm run release`', () => {
  it('stops when the kit cannot be published, and publishes nothing after it', async () => {
    const result = await release();
    expect(result.exitCode, result.all).toBe(1);
    expect(result.all).toMatch(new RegExp(`set ${version} on ${GENERATOR} and ${KIT}, regenerated examples/`));
    expect(result.all).toMatch(/release: npm run test…[\s\S]*Test Files +\d+ passed \(\d+\)\n/);
    expect(result.stderr).toMatch(
      new RegExp(`npm publish of ${KIT}@${version} to ${registry.url} failed \\(.*\\); ${GENERATOR} was not published either`),
    );
    expect(await onRegistry(KIT)).toBeUndefined();
    expect(await onRegistry(GENERATOR)).toBeUndefined();
    expect(await git('tag')).toBe('');
    // The version is set and committed: everywhere the generator names it, examples/ included.
    expect(await git('log', '-1', '--format=%s')).toBe(`Release ${version}`);
    expect(await git('status', '--porcelain')).toBe('');
    expect(JSON.parse(await readFile(join(clone, 'kit/package.json'), 'utf8')).version).toBe(version);
    const lock = JSON.parse(await readFile(join(clone, 'package-lock.json'), 'utf8'));
    expect([lock.version, lock.packages[''].version, lock.packages.kit.version]).toEqual([version, version, version]);
    expect(JSON.parse(await readFile(join(clone, 'examples/hello-tdx/package.json'), 'utf8')).devDependencies[KIT]).toBe(version);
    expect(await readFile(join(clone, 'CHANGELOG.md'), 'utf8')).toMatch(new RegExp(`^## ${version} \\(\\d{4}-\\d\\d-\\d\\d\\)$`, 'm'));
  });

  it('after a partial failure, publishes only what is missing when run again, then tags', async () => {
    await registry.restart({ refusePublish: [GENERATOR] });
    const partial = await release();
    expect(partial.exitCode, partial.all).toBe(1);
    expect(partial.all).toMatch(/npm run test: passed on this tree at/);
    expect(partial.all).toMatch(new RegExp(`published ${KIT}@${version}`));
    expect(partial.stderr).toMatch(
      new RegExp(
        `npm publish of ${GENERATOR}@${version} .* failed .*; ${KIT} ${version} is published\\. Fix the cause and run \`npm run release -- ${version} --registry ${registry.url}\`: it publishes what is missing\\.`,
      ),
    );
    expect(await onRegistry(GENERATOR)).toBeUndefined();
    expect(await git('tag')).toBe('');

    await registry.restart();
    const rerun = await release();
    expect(rerun.exitCode, rerun.all).toBe(0);
    expect(rerun.all).toMatch(new RegExp(`packed ${GENERATOR}@${version} before, from this tree`));
    expect(rerun.all).toMatch(new RegExp(`${KIT}@${version} is on ${registry.url} already, the same tarball: not published again`));
    expect(rerun.all).toMatch(new RegExp(`published ${GENERATOR}@${version} to ${registry.url} \\(dist-tag latest\\)`));
    expect(rerun.all).toMatch(new RegExp(`done: ${KIT}@${version} and ${GENERATOR}@${version} are on ${registry.url}; tag v${version}`));
    expect(await git('rev-list', '-n1', `v${version}`)).toBe(await git('rev-parse', 'HEAD'));

    const released = join(clone, '.release', version);
    kit = await describeTarball(join(released, `${KIT}-${version}.tgz`));
    packed = await describeTarball(join(released, `${GENERATOR}-${version}.tgz`));
    expect(await onRegistry(KIT)).toBe(kit.integrity);
    expect(await onRegistry(GENERATOR)).toBe(packed.integrity);
  });

  it('refuses the same version once it is released', async () => {
    const again = await release();
    expect(again.exitCode).toBe(1);
    expect(again.stderr.trim()).toMatch(new RegExp(`^release: tag v${version} exists: ${version} is released`));
  });
});

describe('the packed package', () => {
  it('holds only what runs: the bundle (the templates precompiled in it), the README, the changelog and the manifest', () => {
    const unexpected = packed.files.filter(
      (f) => !/^dist\/[^/]+\.(js|txt)$/.test(f) && !['README.md', 'CHANGELOG.md', 'package.json', 'LICENSE'].includes(f),
    );
    expect(unexpected).toEqual([]);
    expect(packed.files).toEqual(expect.arrayContaining(['dist/cli.js', 'CHANGELOG.md', 'README.md']));
    // Rendered by path from the bundle (build.mjs precompiles them): no template text ships.
    expect(packed.files.filter((f) => f.startsWith('templates/'))).toEqual([]);
    expect(packed.files.some((f) => f.endsWith('.map'))).toBe(false);
    // No kit/ to point a module at: src/kit.ts then names the kit by this version.
    expect(packed.files.filter((f) => f.startsWith('kit/'))).toEqual([]);
  });

  it('comes with the kit at its own version: the compiled kit and its shell helper, no sources or tests', () => {
    expect(kit.name).toBe('iexec-module-kit');
    expect(kit.version).toBe(packed.version);
    const unexpected = kit.files.filter(
      (f) =>
        !/^dist\/.+\.(js|d\.ts)$/.test(f) &&
        !/^sh\/[^/]+\.sh$/.test(f) &&
        !['README.md', 'CHANGELOG.md', 'package.json', 'LICENSE'].includes(f),
    );
    expect(unexpected).toEqual([]);
    expect(kit.files).toEqual(expect.arrayContaining(['dist/cli.js', 'dist/index.js', 'sh/registry.sh', 'CHANGELOG.md']));
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
    const result = await execa(command[0]!, command.slice(1), {
      cwd: work,
      env,
      extendEnv: false,
      all: true,
      reject: false,
      stdin: 'ignore',
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(new RegExp(`✔ ${pm} install`));
    expect(result.all).toMatch(/✔ type-check and build/);
    expect(result.all).toMatch(/✔ module tests/);
    // The published generator has no checkout to install the kit from, and says nothing about one.
    expect(result.all).not.toMatch(/not on a registry yet|--kit/);

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

    // The kit by version, fetched from the registry, the one published there.
    const pkg = JSON.parse(await readFile(join(module, 'package.json'), 'utf8'));
    expect(pkg.devDependencies['iexec-module-kit']).toBe(kit.version);
    const locked = lockedKit(pm, module);
    expect(locked.spec, `${LOCKFILES[pm]}: the kit's spec`).toBe(kit.version);
    expect(locked.integrity, `${LOCKFILES[pm]}: the kit's integrity`).toBe(kit.integrity);
    if (pm === 'pnpm') {
      expect(locked.resolved, 'pnpm-lock.yaml: a tarball is recorded only off the registry').toBeUndefined();
      // What pnpm installed with: this user's registry (pnpm 10 writes this YAML file as JSON).
      const modules = JSON.parse(await readFile(join(module, 'node_modules/.modules.yaml'), 'utf8'));
      expect(modules.registries.default).toBe(registry.url);
    } else {
      expect(locked.resolved, `${LOCKFILES[pm]}: where the kit was fetched`).toBe(tarballUrl(kit.name, kit.version));
    }
    const installed = JSON.parse(await readFile(join(module, 'node_modules/iexec-module-kit/package.json'), 'utf8'));
    expect(installed.version).toBe(kit.version);

    // Nothing of this machine's checkout: not its path (anywhere, node_modules included), no file: spec.
    for (const checkout of [repoRoot, clone]) {
      const leaked = await execa('grep', ['-rlF', '--', checkout.replace(/\/$/, ''), '.'], { cwd: module, reject: false });
      expect(leaked.stdout, `files naming ${checkout}`).toBe('');
      expect(leaked.exitCode).toBe(1);
    }
    // `file:` followed by a path or URL; the prose's "Profile:" and "$file: ..." do not count.
    expect(filesMatching(module, /(?<![A-Za-z])file:\S/)).toEqual([]);

    const task = await runLikeWorker(module, ['Alice']);
    expect(task.exitCode, task.stderr).toBe(0);
    expect(task.result).toEqual({ ok: true, result: { greeting: 'Hello, Alice!' } });
    expect(existsSync(String(task.computed['deterministic-output-path']))).toBe(true);
  });
});
