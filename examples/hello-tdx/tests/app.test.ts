import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutput, type Task } from '../scripts/worker.mjs';
import { MAX_RESULT_NAME_LENGTH, readContext, writeResultFile } from '../src/iexec.js';
import { bundle, run, work } from './task.js';

describe('the built app, run like a worker', () => {
  it('greets the names given as args, split like the worker splits them', async () => {
    const { task, verdict, result } = await run({ args: `Alice "Ada Lovelace" 'Grace Hopper'` });
    expect(verdict.checks.filter((c) => !c.ok)).toEqual([]);
    expect(task.argv).toEqual(['Alice', 'Ada Lovelace', 'Grace Hopper']);
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, Alice, Ada Lovelace, and Grace Hopper!' } });
    expect(readFileSync(join(task.outDir, 'result.txt'), 'utf8')).toBe('Hello, Alice, Ada Lovelace, and Grace Hopper!\n');
  });

  it('greets the world without args', async () => {
    const { verdict, result } = await run();
    expect(verdict.ok).toBe(true);
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, world!' } });
  });

  it('records a compute error in the result and still completes the task', async () => {
    const { task, verdict, result } = await run({ args: "Alice ''" });
    expect(verdict.ok).toBe(true);
    expect(result()).toEqual({ ok: false, error: expect.stringContaining('argument 2 is blank') });
    expect(existsSync(join(task.outDir, 'result.txt'))).toBe(false);
    expect(task.stderr).toContain('compute failed');
  });

  it('fails loudly when IEXEC_OUT cannot be written', () => {
    const notADir = join(work, 'not-a-dir');
    writeFileSync(notADir, '');
    const proc = spawnSync(process.execPath, [bundle], { env: { IEXEC_IN: work, IEXEC_OUT: notADir }, encoding: 'utf8' });
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
    expect(() => writeResultFile(ctx, 'x'.repeat(MAX_RESULT_NAME_LENGTH + 1), '')).toThrow(/longer than 31/);
    expect(() => writeResultFile(ctx, '../escape.txt', '')).toThrow(/plain file name/);
    expect(() => writeResultFile(ctx, 'computed.json', '')).toThrow(/written by runApp/);
    expect(writeResultFile(ctx, 'x'.repeat(MAX_RESULT_NAME_LENGTH), 'ok')).toBe(join(work, 'x'.repeat(31)));
  });
});

describe('the post-compute checks of scripts/worker.mjs', () => {
  let outputs = 0;

  /** A finished task whose IEXEC_OUT holds `files` (name to content). */
  function finished(files: Record<string, string>, status: number | null = 0): Task {
    const outDir = join(work, `output-${++outputs}`);
    mkdirSync(outDir);
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(outDir, name, '..'), { recursive: true });
      writeFileSync(join(outDir, name), content);
    }
    return { inDir: work, outDir, env: {}, argv: [], status, stdout: '', stderr: '' };
  }
  const computed = (path: string) => JSON.stringify({ 'deterministic-output-path': path });

  it('passes a result the worker would accept', () => {
    const task = finished({ 'result.json': '{}' });
    writeFileSync(join(task.outDir, 'computed.json'), computed(join(task.outDir, 'result.json')));
    expect(checkOutput(task)).toMatchObject({ ok: true });
  });

  it.each([
    ['a non-zero exit', finished({}, 2), /exited with status 2/],
    ['no computed.json', finished({ 'result.json': '{}' }), /no computed.json/],
    ['a computed.json that is not JSON', finished({ 'computed.json': '{' }), /not valid JSON/],
    ['no deterministic-output-path', finished({ 'computed.json': '{}' }), /no "deterministic-output-path"/],
    ['a path outside IEXEC_OUT', finished({ 'computed.json': computed('/etc/hostname') }), /\/etc\/hostname is outside IEXEC_OUT/],
    ['a hard-coded /iexec_out path', finished({ 'computed.json': computed('/iexec_out/result.json') }), /do not write \/iexec_out/],
  ])('fails %s, saying why', (_label, task, reason) => {
    const verdict = checkOutput(task);
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(reason);
  });

  it.each([
    ['a missing output', (out: string) => ({ 'computed.json': computed(join(out, 'nope.json')) }), /does not exist/],
    ['an empty output', (out: string) => ({ 'computed.json': computed(join(out, 'r.json')), 'r.json': '' }), /is empty/],
    [
      'a file name over 31 characters',
      (out: string) => ({ 'computed.json': computed(join(out, 'r.json')), 'r.json': '1', [`deep/${'x'.repeat(32)}`]: '1' }),
      /over 31 characters.*deep\/x{32}/,
    ],
  ])('fails %s, saying why', (_label, files, reason) => {
    const task = finished({});
    for (const [name, content] of Object.entries(files(task.outDir))) {
      mkdirSync(join(task.outDir, name, '..'), { recursive: true });
      writeFileSync(join(task.outDir, name), content);
    }
    expect(checkOutput(task).reason).toMatch(reason);
  });
});
