import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutput } from 'iexec-module-kit';
import { toCallbackData } from '../src/iexec/callback.js';
import { CALLBACK_ARG, readContext } from '../src/iexec.js';
import { run } from './task.js';

const computedOf = (outDir: string) => JSON.parse(readFileSync(join(outDir, 'computed.json'), 'utf8'));
const greetingDigest = `0x${createHash('sha256').update('Hello, world!').digest('hex')}`;

describe('callback data', () => {
  it('gives the callback contract the greeting digest when the requester asks with --callback in the args', async () => {
    const { task, verdict } = await run({ callback: true, args: CALLBACK_ARG });
    expect(verdict.checks.filter((c) => c.level !== 'pass')).toEqual([]);
    expect(computedOf(task.outDir)['callback-data']).toBe(greetingDigest);
  });

  it('writes none when the requester did not ask: a deal without a callback then completes', async () => {
    const { task, verdict } = await run();
    expect(computedOf(task.outDir)).not.toHaveProperty('callback-data');
    expect(verdict).toMatchObject({ ok: true });
  });

  it('fails a task asked for callback-data on a deal without a callback, with the reason PoCo gives', async () => {
    const { verdict } = await run({ args: CALLBACK_ARG });
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(/callback-data but the deal has no callback contract: PoCo reverts finalize/);
  });

  it('fails a callback deal whose requester did not ask for callback-data, saying how to ask', async () => {
    const { task, verdict } = await run({ callback: true });
    expect(verdict.reason).toMatch(/callback-data is null: in a deal with a callback .*--args "--callback …"/);
    writeFileSync(join(task.outDir, 'computed.json'), JSON.stringify({ 'callback-data': '0xzz' }));
    expect(checkOutput(task).reason).toMatch(/callback-data is "0xzz"/);
  });

  it('takes --callback out of the args the compute sees', () => {
    const ctx = readContext({}, ['node', 'app.cjs', 'Alice', CALLBACK_ARG]);
    expect(ctx.callback).toBe(true);
    expect(ctx.args).toEqual(['Alice']);
    expect(readContext({}, ['node', 'app.cjs', 'Alice']).callback).toBe(false);
  });

  it('accepts whole bytes only', () => {
    expect(toCallbackData(new Uint8Array([1, 255]))).toBe('0x01ff');
    expect(toCallbackData('0xABCD')).toBe('0xabcd');
    for (const bad of ['0x', '0xabc', 'abcd', '0xzz'] as const) {
      expect(() => toCallbackData(bad as `0x${string}`), bad).toThrow(/not 0x-prefixed hex of at least one whole byte/);
    }
  });
});
