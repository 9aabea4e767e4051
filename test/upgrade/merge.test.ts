import { describe, expect, it } from 'vitest';
import { hasConflict, mergeText, splitLines } from '../../src/upgrade/merge.js';

const LABELS = { ours: 'yours', theirs: 'create-iexec-module 9.9.9' };
const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');

describe('three-way text merge', () => {
  const base = lines('a', 'b', 'c', 'd', 'e', 'f', 'g');

  it('takes changes from both sides when they are apart', () => {
    const ours = lines('a', 'B (mine)', 'c', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'b', 'c', 'd', 'e', 'F (generator)', 'g');
    expect(mergeText(ours, base, theirs, LABELS)).toEqual({ text: lines('a', 'B (mine)', 'c', 'd', 'e', 'F (generator)', 'g'), conflicts: 0 });
  });

  it('marks a conflict with both versions where both changed the same lines', () => {
    const ours = lines('a', 'b', 'C (mine)', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'b', 'C (generator)', 'd', 'e', 'f', 'g');
    const { text, conflicts } = mergeText(ours, base, theirs, LABELS);
    expect(conflicts).toBe(1);
    expect(text).toBe(lines('a', 'b', '<<<<<<< yours', 'C (mine)', '=======', 'C (generator)', '>>>>>>> create-iexec-module 9.9.9', 'd', 'e', 'f', 'g'));
    expect(hasConflict(text, { ours: 'yours', theirsPrefix: 'create-iexec-module ' })).toBe(true);
  });

  it('does not call the same change on both sides a conflict', () => {
    const both = lines('a', 'b', 'c', 'D', 'e', 'f', 'g');
    expect(mergeText(both, base, both, LABELS)).toEqual({ text: both, conflicts: 0 });
  });

  it('keeps a missing final newline, and closes it before a marker', () => {
    expect(splitLines('x\ny')).toEqual(['x\n', 'y']);
    const { text } = mergeText('a\nmine', 'a\nb', 'a\ntheirs', LABELS);
    expect(text).toBe('a\n<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> create-iexec-module 9.9.9\n');
  });

  it("merges a Windows checkout without calling every line changed, and keeps its CRLF", () => {
    const ours = lines('a', 'B (mine)', 'c', 'd', 'e', 'f', 'g').replaceAll('\n', '\r\n');
    const theirs = lines('a', 'b', 'c', 'd', 'e', 'F', 'g');
    expect(mergeText(ours, base, theirs, LABELS)).toEqual({ text: lines('a', 'B (mine)', 'c', 'd', 'e', 'F', 'g').replaceAll('\n', '\r\n'), conflicts: 0 });
  });

  it('does not take a Markdown heading underline for an open conflict', () => {
    expect(hasConflict('Title\n=======\n', { ours: 'yours', theirsPrefix: 'create-iexec-module ' })).toBe(false);
  });
});
