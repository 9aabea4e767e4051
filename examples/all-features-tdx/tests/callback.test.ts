import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutput } from '../scripts/worker.mjs';
import { toCallbackData } from '../src/iexec/callback.js';
import { run } from './task.js';

describe('callback data', () => {
  it('gives the callback contract the greeting digest, which a deal with a callback needs', async () => {
    const { task, verdict } = await run({ callback: true });
    expect(verdict.checks.filter((c) => !c.ok)).toEqual([]);
    const computed = JSON.parse(readFileSync(join(task.outDir, 'computed.json'), 'utf8'));
    expect(computed['callback-data']).toBe(`0x${createHash('sha256').update('Hello, world!').digest('hex')}`);
  });

  it('fails a callback deal whose computed.json has no usable callback-data', async () => {
    const { task } = await run({ callback: true });
    writeFileSync(join(task.outDir, 'computed.json'), JSON.stringify({ 'deterministic-output-path': join(task.outDir, 'result.json') }));
    expect(checkOutput(task).reason).toMatch(/callback-data is null: a deal with a callback needs 0x-prefixed hex bytes/);
    expect(checkOutput({ ...task, callback: false }).ok).toBe(true);
  });

  it('accepts whole bytes only', () => {
    expect(toCallbackData(new Uint8Array([1, 255]))).toBe('0x01ff');
    expect(toCallbackData('0xABCD')).toBe('0xabcd');
    for (const bad of ['0x', '0xabc', 'abcd', '0xzz'] as const) {
      expect(() => toCallbackData(bad as `0x${string}`), bad).toThrow(/not 0x-prefixed hex of at least one whole byte/);
    }
  });
});
