import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFLICT_LABEL_OURS, decideFiles } from '../../../src/upgrade/decide.js';
import { diffSequences } from '../../../src/upgrade/diff.js';
import { formattingOf } from '../../../src/upgrade/formatting.js';
import { normalizeEol } from '../../../src/upgrade/merge.js';
import type { Replacement } from '../../../src/upgrade/migrations.js';

/*
 * How an upgrade treats the owner's edits, file by file, measured the same way for `upgrade` and for
 * plain `git merge-file` on the same three versions (with git's own rules where a file is missing on
 * one side: a file deleted on one side and changed on the other is a modify/delete conflict).
 */

/** One upgrade of one module, before the owner's edits. */
export interface Upgrade {
  label: string;
  base: Record<string, string>;
  theirs: Record<string, string>;
  moves: Record<string, string>;
  replaced: Record<string, Replacement>;
  /** The module's files as the last generation left them. */
  files: Record<string, string>;
}

export interface Outcome {
  /** Places to resolve by hand: conflict blocks, and files deleted on one side but changed on the other. */
  conflicts: number;
  /** Lines the owner wrote (not formatting) that the result no longer has. */
  ownerLost: number;
  /** Lines new in the generator's text that the result does not have (files the owner deleted aside). */
  generatorLost: number;
}

const LABELS = { ours: CONFLICT_LABEL_OURS, theirs: 'create-iexec-module next' };

const lines = (text: string) => normalizeEol(text).split('\n');

/** How many hunks in a row may together be one reformatted statement a diff cut into pieces. */
const PIECES = 8;

/**
 * The lines one side wrote: those of its changes to the base, compared without formatting, less the
 * changes that only reformat (re-indent, rewrap, requote), alone or with the next few: those carry
 * nothing to lose.
 */
function written(path: string, base: string | undefined, side: string | undefined): string[] {
  if (side === undefined) return [];
  const { key, sameContent } = formattingOf(path);
  const [b, s] = [lines(base ?? ''), lines(side)];
  const hunks = diffSequences(b.map(key), s.map(key));
  const result: string[] = [];
  for (let i = 0; i < hunks.length; i++) {
    const first = hunks[i]!;
    const reformat = hunks
      .slice(i, i + PIECES)
      .findIndex((last) => sameContent(b.slice(first.start, last.end), s.slice(first.otherStart, last.otherEnd)));
    if (reformat >= 0) {
      i += reformat;
      continue;
    }
    const kept = b.slice(first.start, first.end).map(key);
    for (const line of s.slice(first.otherStart, first.otherEnd).map(key)) {
      const at = kept.indexOf(line);
      if (at >= 0) kept.splice(at, 1);
      else if (line !== '') result.push(line);
    }
  }
  return result;
}

/** How many of these lines the result lacks, compared without formatting. */
function missing(path: string, wanted: string[], result: string | undefined): number {
  if (result === undefined) return wanted.length;
  const { key } = formattingOf(path);
  const present = new Map<string, number>();
  for (const line of lines(result).map(key)) present.set(line, (present.get(line) ?? 0) + 1);
  let lost = 0;
  for (const line of wanted) {
    const count = present.get(line) ?? 0;
    if (count === 0) lost++;
    else present.set(line, count - 1);
  }
  return lost;
}

/** What one side wrote and the result lacks; nothing when the result is that side's text. */
function lost(path: string, base: string | undefined, side: string | undefined, result: string | undefined): number {
  if (side === undefined || side === result || side === base) return 0;
  return missing(path, written(path, base, side), result);
}

function measure(
  path: string,
  base: string | undefined,
  ours: string | undefined,
  theirs: string | undefined,
  result: string | undefined,
  conflicts: number,
): Outcome {
  return { conflicts, ownerLost: lost(path, base, ours, result), generatorLost: ours === undefined ? 0 : lost(path, base, theirs, result) };
}

const add = (a: Outcome, b: Outcome): Outcome => ({
  conflicts: a.conflicts + b.conflicts,
  ownerLost: a.ownerLost + b.ownerLost,
  generatorLost: a.generatorLost + b.generatorLost,
});
const NONE: Outcome = { conflicts: 0, ownerLost: 0, generatorLost: 0 };

/** What `upgrade` decides for every file, measured. */
export function measureUpgrade(upgrade: Upgrade, disk: Map<string, string>): Outcome {
  const decisions = decideFiles({
    base: upgrade.base,
    theirs: upgrade.theirs,
    disk: (p) => disk.get(p),
    moves: upgrade.moves,
    replaced: upgrade.replaced,
    labels: LABELS,
  });
  let total = NONE;
  for (const d of decisions) {
    if (d.action === 'moved') continue;
    const ours = disk.get(d.movedFrom ?? d.path);
    total = add(total, measure(d.path, upgrade.base[d.path], ours, upgrade.theirs[d.path], d.after, d.conflicts ?? 0));
  }
  return total;
}

let scratch: string | undefined;

/** `git merge-file -p` on the three texts, as they are: its text and its count of conflicts. */
function gitMergeFile(ours: string, base: string, theirs: string): { text: string; conflicts: number } {
  const work = (scratch ??= mkdtempSync(join(tmpdir(), 'cim-corpus-')));
  const [o, b, t] = ['ours', 'base', 'theirs'].map((name) => join(work, name)) as [string, string, string];
  writeFileSync(o, ours);
  writeFileSync(b, base);
  writeFileSync(t, theirs);
  const run = spawnSync('git', ['merge-file', '-p', '-L', LABELS.ours, '-L', 'base', '-L', LABELS.theirs, o, b, t], { encoding: 'utf8' });
  if (run.status === null || run.status < 0 || run.status > 127) throw new Error(`git merge-file failed: ${run.stderr}`);
  return { text: run.stdout, conflicts: run.stdout.split('\n').filter((line) => line.startsWith('<<<<<<< ')).length };
}

/** The same upgrade done with `git merge-file` and git's rules for files missing on one side. */
export function measureGit(upgrade: Upgrade, disk: Map<string, string>): Outcome {
  let total = NONE;
  for (const path of new Set([...Object.keys(upgrade.base), ...Object.keys(upgrade.theirs)])) {
    const [base, ours, theirs] = [upgrade.base[path], disk.get(upgrade.moves[path] ?? path), upgrade.theirs[path]];
    let result: string | undefined;
    let conflicts = 0;
    if (ours === base) result = theirs;
    else if (theirs === base) result = ours;
    else if (ours === undefined || theirs === undefined) {
      // modify/delete: git leaves the changed side's file and a conflict to resolve.
      result = ours ?? theirs;
      conflicts = 1;
    } else ({ text: result, conflicts } = gitMergeFile(ours, base ?? '', theirs));
    total = add(total, measure(path, base, ours, theirs, result, conflicts));
  }
  return total;
}

/** Removes the scratch folder of git merge-file's inputs. */
export function cleanUp(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}
