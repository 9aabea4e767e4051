import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/** A file-system error in the user's words: what is wrong with which path, and what to do about it. */
export interface FileProblem {
  reason: string;
  fix: string;
}

/** The deepest existing part of `path` that is not a folder: what ENOTDIR is about. */
function fileInTheWay(path: string): string {
  for (let part = dirname(path); part !== dirname(part); part = dirname(part)) {
    try {
      if (!statSync(part).isDirectory()) return part;
    } catch {
      // missing: look further up
    }
  }
  return path;
}

/**
 * What a failed file-system call means, for the errors a user can fix; undefined for any other (a
 * bug of ours, reported as such). `path` names what the call was about, as the user knows it,
 * when the error's own path is one of ours (a hidden copy) or missing.
 */
export function fileProblem(error: unknown, path?: string): FileProblem | undefined {
  const { code, path: errorPath } = error as NodeJS.ErrnoException;
  const where = path ?? errorPath ?? 'a path';
  switch (code) {
    case 'ENOSPC':
      return { reason: `the disk holding ${dirname(where)} is full (ENOSPC)`, fix: 'free some space there and retry' };
    case 'EDQUOT':
      return { reason: `your disk quota for ${dirname(where)} is used up (EDQUOT)`, fix: 'free some space there and retry' };
    case 'EROFS':
      return { reason: `${dirname(where)} is on a read-only file system (EROFS)`, fix: 'choose a folder you can write to' };
    case 'EACCES':
    case 'EPERM':
      return { reason: `you may not write ${where} (${code})`, fix: 'choose a folder you can write to, or change its permissions' };
    case 'ENAMETOOLONG':
      return {
        reason: `${where} is longer than the file system allows (ENAMETOOLONG)`,
        fix: 'choose a shorter name or a shallower folder',
      };
    case 'ENOTDIR':
      return { reason: `${fileInTheWay(where)} is a file, not a folder (ENOTDIR)`, fix: 'choose another path' };
    case 'ELOOP':
      return { reason: `${where} goes through a loop of symbolic links (ELOOP)`, fix: 'choose another path' };
    case 'EMFILE':
    case 'ENFILE':
      return { reason: `too many files are open on this machine (${code})`, fix: 'close some programs and retry' };
    case 'EIO':
      return { reason: `the disk holding ${dirname(where)} failed to read or write (EIO)`, fix: 'check the disk, then retry' };
    default:
      return undefined;
  }
}
