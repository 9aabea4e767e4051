import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CommandLineException, splitArgs, translateCommandline, workerArgs } from '../scripts/args.mjs';

// The worker's rules for iexec_args, which are not a shell's (see scripts/args.mjs for where they come from).
describe('iexec_args, split as the worker splits them', () => {
  it.each([
    ['spaces separate words, however many', ' Alice   Bob ', ['Alice', 'Bob']],
    ['quotes group words', `"Ada Lovelace" 'Grace Hopper'`, ['Ada Lovelace', 'Grace Hopper']],
    ['a quote inside a word only groups', `--name="Ada Lovelace"`, ['--name=Ada Lovelace']],
    ['a tab does not separate', 'Alice\tBob', ['Alice\tBob']],
    ['an escaped quote keeps its backslash', String.raw`it\'s \"x\"`, [String.raw`it\'s`, String.raw`\"x\"`]],
    ['a backslash escapes nothing but a quote', String.raw`C:\dir a\ b`, [String.raw`C:\dir`, 'a\\', 'b']],
    ['empty quotes are no word', `Alice '' ""`, ['Alice']],
    ['quotes of spaces are a word', `Alice " "`, ['Alice', ' ']],
    ['nothing is expanded', '$HOME *.txt ~', ['$HOME', '*.txt', '~']],
    ['empty args are no args', '', []],
  ])('%s: %j', (_rule, text, argv) => {
    expect(translateCommandline(text)).toEqual(argv);
    expect(splitArgs(text)).toEqual(argv);
  });

  it('gives the app no args at all for blank args, even a tab', () => {
    expect(translateCommandline('\t')).toEqual(['\t']);
    expect(workerArgs('\t')).toEqual({ argv: [] });
  });

  it('gives the app no args at all for unbalanced quotes, and says why', () => {
    expect(() => translateCommandline(`Alice 'Bob`)).toThrow(CommandLineException);
    expect(() => translateCommandline(`Alice 'Bob`)).toThrow(`unbalanced quotes in Alice 'Bob`);
    const { argv, warning } = workerArgs(`Alice 'Bob`);
    expect(argv).toEqual([]);
    expect(warning).toMatch(/Failed to translate string args to array.*runs the app with no args/);
    expect(splitArgs(`Alice 'Bob`)).toEqual([]);
  });

  it('runs as a command that prints each arg NUL-terminated, and warns on what the worker drops', () => {
    const script = fileURLToPath(new URL('../scripts/args.mjs', import.meta.url));
    const words = spawnSync(process.execPath, [script, `Alice "Ada Lovelace"`], { encoding: 'utf8' });
    expect(words).toMatchObject({ status: 0, stdout: 'Alice\0Ada Lovelace\0', stderr: '' });
    const dropped = spawnSync(process.execPath, [script, `Alice "Bob`], { encoding: 'utf8' });
    expect(dropped).toMatchObject({ status: 0, stdout: '' });
    expect(dropped.stderr).toMatch(/^warning: .*no args\n$/);
  });
});
