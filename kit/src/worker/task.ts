// Runs a bundled app the way an iExec worker runs a task, without Docker: the task's folders, inputs
// and environment, the pre-compute's downloads, the app under the category's time limit, and its logs
// kept as the worker keeps them. What happens once the app has exited is post-compute.ts.
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { workerArgs } from './args.js';
import { DEFAULT_TIMEOUT_MS, DOWNLOAD_TIMEOUT_MS, LOG_TAIL_CHARS, type Flow } from './limits.js';
import { fatalError, placeInputFiles, writeErrorResult, type PreComputeError } from './pre-compute.js';
import { runProcess } from './process.js';

export { inputFileName, type PreComputeError } from './pre-compute.js';

/** Placeholders: a local run has no deal; a real task id is a bytes32 like these. */
const TASK_ID = `0x${'0'.repeat(63)}1`;
const DEAL_ID = `0x${'0'.repeat(63)}2`;
/** A deal without a dataset carries the zero address, and the worker passes it on (iexec-common IexecEnvUtils). */
const NO_DATASET = `0x${'0'.repeat(40)}`;

/** The request a task comes from. Leave an input out and the task has none, as on the worker. */
export interface TaskOptions {
  /** The built app, e.g. dist/app.cjs. */
  bundle: string;
  /**
   * The request's `iexec_args`, one string the worker splits ({@link workerArgs}); the worker passes
   * them whether or not the app reads them.
   */
  args?: string;
  /** The request's `iexec_input_files`: http(s) URLs to download, or local paths (see localInputFiles). */
  inputFiles?: string[];
  /**
   * Whether an input file that is not an http(s) URL is a local path standing for its file:// URL
   * (default), or, as on a worker, a download that fails.
   */
  localInputFiles?: boolean;
  /** Requester secrets by key (a positive integer). TEE tasks only: a standard task gets none. */
  requesterSecrets?: Record<string, string>;
  /** The app developer secret. TEE tasks only. */
  appSecret?: string;
  /** A protected data file (made by mockProtectedData, or `iexec-module mock-protected-data`). */
  protectedData?: string;
  /** The protected data files of a bulk slice. */
  bulk?: string[];
  /** Run as a deal with a callback contract (iexec app run --callback). */
  callback?: boolean;
  /** Which worker flow to emulate (default `tee`: the one secrets and protected data reach). */
  flow?: Flow;
  /** The app's time limit (default: category XS, 300 s). */
  timeoutMs?: number;
  /** How long one input file download may take (default 30 s, the TEE pre-compute's). */
  downloadTimeoutMs?: number;
  /**
   * Errors of a pre-compute done by the caller (a local chain downloads and decrypts datasets
   * itself), with iexec-common ReplicateStatusCause names: a standard task does not run the app after
   * DATASET_FILE_DOWNLOAD_FAILED, DATASET_FILE_BAD_CHECKSUM or APP_IMAGE_DOWNLOAD_FAILED; a TEE task
   * runs it anyway, except after APP_IMAGE_DOWNLOAD_FAILED.
   */
  preComputeErrors?: PreComputeError[];
  /** Where to make the task's folders (default: a new temporary folder). */
  workDir?: string;
  /** The task's place in a real deal, as a local chain's worker knows it (default: placeholders). */
  deal?: DealIds;
  /** Each chunk of the app's output as it comes (`local` shows it live). */
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /**
   * Runs the app in place of `node <bundle>` (a local chain's worker runs the deployed image): gets what
   * the worker gives the app, resolves with what the app's process saw and did. runProcess does what
   * it must: the time limit, the group kill, the output streamed into stdoutFile and stderrFile.
   */
  exec?: (app: AppLaunch) => Promise<AppExit>;
}

/** What a deal says about one of its tasks (PoCo IexecLibCore_v5 Deal and Task). */
export interface DealIds {
  taskId: string;
  dealId: string;
  /** The task's index in the deal (PoCo `idx`). */
  taskIndex: number;
  botFirstIndex: number;
  botSize: number;
  /** The deal's dataset: the protected data file is named after it (default: the zero address). */
  datasetAddress?: string;
}

