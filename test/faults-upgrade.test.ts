import { existsSync } from 'node:fs';
import { appendFile, chmod, cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type Result } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, tempDir } from './helpers/cli.js';
import { faultTally, onSmallDisk, runCli, TIMEOUT_MS, TOOLS, TRACED_ENV, type Verdict, withSignalAt } from './helpers/faults.js';
import { generate, tree } from './helpers/module.js';
import { SCONE, TDX } from './helpers/upgrade.js';

/*
 * `upgrade` under injected faults (issue 16), each run judged by what the module holds after it against
 * what it said. A SCONE module with the owner's edits moves to TDX, the upgrade that rewrites the most:
 * - fine: untouched and it said so, or upgraded, or interrupted with its journal in place and the next
 *   `upgrade` finishing it to exactly what an uninterrupted one gives, the owner's lines kept;
 * - unclear: stopped without a line of ours; hang: past its timeout; wrong: said and module differ, or
 *   the next run cannot finish; loss: an owner's line gone.
 * Signals come at chosen system calls (strace), a full disk from a small tmpfs (unshare), a module the
 * user may not write from a run as nobody (setpriv). CONTRIBUTING.md keeps the totals.
 */
const OWNER_LINE = '// the owner wrote this line';
const NOTES = 'notes of the owner\n';
const UPGRADE = ['upgrade', ...TDX, '--no-install', '--no-validate', '--yes'];

const tally = faultTally('upgrade under faults');

/** A SCONE module as its owner left it: a line of theirs in the app, a file of theirs. */
async function ownedModule(dir: string) {
  await generate(dir, ['--name', 'm', ...SCONE, '--no-git']);
  await appendFile(join(dir, 'src/app.ts'), `${OWNER_LINE}\n`);
  await writeFile(join(dir, 'notes.txt'), NOTES);
}

// Made before the cases are listed: where to inject depends on how many files the upgrade writes.
const work = await tempDir('cim-faults-upgrade-');
const pristine = join(work, 'pristine');
await ownedModule(pristine);
const reference = join(work, 'reference');
await cp(pristine, reference, { recursive: true });
// Traced: every write is a rename of a file written beside (the journal first, the manifest last),
// and where to inject depends on how many there are.
const renameLog = join(work, 'renames.log');
const referenceRun = TOOLS.strace
  ? await execa('strace', ['-f', '-o', renameLog, '-e', 'trace=rename', 'node', cliPath, ...UPGRADE], {
      cwd: reference,
      reject: false,
      stdin: 'ignore',
      timeout: TIMEOUT_MS,
      env: TRACED_ENV,
    })
  : await runCli(UPGRADE, reference);
