// How local and post-compute print a verdict: one mark per check, then PASS or FAIL with the reason;
// and how local (and task --replay, which runs a task as local does) prints a task the app ran.
import { checkOutput, readResult, type Verdict } from '../worker/post-compute.js';
import type { Task } from '../worker/task.js';

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

/** The secrets' values never reach the terminal: only their names. */
const SECRET = /^IEXEC_(REQUESTER_SECRET_\d+|APP_DEVELOPER_SECRET(_1)?)$/;

/** The task's folders, environment, args and output, then its verdict; returns whether it would complete. */
export function printTaskRun(task: Task): boolean {
  console.log(`Task folders: ${task.inDir} (IEXEC_IN), ${task.outDir} (IEXEC_OUT)`);
  console.log('Environment, as the worker sets it:');
  for (const [name, value] of Object.entries(task.env)) console.log(`  ${name}=${SECRET.test(name) ? '<hidden>' : value}`);
  console.log(`Args: ${JSON.stringify(task.argv)}`);
  console.log('--- app output ---');
  if (task.stdout) process.stdout.write(task.stdout);
  if (task.stderr) process.stdout.write(task.stderr);
  if (!printVerdict(checkOutput(task), task.outDir)) return false;
  console.log(`result.json: ${JSON.stringify(readResult(task), null, 2)}`);
  return true;
}
