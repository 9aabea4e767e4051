import { describe, expect, it } from 'vitest';
import { diffSequences } from '../../src/upgrade/diff.js';
import { mergeText } from '../../src/upgrade/merge.js';

const LABELS = { ours: 'yours', theirs: 'create-iexec-module 9.9.9' };
const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');

describe('the patience diff', () => {
  it('finds the one change, and nothing where both sides are equal', () => {
    expect(diffSequences(['a', 'b', 'c'], ['a', 'B', 'c'])).toEqual([{ start: 1, end: 2, otherStart: 1, otherEnd: 2 }]);
    expect(diffSequences(['a'], ['a'])).toEqual([]);
    expect(diffSequences([], ['x'])).toEqual([{ start: 0, end: 0, otherStart: 0, otherEnd: 1 }]);
  });

  it('anchors on unique lines, not on the repeated lines around them', () => {
    // The LCS lines `})` and blank lines up with the deleted block; patience keeps "it('one'" in place.
    const a = ["it('one', () => {", '  x();', '});', '', "it('two', () => {", '  y();', '});'];
    const b = ["it('one', () => {", '  x();', '});'];
    expect(diffSequences(a, b)).toEqual([{ start: 3, end: 7, otherStart: 3, otherEnd: 3 }]);
  });

  it('falls back to the longest common subsequence where no line is unique', () => {
    expect(diffSequences(['x', 'y', 'x', 'y'], ['x', 'x', 'y'])).toEqual([{ start: 1, end: 2, otherStart: 1, otherEnd: 1 }]);
  });
});

it('merges a test appended after a block the generator deleted, as git merge-file does', () => {
  const base = lines("it('one', () => {", '  x();', '});', '', "it('two', () => {", '  y();', '});');
  const theirs = lines("it('one', () => {", '  x();', '});');
  const ours = `${base}\nit('mine', () => {\n  z();\n});\n`;
  expect(mergeText(ours, base, theirs, LABELS, 't.test.ts')).toEqual({
    text: `${theirs}\nit('mine', () => {\n  z();\n});\n`,
    conflicts: 0,
  });
});