const renames = TOOLS.strace ? (await readFile(renameLog, 'utf8')).split('\n').filter((line) => /\brename\(/.test(line)).length : 0;
/** What an upgrade without fault leaves: the reference every case must reach. */
const upgraded = await tree(reference, { executables: true });

it('upgrades without faults, writing the journal, the files and the manifest each by a rename', () => {
  expect(referenceRun.exitCode, referenceRun.stderr).toBe(0);
  if (TOOLS.strace) expect(renames).toBeGreaterThan(4);
});

afterAll(async () => {
  tally.print();
  await rm(work, { recursive: true, force: true });
});

async function copyOf(name: string): Promise<string> {
  const dir = join(work, name);
  await cp(pristine, dir, { recursive: true });
  return dir;
}

const owned = async (dir: string) =>
  (await readFile(join(dir, 'notes.txt'), 'utf8').catch(() => '')) === NOTES &&
  (await readFile(join(dir, 'src/app.ts'), 'utf8').catch(() => '')).includes(OWNER_LINE);

/** The next `upgrade` (the one a user runs after the fault): it must end in the reference, losing nothing. */
async function finishes(dir: string): Promise<Verdict> {
  const again = await runCli(['upgrade', ...TDX, '--no-install', '--no-validate', '--yes'], dir);
  if (again.exitCode !== 0) return 'wrong';
  if (!(await owned(dir))) return 'loss';
  return JSON.stringify(await tree(dir, { executables: true })) === JSON.stringify(upgraded) ? 'fine' : 'wrong';
}

async function judge(run: Result, dir: string): Promise<Verdict> {
  if (run.timedOut) return 'hang';
  if (!(await owned(dir))) return 'loss';
  // Nothing can be said after a kill: what is on disk must let the next run end the upgrade.
  if (run.signal === 'SIGKILL') return finishes(dir);
  const stderr = String(run.stderr ?? '');
  const now = await tree(dir, { executables: true });
  if (run.exitCode === 0) return JSON.stringify(now) === JSON.stringify(upgraded) ? 'fine' : 'wrong';
  if (/\n\s+at |set DEBUG=1/m.test(stderr)) return 'unclear';
  const untouched = JSON.stringify(now) === JSON.stringify(await tree(pristine, { executables: true }));
  if (untouched && /Nothing (was )?written|nothing was written/i.test(stderr)) return 'fine';
  // Half-way: only its journal may say so, and the next run must finish it as if nothing had happened.
  if (!existsSync(join(dir, '.create-iexec-module.upgrade.json'))) return 'wrong';
  if (!/run `npx create-iexec-module upgrade` again to finish (this upgrade|it)/.test(stderr)) return 'unclear';
  return finishes(dir);
}

describe.skipIf(!TOOLS.strace)('Ctrl-C (SIGINT) and SIGKILL at each step of an upgrade (strace)', () => {
  const points = [
    { syscall: 'rename', when: 1, step: 'the journal is put in place' },
    { syscall: 'rename', when: 2, step: 'the first file is replaced' },
    { syscall: 'rename', when: Math.max(3, Math.floor(renames / 2)), step: 'half the files are replaced' },
    { syscall: 'rename', when: renames - 1, step: 'the last file is replaced' },
    { syscall: 'rename', when: renames, step: 'the manifest is replaced, last' },
    { syscall: 'unlink', when: 1, step: 'the first file the upgrade deletes goes' },
  ];
  const cases = points.flatMap((p) => (['SIGINT', 'SIGKILL'] as const).map((signal) => ({ ...p, signal })));
  it.each(cases)('$signal when $step ($syscall #$when)', async ({ syscall, when, signal }) => {
    const dir = await copyOf(`${signal}-${syscall}-${when}`);
    const run = await withSignalAt(UPGRADE, syscall, when, signal, dir);
    // The signal came, or the case proves nothing.
    expect(run.signal !== undefined || run.exitCode === 130, `${run.exitCode} ${run.signal} ${run.stderr}`).toBe(true);
    tally.record(`${signal} at ${syscall} #${when}`, await judge(run, dir), String(run.stderr));
  });
});

describe.skipIf(!TOOLS.unshare)('a full disk (tmpfs in a mount namespace)', () => {
  it('stops in its own words, and the module is untouched or finishes', async () => {
    // The module fits, with a little room; its upgrade's journal (every new text) does not.
    const used = Number((await execa('du', ['-sk', pristine])).stdout.split('\t')[0]);
    const size = `${used + 24}k`;
    const script = `cp -a ${pristine} mod\ncd mod\nnode ${cliPath} ${UPGRADE.join(' ')} >$LOGS/stdout 2>$LOGS/stderr; echo $? >$LOGS/status`;
    const { run, after, logs } = await onSmallDisk(work, script, size);
    expect(run.exitCode, run.stderr).toBe(0);
    const status = Number(await readFile(join(logs, 'status'), 'utf8'));
    const stderr = await readFile(join(logs, 'stderr'), 'utf8');
    const dir = join(after, 'mod');
    const verdict = await judge({ exitCode: status, stderr, timedOut: false } as Result, dir);
    // The disk must fill before the upgrade ends, or the case proves nothing.
    expect(status, stderr).not.toBe(0);
    const said = /Cannot upgrade .*the disk holding .* is full \(ENOSPC\): free some space there and retry\./.test(stderr);
    tally.record('full disk', said ? verdict : 'unclear', stderr);
  });
});

describe.skipIf(!TOOLS.setpriv)('a module the user may not write (run as nobody)', () => {
  it('refuses before it writes anything, naming the file', async () => {
    const dir = await copyOf('eacces');
    await chmod(work, 0o755);
    await chmod(dir, 0o755);
    const run = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', cliPath, ...UPGRADE], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      timeout: TIMEOUT_MS,
      env: { CI: '1', NO_COLOR: '1', HOME: '/tmp' },
    });
    const clear = run.exitCode === 1 && /may not|permission|EACCES/i.test(run.stderr) && !/\n\s+at /.test(run.stderr);
    tally.record('module not writable', clear ? await judge(run, dir) : 'unclear', run.stderr);
  });
});
