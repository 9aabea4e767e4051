import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diffIndices } from 'node-diff3';
import { vi } from 'vitest';
import { parseInvocation } from '../../src/options.js';
import { generatorVersion, templatesDir } from '../../src/paths.js';
import { splitLines } from '../../src/upgrade/merge.js';
import { CURRENT_GENERATOR, upgrade, type UpgradeSetup } from '../../src/upgrade/upgrade.js';
import { tempDir } from './cli.js';

export const SCONE = ['--tee', 'scone', '--chain', 'bellecour'];
export const TDX = ['--tee', 'tdx', '--chain', 'arbitrum-sepolia-testnet'];

/**
 * The base lines a change from base to theirs touches (a line next to a change counts: diff3 calls
 * an edit there a conflict).
 */
export function touchedLines(base: string, theirs: string): Set<number> {
  const touched = new Set<number>();
  for (const hunk of diffIndices(splitLines(base), splitLines(theirs))) {
    const [start, length] = hunk.buffer1;
    for (let i = start - 1; i <= start + length; i++) touched.add(i);
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
  const hunk = diffIndices(splitLines(base), splitLines(theirs)).find((h) => h.buffer1[1] > 0 && h.buffer2[1] > 0);
  return hunk?.buffer1[0];
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
export const NEXT_VERSION = generatorVersion.replace(/^(\d+)\.(\d+)\..*$/, (_, major: string, minor: string) => `${major}.${Number(minor) + 1}.0`);
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
  /** Where the next version and an owner both append a line: a conflict. */
  appended: '.gitignore',
  appendedLine: 'next-generator-cache/',
  /** A devDependency the next version adds to package.json. */
  devDependency: ['prettier', '^3.3.0'] as const,
};

async function editTemplate(dir: string, template: string, edit: (text: string) => string): Promise<void> {
  const path = join(dir, template);
  const before = await readFile(path, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the next-version fixture could not edit ${template}: its text changed, adapt test/helpers/upgrade.ts`);
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
  const [name, range] = NEXT.devDependency;
  await editTemplate(dir, 'package.json.hbs', (t) => t.replace('"devDependencies": {\n', `"devDependencies": {\n    "${name}": "${range}",\n`));
  return {
    ...CURRENT_GENERATOR,
    templates: dir,
    kit: { spec: NEXT_VERSION },
    version: NEXT_VERSION,
    migrations: [{ version: NEXT_VERSION, description: `${NEXT.movedFrom} moved to ${NEXT.movedTo}`, renames: { [NEXT.movedFrom]: NEXT.movedTo } }],
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
