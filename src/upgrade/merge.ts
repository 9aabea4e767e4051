import { diffSequences, type Hunk } from './diff.js';
import { type Formatting, formattingOf, indentationMap, reindent } from './formatting.js';
import { type Change, changesOf, type Cluster, clusters, positionsIn, sideOf } from './three-way.js';

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

export function usesCrlf(text: string): boolean {
  return text.includes('\r\n');
}

/** Compares and merges texts whatever their line endings: a Windows checkout is not an edit. */
export function normalizeEol(text: string): string {
  return text.replaceAll('\r\n', '\n');
}

/** A text as the merge sees it: its lines without terminators, and whether it ends with one. */
export interface Text {
  lines: string[];
  finalNewline: boolean;
}

export function parseText(text: string): Text {
  const lines = normalizeEol(text).split('\n');
  const finalNewline = lines[lines.length - 1] === '';
  if (finalNewline) lines.pop();
  return { lines, finalNewline: finalNewline || lines.length === 0 };
}

function conflictBlock(ours: readonly string[], theirs: readonly string[], labels: MergeLabels): string[] {
  return [`${'<'.repeat(MARK)} ${labels.ours}`, ...ours, '='.repeat(MARK), ...theirs, `${'>'.repeat(MARK)} ${labels.theirs}`];
}

/**
 * Two insertions at one place of a non-empty base that share no line of content: both stay, the
 * generator's first. (Into an empty base, two whole files would be pasted one after the other.)
 */
function separateInsertions(cluster: Cluster<string>, formatting: Formatting): boolean {
  const [ours, theirs] = [cluster.ours, cluster.theirs];
  if (ours.length !== 1 || theirs.length !== 1 || ours[0]!.start !== ours[0]!.end || theirs[0]!.start !== theirs[0]!.end) return false;
  const mine = new Set(ours[0]!.items.map(formatting.key).filter(Boolean));
  return !theirs[0]!.items.some((line) => mine.has(formatting.key(line)));
}

/** Both sides' lines of a conflict, without the lines they share at either end (git's "zealous" merge). */
function trimShared(ours: string[], theirs: string[], same: (a: string, b: string) => boolean) {
  let head = 0;
  while (head < ours.length && head < theirs.length && same(ours[head]!, theirs[head]!)) head++;
  let tail = 0;
  while (tail < ours.length - head && tail < theirs.length - head && same(ours[ours.length - 1 - tail]!, theirs[theirs.length - 1 - tail]!))
    tail++;
  return {
    head: ours.slice(0, head),
    ours: ours.slice(head, ours.length - tail),
    theirs: theirs.slice(head, theirs.length - tail),
    tail: ours.slice(ours.length - tail),
  };
}

/**
 * Merges the generator's change (base -> theirs) into the owner's file (base -> ours), line by line,
 * the way a careful maintainer would:
 * - lines are aligned on unique lines first (patience diff), so repeated lines such as `});` do not
 *   pull an appended test onto a block the generator deleted;
 * - the owner's lines are compared without their formatting (indentation, and for code the quotes,
 *   semicolons, trailing commas and wrapping prettier changes): a re-formatted file merges, keeps the
 *   owner's formatting where the generator changed nothing, and gets the generator's new lines in
 *   the owner's indentation;
 * - lines inserted right before or after lines the other side changed are no conflict, nor are two
 *   insertions at one place that share no line (the generator's come first);
 * - only where both changed the same lines are both versions kept, between standard conflict markers.
 * The result keeps the owner's line endings and, unless the generator changed it, their final newline.
 */
export function mergeText(ours: string, base: string, theirs: string, labels: MergeLabels, path = ''): Merged {
  const formatting = formattingOf(path);
  const [o, b, t] = [parseText(ours), parseText(base), parseText(theirs)];
  const oursHunks = diffSequences(b.lines.map(formatting.key), o.lines.map(formatting.key));
  const theirsHunks = diffSequences(b.lines, t.lines);
  const formatOnly = (side: Text) => (h: Hunk) =>
    formatting.sameContent(b.lines.slice(h.start, h.end), side.lines.slice(h.otherStart, h.otherEnd));
  const oursAt = positionsIn(oursHunks, b.lines.length);
  const oursLine = (i: number) => o.lines[oursAt[i]!]!;
  const indentation = indentationMap(b.lines.flatMap((line, i): [string, string][] => (oursAt[i]! >= 0 ? [[line, oursLine(i)]] : [])));
  const inOwnersIndent = (lines: string[]) => lines.map((line) => reindent(line, indentation));

  const out: string[] = [];
  let conflicts = 0;
  let at = 0;
  for (const cluster of clusters(changesOf(oursHunks, o.lines, formatOnly(o)), changesOf(theirsHunks, t.lines, formatOnly(t)))) {
    for (; at < cluster.start; at++) out.push(oursLine(at));
    at = cluster.end;
    const mine = sideOf(cluster.ours, cluster.start, cluster.end, oursLine);
    const generated = sideOf(cluster.theirs, cluster.start, cluster.end, (i) => b.lines[i]!);
    // A side's changes only reformat when each does, or when all of them together do (a diff may
    // cut one rewrapped statement into pieces that only add up as a whole).
    const reformats = (changes: Change<string>[], side: string[]) =>
      changes.every((c) => c.formatOnly) || formatting.sameContent(b.lines.slice(cluster.start, cluster.end), side);
    if (cluster.theirs.length === 0) out.push(...mine);
    else if (cluster.ours.length === 0 || reformats(cluster.ours, mine)) out.push(...inOwnersIndent(generated));
    else if (reformats(cluster.theirs, generated)) out.push(...mine);
    else if (mine.length === generated.length && mine.every((line, k) => formatting.key(line) === formatting.key(generated[k]!)))
      out.push(...mine);
    else if (b.lines.length > 0 && separateInsertions(cluster, formatting)) out.push(...inOwnersIndent(generated), ...mine);
    else {
      const split = trimShared(mine, generated, (x, y) => formatting.key(x) === formatting.key(y));
      out.push(...split.head, ...conflictBlock(split.ours, split.theirs, labels), ...split.tail);
      conflicts++;
    }
  }
  for (; at < b.lines.length; at++) out.push(oursLine(at));
  return { text: joinText(out, [o, b, t], usesCrlf(ours)), conflicts };
}

/**
 * Merged lines as text: the owner's final newline unless only the generator changed it (always one
 * after a conflict marker), and the owner's line endings.
 */
export function joinText(lines: string[], [o, b, t]: [Text, Text, Text], crlf: boolean): string {
  const finalNewline =
    (o.finalNewline !== b.finalNewline ? o.finalNewline : t.finalNewline) || lines[lines.length - 1]?.startsWith('>'.repeat(MARK)) === true;
  const text = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '');
  return crlf ? text.replaceAll('\n', '\r\n') : text;
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
