/*
 * The compute stage of iexec-worker 9.2.0 (commit 030f21c8, TaskManagerService.compute): the
 * pre-compute, the app and the post-compute all run, whatever failed before; their errors are logged
 * and the worker contributes whenever a computed.json makes it through the post-compute. The app runs
 * through the kit's worker emulation (runTask), as `iexec-module local` runs it.
 */
import { runTask, type Task, type TaskOptions } from '../../worker/task.js';
import type { StepError } from './dataset.js';

export interface ComputeInput extends Omit<TaskOptions, 'bundle'> {
  tee: boolean;
  timeoutMs: number;
}

export interface ComputeOutcome {
  task?: Task;
  /** What the pre-compute and the app reported, as the worker logs them (iexec-common ReplicateStatusCause). */
  errors: StepError[];
}

export async function compute(input: ComputeInput): Promise<ComputeOutcome> {
  const { tee: _tee, timeoutMs: _timeout, ...options } = input;
  try {
    return { task: await runTask({ ...options, bundle: '' }), errors: [] };
  } catch (error) {
    const message = (error as Error).message;
    const cause = /input file/.test(message) ? (input.tee ? 'PRE_COMPUTE_INPUT_FILE_DOWNLOAD_FAILED' : 'INPUT_FILES_DOWNLOAD_FAILED') : 'APP_COMPUTE_FAILED';
    return { errors: [{ cause, message }] };
  }
}