/** The app's process as the worker would start it, for {@link TaskOptions.exec}. */
export interface AppLaunch {
  argv: string[];
  /** With IEXEC_IN and IEXEC_OUT naming inDir and outDir, which a container mounts elsewhere. */
  env: Record<string, string>;
  inDir: string;
  outDir: string;
  /** The task's folder, parent of inDir and outDir. */
  dir: string;
  /** The app's time limit: past it, stop the app and everything it started. */
  timeoutMs: number;
  /** Where the app's whole output goes; when the exec leaves them unwritten, AppExit's texts are kept. */
  stdoutFile: string;
  stderrFile: string;
}

/** How the app's process ended, for {@link TaskOptions.exec}; runProcess's ProcessExit is one. */
export interface AppExit {
  status: number | null;
  /** What it printed (the last 100,000 characters are enough: the rest is in stdoutFile). */
  stdout: string;
  stderr: string;
  /** Stopped at its time limit. */
  timedOut: boolean;
  /** How many bytes it printed in all, when more than the file kept. */
  stdoutBytes?: number;
  stderrBytes?: number;
  /** The environment the app saw, when not the one it was given (a container's /iexec_in, /iexec_out). */
  env?: Record<string, string>;
}

/** The app's whole output: files, and how many bytes each stream carried. */
export interface TaskLogs {
  /**
   * IEXEC_OUT/stdout.txt after a successful run that printed something, as the worker keeps it; else
   * beside IEXEC_OUT; '' for none.
   */
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
}

/** A task as the worker ran it. */
export interface Task {
  /** IEXEC_IN. */
  inDir: string;
  /** IEXEC_OUT. */
  outDir: string;
  /** Everything the app's process saw in its environment. */
  env: Record<string, string>;
  /** The app's arguments. */
  argv: string[];
  /** Why the worker gives the app no args (unbalanced quotes). */
  argsWarning?: string;
  /** Which worker flow ran it. */
  flow: Flow;
  /** Whether the app ran: a standard task whose downloads failed never starts it. */
  appRan: boolean;
  /** What went wrong before the app (ReplicateStatusCause names); the task may still complete. */
  preComputeErrors: PreComputeError[];
  /** The app's exit code (null when stopped, or when it did not run). */
  status: number | null;
  /** Stopped at its time limit. */
  timedOut: boolean;
  timeoutMs: number;
  /** The last 100,000 characters of each stream, what `iexec task debug --logs` shows. */
  stdout: string;
  stderr: string;
  logs: TaskLogs;
  /** Values the app must never print or put in its result (none when left out). */
  secrets?: string[];
  /** What the emulation left out, and why (a standard task's secrets). */
  warnings: string[];
  /** Whether the task emulates a deal with a callback contract. */
  callback: boolean;
}

/**
 * The worker saves the app's output into the result, where the requester downloads it, only after a
 * successful run and when not empty (iexec-worker ComputeManagerService.runCompute, writeLogs): moved
 * (or copied) there whole. Returns where each log is now.
 */
export function keepLogs(outDir: string, ok: boolean, logs: TaskLogs, how: 'move' | 'copy' = 'move'): TaskLogs {
  const keep = (file: string, name: string) => {
    if (!ok || !file || statSync(file).size === 0) return file;
    const target = join(outDir, name);
    try {
      if (how === 'copy') copyFileSync(file, target);
      else renameSync(file, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      copyFileSync(file, target);
    }
    return target;
  };
  return { ...logs, stdout: keep(logs.stdout, 'stdout.txt'), stderr: keep(logs.stderr, 'stderr.txt') };
}

/** The last LOG_TAIL_CHARS characters of a log file, as the core keeps them; a UTF-16 unit takes at most 3 bytes of UTF-8. */
export function logTail(file: string): string {
  if (!file) return '';
  const size = statSync(file).size;
  const length = Math.min(size, 3 * LOG_TAIL_CHARS);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8').slice(-LOG_TAIL_CHARS);
}

/**
 * A stand-in for a protected data's address, stable for a given file: the worker names the decrypted
 * file after the dataset's address.
 */
export function datasetAddress(file: string): string {
  return `0x${createHash('sha256').update(resolve(file)).digest('hex').slice(0, 40)}`;
}

function placeProtectedData(file: string, inDir: string, address = datasetAddress(file)): string {
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`protected data ${file} is not a file`);
  copyFileSync(file, join(inDir, address));
  return address;
}

