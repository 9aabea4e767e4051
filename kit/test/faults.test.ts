import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as iexec } from '../src/commands/iexec.js';
import { main as result } from '../src/commands/result.js';
import { runTask } from '../src/worker/task.js';
import { alive, buildKit, cliPath, moduleDir } from './helpers.js';

/*
 * The kit under faults, as issue 16 tried it: hanging apps and servers, the kit itself stopped
 * (SIGINT, SIGTERM, SIGKILL), outputs that are not what `local` expects, bad input, and the wrapper's
 * data-loss and exit-code cases. Each case names what it would be on failure: a hang (past its
 * deadline, or a process left behind), a loss (a file lost or misplaced), a wrong result (verdict, exit
 * code), an unclear message; the totals are printed at the end (and go in CONTRIBUTING.md).
 */
type Outcome = 'fine' | 'unclear' | 'hang' | 'wrong' | 'loss';
const tally: Record<Outcome, number> = { fine: 0, unclear: 0, hang: 0, wrong: 0, loss: 0 };
afterAll(() => {
  const cases = Object.values(tally).reduce((sum, count) => sum + count, 0);
  console.log(
    `kit fault cases: ${cases} (fine ${tally.fine}, unclear ${tally.unclear}, hangs ${tally.hang}, wrong ${tally.wrong}, losses ${tally.loss})`,
  );
});

/** A case: its body returns 'fine', or what went wrong and how. */
function fault(name: string, body: () => Promise<Outcome | [Outcome, string]>, timeout = 30_000) {
  it(name, { timeout }, async () => {
    const answer = await body();
    const [outcome, detail] = typeof answer === 'string' ? [answer, ''] : answer;
    tally[outcome] += 1;
    expect(outcome, detail).toBe('fine');
  });
}

const { dir: work, bundle } = moduleDir();
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface KitRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Past the deadline: the run was killed. */
  hung: boolean;
}

/**
 * `iexec-module <argv>` from kit/dist in its own process, its temporary folders in `tmp`; `during`
 * gets the process while it runs (to stop it); killed past `deadlineMs`.
 */
function kitRun(
  argv: string[],
  options: { tmp?: string; deadlineMs?: number; during?: (pid: number) => Promise<void> } = {},
): Promise<KitRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...argv], {
      cwd: work,
      env: { ...process.env, TMPDIR: options.tmp ?? os.tmpdir(), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const deadline = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, options.deadlineMs ?? 20_000);
    void options.during?.(child.pid!);
    child.on('close', (status, signal) => {
      clearTimeout(deadline);
      resolve({ status, signal, stdout, stderr, hung });
    });
  });
}

/** The pids an app of the stand-in wrote below `tmp` (app.pid, child.pid), once it has. */
async function appPids(tmp: string): Promise<number[]> {
  const find = () => fs.readdirSync(tmp, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('child.pid'));
  await vi.waitFor(() => expect(find()).toHaveLength(1), { timeout: 10_000, interval: 50 });
  const out = path.join(tmp, path.dirname(find()[0]!));
  return ['app.pid', 'child.pid'].map((name) => Number(fs.readFileSync(path.join(out, name), 'utf8')));
}

/** 'hang' when any of the pids still runs a few seconds on. */
async function leftBehind(pids: number[]): Promise<Outcome | [Outcome, string]> {
  try {
    await vi.waitFor(() => expect(pids.filter(alive)).toEqual([]), { timeout: 3_000, interval: 50 });
    return 'fine';
  } catch {
    for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    return ['hang', `still running: ${pids.join(', ')}`];
  }
}

const stack = /\n\s+at /;

beforeAll(() => buildKit(), 60_000);

