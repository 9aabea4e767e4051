import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TIMEOUT_MS, runProcess } from 'iexec-module-kit';
import { describe, expect, it } from 'vitest';
import { MAX_RESULT_NAME_BYTES, readContext, writeResultFile } from '../src/iexec.js';
import { bundle, run, work } from './task.js';

describe('the built app, run like a worker', () => {
  it('greets the names given as args, split like the worker splits them', async () => {
    const { task, verdict, result } = await run({ args: `Alice "Ada Lovelace" 'Grace Hopper'` });
    expect(verdict.checks.filter((c) => c.level !== 'pass')).toEqual([]);
    expect(task.argv).toEqual(['Alice', 'Ada Lovelace', 'Grace Hopper']);
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, Alice, Ada Lovelace, and Grace Hopper!' } });
    expect(readFileSync(join(task.outDir, 'result.txt'), 'utf8')).toBe('Hello, Alice, Ada Lovelace, and Grace Hopper!\n');
  });

  it('gets no args at all when the quotes are unbalanced, as on the worker, with a warning saying so', async () => {
    const { task, verdict, result } = await run({ args: `Alice 'Bob` });
    expect(task.argv).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.checks[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/unbalanced quotes.*runs the app with no args/) });
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, world!' } });
  });

  it('greets the world without args', async () => {
    const { verdict, result } = await run();
    expect(verdict.ok).toBe(true);
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, world!' } });
  });

  it('records a compute error in the result and still completes the task', async () => {
    const { task, verdict, result } = await run({ args: 'Alice " "' });
    expect(verdict.ok).toBe(true);
    expect(result()).toEqual({ ok: false, error: expect.stringContaining('argument 2 is blank') });
    expect(existsSync(join(task.outDir, 'result.txt'))).toBe(false);
    expect(task.stderr).toContain('compute failed');
  });

  it('fails loudly when IEXEC_OUT cannot be written', async () => {
    const notADir = join(work, 'not-a-dir');
    writeFileSync(notADir, '');
    // Under the worker's limits, as every run of the app here: an app that hangs cannot hang the tests.
    const proc = await runProcess(process.execPath, [bundle], { env: { IEXEC_IN: work, IEXEC_OUT: notADir }, cwd: work, timeoutMs: DEFAULT_TIMEOUT_MS });
    expect(proc.status).toBe(1);
    expect(proc.stderr).toContain('cannot write the result into IEXEC_OUT');
  });
});

describe('src/iexec.ts', () => {
  it('defaults to the worker folders', () => {
    const ctx = readContext({}, ['node', 'app.cjs', 'a b']);
    expect(ctx).toMatchObject({ args: ['a b'], inDir: '/iexec_in', outDir: '/iexec_out' });
    expect(ctx.taskId).toBeUndefined();
  });

  it('refuses result file names the post-compute would reject', () => {
    const ctx = readContext({ IEXEC_OUT: work }, []);
    expect(() => writeResultFile(ctx, 'x'.repeat(MAX_RESULT_NAME_BYTES + 1), '')).toThrow(/32 bytes of UTF-8, over the 31/);
    // 16 characters, 32 bytes: the post-compute counts bytes.
    expect(() => writeResultFile(ctx, 'é'.repeat(16), '')).toThrow(/32 bytes of UTF-8, over the 31/);
    expect(() => writeResultFile(ctx, '../escape.txt', '')).toThrow(/plain file name/);
    expect(() => writeResultFile(ctx, 'computed.json', '')).toThrow(/written by runApp/);
    expect(writeResultFile(ctx, 'x'.repeat(MAX_RESULT_NAME_BYTES), 'ok')).toBe(join(work, 'x'.repeat(31)));
    expect(writeResultFile(ctx, `${'é'.repeat(15)}x`, 'ok')).toBe(join(work, `${'é'.repeat(15)}x`));
  });
});
