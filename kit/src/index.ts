/**
 * iexec-module-kit: what a module's tests run its app with. {@link runTask} runs the built app as an
 * iExec worker does, {@link checkOutput} says whether the worker and PoCo would complete the task,
 * {@link readResult} reads what the requester gets; {@link taskRunner} does all three for a test.
 * @packageDocumentation
 */
import { checkOutput, readResult, type Verdict } from './worker/post-compute.js';
import { runTask, type Task, type TaskOptions } from './worker/task.js';

export { CommandLineException, splitArgs, translateCommandline, workerArgs, type WorkerArgs } from './worker/args.js';
export { CATEGORY_SECONDS, DEFAULT_TIMEOUT_MS, DOWNLOAD_TIMEOUT_MS, LOG_TAIL_CHARS, type Flow } from './worker/limits.js';
export { checkOutput, readResult, type Check, type Verdict } from './worker/post-compute.js';
export { runProcess, type ProcessExit, type ProcessOptions } from './worker/process.js';
export { mockProtectedData, type ProtectedValue } from './worker/protected-data.js';
export {
  datasetAddress,
  inputFileName,
  runTask,
  type AppExit,
  type AppLaunch,
  type DealIds,
  type PreComputeError,
  type Task,
  type TaskLogs,
  type TaskOptions,
} from './worker/task.js';

/**
 * What a test sets per task: everything but the bundle and the folder, which the runner holds. The
 * flow (default tee) and the time limit (default 300 s, category XS) are inputs like the others.
 */
export type TaskInputs = Omit<TaskOptions, 'bundle' | 'workDir'>;

/** A task run by a {@link taskRunner}, checked as the post-compute would. */
export interface TaskRun {
  task: Task;
  verdict: Verdict;
  /** The app's result.json, read when asked: a task that failed may have none. */
  result(): unknown;
}

/**
 * A test's way to run tasks: each call runs `bundle` with `defaults` overridden by the call's inputs
 * (give an input as `undefined` to leave a default out), then checks the task as the post-compute would.
 * @example
 * export const run = taskRunner({ bundle: inject('bundle'), workDir: work, defaults: { appSecret: 'key' } });
 * const { verdict, result } = await run({ args: 'Alice' });
 */
export function taskRunner(setup: { bundle: string; workDir?: string; defaults?: TaskInputs }): (inputs?: TaskInputs) => Promise<TaskRun> {
  return async (inputs = {}) => {
    const task = await runTask({ ...setup.defaults, ...inputs, bundle: setup.bundle, workDir: setup.workDir });
    return { task, verdict: checkOutput(task), result: () => readResult(task) };
  };
}