describe.concurrent('hangs: the app, the kit, a download server', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => (request.url === '/hang' ? response.flushHeaders() : response.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  fault('local: an app that never exits is stopped at --timeout with its child, and the worker still completes what it wrote', async () => {
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    const run = await kitRun(['local', '--bundle', bundle, '--timeout', '2', '--args', 'child hang'], { tmp });
    if (run.hung) return ['hang', 'local did not return'];
    const left = await leftBehind(await appPids(tmp));
    if (left !== 'fine') return left;
    if (run.status !== 0 || !/ran past its 2 s and was stopped/.test(run.stdout)) return ['wrong', run.stdout + run.stderr];
    return 'fine';
  });

  fault('local: an app that never exits and wrote nothing fails at --timeout, saying why', async () => {
    const run = await kitRun(['local', '--bundle', bundle, '--timeout', '1', '--args', 'no-computed hang']);
    if (run.hung) return 'hang';
    return run.status === 1 && /ran past its 1 s/.test(run.stdout) && /FAIL: the app wrote no computed.json/.test(run.stderr)
      ? 'fine'
      : ['wrong', run.stdout + run.stderr];
  });

  fault('local: a child the app leaves running when it exits is stopped with it, as the container stops', async () => {
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    const run = await kitRun(['local', '--bundle', bundle, '--args', 'orphan'], { tmp });
    if (run.hung) return 'hang';
    return leftBehind(await appPids(tmp));
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    fault(`local stopped with ${signal} (Ctrl-C, an IDE's stop button): the app and its child stop too`, async () => {
      const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
      let pids: number[] = [];
      const run = await kitRun(['local', '--bundle', bundle, '--args', 'child hang'], {
        tmp,
        during: async (kit) => {
          pids = await appPids(tmp);
          process.kill(kit, signal);
        },
      });
      if (run.hung) return 'hang';
      return leftBehind(pids);
    });
  }

  fault('the module tests (taskRunner, runTask): an app that never exits returns at its time limit', async () => {
    const started = Date.now();
    const task = await runTask({ bundle, workDir: work, args: 'hang', timeoutMs: 1_000 });
    return Date.now() - started < 10_000 && task.timedOut ? 'fine' : 'hang';
  });

  fault('an input-file server that accepts and never answers: given up at the download timeout, the URL and the cause said', async () => {
    const started = Date.now();
    const task = await runTask({ bundle, workDir: work, inputFiles: [`${base}/hang`], downloadTimeoutMs: 1_000 });
    if (Date.now() - started > 10_000) return 'hang';
    const message = task.preComputeErrors[0]?.message ?? '';
    return message.includes(`${base}/hang`) && message.includes('no complete answer within 1 s') ? 'fine' : ['unclear', message];
  });
});

describe.concurrent('wrong results: outputs local did not expect, the 9.2.0 flow', () => {
  fault("local: an app that prints 3 MB (over spawnSync's 1 MiB) completes, its output kept whole in stdout.txt", async () => {
    const run = await kitRun(['local', '--bundle', bundle, '--args', 'flood=3000000']);
    const out = run.stdout.match(/The result is in (\S+)/)?.[1];
    if (run.status !== 0 || !out) return ['wrong', run.stderr];
    return fs.statSync(path.join(out, 'stdout.txt')).size === 3_000_000 ? 'fine' : 'loss';
  });

  for (const [kind, shown] of [
    ['image', /\n {2}result.png \(8 bytes\)\n/],
    ['folder', /\nresult.json is a folder\n/],
    ['link', /\nresult.json is a symbolic link to data.json\n/],
    ['text', /\nresult.json is not JSON \(.*\): "hello, not JSON"\n/],
  ] as const) {
    fault(`local: a result that is not a JSON result.json (${kind}) passes and is shown, no stack`, async () => {
      const run = await kitRun(['local', '--bundle', bundle, '--args', `result=${kind}`]);
      if (stack.test(run.stderr) || run.status !== 0) return ['wrong', run.stderr];
      return shown.test(run.stdout) ? 'fine' : ['unclear', run.stdout];
    });
  }

  fault('local: an app secret copied into result.json fails our lint, naming the file', async () => {
    const run = await kitRun(['local', '--bundle', bundle, '--app-secret', 'app-developer-key', '--args', 'keep-secrets']);
    return run.status === 1 && /FAIL: the result file result.json holds the value of a secret/.test(run.stderr)
      ? 'fine'
      : ['wrong', run.stdout + run.stderr];
  });

  fault(
    "local --flow standard: an input file that cannot be downloaded gives the worker's error.txt result, and the task completes",
    async () => {
      const run = await kitRun(['local', '--bundle', bundle, '--flow', 'standard', '--input-file', 'http://127.0.0.1:9/gone']);
      const out = run.stdout.match(/The result is in (\S+)/)?.[1];
      if (run.status !== 0 || !out) return ['wrong', run.stdout + run.stderr];
      return fs.readdirSync(out).sort().join(',') === 'computed.json,error.txt' && /\n {2}error.txt \(\d+ bytes\)\n/.test(run.stdout)
        ? 'fine'
        : 'wrong';
    },
  );

  fault('local (TEE): an input file that cannot be downloaded is logged, and the app runs without it', async () => {
    const run = await kitRun(['local', '--bundle', bundle, '--input-file', 'http://127.0.0.1:9/gone']);
    return run.status === 0 &&
      /! Input file download failed for input http:\/\/127.0.0.1:9\/gone: .*the worker logs it and runs the app all the same/.test(
        run.stdout,
      )
      ? 'fine'
      : ['wrong', run.stdout + run.stderr];
  });
});

describe.concurrent('unclear: bad input to local and post-compute', () => {
  for (const [argv, message] of [
    [['local', '--timeout', 'soon'], /^--timeout takes a number of seconds above 0, got "soon"\n/],
    [['local', '--timeout', '0'], /^--timeout takes a number of seconds above 0, got "0"\n/],
    [['local', '--flow', 'production'], /^--flow takes tee or standard, got "production"\n/],
    [['post-compute', 'no-such-folder'], /^no-such-folder is not a folder: give the IEXEC_OUT folder the app wrote into\n$/],
    [
      ['post-compute', '.', '--stdout', 'no-such.log'],
      /^no-such.log is not a file: --stdout and --stderr take the files the app's output went to\n$/,
    ],
  ] as const) {
    fault(`${argv.join(' ')}: one line naming the problem, a non-zero exit`, async () => {
      const run = await kitRun([...argv]);
      if (run.status === 0 || stack.test(run.stderr)) return ['wrong', run.stderr];
      return message.test(run.stderr) ? 'fine' : ['unclear', run.stderr];
    });
  }
});

describe('losses and exit codes: the iexec wrapper (a stub CLI, see iexec-wrapper.test.ts for the stub)', () => {
  let root: string;
  let errors: string[];
  const TASK = `0x${'1f'.repeat(32)}`;
  beforeAll(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(work, 'module-')));
    const pkg = path.join(root, 'node_modules', 'iexec');
    fs.mkdirSync(path.join(pkg, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'iexec', type: 'module', bin: { iexec: 'bin/iexec.js' } }));
    // Records its argv, prints what it is told to, exits with what it is told to.
    fs.writeFileSync(
      path.join(pkg, 'bin', 'iexec.js'),
      "import fs from 'node:fs';\nfs.writeFileSync(process.env.STUB_ARGV, JSON.stringify(process.argv.slice(2)));\nprocess.stderr.write(process.env.STUB_PRINT ?? '');\nprocess.exit(Number(process.env.STUB_EXIT ?? 0));\n",
    );
    fs.writeFileSync(path.join(root, 'chain.json'), JSON.stringify({ default: 'arbitrum-sepolia-testnet', chains: {} }));
    const app = {
      owner: '0x0000000000000000000000000000000000000000',
      name: 'm',
      type: 'DOCKER',
      multiaddr: 'user/m:1.0.0',
      checksum: `0x${'ab'.repeat(32)}`,
    };
    fs.writeFileSync(path.join(root, 'iexec.json'), `${JSON.stringify({ app }, null, 2)}\n`);
    fs.writeFileSync(path.join(root, 'wallet.json'), JSON.stringify({ address: '0x1111111111111111111111111111111111111111' }));
  });
  const stub = (env: Record<string, string>) => {
    vi.stubEnv('STUB_ARGV', path.join(root, '..', `argv-${path.basename(root)}.json`));
    vi.stubEnv('INIT_CWD', root);
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    errors = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
  };
  const argv = (): string[] => JSON.parse(fs.readFileSync(path.join(root, '..', `argv-${path.basename(root)}.json`), 'utf8'));
  const done = () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  };

  fault(
    'wallet create --keystoredir ../wallets: the key goes beside the module, as in the shell, not into the temporary workspace',
    async () => {
      stub({});
      try {
        await iexec(['standard', 'wallet', 'create', '--keystoredir', '../wallets'], root);
        return argv()[3] === path.join(path.dirname(root), 'wallets') ? 'fine' : ['loss', argv().join(' ')];
      } finally {
        done();
      }
    },
  );

  fault('a deploy that fails (an unknown option) leaves iexec.json as it was, and says so', async () => {
    const before = fs.readFileSync(path.join(root, 'iexec.json'), 'utf8');
    stub({ STUB_EXIT: '1' });
    try {
      const status = await iexec(['standard', 'app', 'deploy', '--no-such-option'], root);
      if (fs.readFileSync(path.join(root, 'iexec.json'), 'utf8') !== before) return 'loss';
      if (status !== 1) return 'wrong';
      return errors.some((line) => line.startsWith('iexec.json unchanged')) ? 'fine' : 'unclear';
    } finally {
      done();
    }
  });

  fault('app:run on a task that did not complete exits 1, naming it', async () => {
    stub({ STUB_PRINT: `✖ App run failed:\n1/1 tasks failed:\n  - Task idx 0 (${TASK})\n` });
    try {
      const status = await iexec(['standard', 'app', 'run'], root);
      if (status !== 1) return 'wrong';
      return errors.some((line) => line.includes(`task debug ${TASK} --logs`)) ? 'fine' : 'unclear';
    } finally {
      done();
    }
  });

  fault('result on a task that is not COMPLETED exits 1, saying its status', async () => {
    stub({ STUB_PRINT: 'ℹ Task status ACTIVE\n' });
    try {
      const status = await result([TASK], root);
      if (status !== 1) return 'wrong';
      return errors.some((line) => line.includes('is ACTIVE, not COMPLETED')) ? 'fine' : 'unclear';
    } finally {
      done();
    }
  });
});
