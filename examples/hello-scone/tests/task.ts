// Runs the real bundle (the file the image ships) like a worker, through the same emulation as
// `npm run local` (scripts/worker.mjs), in folders removed after each test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { checkOutput, readResult, runTask, type Task, type TaskOptions } from '../scripts/worker.mjs';

export const work = mkdtempSync(join(tmpdir(), 'iexec-app-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The bundle tests/global-setup.ts built for this run. */
export const bundle = inject('bundle');

/** Runs a task, and checks it as the post-compute would. */
export async function run(options: Omit<TaskOptions, 'bundle' | 'workDir'> = {}) {
  const task: Task = await runTask({ ...options, bundle, workDir: work });
  return { task, verdict: checkOutput(task), result: () => readResult(task) };
}
