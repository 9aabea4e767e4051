import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort } from '../toolchain/engine.js';
export { moduleUserEnv } from '../toolchain/engine.js';

/*
 * What the local-network suite needs around a generated module: the environment a module owner's shell
 * has, chain.json's "local" entry moved to free ports, and `npm run chain:local` run as in a terminal
 * (its own process group, Ctrl-C = SIGINT to the group) with everything it prints kept.
 */

/** The CLI colours its output even without a terminal: the assertions read plain text. */
export const plain = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

export const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/**
 * Moves the node and every service of chain.json's "local" entry to free ports, as an owner whose
 * 8545 is taken would: the suite then never meets another network on this machine. Returns the node's URL.
 */
export async function moveLocalPorts(dir: string): Promise<string> {
  const file = join(dir, 'chain.json');
  const conf = readJson(file);
  const local = conf.chains.local;
  for (const key of ['host', 'iexecGateway', 'sms', 'ipfsGateway', 'compass', 'resultProxy']) {
    if (typeof local[key] === 'string') local[key] = `http://127.0.0.1:${await freePort()}`;
  }
  writeFileSync(file, `${JSON.stringify(conf, null, 2)}\n`);
  return local.host;
}

export interface Ready {
  /** What the network printed until its banner ended. */
  banner: string;
  /** "ready in N s", as it printed it. */
  reportedSeconds: number;
  /** From the spawn of `npm run chain:local` to its last banner line, measured here. */
  wallSeconds: number;
  callbackReceiver: string;
  workerpool: string;
}

/** `npm run chain:local` in a module, as in terminal 1. */
export class LocalNetwork {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    private readonly dir: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Everything the network printed so far (stdout and stderr, in order), without colours. */
  get log(): string {
    return plain(this.output);
  }

  /** The last lines of the log, for assertion messages. */
  tail(lines = 40): string {
    return `--- chain:local, last ${lines} lines ---\n${this.log.split('\n').slice(-lines).join('\n')}`;
  }

  /** `args`: what follows `npm run chain:local --` (e.g. --fund for each wallet to rehearse with). */
  start(timeoutMs = 300_000, args: string[] = []): Promise<Ready> {
    const started = performance.now();
    this.output = '';
    return new Promise<Ready>((resolve, reject) => {
      // detached: a process group of its own (npm, the kit, anvil), which SIGINT stops as Ctrl-C does.
      const child = spawn('npm', ['run', 'chain:local', ...(args.length > 0 ? ['--', ...args] : [])], {
        cwd: this.dir,
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      this.child = child;
      const timer = setTimeout(() => reject(new Error(`chain:local not ready within ${timeoutMs / 1000} s\n${this.tail()}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        this.output += chunk;
        const log = this.log;
        // The banner's last line.
        if (!/^ {2}100 ETH for gas given to: .*$/m.test(log)) return;
        clearTimeout(timer);
        const seconds = log.match(/local iExec network ready in ([\d.]+) s/);
        const receiver = log.match(/callback receiver: (0x[0-9a-fA-F]{40})/);
        const workerpool = log.match(/workerpool (0x[0-9a-fA-F]{40})/);
        if (!seconds || !receiver || !workerpool) {
          reject(new Error(`chain:local's banner lacks the ready time, the callback receiver or the workerpool\n${this.tail()}`));
          return;
        }
        resolve({
          banner: log,
          reportedSeconds: Number(seconds[1]),
          wallSeconds: Math.round((performance.now() - started) / 100) / 10,
          callbackReceiver: receiver[1]!,
          workerpool: workerpool[1]!,
        });
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`chain:local exited (${code ?? signal}) before it was ready\n${this.tail()}`));
      });
    });
  }

  /** Waits until the log matches, e.g. the worker's line for a task. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.log.match(pattern);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`chain:local never printed ${pattern}\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Ctrl-C: SIGINT to the process group. Resolves with how npm ended once every process of the group
   * is gone (anvil included); after 30 s the group is killed and the promise rejects.
   */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const child = this.child;
    if (!child?.pid) return undefined;
    const pid = child.pid;
    const exited =
      child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
    if (groupAlive(pid)) process.kill(-pid, 'SIGINT');
    const deadline = Date.now() + 30_000;
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    while (groupAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (groupAlive(pid)) {
      process.kill(-pid, 'SIGKILL');
      throw new Error(`chain:local left processes running 30 s after Ctrl-C (killed): ${await groupProcesses(pid)}\n${this.tail()}`);
    }
    this.child = undefined;
    return { code: child.exitCode, signal: child.signalCode };
  }
}

/** Whether any process of the group still exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function groupProcesses(pgid: number): Promise<string> {
  return (await execa('ps', ['-o', 'pid,args', '-g', String(pgid)], { reject: false })).stdout;
}

/** Whether something answers JSON-RPC at the URL. */
export async function nodeAnswers(url: string): Promise<boolean> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
  }).then(
    () => true,
    () => false,
  );
}
