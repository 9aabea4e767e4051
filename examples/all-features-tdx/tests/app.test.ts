import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutput, runTask, type Task } from '../scripts/worker.mjs';
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

  it('puts what the app printed into the result, as the worker saves stdout.txt and stderr.txt, after a successful run only', async () => {
    const printing = join(work, 'printing.cjs');
    writeFileSync(printing, "console.log('to stdout'); console.error('to stderr'); process.exitCode = Number(process.argv[2] ?? 0);");
    const ok = await runTask({ bundle: printing, workDir: work });
    expect(readFileSync(join(ok.outDir, 'stdout.txt'), 'utf8')).toBe('to stdout\n');
    expect(readFileSync(join(ok.outDir, 'stderr.txt'), 'utf8')).toBe('to stderr\n');
    const failed = await runTask({ bundle: printing, args: '3', workDir: work });
    expect(failed.status).toBe(3);
    expect(existsSync(join(failed.outDir, 'stdout.txt'))).toBe(false);
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
    expect(() => writeResultFile(ctx, 'x'.repeat(MAX_RESULT_NAME_BYTES + 1), '')).toThrow(/32 bytes of UTF-8, over the 31/);
    // 16 characters, 32 bytes: the post-compute counts bytes.
    expect(() => writeResultFile(ctx, 'é'.repeat(16), '')).toThrow(/32 bytes of UTF-8, over the 31/);
    expect(() => writeResultFile(ctx, '../escape.txt', '')).toThrow(/plain file name/);
    expect(() => writeResultFile(ctx, 'computed.json', '')).toThrow(/written by runApp/);
    expect(writeResultFile(ctx, 'x'.repeat(MAX_RESULT_NAME_BYTES), 'ok')).toBe(join(work, 'x'.repeat(31)));
    expect(writeResultFile(ctx, `${'é'.repeat(15)}x`, 'ok')).toBe(join(work, `${'é'.repeat(15)}x`));
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
    return { inDir: work, outDir, env: {}, argv: [], status, stdout: '', stderr: '', secrets: [] };
  }
  const computed = (path: string) => JSON.stringify({ 'deterministic-output-path': path });

  it('passes a result the worker would accept', () => {
    const task = finished({ 'result.json': '{}' });
    writeFileSync(join(task.outDir, 'computed.json'), computed(join(task.outDir, 'result.json')));
    expect(checkOutput(task)).toMatchObject({ ok: true });
  });

  it('only warns on a non-zero exit: since 9.2.0 the worker still runs the post-compute', () => {
    const task = finished({ 'result.json': '{}' }, 2);
    writeFileSync(join(task.outDir, 'computed.json'), computed(join(task.outDir, 'result.json')));
    const verdict = checkOutput(task);
    expect(verdict.ok).toBe(true);
    expect(verdict.checks[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/status 2: the worker logs APP_COMPUTE_FAILED.*still runs the post-compute/) });
  });

  it('fails callback-data on a deal without a callback, as PoCo reverts its finalize', () => {
    const task = finished({ 'result.json': '{}' });
    writeFileSync(join(task.outDir, 'computed.json'), JSON.stringify({ 'deterministic-output-path': join(task.outDir, 'result.json'), 'callback-data': '0x01' }));
    expect(checkOutput(task).reason).toMatch(/callback-data but the deal has no callback contract: PoCo reverts finalize \(IexecPoco2Facet/);
    expect(checkOutput({ ...task, callback: true })).toMatchObject({ ok: true });
  });

  it('only warns past the 50 MiB the iApp generator keeps results under, which is not a platform limit', () => {
    const task = finished({ 'result.json': '{}' });
    writeFileSync(join(task.outDir, 'computed.json'), computed(join(task.outDir, 'result.json')));
    writeFileSync(join(task.outDir, 'big.bin'), Buffer.alloc(50 * 1024 * 1024 + 1));
    const verdict = checkOutput(task);
    expect(verdict.ok).toBe(true);
    expect(verdict.checks.at(-1)).toMatchObject({ level: 'warn', message: expect.stringMatching(/iApp generator.*not the platform's/) });
  });

  it('fails an app that prints the value of a secret', () => {
    const task = finished({ 'result.json': '{}' });
    writeFileSync(join(task.outDir, 'computed.json'), computed(join(task.outDir, 'result.json')));
    expect(checkOutput({ ...task, secrets: ['hunter22'], stdout: 'token=hunter22\n' }).reason).toMatch(/printed the value of a secret \(our lint, not a worker check\).*stdout.txt/);
    expect(checkOutput({ ...task, secrets: ['short'], stdout: 'short\n' }).ok).toBe(true);
  });

  it.each([
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
      'a file name over 31 bytes',
      (out: string) => ({ 'computed.json': computed(join(out, 'r.json')), 'r.json': '1', [`deep/${'x'.repeat(32)}`]: '1' }),
      /over 31 bytes of UTF-8 fail the TEE post-compute.*deep\/x{32}/,
    ],
    [
      'a 16-character file name of 32 bytes',
      (out: string) => ({ 'computed.json': computed(join(out, 'r.json')), 'r.json': '1', ['é'.repeat(16)]: '1' }),
      /over 31 bytes of UTF-8 fail the TEE post-compute \(PostComputeTooLongResultFileName\): é{16}/,
    ],
  ])('fails %s, saying why', (_label, files, reason) => {
    const task = finished({});
    for (const [name, content] of Object.entries(files(task.outDir))) {
      mkdirSync(join(task.outDir, name, '..'), { recursive: true });
      writeFileSync(join(task.outDir, name), content);
    }
    expect(checkOutput(task).reason).toMatch(reason);
  });

  it('checks file names only: the post-compute does not look at folder names', () => {
    const task = finished({ [`${'d'.repeat(40)}/r.json`]: '{}' });
    writeFileSync(join(task.outDir, 'computed.json'), computed(join(task.outDir, 'd'.repeat(40), 'r.json')));
    expect(checkOutput(task)).toMatchObject({ ok: true });
  });
});
