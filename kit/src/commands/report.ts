// How local and post-compute print a verdict: one mark per check, then PASS or FAIL with the reason;
// and how local (and task --replay, which runs a task as local does) prints a task the app ran.
import type { Flow } from '../worker/limits.js';
import { checkOutput, type Verdict } from '../worker/post-compute.js';
import type { Task } from '../worker/task.js';
import { describeResult } from './result-view.js';

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

const FLOW_NAMES: Record<Flow, string> = {
  tee: 'a TEE task (the pre-compute and post-compute enclaves of tee-worker-compute-rust, secrets from the SMS); --flow standard for a standard one',
  standard: "a standard task (iexec-worker's own downloads and Java post-compute, no secrets); --flow tee for a TEE one",
};

/**
 * The task's flow, folders, environment, args and (unless it was shown live) output, then its verdict
 * and what its result holds; returns whether it would complete.
 */
export function printTaskRun(task: Task, options: { outputShown?: boolean } = {}): boolean {
  console.log(`Emulated ${FLOW_NAMES[task.flow]}; the app got ${task.timeoutMs / 1000} s.`);
  console.log(`Task folders: ${task.inDir} (IEXEC_IN), ${task.outDir} (IEXEC_OUT)`);
  console.log('Environment, as the worker sets it:');
  for (const [name, value] of Object.entries(task.env)) console.log(`  ${name}=${SECRET.test(name) ? '<hidden>' : value}`);
  console.log(`Args: ${JSON.stringify(task.argv)}`);
  if (!options.outputShown && (task.stdout || task.stderr)) {
    console.log('--- app output ---');
    if (task.stdout) process.stdout.write(task.stdout);
    if (task.stderr) process.stdout.write(task.stderr);
  }
  const ok = printVerdict(checkOutput(task), task.outDir);
  for (const line of describeResult(task.outDir)) console.log(line);
  return ok;
}
