import { describe, expect, it } from 'vitest';
import { hasConflict, mergeText } from '../../src/upgrade/merge.js';

const LABELS = { ours: 'yours', theirs: 'create-iexec-module 9.9.9' };
const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');

describe('three-way text merge', () => {
  const base = lines('a', 'b', 'c', 'd', 'e', 'f', 'g');

  it('takes changes from both sides when they are apart', () => {
    const ours = lines('a', 'B (mine)', 'c', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'b', 'c', 'd', 'e', 'F (generator)', 'g');
    expect(mergeText(ours, base, theirs, LABELS)).toEqual({
      text: lines('a', 'B (mine)', 'c', 'd', 'e', 'F (generator)', 'g'),
      conflicts: 0,
    });
  });

  it('marks a conflict with both versions where both changed the same lines', () => {
    const ours = lines('a', 'b', 'C (mine)', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'b', 'C (generator)', 'd', 'e', 'f', 'g');
    const { text, conflicts } = mergeText(ours, base, theirs, LABELS);
    expect(conflicts).toBe(1);
    expect(text).toBe(
      lines('a', 'b', '<<<<<<< yours', 'C (mine)', '=======', 'C (generator)', '>>>>>>> create-iexec-module 9.9.9', 'd', 'e', 'f', 'g'),
    );
    expect(hasConflict(text, { ours: 'yours', theirsPrefix: 'create-iexec-module ' })).toBe(true);
  });

  it('does not call the same change on both sides a conflict', () => {
    const both = lines('a', 'b', 'c', 'D', 'e', 'f', 'g');
    expect(mergeText(both, base, both, LABELS)).toEqual({ text: both, conflicts: 0 });
  });

  it('keeps a missing final newline, and closes it before a marker', () => {
    const { text } = mergeText('a\nmine', 'a\nb', 'a\ntheirs', LABELS);
    expect(text).toBe('a\n<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> create-iexec-module 9.9.9\n');
  });

  it('merges a Windows checkout without calling every line changed, and keeps its CRLF', () => {
    const ours = lines('a', 'B (mine)', 'c', 'd', 'e', 'f', 'g').replaceAll('\n', '\r\n');
    const theirs = lines('a', 'b', 'c', 'd', 'e', 'F', 'g');
    expect(mergeText(ours, base, theirs, LABELS)).toEqual({
      text: lines('a', 'B (mine)', 'c', 'd', 'e', 'F', 'g').replaceAll('\n', '\r\n'),
      conflicts: 0,
    });
  });

  it('does not take a Markdown heading underline for an open conflict', () => {
    expect(hasConflict('Title\n=======\n', { ours: 'yours', theirsPrefix: 'create-iexec-module ' })).toBe(false);
  });
});

