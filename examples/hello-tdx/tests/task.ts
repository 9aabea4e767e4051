// Runs the real bundle (the file the image ships) like a worker, with the kit's emulation (the same as
// `npm run local`), in folders removed after each test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskRunner } from 'iexec-module-kit';
import { afterAll, inject } from 'vitest';

export const work = mkdtempSync(join(tmpdir(), 'iexec-app-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The bundle tests/global-setup.ts built for this run. */
export const bundle = inject('bundle');

/** Runs a task of that bundle, and checks it as the post-compute would. */
export const run = taskRunner({ bundle, workDir: work });
