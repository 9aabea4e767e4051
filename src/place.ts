import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MANIFEST_FILE } from './manifest.js';
import { type ModuleFiles, writeFiles } from './render.js';

/*
 * Putting a rendered module on disk, all or nothing. `prepare` writes every byte where it can still
 * be taken back (a full disk or a read-only folder shows up here, before any file of the user's is
 * touched); `commit` only renames, which needs no space and takes milliseconds; `discard` takes
 * back what `prepare` wrote. Ctrl-C may cut `prepare`, never `commit` (src/create.ts).
 */
export interface Placement {
  /** Whether the module goes into a folder that exists (--force), rather than a new one. */
  into: boolean;
  prepare(): void;
  commit(): void;
  discard(): void;
}

/** What `--force` keeps beside a file while it writes; found again, they are a killed run's. */
export const NEW_SUFFIX = '.create-iexec-module-new';
export const OLD_SUFFIX = '.create-iexec-module-old';

/** Creates `folder` and its missing parents; returns the topmost one it created, to remove on discard. */
function makeFolder(folder: string): string | undefined {
  let top: string | undefined;
  for (let part = folder; !existsSync(part); part = dirname(part)) top = part;
  if (top) mkdirSync(folder, { recursive: true });
  return top;
}

/** A new folder: the module is written whole into a hidden folder beside it, then renamed into place. */
function newFolder(files: ModuleFiles, target: string): Placement {
  let created: string | undefined;
  let staging: string | undefined;
  return {
    into: false,
    prepare() {
      created = makeFolder(dirname(target));
      staging = mkdtempSync(join(dirname(target), '.create-iexec-module-'));
      writeFiles(files, staging);
    },
    commit() {
      renameSync(staging!, target);
      // The folders made for it hold the module now: nothing left to take back.
      staging = created = undefined;
    },
    discard() {
      if (staging) rmSync(staging, { recursive: true, force: true });
      if (created) rmSync(created, { recursive: true, force: true });
      staging = created = undefined;
    },
  };
}

/**
 * A folder that holds files already (--force): each file is written beside its place first; then
 * each user's file that a generated one replaces is renamed aside, the new one renamed in, and the
 * user's copies deleted once every other file is in place. A rename that fails puts every file back,
 * and so does the next run after one that was killed. The manifest comes last: a folder is a module
 * only once it is whole.
 */
function overFolder(files: ModuleFiles, target: string): Placement {
  const paths = [...Object.keys(files).filter((p) => p !== MANIFEST_FILE), MANIFEST_FILE].filter((p) => p in files);
  const folders: string[] = [];
  const written: string[] = [];
  const placed: { path: string; kept: boolean }[] = [];
  const at = (path: string) => join(target, path);
  const restore = () => {
    for (const { path, kept } of placed.reverse()) {
      if (kept) renameSync(`${at(path)}${OLD_SUFFIX}`, at(path));
      else rmSync(at(path), { force: true });
    }
    placed.length = 0;
  };
  return {
    into: true,
    prepare() {
      for (const path of paths) recover(at(path));
      for (const path of paths) {
        const folder = makeFolder(dirname(at(path)));
        if (folder) folders.push(folder);
        writeFileSync(`${at(path)}${NEW_SUFFIX}`, files[path]!);
        written.push(path);
        if (path.endsWith('.sh')) chmodSync(`${at(path)}${NEW_SUFFIX}`, 0o755);
      }
    },
    commit() {
      const place = (path: string) => {
        const kept = present(at(path));
        if (kept) renameSync(at(path), `${at(path)}${OLD_SUFFIX}`);
        placed.push({ path, kept });
        renameSync(`${at(path)}${NEW_SUFFIX}`, at(path));
      };
      try {
        for (const path of paths.slice(0, -1)) place(path);
        // The user's copies go before the manifest comes: a folder with a manifest holds no trace of a run.
        for (const { path, kept } of placed) if (kept) rmSync(`${at(path)}${OLD_SUFFIX}`, { force: true });
        placed.length = 0;
        place(MANIFEST_FILE);
      } catch (error) {
        restore();
        throw error;
      }
      written.length = folders.length = placed.length = 0;
    },
    discard() {
      for (const path of written) rmSync(`${at(path)}${NEW_SUFFIX}`, { force: true });
      for (const folder of folders.reverse()) rmSync(folder, { recursive: true, force: true });
      written.length = folders.length = 0;
    },
  };
}

/**
 * Undoes what a run killed half-way through `commit` left at `path`: the user's file set aside comes
 * back in place of ours, and a copy never renamed in is dropped. Then the folder is as it was.
 */
function recover(path: string): void {
  if (present(`${path}${OLD_SUFFIX}`)) renameSync(`${path}${OLD_SUFFIX}`, path);
  rmSync(`${path}${NEW_SUFFIX}`, { force: true });
}

/** Whether anything is at `path`, a symbolic link to nowhere included. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** How this module gets to `target`: a new folder, or into the folder there. */
export function placement(files: ModuleFiles, target: string): Placement {
  return existsSync(target) ? overFolder(files, target) : newFolder(files, target);
}
