import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mockProtectedData } from 'iexec-module-kit';
import { readContext } from '../src/iexec.js';
import { run, work } from './task.js';

async function mock(name: string, data: Parameters<typeof mockProtectedData>[0]): Promise<string> {
  const path = join(work, name);
  writeFileSync(path, await mockProtectedData(data));
  return path;
}

describe('protected data', () => {
  it('greets the name in the protected data, decrypted where the worker puts it', async () => {
    const { task, verdict, result } = await run({ protectedData: await mock('alice.zip', { name: 'Alice' }) });
    expect(verdict.checks.filter((c) => c.level !== 'pass')).toEqual([]);
    expect(task.env.IEXEC_DATASET_FILENAME).toMatch(/^0x[0-9a-f]{40}$/);
    expect(existsSync(join(task.inDir, task.env.IEXEC_DATASET_FILENAME ?? ''))).toBe(true);
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, Alice!' } });
  });

  it('reads back every kind of value the mock writes, with the deserializer', async () => {
    const photo = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const file = await mock('all.zip', { name: 'Bob', age: 42.5, adult: true, nested: { city: 'Paris', photo } });
    const ctx = readContext({ IEXEC_IN: work, IEXEC_DATASET_FILENAME: 'all.zip' }, []);
    expect(ctx.protectedData?.path).toBe(file);
    expect(await ctx.protectedData?.getValue('name', 'string')).toBe('Bob');
    expect(await ctx.protectedData?.getValue('age', 'f64')).toBe(42.5);
    expect(await ctx.protectedData?.getValue('adult', 'bool')).toBe(true);
    expect(await ctx.protectedData?.getValue('nested.city', 'string')).toBe('Paris');
    expect(await ctx.protectedData?.getValue('nested.photo', 'image/png')).toEqual(photo);
  });

  it('has no protected data when the task names none (the zero address)', async () => {
    const { task, result } = await run();
    expect(task.env.IEXEC_DATASET_FILENAME).toBe(`0x${'0'.repeat(40)}`);
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, world!' } });
  });

  it('records the deserializer error for a file that is not a protected data', async () => {
    const path = join(work, 'not-a-zip.bin');
    writeFileSync(path, 'plain text');
    const { verdict, result } = await run({ protectedData: path });
    expect(verdict.ok).toBe(true);
    expect(result()).toEqual({ ok: false, error: expect.stringMatching(/protected data 0x[0-9a-f]{40}: Failed to load protected data/) });
  });

  it('records which value is missing', async () => {
    const { result } = await run({ protectedData: await mock('other.zip', { email: 'x@example.com' }) });
    expect(result()).toEqual({ ok: false, error: expect.stringContaining('Failed to load path name') });
    expect(JSON.stringify(result())).not.toContain('x@example.com');
  });
});
