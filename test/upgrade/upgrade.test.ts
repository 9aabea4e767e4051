import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, manifestText } from '../../src/manifest.js';
import { cliPath, runCli, tempDir } from '../helpers/cli.js';
import { inTerminal, KEY } from '../helpers/terminal.js';
import { generate, manifestOf, render, tree } from '../helpers/module.js';
import { changedLine, insertLine, NO_STEPS, quietLine, read, replaceLine, SCONE, TDX } from '../helpers/upgrade.js';

/*
 * The real CLI on real modules, with today's templates: changing the answers (SCONE on bellecour
 * to TDX on Arbitrum) is an upgrade whose templates differ, no fixture needed.
 */
const OWNER = '// the owner wrote this line';
let work: string;
let scone: Record<string, string>;
let tdx: Record<string, string>;

const row = (action: string, path: string) => new RegExp(`^  ${action} +${path.replaceAll('.', '\\.')} `, 'm');

/** A text file the TEE change rewrites, with a line an owner edit can sit on without touching the change. */
function templateChangedFile(): { path: string; quiet: number } {
  for (const path of ['README.md', 'Dockerfile', 'scripts/iexec.mjs', 'publish.sh', 'scripts/docker.sh']) {
    if (scone[path] === undefined || tdx[path] === undefined || scone[path] === tdx[path]) continue;
    const quiet = quietLine(scone[path]!, tdx[path]!);
    if (quiet !== undefined) return { path, quiet };
  }
  throw new Error('no text file changes between SCONE and TDX with room for an owner edit: pick another in templateChangedFile');
}

beforeAll(async () => {
  work = await tempDir();
  scone = await render({ name: 'm', tee: 'scone', chain: 'bellecour' });
  tdx = await render({ name: 'm', tee: 'tdx', chain: 'arbitrum-sepolia-testnet' });
});

async function sconeModule(name: string): Promise<string> {
  const dir = join(work, name);
  await generate(dir, ['--name', 'm', ...SCONE]);
  return dir;
}

describe('changing the TEE and the chain (scone on bellecour -> tdx on arbitrum-sepolia-testnet)', () => {
  let dir: string;
  let changed: { path: string; quiet: number };
  let result: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    dir = await sconeModule('tee-change');
    changed = templateChangedFile();
    await writeFile(join(dir, 'src/app.ts'), insertLine(await read(dir, 'src/app.ts'), 0, OWNER));
    await writeFile(join(dir, changed.path), insertLine(await read(dir, changed.path), changed.quiet, OWNER));
    const pkg = JSON.parse(await read(dir, 'package.json'));
    pkg.dependencies = { ...pkg.dependencies, zod: '^3.23.0' };
    pkg.scripts = { ...pkg.scripts, lint: 'eslint .' };
    await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    result = await runCli(['upgrade', dir, ...TDX, ...NO_STEPS]);
  });

  it('succeeds and says what changed in the answers', () => {
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('--tee: "scone" -> "tdx"');
    expect(result.stdout).toContain('--chain: "bellecour" -> "arbitrum-sepolia-testnet"');
  });

  it('keeps the owner edit in src/app.ts', async () => {
    expect(result.stdout).toMatch(row('yours', 'src/app.ts'));
    expect(await read(dir, 'src/app.ts')).toBe(insertLine(tdx['src/app.ts']!, 0, OWNER));
  });

  it('merges the owner edit into a file the templates changed', async () => {
    expect(result.stdout).toMatch(row('merge', changed.path));
    const text = await read(dir, changed.path);
    expect(text).toContain(`${OWNER}\n`);
    expect(text.replace(`${OWNER}\n`, '')).toBe(tdx[changed.path]);
  });

  it("merges package.json by key: the owner's dependency and script stay, the SDK moves to 9", async () => {
    const expected = JSON.parse(tdx['package.json']!);
    expected.dependencies = { ...expected.dependencies, zod: '^3.23.0' };
    expected.scripts = { ...expected.scripts, lint: 'eslint .' };
    expect(JSON.parse(await read(dir, 'package.json'))).toEqual(expected);
  });

  it('updates what only the templates changed, deletes sconify.sh, and records the new answers and pristine files', async () => {
    const manifest = manifestOf(dir);
    expect(manifest.answers).toMatchObject({ tee: 'tdx', chain: 'arbitrum-sepolia-testnet' });
    expect(manifest.files).toEqual(tdx);
    expect(result.stdout).toMatch(row('delete', 'sconify.sh'));
    expect(existsSync(join(dir, 'sconify.sh'))).toBe(false);
    for (const [path, text] of Object.entries(tdx)) {
      if (path !== 'src/app.ts' && path !== changed.path && path !== 'package.json') expect(await read(dir, path), path).toBe(text);
    }
  });

  it('is up to date afterwards: --check passes and a second upgrade changes nothing', async () => {
    const before = await tree(dir, { executables: true });
    expect((await runCli(['upgrade', dir, '--check'])).exitCode).toBe(0);
    const again = await runCli(['upgrade', dir, ...NO_STEPS]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/Already up to date/);
    expect(await tree(dir, { executables: true })).toEqual(before);
  });
});

