// @ts-check
// Runs the bundled app the way an iExec worker does, without Docker, and checks its output the way
// the worker's post-compute does. Used by `npm run local` (scripts/local.mjs) and by the tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { workerArgs } from './args.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The TEE post-compute (tee-worker-compute-rust, post-compute/src/compute/web2_result.rs,
 * check_result_files_name) fails the task when a result FILE name is longer than this many bytes of
 * UTF-8 (Rust's `str::len`); folder names are not checked.
 */
export const MAX_RESULT_NAME_BYTES = 31;
/** The iApp generator's own cap on results (not a platform limit): past it, uploads get slow. */
export const IAPP_RESULT_BYTES = 50 * 1024 * 1024;
/** Placeholders: a local run has no deal; a real task id is a bytes32 like these. */
const TASK_ID = `0x${'0'.repeat(63)}1`;
const DEAL_ID = `0x${'0'.repeat(63)}2`;
/** A deal without a dataset carries the zero address, and the worker passes it on (iexec-common IexecEnvUtils). */
const NO_DATASET = `0x${'0'.repeat(40)}`;

/**
 * @typedef {object} TaskOptions
 * @property {string} bundle the built app, e.g. dist/app.cjs
 * @property {string} [args] the request's `iexec_args`, one string the worker splits (scripts/args.mjs);
 *   the worker passes them whether or not the app reads them
 * @property {string[]} [inputFiles] the request's `iexec_input_files`: local paths, or http(s) URLs to download
 * @property {Record<string, string>} [requesterSecrets] requester secrets by key (a positive integer)
 * @property {string} [appSecret] the app developer secret
 * @property {string} [protectedData] a protected data file (see scripts/mock-protected-data.mjs)
 * @property {string[]} [bulk] the protected data files of a bulk slice
 * @property {boolean} [callback] run as a deal with a callback contract (iexec app run --callback)
 * @property {string} [workDir] where to make the task's folders (default: a new temporary folder)
 */

/**
 * @typedef {object} Task
 * @property {string} inDir IEXEC_IN
 * @property {string} outDir IEXEC_OUT
 * @property {Record<string, string>} env everything the app's process saw in its environment
 * @property {string[]} argv the app's arguments
 * @property {string} [argsWarning] why the worker gives the app no args (unbalanced quotes)
 * @property {number | null} status the app's exit code
 * @property {string} stdout
 * @property {string} stderr
 * @property {string[]} secrets values the app must never print
 * @property {boolean} [callback] whether the task emulates a deal with a callback contract
 */

/**
 * The name the worker gives a downloaded input file: the SHA-256 of its URL, "0x" and 64 hex digits.
 * @param {string} url
 */
export function inputFileName(url) {
  return `0x${createHash('sha256').update(url).digest('hex')}`;
}

/**
 * A local path stands for the file:// URL of that file; an http(s) URL is downloaded like the worker does.
 * @param {string} source
 * @returns {Promise<{ url: string, bytes: Uint8Array }>}
 */
async function fetchInputFile(source) {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`input file ${source}: HTTP ${response.status}: the worker would fail the task`);
    return { url: source, bytes: new Uint8Array(await response.arrayBuffer()) };
  }
  const path = resolve(source);
  if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`input file ${source} is not a file`);
  return { url: pathToFileURL(path).href, bytes: readFileSync(path) };
}

/**
 * A stand-in for a protected data's address, stable for a given file: the worker names the decrypted
 * file after the dataset's address.
 * @param {string} file
 */
export function datasetAddress(file) {
  return `0x${createHash('sha256').update(resolve(file)).digest('hex').slice(0, 40)}`;
}

/**
 * @param {string} file
 * @param {string} inDir
 */
