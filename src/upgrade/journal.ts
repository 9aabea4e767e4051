import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { MANIFEST_FILE, type Manifest, manifestText } from '../manifest.js';

/**
 * An upgrade writes many files, and a crash or Ctrl-C can stop it half-way. Re-planning from the old
 * manifest would then merge the generator's changes a second time into files that already have
 * them (a conflict would nest in the last one's markers). So the upgrade first writes down every
 * file's text before and after in this journal, applies it, writes the manifest last and deletes
 * the journal. A run that finds the journal completes it first.
 */
export const JOURNAL_FILE = '.create-iexec-module.upgrade.json';
export const JOURNAL_FORMAT = 1;

export interface JournalEntry {
  path: string;
  /** sha256 of the text before the upgrade, null when there was no file. */
  before: string | null;
  /** The text after the upgrade, null to delete the file. */
  after: string | null;
}

export interface Journal {
  format: typeof JOURNAL_FORMAT;
  manifest: Manifest;
  entries: JournalEntry[];
}

export type WriteEntry = (target: string, entry: JournalEntry) => Promise<void>;

export function digest(text: string | undefined | null): string | null {
  return text == null ? null : createHash('sha256').update(text).digest('hex');
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const BESIDE = '.upgrading';

/** Replaces a file in one step (write beside it, then rename), so a crash never leaves half a file. */
async function replaceFile(path: string, text: string, mode: number | undefined): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}${BESIDE}`);
  await writeFile(temporary, text);
  if (mode !== undefined) await chmod(temporary, mode);
  await rename(temporary, path);
}

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** Writes one entry; a new shell script is made executable, an existing file keeps its mode. */
export const writeEntry: WriteEntry = async (target, entry) => {
  const path = join(target, entry.path);
  if (entry.after === null) return rm(path, { force: true });
  await mkdir(dirname(path), { recursive: true });
  await replaceFile(path, entry.after, (await modeOf(path)) ?? (entry.path.endsWith('.sh') ? 0o755 : undefined));
};

/**
 * Refuses, before anything is written, a path the upgrade cannot write: a folder where a file
 * goes, or a file where a folder goes.
 */
/**
 * Removes the copies a killed upgrade left beside files it was replacing (replaceFile): the file they
 * stood beside is whole, in its old text or its new one, and the journal says which to finish.
 */
export async function clearLeftovers(target: string, paths: Iterable<string>): Promise<void> {
  for (const path of [JOURNAL_FILE, MANIFEST_FILE, ...paths]) {
    await rm(join(target, dirname(path), `.${basename(path)}${BESIDE}`), { force: true });
  }
}

export async function checkWritable(target: string, entries: JournalEntry[]): Promise<void> {
  for (const entry of entries.filter((e) => e.after !== null)) {
    const parts = entry.path.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const path = join(target, ...parts.slice(0, depth));
      const found = await lstat(path).catch(() => undefined);
      if (!found) break;
      const isLast = depth === parts.length;
      if (isLast ? found.isDirectory() : !found.isDirectory()) {
        throw new UserError(
          `The upgrade writes ${entry.path}, but ${path} is a ${isLast ? 'folder' : 'file'}: move it away and retry. Nothing was written.`,
        );
      }
    }
  }
}

export async function readJournal(target: string): Promise<Journal | undefined> {
  const path = join(target, JOURNAL_FILE);
  const text = await readText(path);
  if (text === undefined) return undefined;
  try {
    const journal = JSON.parse(text) as Journal;
    if (journal.format === JOURNAL_FORMAT && Array.isArray(journal.entries) && journal.manifest) return journal;
  } catch {
    // Reported below, like a journal of another format: it is written in one step, so only a hand
    // edit or a foreign tool damages it.
  }
  throw new UserError(
    `${path} is damaged or from another version: delete it and run upgrade again (files the interrupted upgrade already wrote are then merged again).`,
  );
}

/** The journal's entries that are still to do, after checking nobody changed those files since. */
export async function pendingEntries(target: string, journal: Journal): Promise<JournalEntry[]> {
  const pending: JournalEntry[] = [];
  for (const entry of journal.entries) {
    const now = digest(await readText(join(target, entry.path)));
    if (now === digest(entry.after)) continue;
    if (now !== entry.before) {
      throw new UserError(
        `An interrupted upgrade is pending (${JOURNAL_FILE}), but ${entry.path} changed since it started. ` +
          `Put ${entry.path} back as it was (e.g. git checkout -- ${entry.path}) to let it finish, ` +
          `or delete ${JOURNAL_FILE} to plan the upgrade afresh (the files it already wrote are then merged again).`,
      );
    }
    pending.push(entry);
  }
  return pending;
}

/** Applies the journal from wherever it stopped, writes the manifest, then forgets the journal. */
export async function completeJournal(target: string, journal: Journal, write: WriteEntry = writeEntry): Promise<number> {
  const pending = await pendingEntries(target, journal);
  for (const entry of pending) await write(target, entry);
  await replaceFile(join(target, MANIFEST_FILE), manifestText(journal.manifest), undefined);
  await rm(join(target, JOURNAL_FILE), { force: true });
  return pending.length;
}

/** Starts an upgrade: the journal is on disk, whole, before the first module file changes. */
export async function startJournal(target: string, journal: Journal): Promise<void> {
  await replaceFile(join(target, JOURNAL_FILE), JSON.stringify(journal), undefined);
}
