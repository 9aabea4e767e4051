import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type Result } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, readManifest } from '../src/manifest.js';
import { cliPath, standInTools, tempDir } from './helpers/cli.js';
import { TIMEOUT_MS, TOOLS, faultTally, onSmallDisk as smallDisk, runCli, type Verdict, withSignalAt } from './helpers/faults.js';
import { QUIET, tree } from './helpers/module.js';
import { inTerminal, KEY } from './helpers/terminal.js';

/*
 * `create` under injected faults, judged by what is on disk after it, against what it said:
 * - fine: done, or stopped with one line that tells the truth (nothing written and nothing is; the
 *   module is there and it is, with the command that finishes), the user's files as they were;
 * - unclear: stopped without a line of ours (a raw error code, a stack, silence);
 * - hang: still running after its timeout;
 * - wrong: what it said and what is on disk differ, or half a module is left;
 * - loss: a file of the user's that the module does not replace is changed or gone.
 * Signals come at chosen system calls (strace's fault injection), full and read-only disks from a
 * small tmpfs in a mount namespace of its own (unshare), a folder the user may not write from a run
 * as nobody (setpriv). A case whose tool is missing is skipped, and says so. CONTRIBUTING.md keeps
 * the totals; the suite prints them.
 */

const KIT = ['--kit', '0.2.0'];
const MINE = { 'notes.txt': 'mine\n', 'package.json': '{"name":"old"}\n' };

let work: string;
const tally = faultTally('create under faults');
beforeAll(async () => {
  work = await tempDir('cim-faults-');
  // Open to the runs as nobody, which must meet the folder of their case, not this one.
  await chmod(work, 0o755);
});
afterAll(async () => {
  tally.print();
  await rm(work, { recursive: true, force: true });
});

/** A folder for one case: `parent/mod` missing (`nested`: in folders that are missing too), or (with --force) holding the user's files. */
async function scene(name: string, force: boolean, nested = false) {
  const parent = join(work, name);
  const target = join(parent, ...(nested ? ['new', 'folders'] : []), 'mod');
  await mkdir(parent, { recursive: true });
  if (force) {
    await mkdir(target);
    for (const [file, text] of Object.entries(MINE)) await writeFile(join(target, file), text);
  }
  return { parent, target, args: [target, '--yes', ...QUIET, ...KIT, ...(force ? ['--force'] : [])] };
}

/** Whether `target` holds a whole module: its manifest, and every file it records as recorded. */
async function whole(target: string): Promise<boolean> {
  if (!existsSync(join(target, MANIFEST_FILE))) return false;
  const { files } = readManifest(target);
  for (const [path, text] of Object.entries(files)) {
    if (!existsSync(join(target, path)) || (await readFile(join(target, path), 'utf8')) !== text) return false;
  }
  return true;
}

/** Our own files in a folder or beside it: hidden copies that a finished run leaves none of. */
async function litter(parent: string): Promise<string[]> {
  const entries = await readdir(parent, { recursive: true });
  return entries.filter((e) => /\.create-iexec-module-(new|old)$|(^|\/)\.create-iexec-module-\w{6}$/.test(e));
}

async function judge(
  run: Result,
  scene: { parent: string; target: string; args: string[] },
  force: boolean,
  again?: () => Promise<Result>,
): Promise<Verdict> {
  if (run.timedOut) return 'hang';
  if (force && (await readFile(join(scene.target, 'notes.txt'), 'utf8').catch(() => undefined)) !== MINE['notes.txt']) return 'loss';
  const stderr = String(run.stderr ?? '');
  const untouched = force
    ? !existsSync(join(scene.target, MANIFEST_FILE)) &&
      (await readFile(join(scene.target, 'package.json'), 'utf8').catch(() => '')) === MINE['package.json']
    : !existsSync(scene.target);
  if (run.signal === 'SIGKILL' || run.isTerminated) {
    // Nothing can be said after a kill: the disk must hold the old state or the new, and the next run must end it.
    const next = again ? await again() : undefined;
    if (!next || next.exitCode !== 0 || !(await whole(scene.target))) return 'wrong';
    return force && (await readFile(join(scene.target, 'notes.txt'), 'utf8')) !== MINE['notes.txt'] ? 'loss' : 'fine';
  }
  if (/\n\s+at |^✖ E[A-Z]+:|set DEBUG=1/m.test(stderr)) return 'unclear';
  if ((await litter(scene.parent)).length > 0) return 'wrong';
  if (run.exitCode === 0) return (await whole(scene.target)) ? 'fine' : 'wrong';
  if (/Cancelled: nothing was written/.test(stderr) || /Nothing was written/.test(stderr)) return untouched ? 'fine' : 'wrong';
  if (/Interrupted: the module is in .*Finish with:/s.test(stderr)) return (await whole(scene.target)) ? 'fine' : 'wrong';
  return 'unclear';
}

