/*
 * Runs a process the way a worker runs an app container: a time limit, then everything it started
 * killed at once (iexec-commons-containers DockerClientInstance.run: `docker stop` with no grace,
 * after the task's max execution time); its output streamed and kept whole, plus the tail the core
 * serves (limits.ts). `local`, the module's tests and the local network's worker all run apps
 * through it.
 *
 * The process runs under a small guard, leader of a process group of its own: the guard starts the
 * command, reports how it ended on a pipe, then kills its whole group, so nothing the app started
 * outlives it. The guard also watches a pipe from the kit, which the kit closes at the time limit
 * and which closes by itself when the kit goes away for any reason (Ctrl-C, an IDE's stop button,
 * SIGKILL): then the guard runs the caller's cleanup command (a container the group's client started
 * lives outside the group: `podman rm -f <name>`) and kills the group, so no app is left running at
 * 100 % CPU. Unix only, as the worker itself.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { KEPT_LOG_BYTES, LOG_TAIL_CHARS } from './limits.js';

/** How long the cleanup command may take; past it and a little more, the kit kills the group itself. */
const CLEANUP_MS = 10_000;

/**
 * The guard, run with `node -e`; argv[1] is the JSON { run: [command, ...args], cleanup?: [...] }. It
 * kills its group (itself included) once the command has exited, or, after the cleanup command,
 * once the kit's pipe on its stdin has closed.
 */
const GUARD = `
const { spawn, spawnSync } = require('node:child_process');
const { writeSync } = require('node:fs');
const { run: [command, ...args], cleanup } = JSON.parse(process.argv[1]);
const report = (how) => { try { writeSync(3, JSON.stringify(how)); } catch {} };
const killGroup = () => { try { process.kill(-process.pid, 'SIGKILL'); } catch {} process.exit(1); };
const stop = () => { if (cleanup) spawnSync(cleanup[0], cleanup.slice(1), { stdio: 'ignore', timeout: ${CLEANUP_MS} }); killGroup(); };
process.stdin.on('end', stop).on('error', stop).resume();
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
child.on('error', (error) => { report({ error: error.message }); killGroup(); });
child.on('exit', (status, signal) => { report({ status, signal }); killGroup(); });
`;

/** After the process has exited, how long its output may still take to arrive. */
const DRAIN_MS = 2_000;

export interface ProcessOptions {
  /** The process's whole environment. */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Past it, the process and everything it started are killed. */
  timeoutMs: number;
  /** Where the whole stdout goes (created or truncated), up to KEPT_LOG_BYTES; without it only the tail is kept. */
  stdoutFile?: string;
  stderrFile?: string;
  /** Each chunk of output as it comes, e.g. to show it live. */
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /**
   * A command the guard runs before it kills the group at the time limit or when the kit goes away,
   * e.g. ['podman', 'rm', '-f', name]: a container lives outside the group of the client that started it.
   */
  cleanup?: string[];
}

export interface ProcessExit {
  /** The exit code, null when a signal ended it. */
  status: number | null;
  signal: NodeJS.Signals | null;
  /** Killed at the time limit. */
  timedOut: boolean;
  /** The last LOG_TAIL_CHARS characters of each stream, as the core keeps them. */
  stdout: string;
  stderr: string;
  /** How many bytes each stream carried in all (more than its file holds past KEPT_LOG_BYTES). */
  stdoutBytes: number;
  stderrBytes: number;
}

/** One output stream: its file, its byte count and its tail. */
class Capture {
  private readonly fd: number | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private tail = '';
  bytes = 0;

  constructor(file: string | undefined) {
    this.fd = file === undefined ? undefined : openSync(file, 'w');
  }

  add(chunk: Buffer): void {
    if (this.fd !== undefined && this.bytes < KEPT_LOG_BYTES)
      writeSync(this.fd, chunk, 0, Math.min(chunk.length, KEPT_LOG_BYTES - this.bytes));
    this.bytes += chunk.length;
    this.tail += this.decoder.write(chunk);
    if (this.tail.length > 2 * LOG_TAIL_CHARS) this.tail = this.tail.slice(-LOG_TAIL_CHARS);
  }

  end(): string {
    if (this.fd !== undefined) closeSync(this.fd);
    return (this.tail + this.decoder.end()).slice(-LOG_TAIL_CHARS);
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone: the guard kills its group itself once the command has exited.
  }
}

/**
 * Runs `command` in a process group of its own, with a time limit, its output streamed.
 * @throws when the command cannot be started (not found, not executable)
 */
export function runProcess(command: string, args: string[], options: ProcessOptions): Promise<ProcessExit> {
  const stdout = new Capture(options.stdoutFile);
  const stderr = new Capture(options.stderrFile);
  const guard = spawn(process.execPath, ['-e', GUARD, JSON.stringify({ run: [command, ...args], cleanup: options.cleanup })], {
    env: options.env,
    cwd: options.cwd,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const streams = [guard.stdout!, guard.stderr!, guard.stdio[3] as Readable];
  let report = '';
  guard.stdout!.on('data', (chunk: Buffer) => {
    stdout.add(chunk);
    options.onOutput?.(chunk, 'stdout');
  });
  guard.stderr!.on('data', (chunk: Buffer) => {
    stderr.add(chunk);
    options.onOutput?.(chunk, 'stderr');
  });
  (guard.stdio[3] as Readable).setEncoding('utf8').on('data', (text: string) => (report += text));
  // The kit writes nothing to the guard: it closes the pipe at the time limit, and the pipe closes with the kit.
  guard.stdin!.on('error', () => {});
  let timedOut = false;
  let force: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    // The guard stops everything when its pipe closes; should it not, the kit does.
    guard.stdin!.end();
    force = setTimeout(() => killGroup(guard.pid), CLEANUP_MS + DRAIN_MS);
  }, options.timeoutMs);

  return new Promise((resolve, reject) => {
    const ended = streams.map((stream) => new Promise<void>((done) => stream.on('close', done)));
    guard.on('error', (error) => {
      clearTimeout(timer);
      stdout.end();
      stderr.end();
      reject(error);
    });
    guard.on('exit', async () => {
      clearTimeout(timer);
      clearTimeout(force);
      // A process that left the group (setsid) may hold the pipes open: wait a little, not for ever.
      const drained = setTimeout(() => streams.forEach((stream) => stream.destroy()), DRAIN_MS);
      await Promise.all(ended);
      clearTimeout(drained);
      guard.stdin!.destroy();
      const how = report ? (JSON.parse(report) as { status?: number | null; signal?: NodeJS.Signals | null; error?: string }) : {};
      const tails = { stdout: stdout.end(), stderr: stderr.end() };
      if (how.error !== undefined) {
        reject(new Error(`cannot start ${command}: ${how.error}`));
        return;
      }
      resolve({
        status: timedOut ? null : (how.status ?? null),
        signal: timedOut ? 'SIGKILL' : (how.signal ?? (report ? null : 'SIGKILL')),
        timedOut,
        ...tails,
        stdoutBytes: stdout.bytes,
        stderrBytes: stderr.bytes,
      });
    });
  });
}
