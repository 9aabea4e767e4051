import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vi } from 'vitest';
import { templatesDir } from '../../generators/templates.js';
import { parseInvocation } from '../../src/options.js';
import { generatorVersion } from '../../src/paths.js';
import { diffSequences } from '../../src/upgrade/diff.js';
import { writeEntry } from '../../src/upgrade/journal.js';
import { CURRENT_GENERATOR, upgrade, type UpgradeSetup } from '../../src/upgrade/upgrade.js';
import { tempDir } from './cli.js';
import { generate } from './module.js';

export const SCONE = ['--tee', 'scone', '--chain', 'bellecour'];
export const TDX = ['--tee', 'tdx', '--chain', 'arbitrum-sepolia-testnet'];

/** Lines with their terminators, so that joining them gives back the exact text. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The base lines a change from base to theirs touches, and the lines on either side of it. */
export function touchedLines(base: string, theirs: string): Set<number> {
  const touched = new Set<number>();
  for (const hunk of diffSequences(splitLines(base), splitLines(theirs))) {
    for (let i = hunk.start - 1; i <= hunk.end; i++) touched.add(i);
  }
  return touched;
}

/** A line index of base where an owner's insertion stays clear of the generator's changes. */
export function quietLine(base: string, theirs: string): number | undefined {
  const touched = touchedLines(base, theirs);
  const count = splitLines(base).length;
  for (let i = 1; i < count - 1; i++) if (![i - 1, i, i + 1].some((j) => touched.has(j))) return i;
  return undefined;
}

/** A base line the generator changes (not only inserts next to): an owner edit there conflicts. */
export function changedLine(base: string, theirs: string): number | undefined {
  return diffSequences(splitLines(base), splitLines(theirs)).find((h) => h.end > h.start && h.otherEnd > h.otherStart)?.start;
}

export function insertLine(text: string, after: number, line: string): string {
  const lines = splitLines(text);
  lines.splice(after + 1, 0, `${line}\n`);
  return lines.join('');
}

export function replaceLine(text: string, at: number, line: string): string {
  const lines = splitLines(text);
  lines[at] = `${line}\n`;
  return lines.join('');
}

/** The minor release after today's, whatever today's is. */
export const NEXT_VERSION = generatorVersion.replace(
  /^(\d+)\.(\d+)\..*$/,
  (_, major: string, minor: string) => `${major}.${Number(minor) + 1}.0`,
);
export const NEXT = {
  /** An existing template the next version appends a line to. */
  changed: 'src/iexec.ts',
  changedLine: '// A line the next generator version adds.',
  /** A new template. */
  added: 'scripts/lint.sh',
  /** A template the next version drops. */
  dropped: '.dockerignore',
  /** A template the next version moves (a migration), appending a line to it too. */
  movedFrom: 'tests/run.sh',
  movedTo: 'scripts/run.sh',
  movedLine: '# A line the next generator version adds to the moved script.',
  /** Where the next version and an owner both append a line: both stay, the generator's first. */
  appended: '.gitignore',
  appendedLine: 'next-generator-cache/',
  /** A line the next version rewrites, which an owner rewrites too: a conflict. */
  conflicted: 'vitest.config.ts',
  conflictedLine: "  test: { globalSetup: 'tests/global-setup.ts' },",
  conflictedNext: "  test: { globalSetup: 'tests/global-setup.ts', testTimeout: 60_000 },",
  /** A devDependency the next version adds to package.json. */
  devDependency: ['prettier', '^3.3.0'] as const,
};

async function editTemplate(dir: string, template: string, edit: (text: string) => string): Promise<void> {
  const path = join(dir, template);
  const before = await readFile(path, 'utf8');
  const after = edit(before);
  if (after === before)
    throw new Error(`the next-version fixture could not edit ${template}: its text changed, adapt test/helpers/upgrade.ts`);
  await writeFile(path, after);
}

/**
 * "The next generator version": a copy of today's templates changed the way a release would change
 * them, plus the migration for the file it moves. Built from whatever the templates hold today.
 */
