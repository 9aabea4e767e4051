// @ts-check
// Runs the bundled app the way an iExec worker does, without Docker, and checks its output the way
// the worker's post-compute does. Used by `npm run local` (scripts/local.mjs) and by the tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Post-compute fails the task on a result file name longer than this. */
export const MAX_RESULT_NAME_LENGTH = 31;
/** What the iApp generator caps results at: a bigger upload is slow and may be refused. */
export const MAX_RESULT_BYTES = 50 * 1024 * 1024;
/** Placeholders: a local run has no deal; a real task id is a bytes32 like these. */
const TASK_ID = `0x${'0'.repeat(63)}1`;
const DEAL_ID = `0x${'0'.repeat(63)}2`;

/**
 * @typedef {object} TaskOptions
 * @property {string} bundle the built app, e.g. dist/app.cjs
 * @property {string} [args] the request's `iexec_args`, one string the worker splits shell-style
 * @property {string} [workDir] where to make the task's folders (default: a new temporary folder)
 */

/**
 * @typedef {object} Task
 * @property {string} inDir IEXEC_IN
 * @property {string} outDir IEXEC_OUT
 * @property {Record<string, string>} env everything the app's process saw in its environment
 * @property {string[]} argv the app's arguments
 * @property {number | null} status the app's exit code
 * @property {string} stdout
 * @property {string} stderr
 */

/**
 * Splits `iexec_args` as the worker does (Maven's CommandLineUtils.translateCommandline): words are
 * separated by spaces only; '…' and "…" group words, with no escapes inside; quotes left open are an error.
 * @param {string} text
 * @returns {string[]}
 */
export function splitArgs(text) {
  /** @type {string[]} */
  const words = [];
  let current = '';
  let quoted = false;
  /** @type {string | undefined} */
  let quote;
  for (const char of text) {
    if (quote) {
      if (char === quote) {
        quote = undefined;
        quoted = true;
      } else {
        current += char;
      }
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === ' ') {
      if (quoted || current !== '') words.push(current);
      current = '';
      quoted = false;
    } else {
      current += char;
      quoted = false;
    }
  }
  if (quote) throw new Error(`unbalanced quotes in args ${JSON.stringify(text)}: the worker would refuse them`);
  if (quoted || current !== '') words.push(current);
  return words;
}

/**
 * Bundles src/app.ts (scripts/build.mjs) into `outfile` and returns its path.
 * @param {string} outfile
 */
export function buildApp(outfile) {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), outfile], { cwd: root, stdio: 'inherit' });
  return outfile;
}

/**
 * Runs the bundle as a worker runs a task: fresh IEXEC_IN and IEXEC_OUT, the inputs placed and named as
 * the worker names them, and only the environment variables the worker sets.
 * @param {TaskOptions} options
 * @returns {Promise<Task>}
 */
export async function runTask(options) {
  const dir = mkdtempSync(join(options.workDir ?? tmpdir(), 'iexec-task-'));
  const inDir = join(dir, 'iexec_in');
  const outDir = join(dir, 'iexec_out');
  mkdirSync(inDir);
  mkdirSync(outDir);
  /** @type {Record<string, string>} */
  const env = {
    IEXEC_IN: inDir,
    IEXEC_OUT: outDir,
    IEXEC_TASK_ID: TASK_ID,
    IEXEC_DEAL_ID: DEAL_ID,
    IEXEC_TASK_INDEX: '0',
    IEXEC_BOT_SIZE: '1',
    IEXEC_BOT_FIRST_INDEX: '0',
    IEXEC_BOT_TASK_INDEX: '0',
    IEXEC_INPUT_FILES_NUMBER: '0',
  };
  const argv = splitArgs(options.args ?? '');
  const run = spawnSync(process.execPath, [resolve(options.bundle), ...argv], { env, encoding: 'utf8', cwd: dir });
  if (run.error) throw run.error;
  return { inDir, outDir, env, argv, status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * @param {string} dir
 * @returns {string[]} every file below `dir`
 */
function filesBelow(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesBelow(path) : [path];
  });
}

