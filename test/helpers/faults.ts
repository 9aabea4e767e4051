// What the fault suites share (faults-create.test.ts, faults-upgrade.test.ts): the tools that inject
// faults, the CLI run under them, and the tally each suite prints.
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { cliPath } from './cli.js';

/** fine: kept its word; unclear: no line of ours; hang: ran past its timeout; wrong: said and disk differ; loss: a user's line gone. */
export type Verdict = 'fine' | 'unclear' | 'hang' | 'wrong' | 'loss';
export const VERDICTS: Verdict[] = ['fine', 'unclear', 'hang', 'wrong', 'loss'];

export const has = (tool: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const root = process.getuid?.() === 0;
const canUnshare =
  has('unshare') &&
  (() => {
    try {
      execFileSync('unshare', ['--mount', '--map-root-user', 'true'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
/** The runs as nobody need the CLI readable by nobody: not so in a checkout below a folder only root enters. */
const nobodyRunsCli =
  root &&
  has('setpriv') &&
  (() => {
    try {
      execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', cliPath, '--version'], { stdio: 'ignore' });
      return true;
    } catch {
      console.warn(
        `fault suites: the cases run as nobody are skipped: nobody cannot run ${cliPath} (a folder above it is closed to other users)`,
      );
      return false;
    }
  })();
export const TOOLS = { strace: has('strace'), unshare: canUnshare, setpriv: nobodyRunsCli };

export const TIMEOUT_MS = 30_000;
export const CLI_ENV = { CI: '1', NO_COLOR: '1', npm_config_user_agent: '' };

export const runCli = (args: string[], cwd: string) =>
  execa('node', [cliPath, ...args], { cwd, reject: false, stdin: 'ignore', timeout: TIMEOUT_MS, env: CLI_ENV });

/**
 * The CLI under strace, which sends `signal` at the `when`-th call of `syscall`. fs/promises calls run
 * on libuv's thread pool, whose threads strace counts apart (-f, one counter per thread): one thread in
 * the pool makes the count the program's.
 */
export function withSignalAt(args: string[], syscall: string, when: number, signal: 'SIGINT' | 'SIGKILL', cwd: string) {
  const inject = `inject=${syscall}:signal=${signal}:when=${when}`;
  return execa('strace', ['-f', '-o', '/dev/null', '-e', `trace=${syscall}`, '-e', inject, 'node', cliPath, ...args], {
    cwd,
    reject: false,
    stdin: 'ignore',
    timeout: TIMEOUT_MS,
    env: TRACED_ENV,
  });
}

export const TRACED_ENV = { ...CLI_ENV, UV_THREADPOOL_SIZE: '1' };

/**
 * Runs `script` in a mount namespace of its own with a `size` tmpfs on a new folder under `work`, LOGS
 * naming a folder outside it; what it leaves on the disk is copied to `after`.
 */
export async function onSmallDisk(work: string, script: string, size: string) {
  const disk = join(work, `disk-${Math.random().toString(36).slice(2, 10)}`);
  const [after, logs] = [`${disk}-after`, `${disk}-logs`];
  await mkdir(disk);
  await mkdir(logs);
  const body = [`mount -t tmpfs -o size=${size} tmpfs ${disk}`, `cd ${disk}`, `LOGS=${logs}`, script, `cp -a ${disk} ${after}`].join('\n');
  const run = await execa('unshare', ['--mount', '--map-root-user', 'sh', '-c', body], {
    reject: false,
    timeout: TIMEOUT_MS,
    env: { ...CLI_ENV, PATH: process.env.PATH },
  });
  return { run, after, logs };
}

/** A suite's tally: each case recorded (and asserted fine), the totals printed at the end. */
export function faultTally(what: string) {
  const cases: { name: string; verdict: Verdict }[] = [];
  return {
    record(name: string, verdict: Verdict, detail = '') {
      cases.push({ name, verdict });
      expect(verdict, `${name} ${detail}`).toBe('fine');
    },
    print() {
      const totals = VERDICTS.map((verdict) => `${cases.filter((c) => c.verdict === verdict).length} ${verdict}`);
      console.log(`${what}: ${cases.length} cases, ${totals.join(', ')}`);
    },
  };
}