function placeProtectedData(file, inDir) {
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`protected data ${file} is not a file`);
  const address = datasetAddress(file);
  copyFileSync(file, join(inDir, address));
  return address;
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
    IEXEC_DATASET_ADDRESS: NO_DATASET,
    IEXEC_DATASET_FILENAME: NO_DATASET,
  };
  /** @type {string[]} */
  const secrets = [];
  const inputFiles = options.inputFiles ?? [];
  if (inputFiles.length > 0) {
    env.IEXEC_INPUT_FILES_FOLDER = inDir;
    env.IEXEC_INPUT_FILES_NUMBER = String(inputFiles.length);
  }
  for (const [i, source] of inputFiles.entries()) {
    const { url, bytes } = await fetchInputFile(source);
    const name = inputFileName(url);
    writeFileSync(join(inDir, name), bytes);
    env[`IEXEC_INPUT_FILE_NAME_${i + 1}`] = name;
  }
  for (const [key, value] of Object.entries(options.requesterSecrets ?? {})) {
    if (!/^[1-9]\d*$/.test(key)) throw new Error(`requester secret key ${JSON.stringify(key)} must be a positive integer, as in --secret 1=<name>`);
    env[`IEXEC_REQUESTER_SECRET_${key}`] = value;
    secrets.push(value);
  }
  if (options.appSecret !== undefined) {
    env.IEXEC_APP_DEVELOPER_SECRET = options.appSecret;
    env.IEXEC_APP_DEVELOPER_SECRET_1 = options.appSecret;
    secrets.push(options.appSecret);
  }
  if (options.protectedData) {
    const dataset = placeProtectedData(options.protectedData, inDir);
    env.IEXEC_DATASET_ADDRESS = dataset;
    env.IEXEC_DATASET_FILENAME = dataset;
  }
  // Only bulk requests get these; each protected data of the slice is decrypted next to the others.
  const bulk = options.bulk ?? [];
  if (bulk.length > 0) env.IEXEC_BULK_SLICE_SIZE = String(bulk.length);
  for (const [i, file] of bulk.entries()) env[`IEXEC_DATASET_${i + 1}_FILENAME`] = placeProtectedData(file, inDir);
  const { argv, warning: argsWarning } = workerArgs(options.args ?? '');
  const run = spawnSync(process.execPath, [resolve(options.bundle), ...argv], { env, encoding: 'utf8', cwd: dir });
  if (run.error) throw run.error;
  // The worker saves the app's output into the result, where the requester downloads it, and only
  // after a successful run and when not empty (iexec-worker ComputeManagerService.runCompute, writeLogs).
  if (run.status === 0) {
    if (run.stdout) writeFileSync(join(outDir, 'stdout.txt'), run.stdout);
    if (run.stderr) writeFileSync(join(outDir, 'stderr.txt'), run.stderr);
  }
  return { inDir, outDir, env, argv, argsWarning, status: run.status, stdout: run.stdout, stderr: run.stderr, secrets, callback: options.callback ?? false };
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
 * @property {'pass' | 'warn' | 'fail'} level `warn`: the task completes, but look at it
 * @property {string} message what was checked, or why the task would fail, and whose rule it is
 */

/**
 * @typedef {object} Verdict
 * @property {boolean} ok whether the task would complete
 * @property {Check[]} checks
 * @property {string} [reason] why the task would fail
 */

/** The result digest and finalize check a callback deal differently (see checkOutput). */
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})+$/;

/**
 * What happens once the app has exited, in the worker's order: the post-compute checks, the result
 * digest and PoCo's finalize. The first failure is the reason the task would fail, and nothing after
 * it is checked. Each message says whose rule it is: the worker's, PoCo's, or our own lint.
 * @param {Task} task
 * @returns {Verdict}
 */
