import { type PackageManager, scriptLine } from '../package-manager.js';
import { paint } from '../progress.js';
import type { Action, FileDecision } from './decide.js';
import type { Replacement } from './migrations.js';

/** Why a file gets its action; `by` names what replaced it, when a migration says. */
const WHY: Record<Exclude<Action, 'unchanged'>, (decision: FileDecision, by: string | undefined) => string> = {
  update: () => 'only the generator changed it',
  yours: () => 'only you changed it: it stays as it is',
  merge: () => 'you and the generator changed it: merged',
  conflict: (c) => `you and the generator changed the same lines: ${c.conflicts} conflict${c.conflicts === 1 ? '' : 's'} to resolve`,
  add: () => 'new in this generator',
  delete: (_, by) => `no longer generated, and you had not changed it${by ? `: ${by} replaces it` : ''}`,
  // Nothing runs the owner's copy any more: without the name of its replacement they would keep
  // editing it, and wonder why their change no longer shows.
  orphaned: (_, by) =>
    by
      ? `no longer generated, but you changed it: it stays yours and nothing runs it; ${by} replaces it, so delete it once your changes are carried over`
      : 'no longer generated, but you changed it: it stays (delete it if you do not need it)',
  kept: (c) =>
    `no longer generated, and you had not changed it, but ${c.importedBy} stays and imports it: it stays too, until you delete that one`,
  skipped: () => 'you deleted it: not brought back',
  moved: (c) => `moved to ${c.movedTo}, with your changes`,
  unresolved: () => 'still holds the conflict markers of an earlier upgrade: resolve them first',
};

const COLOUR: Partial<Record<Action, (text: string) => string>> = {
  conflict: paint.bad,
  unresolved: paint.bad,
  orphaned: paint.warn,
  kept: paint.warn,
  skipped: paint.warn,
};

/** What the report needs beside the decisions: the replacements the migrations name, run the module's way. */
export interface ReportContext {
  replaced: Record<string, Replacement>;
  packageManager: PackageManager;
}

function replacedBy({ script, runs }: Replacement, pm: PackageManager): string {
  return `\`${scriptLine(pm, script.name, script.args)}\` (${runs})`;
}

/** One line per file the upgrade acts on or has something to say about; unchanged files are counted. */
export function reportLines(decisions: FileDecision[], context: ReportContext): string[] {
  const shown = decisions.filter((c) => c.action !== 'unchanged');
  const width = Math.max(0, ...shown.map((c) => c.path.length)) + 2;
  const lines = shown.map((c) => {
    const paintIt = COLOUR[c.action] ?? ((t: string) => t);
    const from = c.movedFrom ? ` (from ${c.movedFrom})` : '';
    const replacement = context.replaced[c.path];
    const why = WHY[c.action as Exclude<Action, 'unchanged'>](c, replacement && replacedBy(replacement, context.packageManager));
    return `  ${paintIt(c.action.padEnd(10))} ${c.path.padEnd(width)}${paint.dim(why + from)}`;
  });
  const unchanged = decisions.filter((c) => c.action === 'unchanged' && c.after !== undefined).length;
  if (unchanged > 0) lines.push(paint.dim(`  ${unchanged} file${unchanged === 1 ? '' : 's'} already up to date`));
  return lines;
}
