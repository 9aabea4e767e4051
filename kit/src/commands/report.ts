// How local and post-compute print a verdict: one mark per check, then PASS or FAIL with the reason.
import type { Verdict } from '../worker/post-compute.js';

const MARK = { pass: '✔', warn: '!', fail: '✖' } as const;

/** Prints the checks and the outcome; returns whether the task would complete. */
export function printVerdict(verdict: Verdict, outDir: string): boolean {
  console.log('--- post-compute checks ---');
  for (const check of verdict.checks) console.log(`${MARK[check.level]} ${check.message}`);
  if (!verdict.ok) {
    console.error(`FAIL: ${verdict.reason}`);
    return false;
  }
  console.log(`PASS: a worker would complete this task. The result is in ${outDir}`);
  return true;
}
