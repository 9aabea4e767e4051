import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUESTIONS } from '../src/answers.js';
import { MANIFEST_FILE, type Manifest, readManifest } from '../src/manifest.js';
import { SWITCHES } from '../src/options.js';
import { cliPath, repoRoot, runCli, standInTools, tempDir } from './helpers/cli.js';
import { QUIET, tree } from './helpers/module.js';
import { inTerminal, KEY } from './helpers/terminal.js';

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

let work: string;
beforeAll(async () => {
  work = await tempDir();
});

describe('help and version', () => {
  it('--help lists every answer flag and every switch', async () => {
    const { stdout, exitCode } = await runCli(['--help']);
    expect(exitCode).toBe(0);
    for (const q of QUESTIONS) expect(stdout).toContain(`--${q.flag}`);
    for (const s of SWITCHES) expect(stdout).toContain(`--${s.name}`);
  });

  it('-v prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'));
    expect((await runCli(['-v'])).stdout).toBe(version);
  });
});

describe('bad input: one clear line, non-zero exit, nothing written', () => {
  it.each([
    [['--name', 'Not Valid'], /Invalid package name "Not Valid".*Try --name not-valid/],
    [['--tee', 'sgx'], /Unknown --tee "sgx": use one of tdx, scone/],
    [['--frobnicate'], /Unknown option '--frobnicate'.*--help/],
    [['--chain', 'bellecour'], /--tee tdx cannot run on --chain bellecour/],
    [['--docker-namespace', 'Bad Space'], /Invalid --docker-namespace/],
    [['--features', 'args,oracle'], /Unknown --features "oracle": use a comma-separated list of args, input-files/],
    [
      ['--tee', 'scone', '--features', 'args,bulk'],
      /--tee scone cannot run --features bulk \(bulk: SDK 8\.24 marks bulk processing as not implemented on bellecour.*Drop bulk/,
    ],
    [['--answers', '/nonexistent/answers.json'], /Cannot read --answers/],
    [
      ['--kit', '/nonexistent/kit.tgz'],
      /--kit \/nonexistent\/kit.tgz: there is no \/nonexistent\/kit.tgz\. Check the path, or give a version of iexec-module-kit \(e\.g\. \d+\.\d+\.\d+\)/,
    ],
    [['--kit', './missing.tgz'], /--kit \.\/missing.tgz: there is no \/\S+\/missing.tgz\. Check the path/],
    [['--kit', 'latest'], /--kit latest is neither a version nor an existing path: give a version of iexec-module-kit/],
    [['extra-positional'], /Expected one directory, got 2/],
  ])('%j', async (args, message) => {
    const target = join(work, `bad-${Math.random().toString(36).slice(2)}`);
    const { exitCode, stderr, stdout } = await runCli([target, ...args, ...QUIET]);
    expect(exitCode).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(String(stderr).trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a non-empty directory without --force, leaving it as it was', async () => {
    const target = join(work, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'notes.txt'), 'mine');
    const { exitCode, stderr } = await runCli([target, ...QUIET]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/is not empty \(notes\.txt\).*--force/);
    expect(await readdir(target)).toEqual(['notes.txt']);
  });

  it.each([
    [
      'a path through a file',
      (dir: string) => join(dir, 'a-file', 'module'),
      /Cannot create the module: \S+\/a-file is a file, not a folder \(ENOTDIR\)\. Nothing was written: choose another path\./,
    ],
    [
      'a name too long for the file system',
      (dir: string) => join(dir, 'x'.repeat(300)),
      /Cannot create the module: \S+ is longer than the file system allows \(ENAMETOOLONG\)\. Nothing was written: choose a shorter name/,
    ],
    [
      'a symbolic link to nowhere',
      (dir: string) => join(dir, 'dangling'),
      /dangling is a symbolic link to a path that does not exist: remove it or choose another path\./,
    ],
  ])('names the problem with %s in its own words', async (_label, targetIn, message) => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a-file'), 'mine');
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
    const { exitCode, stderr } = await runCli([targetIn(dir), ...QUIET]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect((await readdir(dir)).sort()).toEqual(['a-file', 'dangling']);
  });

  it('refuses bulk on SCONE from an answers file too, writing nothing', async () => {
    const file = join(work, 'scone-bulk.json');
    await writeFile(file, JSON.stringify({ tee: 'scone', features: ['bulk'] }));
    const target = join(work, 'scone-bulk');
    const { exitCode, stderr } = await runCli([target, '--answers', file, ...QUIET]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/--tee scone cannot run --features bulk/);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses an answers file with an unknown key, naming the valid keys', async () => {
    const file = join(work, 'bad-answers.json');
    await writeFile(file, JSON.stringify({ tee: 'scone', colour: 'blue' }));
    const { exitCode, stderr } = await runCli([join(work, 'never'), '--answers', file, ...QUIET]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/unknown key colour: the keys are name, description, tee/);
  });

  it('--interactive with stdin at its end fails instead of exiting 0 with nothing written', async () => {
    const target = join(work, 'no-input');
    const result = await execa('node', [cliPath, target, '--interactive', ...QUIET], {
      reject: false,
      stdin: { file: '/dev/null' },
      timeout: 20_000,
      env: { CI: '', NO_COLOR: '1' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Input ended before every question was answered/);
    expect(existsSync(target)).toBe(false);
  });

  it('without a terminal and without a directory, names what to pass instead of asking', async () => {
    const { exitCode, stderr } = await runCli(QUIET, { cwd: work });
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/Missing the directory: pass it first/);
  });
});

describe('writing a module', () => {
  it('never waits without a terminal: stdin from /dev/null takes every default', async () => {
    const target = join(work, 'm2');
    const result = await execa('node', [cliPath, target, ...QUIET], {
      reject: false,
      stdin: { file: '/dev/null' },
      timeout: 20_000,
      env: { CI: '' },
    });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(0);
    const manifest: Manifest = JSON.parse(await readFile(join(target, MANIFEST_FILE), 'utf8'));
    expect(manifest.answers).toMatchObject({ name: 'm2', tee: 'tdx', chain: 'arbitrum-sepolia-testnet' });
  });

  it('says once, when SCONE is chosen, that iExec dropped it from SDK 9, and says nothing of it for TDX', async () => {
    const scone = await runCli([join(work, 'scone-notice'), '--tee', 'scone', ...QUIET]);
    expect(scone.exitCode, scone.stderr).toBe(0);
    expect(scone.stdout.match(/legacy stack: SDK 9, the iExec docs and web3mail dropped it and bellecour in April 2026/g)).toHaveLength(1);
    const tdx = await runCli([join(work, 'tdx-notice'), ...QUIET]);
    expect(tdx.stdout).not.toMatch(/legacy/);
  });

  it('from this checkout, points the module at the kit tarball it packed and says so; --kit names a version instead', async () => {
    const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'));
    const checkout = await runCli([join(work, 'kit-checkout'), ...QUIET]);
    expect(checkout.stdout).toMatch(/iexec-module-kit \S+ is not on a registry yet: this module installs it from this checkout/);
    const pkg = JSON.parse(await readFile(join(work, 'kit-checkout/package.json'), 'utf8'));
    expect(pkg.devDependencies['iexec-module-kit']).toBe(`file:${join(repoRoot, 'kit/pack', `iexec-module-kit-${version}.tgz`)}`);
    const named = await runCli([join(work, 'kit-version'), '--kit', version, ...QUIET]);
    expect(named.stdout).not.toMatch(/not on a registry/);
    expect(JSON.parse(await readFile(join(work, 'kit-version/package.json'), 'utf8')).devDependencies['iexec-module-kit']).toBe(version);
  });

  it('records the answers and the pristine text of every file it wrote', async () => {
    const target = join(work, 'recorded');
    const { exitCode } = await runCli([target, '--tee', 'scone', '--docker-namespace', 'alice', ...QUIET]);
    expect(exitCode).toBe(0);
    // The pristine copies are stored compressed: readManifest decodes them as upgrade does.
    const manifest = readManifest(target);
    expect(manifest.answers).toEqual({
      name: 'recorded',
      description: 'An iExec module written in TypeScript.',
      tee: 'scone',
      chain: 'bellecour',
      dockerNamespace: 'alice',
      packageManager: 'npm',
      features: ['args'],
      ci: true,
    });
    for (const [file, content] of Object.entries(manifest.files)) {
      expect(await readFile(join(target, file), 'utf8'), file).toBe(content);
    }
    expect(Object.keys(manifest.files)).toContain('sconify.sh');
  });

  it('--dry-run lists exactly the files a real run writes, and writes nothing', async () => {
    const flags = ['--tee', 'scone', '--chain', 'bellecour', '--features', 'input-files,protected-data'];
    const target = join(work, 'dry', 'm');
    const { exitCode, stdout } = await runCli([target, ...flags, '--dry-run']);
    expect(exitCode).toBe(0);
    expect(existsSync(join(work, 'dry'))).toBe(false);
    const [heading, ...listed] = stdout
      .trim()
      .split('\n')
      .slice(-1 - Number(stdout.match(/Would write (\d+) files/)?.[1]));
    expect(heading).toBe(`Would write ${listed.length} files into ${target}:`);

    const real = join(work, 'dry-real', 'm');
    expect((await runCli([real, ...flags, ...QUIET])).exitCode).toBe(0);
    expect(listed.map((line) => line.trim()).sort()).toEqual(Object.keys(await tree(real)).sort());
  });

  it('takes an answers file, flags winning over it', async () => {
    const file = join(work, 'answers.json');
    await writeFile(file, JSON.stringify({ tee: 'scone', description: 'from the file', dockerNamespace: 'bob' }));
    const target = join(work, 'from-file');
    expect((await runCli([target, '--answers', file, '--docker-namespace', 'carol', ...QUIET])).exitCode).toBe(0);
    const { answers }: Manifest = JSON.parse(await readFile(join(target, MANIFEST_FILE), 'utf8'));
    expect(answers).toMatchObject({ tee: 'scone', chain: 'bellecour', description: 'from the file', dockerNamespace: 'carol' });
  });

  it('reads an answers file that starts with a UTF-8 byte order mark, as Windows editors write it', async () => {
    const file = join(work, 'bom-answers.json');
    await writeFile(file, `\uFEFF${JSON.stringify({ tee: 'scone' })}`);
    const target = join(work, 'from-bom');
    const { exitCode, stderr } = await runCli([target, '--answers', file, ...QUIET]);
    expect(exitCode, stderr).toBe(0);
    expect((JSON.parse(await readFile(join(target, MANIFEST_FILE), 'utf8')) as Manifest).answers.tee).toBe('scone');
  });

  it('writes into a symbolic link to a folder, as into the folder', async () => {
    const real = join(work, 'real-folder');
    await mkdir(real);
    await symlink(real, join(work, 'linked'));
    const { exitCode, stderr } = await runCli([join(work, 'linked'), ...QUIET]);
    expect(exitCode, stderr).toBe(0);
    expect(existsSync(join(real, MANIFEST_FILE))).toBe(true);
  });

  it('quotes the folder of its next step for the shell, and that step works', async () => {
    const { exitCode, stdout } = await runCli(["it's my module", ...QUIET], { cwd: work });
    expect(exitCode).toBe(0);
    const cd = stdout.match(/^ {2}(cd .*)$/m)?.[1];
    expect(cd).toBe(`cd 'it'\\''s my module'`);
    expect((await execa('bash', ['-c', `${cd} && pwd`], { cwd: work })).stdout).toBe(join(work, "it's my module"));
  });

  it('writes into . and names the package after the folder', async () => {
    const target = join(work, 'here-module');
    await mkdir(target);
    expect((await runCli(['.', ...QUIET], { cwd: target })).exitCode).toBe(0);
    expect(JSON.parse(await readFile(join(target, 'package.json'), 'utf8')).name).toBe(basename(target));
  });

  it('--force writes into a non-empty folder, replacing generated files and keeping the rest', async () => {
    const target = join(work, 'forced');
    await mkdir(target);
    await writeFile(join(target, 'notes.txt'), 'mine');
    await writeFile(join(target, 'package.json'), '{"name":"old"}');
    expect((await runCli([target, '--force', ...QUIET])).exitCode).toBe(0);
    expect(await readFile(join(target, 'notes.txt'), 'utf8')).toBe('mine');
    expect(JSON.parse(await readFile(join(target, 'package.json'), 'utf8')).name).toBe('forced');
  });

  it('refuses to create over a module, even with --force: the edited file stays, upgrade is named', async () => {
    const target = join(work, 'already');
    expect((await runCli([target, ...QUIET])).exitCode).toBe(0);
    await writeFile(join(target, 'src/app.ts'), '// my own app\n');
    for (const force of [[], ['--force']]) {
      const { exitCode, stderr } = await runCli([target, ...force, ...QUIET], { cwd: work });
      expect(exitCode).toBe(1);
      expect(stderr).toMatch(
        /already is already a module made by create-iexec-module .*`npx create-iexec-module upgrade` there brings it up to date keeping them, and `cd already && npm install && npx create-iexec-module validate` finishes its setup\. Nothing was written\./,
      );
    }
    expect(await readFile(join(target, 'src/app.ts'), 'utf8')).toBe('// my own app\n');
  });

  it('--force still refuses when a folder of the user stands where a generated file goes', async () => {
    const target = join(work, 'blocked');
    await mkdir(join(target, 'package.json'), { recursive: true });
    const { exitCode, stderr } = await runCli([target, '--force', ...QUIET]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/--force cannot write package\.json/);
    expect(await readdir(target)).toEqual(['package.json']);
  });

  it('makes a git repository with one commit, but not inside an existing one', async () => {
    const target = join(work, 'with-git');
    expect((await runCli([target, '--no-install'], { env: GIT_IDENTITY })).exitCode).toBe(0);
    const log = await execa('git', ['log', '--oneline'], { cwd: target });
    expect(log.stdout).toMatch(/^[0-9a-f]+ Initial commit from create-iexec-module/);
    expect((await execa('git', ['status', '--porcelain'], { cwd: target })).stdout).toBe('');

    const nested = join(target, 'nested');
    const { stdout } = await runCli([nested, '--no-install'], { env: GIT_IDENTITY });
    expect(stdout).toMatch(/already inside a git repository/);
    expect(existsSync(join(nested, '.git'))).toBe(false);
  });
});

describe('at a terminal', () => {
  it('asks each question, offering the defaults, and writes what was chosen', async () => {
    const target = join(work, 'asked');
    const { exitCode, screen } = await inTerminal(`node ${cliPath} ${target} ${QUIET.join(' ')}`, [
      { expect: /Package name/, send: KEY.enter },
      { expect: /Description/, send: `typed description${KEY.enter}` },
      { expect: /TEE/, send: `${KEY.down}${KEY.enter}` },
      { expect: /Chain/, send: KEY.enter },
      { expect: /Docker Hub/, send: `dave${KEY.enter}` },
      { expect: /Package manager/, send: KEY.enter },
      // args is selected already: move to input-files, select it, confirm.
      { expect: /Features/, send: `${KEY.down} ${KEY.enter}` },
      // yes is offered first: take no.
      { expect: /GitHub Actions workflow/, send: `${KEY.down}${KEY.enter}` },
    ]);
    expect(exitCode, screen).toBe(0);
    const { answers }: Manifest = JSON.parse(await readFile(join(target, MANIFEST_FILE), 'utf8'));
    expect(answers).toEqual({
      name: 'asked',
      description: 'typed description',
      tee: 'scone',
      chain: 'bellecour',
      dockerNamespace: 'dave',
      packageManager: 'npm',
      features: ['args', 'input-files'],
      ci: false,
    });
    expect(existsSync(join(target, '.github'))).toBe(false);
  });

  it('shows a validation message and lets the user correct the answer', async () => {
    const retyped = join(work, 'retyped');
    const result = await inTerminal(
      `node ${cliPath} ${retyped} --tee tdx --chain arbitrum-mainnet --description d --package-manager npm --docker-namespace x --features args --ci ${QUIET.join(' ')}`,
      [
        { expect: /Package name/, send: `Bad Name${KEY.enter}` },
        { expect: /Invalid package name/, send: `${KEY.backspace.repeat(8)}good-name${KEY.enter}` },
      ],
    );
    expect(result.exitCode, result.screen).toBe(0);
    expect(JSON.parse(await readFile(join(retyped, 'package.json'), 'utf8')).name).toBe('good-name');
  });

  it('Ctrl-C at a prompt exits 130 and writes nothing', async () => {
    const target = join(work, 'cancelled');
    const { exitCode, screen } = await inTerminal(`node ${cliPath} ${target} ${QUIET.join(' ')}`, [
      { expect: /Package name/, send: KEY.enter },
      { expect: /Description/, send: KEY.ctrlC },
    ]);
    expect(exitCode, screen).toBe(130);
    expect(screen).toMatch(/Cancelled: nothing was written/);
    expect(existsSync(target)).toBe(false);
  });

  it('Ctrl-C during the install exits 130 saying what is on disk; its command finishes the setup, and a new run names the module', async () => {
    const tools = await standInTools();
    const hang = join(work, 'hang-once');
    await writeFile(hang, '');
    const target = join(work, 'cut-install');
    const env = { PATH: `${tools}:${process.env.PATH}` };
    const { exitCode, screen } = await inTerminal(
      `node ${cliPath} ${target} --yes --no-git`,
      [{ expect: /npm install/, send: KEY.ctrlC }],
      { env: { ...env, HANG_INSTALL: hang } },
    );
    expect(exitCode, screen).toBe(130);
    expect(screen).toMatch(/Interrupted: the module is in \S+cut-install, not yet installed and validated\. Finish with:/);
    const finish = screen.match(/Finish with:\s*\n\s*(.+?)\s*$/m)?.[1];
    expect(finish).toBe(`cd ${target} && npm install && npx create-iexec-module validate`);

    const again = await runCli([target, '--yes'], { env });
    expect(again.stderr).toMatch(/is already a module made by create-iexec-module .* finishes its setup/);
    const done = await execa('bash', ['-c', finish!], { cwd: work, env, reject: false });
    expect(done.exitCode, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/The module builds and its tests pass/);
  });
});