const record = tally.record;

describe.skipIf(!TOOLS.strace)('Ctrl-C (SIGINT) and SIGKILL at each step of writing (strace)', () => {
  const points = [
    { force: false, syscall: 'mkdir', when: 1, step: 'the hidden folder is made' },
    { force: false, syscall: 'chmod', when: 2, step: 'half the files are written' },
    { force: false, syscall: 'rename', when: 1, step: 'the module is moved into place' },
    { force: false, nested: true, syscall: 'rename', when: 1, step: 'the module is moved into folders made for it' },
    { force: true, syscall: 'chmod', when: 2, step: "half the files are written beside the user's" },
    { force: true, syscall: 'rename', when: 1, step: "the first file replaces the user's" },
    { force: true, syscall: 'rename', when: 9, step: 'half the files are in place' },
    { force: true, syscall: 'unlink', when: 1, step: "the user's replaced files are deleted" },
  ];
  const cases = points.flatMap((p) => (['SIGINT', 'SIGKILL'] as const).map((signal) => ({ ...p, signal })));
  it.each(cases)('$signal when $step (--force: $force, $syscall #$when)', async ({ force, nested, syscall, when, signal }) => {
    const s = await scene(`${signal}-${syscall}-${when}-${force}-${Boolean(nested)}`, force, nested);
    const run = await withSignalAt(s.args, syscall, when, signal, s.parent);
    record(`${signal} at ${syscall} #${when}${force ? ' (--force)' : ''}`, await judge(run, s, force, () => runCli(s.args, s.parent)));
  });
});

