import { constants } from 'node:buffer';
import { createHash } from 'node:crypto';
import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readContext, readInputText } from '../src/iexec.js';
import { run, work } from './task.js';

function file(name: string, content: string | Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

describe('input files', () => {
  it('greets the names listed in each input file, named in IEXEC_IN as the worker names them', async () => {
    const first = file('first.txt', 'Carol\n\n  Dave  \n');
    const second = file('second.txt', 'Eve');
    const { task, verdict, result } = await run({ inputFiles: [first, second] });
    expect(verdict.checks.filter((c) => c.level !== 'pass')).toEqual([]);
    expect(task.env.IEXEC_INPUT_FILES_NUMBER).toBe('2');
    // The worker names a download after the SHA-256 of its URL; a local file stands for its file:// URL.
    const sha = (path: string) => `0x${createHash('sha256').update(pathToFileURL(path).href).digest('hex')}`;
    expect([task.env.IEXEC_INPUT_FILE_NAME_1, task.env.IEXEC_INPUT_FILE_NAME_2]).toEqual([sha(first), sha(second)]);
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, Carol, Dave, and Eve!' } });
  });

  it('records a clear error for an input file that is not text', async () => {
    const { verdict, result } = await run({ inputFiles: [file('photo.bin', new Uint8Array([0xff, 0xfe, 0x00, 0x80]))] });
    expect(verdict.ok).toBe(true);
    expect(result()).toEqual({ ok: false, error: expect.stringMatching(/input file 1 \(0x[0-9a-f]{64}\) is not UTF-8 text/) });
  });

  // Reads half a GiB: seconds on a busy machine.
  it('says a valid text input is too large to read as one string, not that it is not text', { timeout: 60_000 }, () => {
    // A sparse file of NUL bytes, valid UTF-8, one byte over what a string holds (and one over 2 GiB).
    for (const size of [constants.MAX_STRING_LENGTH + 1, 2 ** 31 + 1]) {
      const path = file('big.txt', '');
      truncateSync(path, size);
      try {
        expect(() => readInputText({ index: 1, name: 'big.txt', path })).toThrow(`input file 1 (big.txt) holds ${size} bytes: more text than one string can hold`);
      } finally {
        rmSync(path);
      }
    }
  });

  it('says which listed input file the worker did not provide', () => {
    const env = { IEXEC_IN: work, IEXEC_INPUT_FILES_NUMBER: '2', IEXEC_INPUT_FILE_NAME_1: 'first.txt', IEXEC_INPUT_FILE_NAME_2: 'gone' };
    expect(() => readContext(env, [])).toThrow(/input file 2 \(gone\) is not a file/);
    expect(() => readContext({ IEXEC_INPUT_FILES_NUMBER: 'many' }, [])).toThrow(/IEXEC_INPUT_FILES_NUMBER is "many"/);
    expect(() => readContext({ IEXEC_INPUT_FILES_NUMBER: '1' }, [])).toThrow(/IEXEC_INPUT_FILE_NAME_1 is null/);
  });
});
