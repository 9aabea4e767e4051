import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from './errors.js';
import { fileProblem } from './file-problems.js';
import { MANIFEST_FILE, readManifest } from './manifest.js';
import type { PackageManager } from './package-manager.js';
import { finishCommand } from './session.js';

/*
 * Synchronous, like the writes: each step needs the one before, and a CLI that waits on nothing
 * else gains nothing from the thread pool but its overhead.
 */

/** A folder holding only these is as good as empty: a fresh `git init` or a desktop's litter. */
const IGNORABLE = new Set(['.git', '.DS_Store', 'Thumbs.db']);

type Kind = 'missing' | 'directory' | 'file' | 'link';

/** What is at `path`; `follow` looks through a symbolic link, as a user naming it means. */
function kind(path: string, follow: boolean): Kind {
  try {
    const stats = follow ? statSync(path) : lstatSync(path);
    return stats.isDirectory() ? 'directory' : stats.isSymbolicLink() ? 'link' : 'file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return follow && kind(path, false) === 'link' ? 'link' : 'missing';
    const problem = fileProblem(error, path);
    if (problem) throw new UserError(`Cannot create the module: ${problem.reason}. Nothing was written: ${problem.fix}.`);
    throw error;
  }
}

function refuseModule(target: string): never {
  let pm: PackageManager | undefined;
  try {
    pm = readManifest(target).answers.packageManager;
  } catch {
    // A manifest we cannot read still makes the folder a module: the finishing command names npm.
  }
  throw new UserError(
    `${target} is already a module made by create-iexec-module (it holds ${MANIFEST_FILE}), and creating again would replace your edits: ` +
      `\`npx create-iexec-module upgrade\` there brings it up to date keeping them, and \`${finishCommand(target, pm ?? 'npm')}\` finishes its setup. Nothing was written.`,
  );
}

/** With --force, each generated path must be free or hold a file we may replace, reached through real folders. */
function checkForced(target: string, files: string[]): void {
  for (const file of files) {
    const parts = file.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const path = join(target, ...parts.slice(0, depth));
      const last = depth === parts.length;
      const there = kind(path, false);
      if (there === 'missing') break;
      if (last ? there === 'directory' : there !== 'directory') {
        const what = there === 'link' ? 'a symbolic link' : there === 'directory' ? 'a folder' : 'a file';
        throw new UserError(`--force cannot write ${file}: ${path} is ${what}. Move it away and retry.`);
      }
    }
  }
}

/**
 * Refuses, before anything is written, a target the module cannot be written into: a file, a
 * module already (whose owner wants `upgrade`), a non-empty folder without --force, or (with
 * --force) a generated path that a user's folder, file or link stands in the way of.
 */
export function checkTarget(target: string, files: string[], force: boolean): void {
  const found = kind(target, true);
  if (found === 'missing') return;
  if (found === 'link')
    throw new UserError(`${target} is a symbolic link to a path that does not exist: remove it or choose another path.`);
  if (found === 'file') throw new UserError(`${target} exists and is a file, not a folder: choose another path.`);
  const entries = readdirSync(target).filter((e) => !IGNORABLE.has(e));
  if (entries.includes(MANIFEST_FILE)) refuseModule(target);
  if (entries.length === 0) return;
  if (!force) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} in all)` : '');
    throw new UserError(
      `${target} is not empty (${shown}). Choose a new or empty directory, or pass --force to write the module into it (generated files replace theirs, other files are kept).`,
    );
  }
  checkForced(target, files);
}