describe('Ctrl-C and kill after the files, during the install and the validation', () => {
  const hanging = async (name: string, sleepsIn: 'install' | 'run') => {
    const tools = await standInTools();
    const hang = join(work, `${name}-hang`);
    await writeFile(hang, '');
    return { env: { PATH: `${tools}:${process.env.PATH}`, [sleepsIn === 'install' ? 'HANG_INSTALL' : 'HANG_RUN']: hang } };
  };

  it.each([
    ['install', /npm install/],
    ['run', /type-check and build/],
  ] as const)('Ctrl-C at a terminal while npm %s runs', async (step, shown) => {
    const s = await scene(`ctrl-c-${step}`, false);
    const { env } = await hanging(`ctrl-c-${step}`, step);
    const { exitCode, screen } = await inTerminal(
      `node ${cliPath} ${s.target} --yes --no-git ${KIT.join(' ')}`,
      [{ expect: shown, send: KEY.ctrlC }],
      { env, cwd: s.parent },
    );
    const finish = screen.match(/Finish with:\s*\n\s*(.+?)\s*$/m)?.[1];
    const fine = exitCode === 130 && (await whole(s.target)) && finish !== undefined;
    const then = fine ? await execa('bash', ['-c', finish], { cwd: s.parent, env, reject: false }) : undefined;
    record(
      `Ctrl-C during npm ${step}`,
      fine && then?.exitCode === 0 ? 'fine' : exitCode === 130 ? 'unclear' : 'wrong',
      `exit ${exitCode}:\n${screen}`,
    );
  });

  it('Ctrl-C at a terminal while `create-iexec-module validate` builds', async () => {
    const s = await scene('ctrl-c-validate', false);
    expect((await runCli([s.target, '--yes', ...QUIET, ...KIT], s.parent)).exitCode).toBe(0);
    const { env } = await hanging('ctrl-c-validate', 'run');
    await mkdir(join(s.target, 'node_modules'));
    const { exitCode, screen } = await inTerminal(`node ${cliPath} validate`, [{ expect: /type-check and build/, send: KEY.ctrlC }], {
      env,
      cwd: s.target,
    });
    const finish = screen.match(/Interrupted: the validation stopped\. Run it again with:\s*\n\s*(.+?)\s*$/m)?.[1];
    const then = finish ? await execa('bash', ['-c', finish], { cwd: s.target, env, reject: false }) : undefined;
    record('Ctrl-C during validate', exitCode === 130 && then?.exitCode === 0 ? 'fine' : 'unclear', `exit ${exitCode}:\n${screen}`);
  });

  it('SIGKILL while npm install runs: the next run names the module and how to finish', async () => {
    const s = await scene('kill-install', false);
    const { env } = await hanging('kill-install', 'install');
    // Its own process group, killed whole as a closed terminal would: the stand-in npm with it.
    const run = execa('node', [cliPath, s.target, '--yes', '--no-git', ...KIT], {
      cwd: s.parent,
      env: { ...env, CI: '1' },
      reject: false,
      stdin: 'ignore',
      detached: true,
      timeout: TIMEOUT_MS,
    });
    for (let i = 0; i < 200 && existsSync(env.HANG_INSTALL!); i++) await new Promise((r) => setTimeout(r, 25));
    process.kill(-run.pid!, 'SIGKILL');
    await run;
    const again = await runCli([s.target, '--yes', ...KIT], s.parent);
    const finish = again.stderr.match(/`(cd [^`]+validate)` finishes its setup/)?.[1];
    const then = finish ? await execa('bash', ['-c', finish], { cwd: s.parent, env, reject: false }) : undefined;
    record('SIGKILL during npm install', (await whole(s.target)) && then?.exitCode === 0 ? 'fine' : 'unclear');
  });
});

const onSmallDisk = (script: string, size: string) => smallDisk(work, script, size);

const seed = Object.entries(MINE)
  .map(([file, text]) => `mkdir -p mod && printf '${text.replaceAll('\n', '\\n')}' > mod/${file}`)
  .join('\n');
const create = (force: boolean) => `node ${cliPath} mod --yes ${QUIET.join(' ')} ${KIT.join(' ')}${force ? ' --force' : ''}`;

describe.skipIf(!TOOLS.unshare)('a full disk and a read-only one (tmpfs in a mount namespace)', () => {
  it.each([
    { force: false, fault: 'full', setUp: '', size: '60k' },
    { force: true, fault: 'full', setUp: seed, size: '60k' },
    { force: false, fault: 'read-only', setUp: 'mount -o remount,ro .', size: '1m' },
    { force: true, fault: 'read-only', setUp: `${seed}\nmount -o remount,ro .`, size: '1m' },
  ])('$fault disk, --force: $force', async ({ force, fault, setUp, size }) => {
    const { run, after, logs } = await onSmallDisk(`${setUp}\n${create(force)} >$LOGS/stdout 2>$LOGS/stderr; echo $? >$LOGS/status`, size);
    expect(run.exitCode, run.stderr).toBe(0);
    const status = Number(await readFile(join(logs, 'status'), 'utf8'));
    const stderr = await readFile(join(logs, 'stderr'), 'utf8');
    const s = { parent: after, target: join(after, 'mod'), args: [] };
    const verdict = await judge({ exitCode: status, stderr, timedOut: false } as Result, s, force);
    record(
      `${fault} disk${force ? ' (--force)' : ''}`,
      status === 1 && /Cannot write the module into \S+: .*\((ENOSPC|EROFS)\)\. Nothing was written/.test(stderr) ? verdict : 'unclear',
    );
  });
});

describe.skipIf(!TOOLS.setpriv)('folders the user may not write (run as nobody)', () => {
  const asNobody = (args: string[], cwd: string) =>
    execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', cliPath, ...args], {
      cwd,
      reject: false,
      stdin: 'ignore',
      timeout: TIMEOUT_MS,
      env: { CI: '1', NO_COLOR: '1', npm_config_user_agent: '', HOME: '/tmp' },
    });

  it('a new module in a folder of someone else', async () => {
    const s = await scene('eacces-new', false);
    const run = await asNobody(s.args, s.parent);
    record(
      'not allowed to write the folder',
      /you may not write .*\(EACCES\)\. Nothing was written/.test(run.stderr) ? await judge(run, s, false) : 'unclear',
    );
  });

  it('--force into a folder whose src/ the user may not write', async () => {
    const s = await scene('eacces-force', true);
    await mkdir(join(s.target, 'src'));
    await chmod(s.parent, 0o777);
    await execa('chown', ['-R', '65534:65534', s.target]);
    await execa('chown', ['0:0', join(s.target, 'src')]);
    const run = await asNobody(s.args, s.parent);
    record(
      '--force, not allowed to write src/',
      /you may not write .*src.*\(EACCES\)\. Nothing was written/.test(run.stderr) ? await judge(run, s, true) : 'unclear',
    );
  });
});

describe('Ctrl-C at a question', () => {
  it('exits 130 and writes nothing', async () => {
    const s = await scene('ctrl-c-question', false);
    const { exitCode, screen } = await inTerminal(
      `node ${cliPath} ${s.target} ${QUIET.join(' ')}`,
      [{ expect: /Package name/, send: KEY.ctrlC }],
      { cwd: s.parent },
    );
    record(
      'Ctrl-C at a question',
      exitCode === 130 && /Cancelled: nothing was written/.test(screen) && !existsSync(s.target) ? 'fine' : 'wrong',
    );
  });
});

it('keeps the user files of a --force run in the tree it judges', async () => {
  // The judge's loss check reads notes.txt: a run that deleted it must count as a loss.
  const s = await scene('judge-loss', true);
  await rm(join(s.target, 'notes.txt'));
  expect(await judge({ exitCode: 0, stderr: '' } as Result, s, true)).toBe('loss');
  expect(Object.keys(await tree(s.target))).toEqual(['package.json']);
});
