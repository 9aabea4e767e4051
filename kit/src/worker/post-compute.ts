// What the worker and PoCo make of a task once the app has exited: the post-compute checks, the result
// digest and finalize, and the result as the requester reads it.
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { Task } from './task.js';

/**
 * The TEE post-compute (tee-worker-compute-rust, post-compute/src/compute/web2_result.rs,
 * check_result_files_name) fails the task when a result FILE name is longer than this many bytes of
 * UTF-8 (Rust's `str::len`); folder names are not checked.
 */
const MAX_RESULT_NAME_BYTES = 31;
/** The iApp generator's own cap on results (not a platform limit): past it, uploads get slow. */
const IAPP_RESULT_BYTES = 50 * 1024 * 1024;

/** One thing checked after the app exited. */
export interface Check {
  /** `warn`: the task completes, but look at it. */
  level: 'pass' | 'warn' | 'fail';
  /** What was checked, or why the task would fail, and whose rule it is. */
  message: string;
}

/** Whether the worker and PoCo would complete the task, and what they checked on the way. */
export interface Verdict {
  /** Whether the task would complete. */
  ok: boolean;
  checks: Check[];
  /** Why the task would fail. */
  reason?: string;
}

/** Every file below `dir`. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesBelow(path) : [path];
  });
}

/** The result digest and finalize check a callback deal differently (see checkOutput). */
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})+$/;

/**
 * What happens once the app has exited, in the worker's order: the post-compute checks, the result
 * digest and PoCo's finalize. The first failure is the reason the task would fail, and nothing after
 * it is checked. Each message says whose rule it is: the worker's, PoCo's, or our own lint.
 */
export function checkOutput(task: Task): Verdict {
  const checks: Check[] = [];
  const pass = (message: string) => checks.push({ level: 'pass', message });
  const warn = (message: string) => checks.push({ level: 'warn', message });
  const fail = (message: string): Verdict => {
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
  const findable = (task.secrets ?? []).filter((secret) => secret.length >= 6);
  const logs = `${task.stdout}\n${task.stderr}`;
  if (findable.some((secret) => logs.includes(secret))) {
    return fail('the app printed the value of a secret (our lint, not a worker check): the worker uploads stdout.txt and stderr.txt with the result, unencrypted unless --encrypt-result');
  }
  if (findable.length > 0) pass('no secret value in the app output (our lint)');

  const computedPath = join(outDir, 'computed.json');
  if (!existsSync(computedPath)) return fail('the app wrote no computed.json in IEXEC_OUT: the worker fails the task (POST_COMPUTE_COMPUTED_FILE_NOT_FOUND)');
  let computed: unknown;
  try {
    computed = JSON.parse(readFileSync(computedPath, 'utf8'));
  } catch (error) {
    return fail(`computed.json is not valid JSON (${(error as Error).message}): the worker fails the task`);
  }
  if (typeof computed !== 'object' || computed === null || Array.isArray(computed)) {
    return fail('computed.json is not a JSON object: the worker fails the task');
  }
  pass('computed.json is a JSON object');
  const fields = computed as Record<string, unknown>;

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
  // The path is the app's: under the IEXEC_OUT it saw (/iexec_out in a container), which is outDir here.
  const appOutDir = task.env.IEXEC_OUT ?? outDir;
  const inside = relative(appOutDir, outputPath);
  if (!isAbsolute(outputPath) || inside.startsWith('..') || isAbsolute(inside)) {
    const hint = appOutDir !== '/iexec_out' && outputPath.startsWith('/iexec_out') ? ' (build the path from IEXEC_OUT, do not write /iexec_out)' : '';
    return fail(`deterministic-output-path ${outputPath} is outside IEXEC_OUT${hint}: the worker fails the task`);
  }
  const hostPath = join(outDir, inside);
  if (!existsSync(hostPath)) return fail(`deterministic-output-path ${outputPath} does not exist: the worker fails the task`);
  const empty = lstatSync(hostPath).isDirectory() ? filesBelow(hostPath).length === 0 : statSync(hostPath).size === 0;
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

/** The app's result.json as the requester reads it: `{ ok: true, result }` or `{ ok: false, error }`. */
export function readResult(task: Pick<Task, 'outDir'>): unknown {
  return JSON.parse(readFileSync(join(task.outDir, 'result.json'), 'utf8'));
}
