import { describe, expect, it } from 'vitest';
import { CommandLineException, isBlank, splitArgs, translateCommandline, workerArgs } from '../src/worker/args.js';

// The worker's rules for iexec_args, which are not a shell's (src/worker/args.ts says where they come
// from; test/fidelity in the repository root holds them against the real Java classes).
describe('iexec_args, split as the worker splits them', () => {
  it.each([
    ['spaces separate words, however many', ' Alice   Bob ', ['Alice', 'Bob']],
    ['quotes group words', `"Ada Lovelace" 'Grace Hopper'`, ['Ada Lovelace', 'Grace Hopper']],
    ['a quote inside a word only groups', `--name="Ada Lovelace"`, ['--name=Ada Lovelace']],
    ['a tab does not separate', 'Alice\tBob', ['Alice\tBob']],
    ['an escaped quote keeps its backslash', String.raw`it\'s \"x\"`, [String.raw`it\'s`, String.raw`\"x\"`]],
    ['a backslash escapes nothing but a quote', String.raw`C:\dir a\ b`, [String.raw`C:\dir`, 'a\\', 'b']],
    ['a backslash before spaces still escapes the next quote', String.raw`\ "x`, ['\\', '"x']],
    ['empty quotes are no word', `Alice '' ""`, ['Alice']],
    ['quotes of spaces are a word', `Alice " "`, ['Alice', ' ']],
    ['nothing is expanded', '$HOME *.txt ~', ['$HOME', '*.txt', '~']],
    ['empty args are no args', '', []],
  ])('%s: %j', (_rule, text, argv) => {
    expect(translateCommandline(text)).toEqual(argv);
    expect(splitArgs(text)).toEqual(argv);
  });

  it('gives the app no args at all for blank args, even a tab, as Java sees blank', () => {
    expect(translateCommandline('\t')).toEqual(['\t']);
    expect(workerArgs('\t')).toEqual({ argv: [] });
    expect(isBlank(' \u3000\u2028')).toBe(true);
    // No-break spaces and U+FEFF are not Java whitespace, though JavaScript's \s has them.
    expect(isBlank('\u00a0')).toBe(false);
    expect(workerArgs('\ufeff')).toEqual({ argv: ['\ufeff'] });
    expect(workerArgs(null)).toEqual({ argv: [] });
  });

  it('gives the app no args at all for unbalanced quotes, and says why', () => {
    expect(() => translateCommandline(`Alice 'Bob`)).toThrow(CommandLineException);
    expect(() => translateCommandline(`Alice 'Bob`)).toThrow(`unbalanced quotes in Alice 'Bob`);
    const { argv, warning } = workerArgs(`Alice 'Bob`);
    expect(argv).toEqual([]);
    expect(warning).toMatch(/Failed to translate string args to array.*runs the app with no args/);
    expect(splitArgs(`Alice 'Bob`)).toEqual([]);
  });
});
