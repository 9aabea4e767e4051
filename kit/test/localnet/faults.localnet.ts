import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultLocalEntry } from '../../src/chain/config.js';
import { buildKit, cliPath, moduleDir } from '../helpers.js';
import { LOCALNET } from './helpers.js';

/*
 * The local network's first start under faults (issue 16): SIGKILL or Ctrl-C while anvil or PoCo is
 * fetched, while PoCo is deployed, and once it runs; each time the next start must work, and nothing may
 * be left running. The cache starts empty, so anvil and PoCo come from the npm registry (its cache).
 * npm run test:localnet (the localnet project of vitest.config.ts); skipped in npm test.
 */
const tally = { cases: 0, fine: 0 };
const started: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
    signal: AbortSignal.timeout(1000),
  }).then(
    () => true,
    () => false,
  );

/** A module folder with an empty cache and chain.json's "local" entry on free ports. */
async function freshModule(): Promise<{ root: string; port: number }> {
  const { dir, bundle } = moduleDir();
  fs.mkdirSync(path.join(dir, 'dist'));
  fs.renameSync(bundle, path.join(dir, 'dist', 'app.cjs'));
  const local = defaultLocalEntry(9);
  for (const key of Object.keys(local)) if (local[key]!.startsWith('http://')) local[key] = `http://127.0.0.1:${await freePort()}`;
  fs.writeFileSync(path.join(dir, 'chain.json'), JSON.stringify({ default: 'local', chains: { local } }));
  return { root: dir, port: Number(new URL(local.host!).port) };
}

/** `iexec-module chain` in a process group of its own, as a terminal runs it. */
function chain(root: string) {
  const child = spawn(process.execPath, [cliPath, 'chain'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    output: () => output,
    async waitFor(pattern: RegExp, ms = 300_000) {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 50)))
        if (pattern.test(output)) return;
      throw new Error(`no ${pattern} within ${ms} ms:\n${output}`);
    },
  };
}

/** Every process whose command line names this module's folder: what a run left behind. */
function leftIn(root: string): string[] {
  return fs
    .readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .flatMap((pid) => {
      try {
        const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return command.includes(root) ? [`${pid} ${command}`] : [];
      } catch {
        return [];
      }
    });
}

async function startsAgain(root: string, port: number) {
  const again = chain(root);
  await again.waitFor(/local iExec network ready in/);
  expect(await answers(port)).toBe(true);
  process.kill(-again.child.pid!, 'SIGINT');
  expect((await again.exited).code).toBe(0);
  expect(await answers(port)).toBe(false);
}

async function settle(check: () => Promise<boolean> | boolean, ms = 10_000) {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 100)))
    if (await check()) return true;
  return false;
}

describe.runIf(LOCALNET)("the local network's first start under faults", () => {
  beforeAll(() => buildKit(), 120_000);

  afterEach(() => {
    for (const child of started.splice(0)) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });

  const cases: Array<[string, RegExp, (run: ReturnType<typeof chain>) => void]> = [
    [
      'SIGKILL of its process group while anvil is fetched',
      /fetching @foundry-rs\/anvil/,
      (run) => process.kill(-run.child.pid!, 'SIGKILL'),
    ],
    ['SIGKILL of its process group while PoCo is fetched', /fetching @iexec\/poco/, (run) => process.kill(-run.child.pid!, 'SIGKILL')],
    [
      'Ctrl-C (SIGINT to the group) while PoCo is deployed',
      /deploying PoCo on the local chain/,
      (run) => process.kill(-run.child.pid!, 'SIGINT'),
    ],
    ['SIGKILL of the kit alone once it runs (an IDE stop button)', /local iExec network ready in/, (run) => run.child.kill('SIGKILL')],
  ];

  for (const [name, when, fault] of cases) {
    it(`${name}: nothing is left running, and the next start works`, async () => {
      tally.cases += 1;
      const { root, port } = await freshModule();
      try {
        const run = chain(root);
        await run.waitFor(when);
        fault(run);
        await run.exited;
        expect(await settle(() => leftIn(root).length === 0), `left running:\n${leftIn(root).join('\n')}`).toBe(true);
        expect(await settle(async () => !(await answers(port)))).toBe(true);
        await startsAgain(root, port);
        expect(leftIn(root)).toEqual([]);
        tally.fine += 1;
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    }, 600_000);
  }

  it('prints its totals', () => {
    console.log(`network first-start faults: ${tally.cases} cases, ${tally.fine} fine, ${tally.cases - tally.fine} not`);
  });
});
