import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutput, readResult } from '../src/worker/post-compute.js';
import type { Task } from '../src/worker/task.js';

const work = mkdtempSync(join(tmpdir(), 'kit-post-compute-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let outputs = 0;

/** A finished task whose IEXEC_OUT holds `files` (name to content). */
function finished(files: Record<string, string>, status: number | null = 0): Task {
  const outDir = join(work, `output-${++outputs}`);
  mkdirSync(outDir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(outDir, name, '..'), { recursive: true });
    writeFileSync(join(outDir, name), content);
  }
  return { inDir: work, outDir, env: {}, argv: [], status, stdout: '', stderr: '', callback: false };
}
const computed = (path: string) => JSON.stringify({ 'deterministic-output-path': path });
/** A finished task the worker would accept, with `extra` fields in computed.json. */
function accepted(extra: Record<string, unknown> = {}, status: number | null = 0): Task {
  const task = finished({ 'result.json': '{"ok":true,"result":1}' }, status);
  writeFileSync(join(task.outDir, 'computed.json'), JSON.stringify({ 'deterministic-output-path': join(task.outDir, 'result.json'), ...extra }));
  return task;
}

describe('the post-compute checks', () => {
  it('passes a result the worker would accept, saying what it checked, and reads result.json', () => {
    const task = accepted();
    const verdict = checkOutput(task);
    expect(verdict).toEqual({ ok: true, checks: expect.any(Array) });
    expect(verdict.checks.map((c) => `${c.level} ${c.message}`)).toEqual([
      'pass the app exited with status 0',
      'pass computed.json is a JSON object',
      'pass deterministic-output-path result.json exists under IEXEC_OUT',
      'pass every result file name has at most 31 bytes',
      expect.stringMatching(/^pass the result holds \d+ bytes$/),
    ]);
    expect(readResult(task)).toEqual({ ok: true, result: 1 });
  });

  it('only warns on a non-zero exit: since 9.2.0 the worker still runs the post-compute', () => {
    const verdict = checkOutput(accepted({}, 2));
    expect(verdict.ok).toBe(true);
    expect(verdict.checks[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/status 2: the worker logs APP_COMPUTE_FAILED.*still runs the post-compute/) });
  });

  it('warns first when the worker dropped the args', () => {
    const verdict = checkOutput({ ...accepted(), argsWarning: 'unbalanced quotes in "\'a"' });
    expect(verdict.ok).toBe(true);
    expect(verdict.checks[0]).toEqual({ level: 'warn', message: 'unbalanced quotes in "\'a"' });
  });

  it('fails callback-data on a deal without a callback, as PoCo reverts its finalize', () => {
    const task = accepted({ 'callback-data': '0x01' });
    expect(checkOutput(task).reason).toMatch(/callback-data but the deal has no callback contract: PoCo reverts finalize \(IexecPoco2Facet/);
    expect(checkOutput({ ...task, callback: true })).toMatchObject({ ok: true });
    expect(checkOutput({ ...task, callback: true }).checks.at(-1)?.message).toBe('callback-data holds 1 bytes for the callback contract');
    expect(checkOutput(accepted({ 'callback-data': '' })).ok).toBe(true);
    expect(checkOutput(accepted({ 'callback-data': null })).ok).toBe(true);
  });

  it('fails a callback deal without callback-data of whole hex bytes, saying how to ask for it', () => {
    expect(checkOutput({ ...accepted(), callback: true }).reason).toMatch(/callback-data is null: in a deal with a callback .*--args "--callback …"/);
    for (const bad of ['0xzz', '0x', '0xabc', 'abcd']) {
      expect(checkOutput({ ...accepted({ 'callback-data': bad }), callback: true }).reason).toContain(`callback-data is ${JSON.stringify(bad)}`);
    }
  });

  it('only warns past the 50 MiB the iApp generator keeps results under, which is not a platform limit', () => {
    const task = accepted();
    writeFileSync(join(task.outDir, 'big.bin'), Buffer.alloc(50 * 1024 * 1024 + 1));
    const verdict = checkOutput(task);
    expect(verdict.ok).toBe(true);
    expect(verdict.checks.at(-1)).toMatchObject({ level: 'warn', message: expect.stringMatching(/iApp generator.*not the platform's/) });
  });

  it('fails an app that prints the value of a secret', () => {
    const task = accepted();
    expect(checkOutput({ ...task, secrets: ['hunter22'], stdout: 'token=hunter22\n' }).reason).toMatch(/printed the value of a secret \(our lint, not a worker check\).*stdout.txt/);
    expect(checkOutput({ ...task, secrets: ['hunter22'], stderr: 'hunter22' }).ok).toBe(false);
    expect(checkOutput({ ...task, secrets: ['short'], stdout: 'short\n' }).ok).toBe(true);
    expect(checkOutput({ ...task, secrets: ['hunter22'] }).checks.map((c) => c.message)).toContain('no secret value in the app output (our lint)');
    expect(checkOutput(task).checks.map((c) => c.message)).not.toContain('no secret value in the app output (our lint)');
  });

  it.each([
    ['no computed.json', () => finished({ 'result.json': '{}' }), /no computed.json in IEXEC_OUT: the worker fails the task \(POST_COMPUTE_COMPUTED_FILE_NOT_FOUND\)/],
    ['a computed.json that is not JSON', () => finished({ 'computed.json': '{' }), /not valid JSON/],
    ['a computed.json that is no object', () => finished({ 'computed.json': '[]' }), /not a JSON object/],
    ['no deterministic-output-path', () => finished({ 'computed.json': '{}' }), /no "deterministic-output-path"/],
    ['a path outside IEXEC_OUT', () => finished({ 'computed.json': computed('/etc/hostname') }), /\/etc\/hostname is outside IEXEC_OUT/],
    ['a relative path', () => finished({ 'computed.json': computed('result.json'), 'result.json': '{}' }), /result.json is outside IEXEC_OUT/],
    ['a hard-coded /iexec_out path', () => finished({ 'computed.json': computed('/iexec_out/result.json') }), /do not write \/iexec_out/],
  ])('fails %s, saying why', (_label, task, reason) => {
    const verdict = checkOutput(task());
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(reason);
    expect(verdict.checks.at(-1)).toEqual({ level: 'fail', message: verdict.reason });
  });

  it.each([
    ['a missing output', (out: string) => ({ 'computed.json': computed(join(out, 'nope.json')) }), /does not exist/],
    ['an empty output', (out: string) => ({ 'computed.json': computed(join(out, 'r.json')), 'r.json': '' }), /is empty/],
    ['an empty output folder', (out: string) => (mkdirSync(join(out, 'empty')), { 'computed.json': computed(join(out, 'empty')) }), /is empty/],
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

  it('takes a folder as the output, and checks file names only: the post-compute does not look at folder names', () => {
    const task = finished({ [`${'d'.repeat(40)}/r.json`]: '{}' });
    writeFileSync(join(task.outDir, 'computed.json'), computed(join(task.outDir, 'd'.repeat(40))));
    expect(checkOutput(task)).toMatchObject({ ok: true });
    writeFileSync(join(task.outDir, 'computed.json'), computed(task.outDir));
    expect(checkOutput(task).checks).toContainEqual({ level: 'pass', message: 'deterministic-output-path . exists under IEXEC_OUT' });
  });
});
