// Our lint, not a worker check: a secret's value in what leaves the enclave. The worker uploads
// IEXEC_OUT as the result (stdout.txt and stderr.txt with it after a successful run), unencrypted
// unless the request asks --encrypt-result, and serves the logs' tail to the requester.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { entriesBelow } from './result-files.js';
import type { Task } from './task.js';

/** A value shorter than this shows up in any output by chance: only longer ones are looked for. */
const FINDABLE = 6;
const CHUNK = 1024 * 1024;

/** Whether the file holds one of the needles, read in chunks that overlap by a needle's length. */
function fileHolds(file: string, needles: Buffer[]): boolean {
  const overlap = Math.max(...needles.map((needle) => needle.length)) - 1;
  const buffer = Buffer.alloc(CHUNK + overlap);
  const fd = openSync(file, 'r');
  try {
    let kept = 0;
    for (;;) {
      const read = readSync(fd, buffer, kept, CHUNK, null);
      if (read === 0) return false;
      const window = buffer.subarray(0, kept + read);
      if (needles.some((needle) => window.includes(needle))) return true;
      kept = Math.min(overlap, window.length);
      window.copyWithin(0, window.length - kept);
    }
  } finally {
    closeSync(fd);
  }
}

/** The values the task must not let out, as bytes; none when the caller gave none. */
function needles(task: Pick<Task, 'secrets'>): Buffer[] {
  return (task.secrets ?? []).filter((secret) => secret.length >= FINDABLE).map((secret) => Buffer.from(secret));
}

/** Whether the lint has anything to look for. */
export function hasFindableSecrets(task: Pick<Task, 'secrets'>): boolean {
  return needles(task).length > 0;
}

/** Where a secret's value shows, in words, or undefined: the app's logs first, then each result file. */
export function findSecret(task: Pick<Task, 'secrets' | 'outDir' | 'stdout' | 'stderr'> & { logs?: Task['logs'] }): string | undefined {
  const values = needles(task);
  if (values.length === 0) return undefined;
  const logFiles = [task.logs?.stdout, task.logs?.stderr].filter((file): file is string => !!file && existsSync(file));
  const printed =
    logFiles.length > 0
      ? logFiles.some((file) => fileHolds(file, values))
      : values.some((value) => `${task.stdout}\n${task.stderr}`.includes(value.toString()));
  if (printed) {
    return 'the app printed the value of a secret (our lint, not a worker check): the worker uploads stdout.txt and stderr.txt with the result, unencrypted unless --encrypt-result, and shows the logs to the requester';
  }
  const leaking = entriesBelow(task.outDir).find((entry) => entry.kind === 'file' && fileHolds(join(task.outDir, entry.path), values));
  if (leaking) {
    return `the result file ${leaking.path} holds the value of a secret (our lint, not a worker check): the worker uploads IEXEC_OUT as the result, unencrypted unless --encrypt-result`;
  }
  return undefined;
}