describe('a conflict', () => {
  let dir: string;
  let path: string;
  let result: Awaited<ReturnType<typeof runCli>>;
  let ownerLine: string;

  beforeAll(async () => {
    dir = await sconeModule('conflict here');
    path = templateChangedFile().path;
    const at = changedLine(scone[path]!, tdx[path]!)!;
    ownerLine = `${OWNER} (instead of a line the templates change)`;
    await writeFile(join(dir, path), replaceLine(await read(dir, path), at, ownerLine));
    result = await runCli(['upgrade', dir, ...TDX, ...NO_STEPS]);
  });

  it('is reported by name and exits non-zero', () => {
    expect(result.stdout).toMatch(row('conflict', path));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`conflicts in 1 file: ${path}.`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the command that finishes, in the module, its path quoted for the shell', () => {
    expect(result.stderr).toContain(
      `then run \`cd '${dir}' && npx create-iexec-module validate\` (it installs first if package.json changed).`,
    );
  });

  it("keeps both sides between standard markers, the owner's line included", async () => {
    const text = await read(dir, path);
    expect(text).toMatch(
      new RegExp(`^<<<<<<< yours\\n[^]*${OWNER}[^]*\\n=======\\n[^]*\\n>>>>>>> create-iexec-module \\d+\\.\\d+\\.\\d+`, 'm'),
    );
  });

  it('still writes everything else and the manifest, so the module is not left half-upgraded', async () => {
    expect(manifestOf(dir).answers.tee).toBe('tdx');
    expect(await read(dir, 'package.json')).toBe(tdx['package.json']);
  });

  it('is not up to date for --check while the markers are still there', async () => {
    const check = await runCli(['upgrade', dir, '--check']);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toMatch(row('unresolved', path));
    expect(check.stderr).toContain(`Resolve the conflict markers left by the last upgrade in ${path} first`);
  });

  it('refuses to merge again into a file whose markers are still there', async () => {
    const back = await runCli(['upgrade', dir, ...SCONE, ...NO_STEPS]);
    expect(back.exitCode).toBe(1);
    expect(back.stderr).toContain(`Resolve the conflict markers left by the last upgrade in ${path} first`);
    expect(manifestOf(dir).answers.tee).toBe('tdx');
  });
});

describe('files the owner or the templates removed', () => {
  it('does not bring back a file the owner deleted, and says so', async () => {
    const dir = await sconeModule('owner-deleted');
    await rm(join(dir, 'publish.sh'));
    const { stdout, exitCode } = await runCli(['upgrade', dir, ...TDX, ...NO_STEPS]);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^ {2}skipped +publish\.sh +you deleted it: not brought back/m);
    expect(existsSync(join(dir, 'publish.sh'))).toBe(false);
  });

  it('keeps, with a warning, a file the templates dropped when the owner changed it', async () => {
    const dir = await sconeModule('dropped-edited');
    await writeFile(join(dir, 'sconify.sh'), `${await read(dir, 'sconify.sh')}# mine\n`);
    const { stdout, exitCode } = await runCli(['upgrade', dir, ...TDX, ...NO_STEPS]);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^ {2}orphaned +sconify\.sh +no longer generated, but you changed it/m);
    expect(await read(dir, 'sconify.sh')).toMatch(/# mine\n$/);
  });
});

describe('--dry-run and --check write nothing', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await sconeModule('preview');
    await writeFile(join(dir, 'src/app.ts'), `${await read(dir, 'src/app.ts')}${OWNER}\n`);
  });

  it('--dry-run prints the plan per file', async () => {
    const before = await tree(dir, { executables: true });
    const { stdout, exitCode } = await runCli(['upgrade', dir, ...TDX, '--dry-run']);
    expect(exitCode).toBe(0);
    for (const path of new Set([...Object.keys(scone), ...Object.keys(tdx)])) {
      const expected =
        path === 'src/app.ts' ? 'yours' : tdx[path] === undefined ? 'delete' : scone[path] === tdx[path] ? undefined : 'update';
      if (expected) expect(stdout, path).toMatch(row(expected, path));
      else expect(stdout, path).not.toMatch(new RegExp(`^  \\S+ +${path.replaceAll('.', '\\.')} `, 'm'));
    }
    expect(stdout).toMatch(/Dry run: nothing written/);
    expect(await tree(dir, { executables: true })).toEqual(before);
  });

  it('--check exits 0 on an up-to-date module, non-zero when an upgrade would change it', async () => {
    const before = await tree(dir, { executables: true });
    expect((await runCli(['upgrade', dir, '--check'])).exitCode).toBe(0);
    const behind = await runCli(['upgrade', dir, ...TDX, '--check']);
    expect(behind.exitCode).toBe(1);
    expect(behind.stderr).toMatch(/The module is behind: `npx create-iexec-module upgrade` would change \d+ files/);
    const answers = join(work, 'tdx-answers.json');
    await writeFile(answers, JSON.stringify({ tee: 'tdx', chain: 'arbitrum-mainnet' }));
    const fromFile = await runCli(['upgrade', dir, '--answers', answers, '--check']);
    expect(fromFile.exitCode).toBe(1);
    expect(fromFile.stdout).toContain('--chain: "bellecour" -> "arbitrum-mainnet"');
    expect(await tree(dir, { executables: true })).toEqual(before);
  });
});

