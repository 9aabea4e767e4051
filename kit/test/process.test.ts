import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runProcess } from '../src/worker/process.js';
import { alive, buildKit, kitRoot } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'kit-process-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const options = { env: { PATH: process.env.PATH }, cwd: work, timeoutMs: 10_000 };
/** A node one-liner, run by runProcess. */
const node = (script: string) => [process.execPath, ['-e', script]] as const;

describe.concurrent('runProcess: a process as the worker runs an app container', () => {
  it('gives its status, its output as tails and whole files, and byte counts', async () => {
    const [command, args] = node(`process.stdout.write('out'); process.stderr.write('é'.repeat(150000)); process.exitCode = 3`);
    const stdoutFile = join(work, 'a.out');
    const run = await runProcess(command, [...args], { ...options, stdoutFile });
    expect(run).toMatchObject({ status: 3, signal: null, timedOut: false, stdout: 'out', stdoutBytes: 3, stderrBytes: 300_000 });
    // The core's tail: the last 100,000 characters, a character cut across chunks kept whole.
    expect(run.stderr).toBe('é'.repeat(100_000));
    expect(readFileSync(stdoutFile, 'utf8')).toBe('out');
  });

  it('says a command it cannot start, and a signal that ended one', async () => {
    await expect(runProcess('no-such-command-here', [], options)).rejects.toThrow(
      /^cannot start no-such-command-here: spawn no-such-command-here ENOENT$/,
    );
    const [command, args] = node(`process.kill(process.pid, 'SIGTERM')`);
    expect(await runProcess(command, [...args], options)).toMatchObject({ status: null, signal: 'SIGTERM', timedOut: false });
  });

  it('at its time limit runs the cleanup command, then kills the process and what it started', async () => {
    const marker = join(work, 'cleaned');
    const pidFile = join(work, 'child.pid');
    const [command, args] = node(
      `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(require('child_process').spawn(process.execPath, ['-e', 'for (;;) {}']).pid)); for (;;) {}`,
    );
    const started = Date.now();
    const run = await runProcess(command, [...args], { ...options, timeoutMs: 1_000, cleanup: ['touch', marker] });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(run).toMatchObject({ status: null, signal: 'SIGKILL', timedOut: true });
    expect(existsSync(marker)).toBe(true);
    await vi.waitFor(() => expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false));
  });
});

describe('runProcess when the kit itself is killed', () => {
  beforeAll(() => buildKit(), 60_000);

  it('stops the process and runs the cleanup command: nothing is left running', async () => {
    const marker = join(work, 'cleaned-after-kill');
    const pidFile = join(work, 'app.pid');
    const app = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); for (;;) {}`;
    const kit = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      `import { runProcess } from ${JSON.stringify(join(kitRoot, 'dist/worker/process.js'))};
       await runProcess(process.execPath, ['-e', ${JSON.stringify(app)}], { env: {}, cwd: '/', timeoutMs: 60000, cleanup: ['touch', ${JSON.stringify(marker)}] });`,
    ]);
    await vi.waitFor(() => expect(existsSync(pidFile)).toBe(true), { timeout: 10_000 });
    kit.kill('SIGKILL');
    await vi.waitFor(() => expect(existsSync(marker)).toBe(true), { timeout: 5_000 });
    await vi.waitFor(() => expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false));
  });
});