describe('what a careful maintainer merges cleanly', () => {
  const base = lines('a', 'b', 'c', 'd', 'e');
  const theirs = lines('a', 'b', 'C (generator)', 'd', 'e');

  it("keeps lines added right after a line the generator changed, after the generator's", () => {
    expect(mergeText(lines('a', 'b', 'c', 'mine', 'd', 'e'), base, theirs, LABELS)).toEqual({
      text: lines('a', 'b', 'C (generator)', 'mine', 'd', 'e'),
      conflicts: 0,
    });
  });

  it('keeps lines added right before a line the generator changed, before it', () => {
    expect(mergeText(lines('a', 'b', 'mine', 'c', 'd', 'e'), base, theirs, LABELS)).toEqual({
      text: lines('a', 'b', 'mine', 'C (generator)', 'd', 'e'),
      conflicts: 0,
    });
  });

  it('appends after a last line the generator changed (a LABEL after ENTRYPOINT)', () => {
    const dockerfile = lines('FROM node:22', 'COPY app.cjs /app/', 'ENTRYPOINT ["node", "/app/app.cjs"]');
    const generated = lines('FROM node:22', 'COPY app.cjs /app/', 'ENTRYPOINT ["node", "--flag", "/app/app.cjs"]');
    const { text, conflicts } = mergeText(`${dockerfile}LABEL a=b\n`, dockerfile, generated, LABELS, 'Dockerfile');
    expect({ text, conflicts }).toEqual({ text: `${generated}LABEL a=b\n`, conflicts: 0 });
  });

  it("keeps both sides' additions at one place when they share no line, the generator's first", () => {
    expect(mergeText(`${base}mine\n`, base, `${base}generated\n`, LABELS)).toEqual({ text: `${base}generated\nmine\n`, conflicts: 0 });
  });

  it('keeps additions at one place that share a line as a conflict: two versions of one thing', () => {
    expect(mergeText(`${base}## Deploy\nmine\n`, base, `${base}## Deploy\ngenerated\n`, LABELS).conflicts).toBe(1);
  });

  it('calls lines added inside lines the generator rewrote a conflict, and keeps only the differing lines between markers', () => {
    const wide = lines('a', 'B', 'C', 'D', 'e');
    const { text, conflicts } = mergeText(lines('a', 'b', 'mine', 'c', 'd', 'e'), base, wide, LABELS);
    expect(conflicts).toBe(1);
    expect(text).toBe(
      lines('a', '<<<<<<< yours', 'b', 'mine', 'c', 'd', '=======', 'B', 'C', 'D', '>>>>>>> create-iexec-module 9.9.9', 'e'),
    );
  });

  it('merges a re-indented file, and writes the generator lines in its indentation', () => {
    const code = lines('function f() {', '  if (x) {', '    return 1;', '  }', '  return 2;', '}');
    const generated = lines('function f() {', '  if (x) {', '    return 1;', '  }', '  log();', '  return 2;', '}');
    const mine = code.replace(/^( +)/gm, (indent) => '\t'.repeat(indent.length / 2));
    expect(mergeText(mine, code, generated, LABELS, 'f.ts')).toEqual({
      text: lines('function f() {', '\tif (x) {', '\t\treturn 1;', '\t}', '\tlog();', '\treturn 2;', '}'),
      conflicts: 0,
    });
  });

  it('takes the generator change of a statement the owner only re-wrapped and re-quoted (prettier)', () => {
    const code = lines("const a = f('x', 'y');", 'const b = 2;');
    const generated = lines("const a = f('x', 'z');", 'const b = 2;');
    const mine = lines('const a = f(', '  "x",', '  "y",', ');', 'const b = 2;');
    expect(mergeText(mine, code, generated, LABELS, 'f.ts')).toEqual({ text: generated, conflicts: 0 });
  });

  it('still conflicts where the owner changed what a statement says', () => {
    const code = lines("const a = f('x', 'y');", 'const b = 2;');
    const generated = lines("const a = f('x', 'z');", 'const b = 2;');
    expect(mergeText(lines("const a = f('x', 'w');", 'const b = 2;'), code, generated, LABELS, 'f.ts').conflicts).toBe(1);
  });

  it('merges a file whose owner removed the final newline, and keeps it removed', () => {
    expect(mergeText(lines('a', 'b', 'c', 'd', 'e', 'mine').replace(/\n$/, ''), base, theirs, LABELS)).toEqual({
      text: lines('a', 'b', 'C (generator)', 'd', 'e', 'mine').replace(/\n$/, ''),
      conflicts: 0,
    });
  });

  it('merges a Windows checkout with an append next to a generator change, in CRLF', () => {
    const mine = lines('a', 'b', 'c', 'd', 'e', 'mine').replaceAll('\n', '\r\n');
    expect(mergeText(mine, base, lines('a', 'b', 'c', 'd', 'E'), LABELS)).toEqual({
      text: lines('a', 'b', 'c', 'd', 'E', 'mine').replaceAll('\n', '\r\n'),
      conflicts: 0,
    });
  });
});

it("applies the generator's own re-indentation where the owner changed nothing", () => {
  const code = lines('if (x) {', 'y();', '}', 'z();');
  const generated = lines('if (x) {', '  y();', '}', 'z();');
  expect(mergeText(lines('if (x) {', 'y();', '}', 'z();', 'mine();'), code, generated, LABELS, 'f.ts')).toEqual({
    text: `${generated}mine();\n`,
    conflicts: 0,
  });
});