/** The secrets the SMS gives a TEE session (iexec-sms SecretSessionBaseService.getAppTokens); a missing one is left out. */
function secretsEnv(options: TaskOptions, env: Record<string, string>): string[] {
  const values: string[] = [];
  for (const [key, value] of Object.entries(options.requesterSecrets ?? {})) {
    if (!/^[1-9]\d*$/.test(key))
      throw new Error(`requester secret key ${JSON.stringify(key)} must be a positive integer, as in --secret 1=<name>`);
    if (value === undefined) continue;
    env[`IEXEC_REQUESTER_SECRET_${key}`] = value;
    values.push(value);
  }
  if (options.appSecret !== undefined) {
    env.IEXEC_APP_DEVELOPER_SECRET = options.appSecret;
    env.IEXEC_APP_DEVELOPER_SECRET_1 = options.appSecret;
    values.push(options.appSecret);
  }
  return values;
}

/** IexecEnvUtils.getComputeStageEnvMap for this task. */
function workerEnv(options: TaskOptions, inDir: string, outDir: string): Record<string, string> {
  const deal = options.deal;
  return {
    IEXEC_IN: inDir,
    IEXEC_OUT: outDir,
    IEXEC_TASK_ID: deal?.taskId ?? TASK_ID,
    IEXEC_DEAL_ID: deal?.dealId ?? DEAL_ID,
    IEXEC_TASK_INDEX: String(deal?.taskIndex ?? 0),
    IEXEC_BOT_SIZE: String(deal?.botSize ?? 1),
    IEXEC_BOT_FIRST_INDEX: String(deal?.botFirstIndex ?? 0),
    IEXEC_BOT_TASK_INDEX: String(deal?.taskIndex ?? 0),
    IEXEC_INPUT_FILES_NUMBER: '0',
    IEXEC_DATASET_ADDRESS: NO_DATASET,
    IEXEC_DATASET_FILENAME: NO_DATASET,
  };
}

/** `node <bundle>` under the worker's limits. */
function runBundle(bundle: string, options: TaskOptions): (app: AppLaunch) => Promise<AppExit> {
  return (app) =>
    runProcess(process.execPath, [bundle, ...app.argv], {
      env: app.env,
      cwd: app.dir,
      timeoutMs: app.timeoutMs,
      stdoutFile: app.stdoutFile,
      stderrFile: app.stderrFile,
      onOutput: options.onOutput,
    });
}

/**
 * Runs the bundle as a worker runs a task: fresh IEXEC_IN and IEXEC_OUT, the inputs placed and named as
 * the worker names them, only the environment variables the worker sets, the category's time limit.
 * A download that fails does what the worker does (see pre-compute.ts) rather than throw.
 * @throws when the bundle is not a file, or a local input (a path, a protected data file) is missing
 */
