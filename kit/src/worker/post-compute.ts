// What the worker and PoCo make of a task once the app has exited (or could not start): the
// post-compute of the flow that ran it (standard-post-compute.ts, Java; tee-post-compute.ts, Rust),
// the result digest and finalize, and the result as the requester reads it. Since iexec-worker 9.2.0
// (commit 030f21c8, TaskManagerService.compute) nothing before the post-compute stops the task: a
// pre-compute error, a failed or stopped app are logged, and the worker contributes whenever the
// post-compute leaves it a result digest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEPT_LOG_BYTES, type Flow } from './limits.js';
import { entriesBelow } from './result-files.js';
import { findSecret, hasFindableSecrets } from './secret-lint.js';
import { standardPostCompute } from './standard-post-compute.js';
import type { Task } from './task.js';
import { teePostCompute } from './tee-post-compute.js';
import { Checks, type Verdict } from './verdict.js';

export type { Check, Verdict } from './verdict.js';

/** The iApp generator's own cap on results (not a platform limit): past it, uploads get slow. */
const IAPP_RESULT_BYTES = 50 * 1024 * 1024;

/** What the worker did with the pre-compute's errors: the app did not run, or it ran without the input. */
function reportPreCompute(task: Task, checks: Checks): void {
  for (const error of task.preComputeErrors) {
    if (!task.appRan) {
      checks.warn(
        `${error.message} (${error.cause}): the worker did not run the app, it wrote error.txt and a computed.json pointing at it as the task's result (iexec-worker TaskManagerService.triggerPostComputeHookOnError, ResultService.writeErrorToIexecOut)`,
      );
    } else {
      checks.warn(
        `${error.message} (${error.cause}): the worker logs it and runs the app all the same (iexec-worker TaskManagerService.compute, tee-worker-pre-compute pre_compute_app.rs)`,
      );
    }
  }
}

/** How the app ended, and what the worker keeps of its output. */
function reportApp(task: Task, checks: Checks): void {
  if (!task.appRan) return;
  if (task.timedOut) {
    checks.warn(
      `the app ran past its ${task.timeoutMs / 1000} s and was stopped with everything it started, as the worker stops it at the category's time (APP_COMPUTE_TIMEOUT): the worker keeps no stdout.txt/stderr.txt and still runs the post-compute on what IEXEC_OUT holds (iexec-worker ≥ 9.2.0 TaskManagerService.compute)`,
    );
  } else if (task.status === 0) {
    checks.pass('the app exited with status 0');
  } else if (task.status === null) {
    checks.warn(
      'the app was killed by a signal: the worker logs APP_COMPUTE_FAILED, keeps no stdout.txt/stderr.txt, and still runs the post-compute (iexec-worker ≥ 9.2.0)',
    );
  } else {
    checks.warn(
      `the app exited with status ${task.status}: the worker logs APP_COMPUTE_FAILED, keeps no stdout.txt/stderr.txt, and still runs the post-compute (iexec-worker ≥ 9.2.0; older workers fail the task here)`,
    );
  }
  for (const [name, bytes] of [
    ['stdout', task.logs.stdoutBytes],
    ['stderr', task.logs.stderrBytes],
  ] as const) {
    if (bytes > KEPT_LOG_BYTES)
      checks.warn(
        `the app printed ${bytes} bytes on ${name}: the kit kept the first ${KEPT_LOG_BYTES} (its own limit, not the worker's, which keeps it all in memory)`,
      );
  }
}

/**
 * What happens once the app has exited, in the worker's order: the post-compute of the task's flow
 * (or of `options.flow`), the result digest and PoCo's finalize. The first failure is the reason the
 * task would not complete, and nothing after it is checked. Each message says whose rule it is: the
 * worker's, PoCo's, or our own lint.
 */
export function checkOutput(task: Task, options: { flow?: Flow } = {}): Verdict {
  const flow = options.flow ?? task.flow;
  const checks = new Checks();
  if (task.argsWarning) checks.warn(task.argsWarning);
  for (const warning of task.warnings) checks.warn(warning);
  reportPreCompute(task, checks);
  reportApp(task, checks);

  const leak = findSecret(task);
  if (leak) return checks.fail(leak);
  if (hasFindableSecrets(task)) {
    checks.pass('no secret value in the app output (our lint)');
    checks.pass('no secret value in the result files (our lint)');
  }

  const failed = flow === 'standard' ? standardPostCompute(task, checks) : teePostCompute(task, checks);
  if (failed) return failed;
  // A callback deal uploads nothing (iexec-worker ResultService.uploadResultAndGetLink).
  if (task.callback) return checks.verdict();

  const bytes = entriesBelow(task.outDir).reduce((sum, entry) => sum + entry.size, 0);
  if (bytes > IAPP_RESULT_BYTES) {
    checks.warn(
      `the result holds ${bytes} bytes, over the ${IAPP_RESULT_BYTES / 1024 / 1024} MiB the iApp generator keeps results under (its rule, not the platform's): uploads and downloads get slow`,
    );
  } else {
    checks.pass(`the result holds ${bytes} bytes`);
  }
  return checks.verdict();
}

/** The app's result.json as the requester reads it: `{ ok: true, result }` or `{ ok: false, error }`. */
export function readResult(task: Pick<Task, 'outDir'>): unknown {
  return JSON.parse(readFileSync(join(task.outDir, 'result.json'), 'utf8'));
}
