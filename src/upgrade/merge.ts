import { diff3Merge } from 'node-diff3';

/** What a three-way merge produced: the text, and how many places need the owner's decision. */
export interface Merged {
  text: string;
  conflicts: number;
}

export interface MergeLabels {
  /** Names the owner's side of a conflict (`<<<<<<< yours`). */
  ours: string;
  /** Names the generator's side (`>>>>>>> create-iexec-module 0.2.0`). */
  theirs: string;
}

/** Git's marker width: editors and `git diff --check` recognise exactly these. */
const MARK = 7;

/**
 * Lines with their terminators: a missing final newline stays a difference of its own instead of
 * being merged away, and joining the lines gives back the exact text.
 */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function usesCrlf(text: string): boolean {
  return text.includes('\r\n');
}

/** Compares and merges texts whatever their line endings: a Windows checkout is not an edit. */
export function normalizeEol(text: string): string {
  return text.replaceAll('\r\n', '\n');
}

function block(lines: string[]): string {
  const text = lines.join('');
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * Merges the generator's change (base -> theirs) into the owner's file (base -> ours), line by line
 * with diff3. Where both changed the same or adjacent lines, both versions are kept between standard
 * conflict markers, so nothing the owner wrote is lost. Identical changes on both sides are not a
 * conflict. The result keeps the owner's line endings.
 */
export function mergeText(ours: string, base: string, theirs: string, labels: MergeLabels): Merged {
  const [a, o, b] = [ours, base, theirs].map((t) => splitLines(normalizeEol(t))) as [string[], string[], string[]];
  let text = '';
  let conflicts = 0;
  for (const region of diff3Merge(a, o, b, { excludeFalseConflicts: true })) {
    if (region.ok) {
      text += region.ok.join('');
      continue;
    }
    const { a: mine, b: generated } = region.conflict!;
    conflicts++;
    text +=
      `${'<'.repeat(MARK)} ${labels.ours}\n${block(mine)}` +
      `${'='.repeat(MARK)}\n${block(generated)}` +
      `${'>'.repeat(MARK)} ${labels.theirs}\n`;
  }
  return { text: usesCrlf(ours) ? text.replaceAll('\n', '\r\n') : text, conflicts };
}

/**
 * Whether a file still holds a conflict an upgrade wrote with these labels. Only the labelled
 * opening and closing lines count: a bare `=======` is also a Markdown heading underline.
 */
export function hasConflict(text: string, labels: { ours: string; theirsPrefix: string }): boolean {
  const lines = normalizeEol(text).split('\n');
  return (
    lines.includes(`${'<'.repeat(MARK)} ${labels.ours}`) &&
    lines.some((line) => line.startsWith(`${'>'.repeat(MARK)} ${labels.theirsPrefix}`))
  );
}