/**
 * @typedef {object} Check
 * @property {boolean} ok
 * @property {string} message what was checked, or why the worker would fail the task
 */

/**
 * @typedef {object} Verdict
 * @property {boolean} ok whether a worker would complete the task
 * @property {Check[]} checks
 * @property {string} [reason] why the task would fail
 */

/**
 * The checks a worker makes once the app has exited, in its order; the first failure is the reason
 * the task would fail, and nothing after it is checked.
 * @param {Task} task
 * @returns {Verdict}
 */
export function checkOutput(task) {
  /** @type {Check[]} */
  const checks = [];
  const pass = (/** @type {string} */ message) => checks.push({ ok: true, message });
  const fail = (/** @type {string} */ message) => {
    checks.push({ ok: false, message });
    return { ok: false, checks, reason: message };
  };
  const { outDir } = task;

  if (task.status !== 0) return fail(`the app exited with status ${task.status}: the worker fails the task on a non-zero exit (APP_COMPUTE_FAILED)`);
  pass('the app exited with status 0');

  const computedPath = join(outDir, 'computed.json');
  if (!existsSync(computedPath)) return fail('the app wrote no computed.json in IEXEC_OUT: the worker fails the task');
  /** @type {unknown} */
  let computed;
  try {
    computed = JSON.parse(readFileSync(computedPath, 'utf8'));
  } catch (error) {
    return fail(`computed.json is not valid JSON (${/** @type {Error} */ (error).message}): the worker fails the task`);
  }
  if (typeof computed !== 'object' || computed === null || Array.isArray(computed)) {
    return fail('computed.json is not a JSON object: the worker fails the task');
  }
  pass('computed.json is a JSON object');
  const fields = /** @type {Record<string, unknown>} */ (computed);

  const outputPath = fields['deterministic-output-path'];
  if (typeof outputPath !== 'string' || outputPath === '') return fail('computed.json has no "deterministic-output-path" string: the worker fails the task');
  const inside = relative(outDir, outputPath);
  if (!isAbsolute(outputPath) || inside.startsWith('..') || isAbsolute(inside)) {
    const hint = outputPath.startsWith('/iexec_out') ? ' (build the path from IEXEC_OUT, do not write /iexec_out)' : '';
    return fail(`deterministic-output-path ${outputPath} is outside IEXEC_OUT${hint}: the worker fails the task`);
  }
  if (!existsSync(outputPath)) return fail(`deterministic-output-path ${outputPath} does not exist: the worker fails the task`);
  const empty = lstatSync(outputPath).isDirectory() ? filesBelow(outputPath).length === 0 : statSync(outputPath).size === 0;
  if (empty) return fail(`deterministic-output-path ${outputPath} is empty: the post-compute cannot compute a digest of nothing`);
  pass(`deterministic-output-path ${inside || '.'} exists under IEXEC_OUT`);

  const files = filesBelow(outDir);
  const tooLong = files.map((f) => relative(outDir, f)).filter((f) => (f.split('/').pop() ?? '').length > MAX_RESULT_NAME_LENGTH);
  if (tooLong.length > 0) {
    return fail(`result file names over ${MAX_RESULT_NAME_LENGTH} characters fail the post-compute: ${tooLong.join(', ')}`);
  }
  pass(`every result file name has at most ${MAX_RESULT_NAME_LENGTH} characters`);

  const bytes = files.reduce((sum, f) => sum + lstatSync(f).size, 0);
  if (bytes > MAX_RESULT_BYTES) {
    return fail(`the result holds ${bytes} bytes, over the ${MAX_RESULT_BYTES / 1024 / 1024} MiB that iExec apps are kept under`);
  }
  pass(`the result holds ${bytes} bytes (at most ${MAX_RESULT_BYTES / 1024 / 1024} MiB)`);
  return { ok: true, checks };
}

/**
 * The app's result.json as the requester reads it: `{ ok: true, result }` or `{ ok: false, error }`.
 * @param {Task} task
 * @returns {unknown}
 */
export function readResult(task) {
  return JSON.parse(readFileSync(join(task.outDir, 'result.json'), 'utf8'));
}
