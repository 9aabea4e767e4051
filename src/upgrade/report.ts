import { paint } from '../progress.js';
import type { Action, FileDecision } from './decide.js';

const WHY: Record<Exclude<Action, 'unchanged'>, (decision: FileDecision) => string> = {
  update: () => 'only the generator changed it',
  yours: () => 'only you changed it: it stays as it is',
  merge: () => 'you and the generator changed it: merged',
  conflict: (c) => `you and the generator changed the same lines: ${c.conflicts} conflict${c.conflicts === 1 ? '' : 's'} to resolve`,
  add: () => 'new in this generator',
  delete: () => 'no longer generated, and you had not changed it',
  orphaned: () => 'no longer generated, but you changed it: it stays (delete it if you do not need it)',
  skipped: () => 'you deleted it: not brought back',
  moved: (c) => `moved to ${c.movedTo}, with your changes`,
  unresolved: () => 'still holds the conflict markers of an earlier upgrade: resolve them first',
};

const COLOUR: Partial<Record<Action, (text: string) => string>> = {
  conflict: paint.bad,
  unresolved: paint.bad,
  orphaned: paint.warn,
  skipped: paint.warn,
};

/** One line per file the upgrade acts on or has something to say about; unchanged files are counted. */
export function reportLines(decisions: FileDecision[]): string[] {
  const shown = decisions.filter((c) => c.action !== 'unchanged');
  const width = Math.max(0, ...shown.map((c) => c.path.length)) + 2;
  const lines = shown.map((c) => {
    const paintIt = COLOUR[c.action] ?? ((t: string) => t);
    const from = c.movedFrom ? ` (from ${c.movedFrom})` : '';
    return `  ${paintIt(c.action.padEnd(10))} ${c.path.padEnd(width)}${paint.dim(WHY[c.action as Exclude<Action, 'unchanged'>](c) + from)}`;
  });
  const unchanged = decisions.filter((c) => c.action === 'unchanged' && c.after !== undefined).length;
  if (unchanged > 0) lines.push(paint.dim(`  ${unchanged} file${unchanged === 1 ? '' : 's'} already up to date`));
  return lines;
}
