/*
 * The local network's node: anvil, on the port chain.json's "local" host names, started through a guard
 * so it never outlives the network. A port already taken is explained: by the anvil a killed
 * network left (stopped, with a line saying so), or by another process (named, when this kit started it).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Failure } from '../iexec/failure.js';

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

interface PidFile {
  /** The guard's process, anvil's parent's parent. */
  guard: number;
  /** The network's process. */
  network: number;
  port: number;
  started: string;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** A process's command line (Linux /proc, else ps), to tell our anvil from a process that reused its pid. */
function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    const ps = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8', timeout: 5000 });
    return ps.stdout ?? '';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The anvil a network of this module left running on `port` when it was killed, stopped; else an explanation. */
export async function reclaimPort(cache: string, port: number, what: string): Promise<void> {
  if (await portFree(port)) return;
  const file = path.join(cache, 'anvil.pid');
  let left: PidFile | undefined;
  try {
    left = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    left = undefined;
  }
  if (left && left.port === port && alive(left.guard) && !alive(left.network) && commandOf(left.guard).includes('anvil')) {
    process.kill(left.guard, 'SIGTERM');
    for (let i = 0; i < 50 && !(await portFree(port)); i += 1) await sleep(100);
    if (await portFree(port)) {
      console.error(`stopped the anvil (process ${left.guard}) that a local network killed on ${left.started} left on port ${port}`);
      return;
    }
  }
  if (left && left.port === port && alive(left.network)) {
    throw new Failure(
      `port ${port} (${what}) is taken by the local network of this module already running (process ${left.network}, started ${left.started}): use that one, or stop it (Ctrl-C in its terminal, or kill ${left.network})`,
    );
  }
  throw new Failure(`port ${port} (${what}) is taken by another program: stop it, or change the port in chain.json's "local" entry`);
}

/**
 * The guard: a Node process that starts anvil's launcher (which forwards SIGTERM to the anvil binary) and
 * stops it when the guard's stdin closes, which the network holds: the network exiting, or killed with
 * SIGKILL, closes it. All three stay in the network's process group, so a signal to the group reaches
 * them too. Given to `node -e` so it runs the same from the kit's sources and from its build.
 */
const GUARD = `
const { spawn } = require('node:child_process');
const [launcher, ...args] = process.argv.slice(1);
const anvil = spawn(process.execPath, [launcher, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
const stop = () => anvil.kill('SIGTERM');
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
anvil.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`;

export function startAnvil(cache: string, anvilBin: string, port: number, chainId: number): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-e', GUARD, anvilBin, '--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent'],
    {
      stdio: ['pipe', 'inherit', 'inherit'],
    },
  );
  const pidFile: PidFile = { guard: child.pid!, network: process.pid, port, started: new Date().toISOString() };
  fs.writeFileSync(path.join(cache, 'anvil.pid'), JSON.stringify(pidFile));
  return child;
}