export function checkOutput(task) {
  /** @type {Check[]} */
  const checks = [];
  const pass = (/** @type {string} */ message) => checks.push({ level: 'pass', message });
  const warn = (/** @type {string} */ message) => checks.push({ level: 'warn', message });
  const fail = (/** @type {string} */ message) => {
    checks.push({ level: 'fail', message });
    return { ok: false, checks, reason: message };
  };
  const { outDir } = task;

  if (task.argsWarning) warn(task.argsWarning);
  // Since iexec-worker 9.2.0 (commit 030f21c8, TaskManagerService) a failed compute no longer stops the
  // task: post-compute runs and a task with a computed.json is contributed. Older v8 workers stopped here.
  if (task.status === 0) pass('the app exited with status 0');
  else warn(`the app exited with status ${task.status}: the worker logs APP_COMPUTE_FAILED, keeps no stdout.txt/stderr.txt, and still runs the post-compute (iexec-worker ≥ 9.2.0; older workers fail the task here)`);

  // A value shorter than this shows up in any output by chance: only longer ones can be looked for.
  const findable = task.secrets.filter((secret) => secret.length >= 6);
  const logs = `${task.stdout}\n${task.stderr}`;
  if (findable.some((secret) => logs.includes(secret))) {
    return fail('the app printed the value of a secret (our lint, not a worker check): the worker uploads stdout.txt and stderr.txt with the result, unencrypted unless --encrypt-result');
  }
  if (findable.length > 0) pass('no secret value in the app output (our lint)');

  const computedPath = join(outDir, 'computed.json');
  if (!existsSync(computedPath)) return fail('the app wrote no computed.json in IEXEC_OUT: the worker fails the task (POST_COMPUTE_COMPUTED_FILE_NOT_FOUND)');
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

  const callbackData = fields['callback-data'];
  if (task.callback) {
    // A deal with a callback: the result digest is keccak256(callback-data) (iexec-worker ResultService
    // computeResultDigest, ResultUtils.computeWeb3ResultDigest), nothing is uploaded, and PoCo calls the
    // contract with the bytes inside finalize.
    if (typeof callbackData !== 'string' || !HEX_BYTES.test(callbackData)) {
      return fail(
        `callback-data is ${JSON.stringify(callbackData ?? null)}: in a deal with a callback the worker cannot compute the result digest without 0x-prefixed hex bytes (POST_COMPUTE_RESULT_DIGEST_COMPUTATION_FAILED). The app writes them only when the task args hold --callback: pass --args "--callback …" with --callback <contract>`,
      );
    }
    pass(`callback-data holds ${(callbackData.length - 2) / 2} bytes for the callback contract`);
    return { ok: true, checks };
  }
  if (callbackData !== undefined && callbackData !== null && callbackData !== '') {
    // PoCo, IexecPoco2Facet (finalize and contributeAndFinalize): require(deal.callback == address(0) &&
    // resultsCallback.length == 0 || keccak256(resultsCallback) == resultDigest); the worker passes
    // callback-data on unfiltered (iexec-worker TaskManagerService) and the digest here is the file's.
    return fail(
      'computed.json has callback-data but the deal has no callback contract: PoCo reverts finalize (IexecPoco2Facet requires an empty resultsCallback when deal.callback is the zero address), so the task never completes. Write callback-data only when the requester asked for it (--callback in the task args), or run this as a callback deal (--callback)',
    );
  }

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
  const tooLong = files.map((f) => relative(outDir, f)).filter((f) => Buffer.byteLength(basename(f), 'utf8') > MAX_RESULT_NAME_BYTES);
  if (tooLong.length > 0) {
    return fail(
      `result file names over ${MAX_RESULT_NAME_BYTES} bytes of UTF-8 fail the TEE post-compute (PostComputeTooLongResultFileName): ${tooLong.join(', ')}`,
    );
  }
  pass(`every result file name has at most ${MAX_RESULT_NAME_BYTES} bytes`);

  const bytes = files.reduce((sum, f) => sum + lstatSync(f).size, 0);
  if (bytes > IAPP_RESULT_BYTES) {
    warn(`the result holds ${bytes} bytes, over the ${IAPP_RESULT_BYTES / 1024 / 1024} MiB the iApp generator keeps results under (its rule, not the platform's): uploads and downloads get slow`);
  } else {
    pass(`the result holds ${bytes} bytes`);
  }
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