export async function runTask(options: TaskOptions): Promise<Task> {
  const bundle = resolve(options.bundle);
  // Node would run a missing bundle anyway and only fail inside the app: say what is missing instead.
  if (!options.exec && (!existsSync(bundle) || !statSync(bundle).isFile()))
    throw new Error(`the app bundle ${options.bundle} is not a file: build the app first`);
  const flow = options.flow ?? 'tee';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const dir = mkdtempSync(join(options.workDir ?? tmpdir(), 'iexec-task-'));
  const inDir = join(dir, 'iexec_in');
  const outDir = join(dir, 'iexec_out');
  mkdirSync(inDir);
  mkdirSync(outDir);
  const env = workerEnv(options, inDir, outDir);
  const warnings: string[] = [];
  let secrets: string[] = [];
  if (flow === 'tee') secrets = secretsEnv(options, env);
  else if (options.appSecret !== undefined || Object.keys(options.requesterSecrets ?? {}).length > 0) {
    warnings.push(
      'the app got none of the secrets given: a standard task has no SMS session, only TEE tasks get requester and app developer secrets (iexec-sms SecretSessionBaseService)',
    );
  }

  const preComputeErrors = [...(options.preComputeErrors ?? [])];
  const inputFiles = options.inputFiles ?? [];
  if (inputFiles.length > 0) {
    env.IEXEC_INPUT_FILES_FOLDER = inDir;
    env.IEXEC_INPUT_FILES_NUMBER = String(inputFiles.length);
  }
  const placed = await placeInputFiles({
    sources: inputFiles,
    localPaths: options.localInputFiles ?? true,
    inDir,
    flow,
    timeoutMs: options.downloadTimeoutMs ?? DOWNLOAD_TIMEOUT_MS,
    stopped: fatalError(flow, preComputeErrors) !== undefined,
  });
  placed.names.forEach((name, i) => (env[`IEXEC_INPUT_FILE_NAME_${i + 1}`] = name));
  preComputeErrors.push(...placed.errors);
  if (options.protectedData) {
    const dataset = placeProtectedData(options.protectedData, inDir, options.deal?.datasetAddress);
    env.IEXEC_DATASET_ADDRESS = dataset;
    env.IEXEC_DATASET_FILENAME = dataset;
  }
  // Only bulk requests get these; each protected data of the slice is decrypted next to the others.
  const bulk = options.bulk ?? [];
  if (bulk.length > 0) env.IEXEC_BULK_SLICE_SIZE = String(bulk.length);
  for (const [i, file] of bulk.entries()) env[`IEXEC_DATASET_${i + 1}_FILENAME`] = placeProtectedData(file, inDir);
  const { argv, warning: argsWarning } = workerArgs(options.args ?? '');

  const base = {
    inDir,
    outDir,
    argv,
    argsWarning,
    flow,
    preComputeErrors,
    timeoutMs,
    secrets,
    warnings,
    callback: options.callback ?? false,
  };
  const fatal = fatalError(flow, preComputeErrors);
  if (fatal) {
    writeErrorResult(outDir, flow, fatal);
    const none = { stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0 };
    return { ...base, env, appRan: false, status: null, timedOut: false, stdout: '', stderr: '', logs: none };
  }
  let logs: TaskLogs = { stdout: join(dir, 'stdout.log'), stderr: join(dir, 'stderr.log'), stdoutBytes: 0, stderrBytes: 0 };
  const exec = options.exec ?? runBundle(bundle, options);
  const run = await exec({ argv, env, inDir, outDir, dir, timeoutMs, stdoutFile: logs.stdout, stderrFile: logs.stderr });
  // An exec that did not stream its output: keep what it returned.
  if (!existsSync(logs.stdout)) writeFileSync(logs.stdout, run.stdout);
  if (!existsSync(logs.stderr)) writeFileSync(logs.stderr, run.stderr);
  logs.stdoutBytes = run.stdoutBytes ?? statSync(logs.stdout).size;
  logs.stderrBytes = run.stderrBytes ?? statSync(logs.stderr).size;
  logs = keepLogs(outDir, run.status === 0 && !run.timedOut, logs);
  return {
    ...base,
    env: run.env ?? env,
    appRan: true,
    status: run.status,
    timedOut: run.timedOut,
    stdout: run.stdout,
    stderr: run.stderr,
    logs,
  };
}
