import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mockProtectedData } from 'iexec-module-kit';
import { readContext } from '../src/iexec.js';
import { run, work } from './task.js';

async function mock(name: string, person: string): Promise<string> {
  const path = join(work, name);
  writeFileSync(path, await mockProtectedData({ name: person }));
  return path;
}

describe('bulk processing', () => {
  it('greets the name in every protected data of the slice', async () => {
    const { task, verdict, result } = await run({ bulk: [await mock('a.zip', 'Ann'), await mock('b.zip', 'Ben')] });
    expect(verdict.checks.filter((c) => c.level !== 'pass')).toEqual([]);
    expect(task.env.IEXEC_BULK_SLICE_SIZE).toBe('2');
    expect(task.env.IEXEC_DATASET_2_FILENAME).toMatch(/^0x[0-9a-f]{40}$/);
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, Ann and Ben!', failed: [] } });
  });

  it('records a bad protected data of the slice and still greets the others', async () => {
    const bad = join(work, 'bad.zip');
    writeFileSync(bad, 'not a zip');
    const { task, result } = await run({ bulk: [await mock('c.zip', 'Cat'), bad] });
    expect(result()).toMatchObject({
      ok: true,
      result: {
        greeting: 'Hello, Cat!',
        failed: [{ address: task.env.IEXEC_DATASET_2_FILENAME, error: expect.stringContaining('Failed to load protected data') }],
      },
    });
  });

  it('refuses a slice it cannot read, naming the variable', () => {
    expect(() => readContext({ IEXEC_BULK_SLICE_SIZE: 'two' }, [])).toThrow(/IEXEC_BULK_SLICE_SIZE is "two"/);
    expect(() => readContext({ IEXEC_BULK_SLICE_SIZE: '1' }, [])).toThrow(/IEXEC_DATASET_1_FILENAME is not set/);
  });
});
