import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { identifier, jsonLiteral, oneLine, shellWord } from '../src/escape.js';
import { EVIL_DESCRIPTION } from './helpers/cli.js';

/** Strings chosen to break naive escaping, plus random printable and control characters. */
function nasty(count: number): string[] {
  const pool = [`'`, `"`, '\\', '$(', ')', '`', '\n', '\r', '\t', '${x}', '!', '*', '~', ';', '&&', '#', ' ', 'é', '☃', '\u2028'];
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + random(12) }, () => (random(3) === 0 ? String.fromCharCode(1 + random(126)) : pool[random(pool.length)])).join(
      '',
    ),
  ).concat([EVIL_DESCRIPTION, '', "'", "''"]);
}

describe('escaping for the file a value lands in', () => {
  const samples = nasty(200);

  it('shell: bash reads back exactly the value, running nothing', () => {
    const script = samples.map((s) => `printf '%s\\0' ${shellWord(s)}`).join('\n');
    const printed = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(printed.split('\0').slice(0, -1)).toEqual(samples);
  });

  it('JSON and TypeScript: parses back to the value', () => {
    for (const s of samples) expect(JSON.parse(jsonLiteral(s))).toBe(s);
  });

  it('text: one line, no run of blanks', () => {
    for (const s of samples) expect(oneLine(s)).not.toMatch(/[\n\r]| {2}/);
  });

  it('id: passes identifiers and refuses free text', () => {
    expect(identifier('@alice/my-module')).toBe('@alice/my-module');
    expect(identifier('tee,tdx')).toBe('tee,tdx');
    expect(() => identifier('a b')).toThrow(/refuses/);
    expect(() => identifier('$(x)')).toThrow(/refuses/);
  });

  it('every helper refuses undefined, so a misspelt variable fails the render', () => {
    for (const helper of [jsonLiteral, shellWord, oneLine, identifier]) expect(() => helper(undefined)).toThrow(/undefined/);
  });
});
