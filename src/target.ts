import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from './errors.js';

/*
 * Synchronous, like the writes: each step needs the one before, and a CLI that waits on nothing
 * else gains nothing from the thread pool but its overhead.
 */

/** A folder holding only these is as good as empty: a fresh `git init` or a desktop's litter. */
const IGNORABLE = new Set(['.git', '.DS_Store', 'Thumbs.db']);

function kind(path: string): 'missing' | 'directory' | 'other' {
  try {
    return lstatSync(path).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/**
 * Refuses, before anything is rendered, a target the module cannot be written into: a file, a
 * non-empty folder without --force, or (with --force) a generated path that a user's folder or file
 * stands in the way of.
 */
export function checkTarget(target: string, files: string[], force: boolean): void {
  const found = kind(target);
  if (found === 'missing') return;
  if (found === 'other') throw new UserError(`${target} exists and is not a directory: choose another path.`);
  const entries = readdirSync(target).filter((e) => !IGNORABLE.has(e));
  if (entries.length === 0) return;
  if (!force) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} in all)` : '');
    throw new UserError(
      `${target} is not empty (${shown}). Choose a new or empty directory, or pass --force to write the module into it (generated files replace theirs, other files are kept).`,
    );
  }
  for (const file of files) {
    const parts = file.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const path = join(target, ...parts.slice(0, depth));
      const wanted = depth === parts.length ? 'file' : 'directory';
      const there = kind(path);
      if (there === 'missing') break;
      if ((wanted === 'file') !== (there === 'other')) {
        throw new UserError(`--force cannot write ${file}: ${path} is a ${there === 'other' ? 'file' : 'directory'}. Move it away and retry.`);
      }
    }
  }
}

export function stagingFolder(): string {
  return mkdtempSync(join(tmpdir(), 'create-iexec-module-'));
}

/**
 * Moves a fully rendered module from `staging` into `target`. A new target appears whole or not at
 * all: if the copy fails half-way the partial folder is removed (it held nothing of the user's).
 */
export function placeModule(staging: string, target: string, files: string[]): void {
  if (kind(target) === 'missing') {
    mkdirSync(dirname(target), { recursive: true });
    try {
      renameSync(staging, target);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    }
    try {
      cpSync(staging, target, { recursive: true, errorOnExist: true, force: false });
    } catch (error) {
      rmSync(target, { recursive: true, force: true });
      throw error;
    }
    return;
  }
  for (const file of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(join(staging, file), join(target, file), { force: true });
  }
}