describe('input', () => {
  it('never waits without a terminal: no --yes, stdin from /dev/null, it upgrades', async () => {
    const dir = await sconeModule('no-tty');
    const result = await execa('node', [cliPath, 'upgrade', ...TDX, ...NO_STEPS], {
      cwd: dir,
      reject: false,
      stdin: { file: '/dev/null' },
      timeout: 20_000,
      env: { CI: '', NO_COLOR: '1' },
    });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(manifestOf(dir).answers.tee).toBe('tdx');
  });

  it('at a terminal, asks before writing: no leaves the module alone, yes applies', async () => {
    const dir = await sconeModule('asked');
    const before = await tree(dir, { executables: true });
    const command = `node ${cliPath} upgrade ${dir} ${[...TDX, ...NO_STEPS].join(' ')}`;
    const declined = await inTerminal(command, [{ expect: /Apply these changes/, send: `n${KEY.enter}` }]);
    expect(declined.screen).toMatch(/Nothing written/);
    expect(await tree(dir, { executables: true })).toEqual(before);
    // Only --tee: the recorded chain (bellecour) no longer fits, so it is asked, with the reason first.
    const accepted = await inTerminal(`node ${cliPath} upgrade ${dir} --tee tdx ${NO_STEPS.join(' ')}`, [
      { expect: /no longer fits[^]*Chain/, send: `${KEY.down}${KEY.enter}` },
      { expect: /Apply these changes/, send: KEY.enter },
    ]);
    expect(accepted.exitCode, accepted.screen).toBe(0);
    expect(manifestOf(dir).answers).toMatchObject({ tee: 'tdx', chain: 'arbitrum-mainnet' });
  });

  it.each([
    [['--force'], /--force does not apply to upgrade/],
    [['--no-git'], /--no-git does not apply to upgrade/],
    [['--tee', 'sgx'], /Unknown --tee "sgx"/],
  ])('refuses %j in one line, writing nothing', async (args, message) => {
    const dir = await sconeModule(`bad-${Math.random().toString(36).slice(2)}`);
    const before = await tree(dir, { executables: true });
    const { exitCode, stderr } = await runCli(['upgrade', dir, ...args]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(await tree(dir, { executables: true })).toEqual(before);
  });

  it('stops without a terminal, naming the flag, when a recorded answer no longer parses', async () => {
    const dir = join(work, 'unparsable-answer');
    await generate(dir, ['--name', 'm', '--features', 'args,input-files']);
    const manifest = manifestOf(dir);
    await writeFile(
      join(dir, MANIFEST_FILE),
      manifestText({ ...manifest, answers: { ...manifest.answers, features: ['args', 'input-files', 'teleport'] as never } }),
    );
    const before = await tree(dir, { executables: true });
    const { exitCode, stderr } = await runCli(['upgrade', dir, ...NO_STEPS]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(
      /--features: the recorded \["args","input-files","teleport"\] no longer fits \(.*teleport.*\)\. Nobody to ask: give --features/,
    );
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(await tree(dir, { executables: true })).toEqual(before);
  });

  it('stops without a terminal when a given answer makes a recorded one unfit (--tee tdx on bellecour)', async () => {
    const dir = await sconeModule('unfit-chain');
    const before = await tree(dir, { executables: true });
    const { exitCode, stderr } = await runCli(['upgrade', dir, '--tee', 'tdx', ...NO_STEPS]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/--chain: the recorded "bellecour" no longer fits .*Nobody to ask: give --chain .*Nothing was written\./);
    expect(await tree(dir, { executables: true })).toEqual(before);
    const given = await runCli(['upgrade', dir, '--tee', 'tdx', '--chain', 'arbitrum-mainnet', ...NO_STEPS]);
    expect(given.exitCode, given.stderr).toBe(0);
  });

  it('refuses --check when creating', async () => {
    const { exitCode, stderr } = await runCli([join(work, 'never'), '--check']);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/--check does not apply to creating a module: it is for upgrade/);
  });

  it('names the problem in a folder that is not a module', async () => {
    const { exitCode, stderr } = await runCli(['upgrade', work]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/\.create-iexec-module\.json is missing: is .* a module made by create-iexec-module\?/);
  });

  it('refuses a module made by a newer generator', async () => {
    const dir = await sconeModule('from-the-future');
    const manifest = manifestOf(dir);
    await writeFile(join(dir, MANIFEST_FILE), manifestText({ ...manifest, generator: { ...manifest.generator, version: '99.0.0' } }));
    const { exitCode, stderr } = await runCli(['upgrade', dir]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/generated by create-iexec-module 99\.0\.0, newer than this one .*npx create-iexec-module@latest upgrade/);
  });
});
