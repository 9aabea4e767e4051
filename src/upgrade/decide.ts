import { mergeJson } from './json-merge.js';
import { mergeMarkdown } from './markdown-merge.js';
import { hasConflict, type MergeLabels, type Merged, mergeText, normalizeEol, usesCrlf } from './merge.js';
import type { Replacement } from './migrations.js';

/**
 * What an upgrade does to one file:
 * - unchanged: the module already has the generator's new text (nothing to do);
 * - update: only the generator changed it; yours: only the owner did, so it stays as it is; merge:
 *   both did, merged cleanly; conflict: both did, on the same lines;
 * - add: a new generated file; delete: no longer generated and the owner never changed it;
 *   orphaned: no longer generated but the owner changed it, so it stays theirs; kept: no longer
 *   generated and unchanged, but a file that stays imports it;
 * - skipped: the owner deleted it, and it stays deleted;
 * - moved: a migration moved it, the owner's copy leaves this path for the new one;
 * - unresolved: both changed it, but it still holds conflict markers of an earlier upgrade.
 */
export type Action =
  | 'unchanged'
  | 'update'
  | 'yours'
  | 'merge'
  | 'conflict'
  | 'add'
  | 'delete'
  | 'orphaned'
  | 'kept'
  | 'skipped'
  | 'moved'
  | 'unresolved';

export interface FileDecision {
  path: string;
  action: Action;
  /** The text on disk before the upgrade; undefined when there is no file. */
  before: string | undefined;
  /** The text after the upgrade; undefined when the file is gone. */
  after: string | undefined;
  /** Places where the owner has to choose (conflict only). */
  conflicts?: number;
  /** The other end of a move. */
  movedFrom?: string;
  movedTo?: string;
  /** The file that stays and imports this one (kept only). */
  importedBy?: string;
}

/** The three versions of every file, as decideFiles reads them. */
export interface FileVersions {
  /** Pristine text of the previous generation, under the newer generator's paths. */
  base: Record<string, string>;
  /** What the newer generator renders with the resolved answers. */
  theirs: Record<string, string>;
  /** The module as it is: path -> text, undefined when absent. */
  disk: (path: string) => string | undefined;
  /** Files a migration moved: new path -> path in the module. */
  moves: Record<string, string>;
  /** What replaces each file a migration stopped generating, and the others it imports. */
  replaced?: Record<string, Replacement>;
  labels: MergeLabels;
}

/** The labels every upgrade writes, so a later one can tell that a conflict is still open. */
export const CONFLICT_LABEL_OURS = 'yours';
export const CONFLICT_LABEL_THEIRS_PREFIX = 'create-iexec-module ';

const same = (a: string, b: string) => normalizeEol(a) === normalizeEol(b);

/** The generator's text with the owner's line endings, when they have a file to take them from. */
function inEolOf(owner: string | undefined, text: string): string {
  return owner !== undefined && usesCrlf(owner) && !usesCrlf(text) ? text.replaceAll('\n', '\r\n') : text;
}

/** JSON by key; Markdown by section unless a plain line merge leaves fewer conflicts; the rest by line. */
function merge(path: string, ours: string, base: string, theirs: string, labels: MergeLabels): Merged {
  if (path.endsWith('.json')) return mergeJson(ours, base, theirs, labels, path) ?? mergeText(ours, base, theirs, labels, path);
  const byLine = mergeText(ours, base, theirs, labels, path);
  if (!/\.(?:md|markdown)$/.test(path) || byLine.conflicts === 0) return byLine;
  const bySection = mergeMarkdown(ours, base, theirs, labels, path);
  return bySection.conflicts <= byLine.conflicts ? bySection : byLine;
}

function decide(
  path: string,
  ours: string | undefined,
  base: string | undefined,
  theirs: string | undefined,
  labels: MergeLabels,
): Pick<FileDecision, 'action' | 'after' | 'conflicts'> {
  if (theirs === undefined) {
    if (ours === undefined) return { action: 'unchanged', after: undefined };
    return base !== undefined && same(ours, base) ? { action: 'delete', after: undefined } : { action: 'orphaned', after: ours };
  }
  if (ours === undefined) return base === undefined ? { action: 'add', after: theirs } : { action: 'skipped', after: undefined };
  // Checked first: a file only the owner changed since is "yours" too, and an open conflict in it
  // must not pass for an up-to-date module.
  if (hasConflict(ours, { ours: labels.ours, theirsPrefix: CONFLICT_LABEL_THEIRS_PREFIX })) return { action: 'unresolved', after: ours };
  if (same(ours, theirs)) return { action: 'unchanged', after: ours };
  if (base !== undefined && same(ours, base)) return { action: 'update', after: inEolOf(ours, theirs) };
  if (base !== undefined && same(theirs, base)) return { action: 'yours', after: ours };
  // No base: the owner has a file of their own where the generator now writes one. Merging against
  // an empty base keeps both, side by side in one conflict.
  const merged = merge(path, ours, base ?? '', theirs, labels);
  return merged.conflicts > 0
    ? { action: 'conflict', after: merged.text, conflicts: merged.conflicts }
    : { action: 'merge', after: merged.text };
}

/**
 * A dropped file that stays (the owner changed it) would break on its first run, and fail the
 * module's type-check, without the dropped files it imports: they stay with it, and with theirs.
 */
function keepImported(decisions: FileDecision[], replaced: Record<string, Replacement>): void {
  const byPath = new Map(decisions.map((d) => [d.path, d]));
  const staying = decisions.filter((d) => d.action === 'orphaned');
  for (const importer of staying) {
    for (const path of replaced[importer.path]?.imports ?? []) {
      const imported = byPath.get(path);
      if (imported?.action !== 'delete') continue;
      Object.assign(imported, { action: 'kept', after: imported.before, importedBy: importer.path });
      staying.push(imported);
    }
  }
}

/**
 * Decides every generated file of the previous and the new generation, from the three versions of
 * each: the pristine base, the owner's copy, the generator's new text. Pure: nothing is written.
 */
export function decideFiles({ base, theirs, disk, moves, replaced = {}, labels }: FileVersions): FileDecision[] {
  const paths = [...new Set([...Object.keys(base), ...Object.keys(theirs)])].sort();
  const decisions: FileDecision[] = [];
  for (const path of paths) {
    const here = disk(path);
    const origin = moves[path];
    // The owner's copy still sits at the old path: it moves here, edits and all.
    const movedFrom = origin !== undefined && here === undefined && disk(origin) !== undefined ? origin : undefined;
    const ours = movedFrom !== undefined ? disk(movedFrom) : here;
    decisions.push({ path, before: here, ...decide(path, ours, base[path], theirs[path], labels), ...(movedFrom ? { movedFrom } : {}) });
    if (movedFrom !== undefined) decisions.push({ path: movedFrom, action: 'moved', before: ours, after: undefined, movedTo: path });
  }
  keepImported(decisions, replaced);
  return decisions;
}