export async function nextGenerator(): Promise<UpgradeSetup> {
  const dir = join(await tempDir('cim-next-'), 'module');
  await cp(templatesDir, dir, { recursive: true });
  await editTemplate(dir, `${NEXT.changed}.hbs`, (t) => `${t}${NEXT.changedLine}\n`);
  await writeFile(join(dir, `${NEXT.added}.hbs`), '#!/usr/bin/env bash\nset -euo pipefail\necho "lint: nothing to lint yet"\n');
  await rm(join(dir, `${NEXT.dropped}.hbs`));
  await rename(join(dir, `${NEXT.movedFrom}.hbs`), join(dir, `${NEXT.movedTo}.hbs`));
  await editTemplate(dir, `${NEXT.movedTo}.hbs`, (t) => `${t}${NEXT.movedLine}\n`);
  await editTemplate(dir, `${NEXT.appended}.hbs`, (t) => `${t}${NEXT.appendedLine}\n`);
  await editTemplate(dir, `${NEXT.conflicted}.hbs`, (t) => t.replace(`${NEXT.conflictedLine}\n`, `${NEXT.conflictedNext}\n`));
  const [name, range] = NEXT.devDependency;
  await editTemplate(dir, 'package.json.hbs', (t) =>
    t.replace('"devDependencies": {\n', `"devDependencies": {\n    "${name}": "${range}",\n`),
  );
  return {
    ...CURRENT_GENERATOR,
    templates: dir,
    kit: { spec: NEXT_VERSION },
    version: NEXT_VERSION,
    migrations: [
      { version: NEXT_VERSION, description: `${NEXT.movedFrom} moved to ${NEXT.movedTo}`, renames: { [NEXT.movedFrom]: NEXT.movedTo } },
    ],
  };
}

/** Runs `upgrade` in this process (so a test can hand it another generator), capturing what it prints. */
export async function upgradeHere(args: string[], setup: UpgradeSetup): Promise<{ output: string; error?: Error }> {
  let output = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  try {
    await upgrade(parseInvocation(['upgrade', ...args, '--no-interactive']), setup);
    return { output };
  } catch (error) {
    return { output, error: error as Error };
  } finally {
    spy.mockRestore();
  }
}

export const OWNER_LINE = '// the owner wrote this line';
/** The owner's own version of the line the next generator rewrites (NEXT.conflicted). */
export const OWNER_CONFLICTING = "  test: { globalSetup: 'tests/global-setup.ts', reporters: ['verbose'] },";

/** A module's file, as text. */
export const read = (dir: string, path: string) => readFile(join(dir, path), 'utf8');
/** An upgrade that only writes files: no install, no validation. */
export const NO_STEPS = ['--no-install', '--no-validate'];

/**
 * A SCONE module, as the current generator makes it, that its owner then edited: a line in src/app.ts
 * and README.md, a step in the script the next version moves, a line appended where the next version
 * appends one, the line the next version rewrites, a dependency and a script.
 */
export async function ownedModule(dir: string): Promise<string> {
  await generate(dir, ['--name', 'm', ...SCONE]);
  await writeFile(join(dir, 'src/app.ts'), `${await read(dir, 'src/app.ts')}${OWNER_LINE}\n`);
  await writeFile(join(dir, 'README.md'), (await read(dir, 'README.md')).replace('\n', `\n${OWNER_LINE}\n`));
  await writeFile(join(dir, NEXT.movedFrom), (await read(dir, NEXT.movedFrom)).replace('\n', "\n# the owner's step\n"));
  await writeFile(join(dir, NEXT.appended), `${await read(dir, NEXT.appended)}owner-secrets/\n`);
  await writeFile(join(dir, NEXT.conflicted), (await read(dir, NEXT.conflicted)).replace(NEXT.conflictedLine, OWNER_CONFLICTING));
  const pkg = JSON.parse(await read(dir, 'package.json'));
  pkg.dependencies = { zod: '^3.23.0' };
  pkg.scripts.lint = 'eslint .';
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return dir;
}

/** The setup, dying like a killed process after `writes` files were written. */
export function crashingAfter(setup: UpgradeSetup, writes: number): UpgradeSetup {
  let written = 0;
  return {
    ...setup,
    write: async (target, entry) => {
      if (++written > writes) throw new Error('simulated crash');
      await writeEntry(target, entry);
    },
  };
}
