import { describe, expect, it } from 'vitest';
import { CONFLICT_LABEL_OURS, decideFiles, type FileDecision } from '../../src/upgrade/decide.js';
import type { Replacement } from '../../src/upgrade/migrations.js';

const LABELS = { ours: CONFLICT_LABEL_OURS, theirs: 'create-iexec-module 9.9.9' };

function plan(
  base: Record<string, string>,
  theirs: Record<string, string>,
  disk: Record<string, string>,
  moves: Record<string, string> = {},
  replaced: Record<string, Replacement> = {},
) {
  const changes = decideFiles({ base, theirs, disk: (p) => disk[p], moves, replaced, labels: LABELS });
  return Object.fromEntries(changes.map((c) => [c.path, c])) as Record<string, FileDecision>;
}

describe('the decision, file by file', () => {
  it('takes a CRLF copy of the base for untouched, and updates it keeping CRLF', () => {
    const { f } = plan({ f: 'a\nb\n' }, { f: 'a\nB\n' }, { f: 'a\r\nb\r\n' });
    expect(f).toMatchObject({ action: 'update', after: 'a\r\nB\r\n' });
  });

  it('calls a file that already has the new text unchanged, whatever the base', () => {
    const changes = decideFiles({ base: { f: 'old\n' }, theirs: { f: 'new\n' }, disk: () => 'new\n', moves: {}, labels: LABELS });
    expect(changes).toEqual([{ path: 'f', action: 'unchanged', before: 'new\n', after: 'new\n' }]);
  });

  it('keeps both, in a conflict, when a new template lands on a file of the owner', () => {
    const { f } = plan({}, { f: 'generated\n' }, { f: 'mine\n' });
    expect(f!.action).toBe('conflict');
    expect(f!.after).toContain('mine\n');
    expect(f!.after).toContain('generated\n');
  });

  it('does not merge into a file that still holds markers of an earlier upgrade', () => {
    const open = '<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> create-iexec-module 0.1.0\n';
    const { f } = plan({ f: 'base\n' }, { f: 'newer\n' }, { f: open });
    expect(f).toMatchObject({ action: 'unresolved', after: open });
  });

  it('moves an edited file to its new path and leaves nothing at the old one', () => {
    const result = plan({ 'new/f': 'a\nb\nc\n' }, { 'new/f': 'a\nb\nC\n' }, { 'old/f': 'A\nb\nc\n' }, { 'new/f': 'old/f' });
    expect(result['new/f']).toMatchObject({ action: 'merge', before: undefined, after: 'A\nb\nC\n', movedFrom: 'old/f' });
    expect(result['old/f']).toMatchObject({ action: 'moved', after: undefined, movedTo: 'new/f' });
  });

  it('keeps the dropped files a dropped file the owner keeps imports, and theirs, but no others', () => {
    const dropped = { a: 'a\n', b: 'b\n', c: 'c\n', d: 'd\n' };
    const by = (imports: string[]): Replacement => ({ script: { name: 'x' }, runs: 'x', imports });
    const result = plan(dropped, {}, { ...dropped, a: 'a, changed\n' }, {}, { a: by(['b']), b: by(['c']), d: by(['a']) });
    expect(result['a']).toMatchObject({ action: 'orphaned', after: 'a, changed\n' });
    expect(result['b']).toMatchObject({ action: 'kept', after: 'b\n', importedBy: 'a' });
    expect(result['c']).toMatchObject({ action: 'kept', after: 'c\n', importedBy: 'b' });
    expect(result['d']).toMatchObject({ action: 'delete', after: undefined });
  });
});

it('keeps both, in a conflict, when a new Markdown template lands on a document of the owner', () => {
  const changes = decideFiles({
    base: {},
    theirs: { 'NOTES.md': '# Notes\n\n## Generated\ntext\n' },
    disk: () => '# Notes\n\n## Mine\nmine\n',
    moves: {},
    labels: LABELS,
  });
  expect(changes[0]).toMatchObject({ action: 'conflict' });
});
