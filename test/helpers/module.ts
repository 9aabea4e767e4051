import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { type AnswerKey, resolveAnswers } from '../../src/answers.js';
import { templateContext } from '../../src/context.js';
import { kitSource } from '../../src/kit.js';
import { type Manifest, readManifest } from '../../src/manifest.js';
import { generatorVersion } from '../../src/paths.js';
import { type ModuleFiles, renderFiles } from '../../src/render.js';
import type { UpgradeSetup } from '../../src/upgrade/upgrade.js';
import { runCli } from './cli.js';

/* What the tests read of a module: its files as a tree, its manifest, and its bundle run like a worker. */

export const QUIET = ['--no-install', '--no-git'];

/** Creates a real module with the built CLI, without install or git. */
export async function generate(target: string, args: string[]): Promise<void> {
  const { exitCode, stderr } = await runCli([target, ...args, ...QUIET]);
  expect(exitCode, stderr).toBe(0);
}

/**
 * Every file of a folder, node_modules aside: path -> text. With `executables`, the path of an
 * executable file ends in " (executable)", so comparing two trees compares their modes too.
 */
export async function tree(dir: string, { executables = false } = {}): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !path.slice(dir.length).split('/').includes('node_modules'))
    .sort();
  const result: Record<string, string> = {};
  for (const path of paths) {
    const mark = executables && ((await stat(path)).mode & 0o111) !== 0 ? ' (executable)' : '';
    result[path.slice(dir.length + 1) + mark] = await readFile(path, 'utf8');
  }
  return result;
}

/** A generator to render with: today's, or "the next version" (test/helpers/upgrade.ts). */
export type Generator = Pick<UpgradeSetup, 'templates' | 'version' | 'kit'>;

/**
 * What the generator renders for these answers, in memory (the default name is `m`): by default
 * exactly what the CLI of this checkout writes, kit included.
 */
export async function render(
  given: Partial<Record<AnswerKey, unknown>>,
  generator: Generator = { version: generatorVersion },
): Promise<ModuleFiles> {
  const answers = await resolveAnswers(given, { directory: '/modules/m' });
  const kit = generator.kit ?? kitSource(generator.version);
  return renderFiles(templateContext(answers, generator.version, kit.spec), generator.templates);
}

/** The manifest of a module, read and checked as `upgrade` reads it. */
export function manifestOf(dir: string): Manifest {
  return readManifest(dir);
}

/** What a worker finds after running a task: the app's exit, computed.json and result.json. */
export interface WorkerRun {
  exitCode: number | undefined;
  stderr: string;
  out: string;
  computed: Record<string, unknown>;
  result: unknown;
}

/**
 * Runs a built module's bundle the way a worker runs the app: the task args on the command line,
 * IEXEC_IN and IEXEC_OUT pointing at fresh folders, no input file.
 */
export async function runLikeWorker(moduleDir: string, args: string[]): Promise<WorkerRun> {
  const out = await mkdtemp(join(tmpdir(), 'iexec-out-'));
  const run = await execa('node', [join(moduleDir, 'dist/app.cjs'), ...args], {
    env: { IEXEC_IN: await mkdtemp(join(tmpdir(), 'iexec-in-')), IEXEC_OUT: out, IEXEC_INPUT_FILES_NUMBER: '0' },
    reject: false,
  });
  const json = async (file: string) => JSON.parse(await readFile(join(out, file), 'utf8'));
  return { exitCode: run.exitCode, stderr: run.stderr, out, computed: await json('computed.json'), result: await json('result.json') };
}
