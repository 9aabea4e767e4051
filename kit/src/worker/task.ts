// Runs a bundled app the way an iExec worker does, without Docker: the task's folders, inputs and
// environment. What happens once the app has exited is post-compute.ts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workerArgs } from './args.js';

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
  /** The request's `iexec_input_files`: local paths, or http(s) URLs to download. */
  inputFiles?: string[];
  /** Requester secrets by key (a positive integer). */
  requesterSecrets?: Record<string, string>;
  /** The app developer secret. */
  appSecret?: string;
  /** A protected data file (made by mockProtectedData, or `iexec-module mock-protected-data`). */
  protectedData?: string;
  /** The protected data files of a bulk slice. */
  bulk?: string[];
  /** Run as a deal with a callback contract (iexec app run --callback). */
  callback?: boolean;
  /** Where to make the task's folders (default: a new temporary folder). */
  workDir?: string;
  /** The task's place in a real deal, as a local chain's worker knows it (default: placeholders). */
  deal?: DealIds;
  /**
   * Runs the app in place of `node <bundle>` (a local chain's worker runs the deployed image): gets what
   * the worker gives the app, resolves with what the app's process saw and did.
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
}

/** How the app's process ended, for {@link TaskOptions.exec}. */
export interface AppExit {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The environment the app saw, when not the one it was given (a container's /iexec_in, /iexec_out). */
  env?: Record<string, string>;
}

/** A task the app has run. */
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
  /** The app's exit code. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Values the app must never print (none when left out). */
  secrets?: string[];
  /** Whether the task emulates a deal with a callback contract. */
  callback: boolean;
}

/**
 * The worker saves the app's output into the result, where the requester downloads it, and only after
 * a successful run and when not empty (iexec-worker ComputeManagerService.runCompute, writeLogs).
 */
export function saveLogs(outDir: string, status: number | null, stdout: string, stderr: string): void {
  if (status !== 0) return;
  if (stdout) writeFileSync(join(outDir, 'stdout.txt'), stdout);
  if (stderr) writeFileSync(join(outDir, 'stderr.txt'), stderr);
}

/** The name the worker gives a downloaded input file: the SHA-256 of its URL, "0x" and 64 hex digits. */
export function inputFileName(url: string): string {
  return `0x${createHash('sha256').update(url).digest('hex')}`;
}

/** A local path stands for the file:// URL of that file; an http(s) URL is downloaded like the worker does. */
async function fetchInputFile(source: string): Promise<{ url: string; bytes: Uint8Array }> {
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
 */
export function datasetAddress(file: string): string {
  return `0x${createHash('sha256').update(resolve(file)).digest('hex').slice(0, 40)}`;
}

function placeProtectedData(file: string, inDir: string, address = datasetAddress(file)): string {
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`protected data ${file} is not a file`);
  copyFileSync(file, join(inDir, address));
  return address;
}

/**
 * Runs the bundle as a worker runs a task: fresh IEXEC_IN and IEXEC_OUT, the inputs placed and named as
 * the worker names them, and only the environment variables the worker sets.
 * @throws when an input cannot be had (the worker would fail the task) or the bundle is not a file
 */
export async function runTask(options: TaskOptions): Promise<Task> {
  const bundle = resolve(options.bundle);
  // Node would run a missing bundle anyway and only fail inside the app: say what is missing instead.
  if (!options.exec && (!existsSync(bundle) || !statSync(bundle).isFile())) throw new Error(`the app bundle ${options.bundle} is not a file: build the app first`);
  const dir = mkdtempSync(join(options.workDir ?? tmpdir(), 'iexec-task-'));
  const inDir = join(dir, 'iexec_in');
  const outDir = join(dir, 'iexec_out');
  mkdirSync(inDir);
  mkdirSync(outDir);
  const deal = options.deal;
  const env: Record<string, string> = {
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
  const secrets: string[] = [];
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
    const dataset = placeProtectedData(options.protectedData, inDir, deal?.datasetAddress);
    env.IEXEC_DATASET_ADDRESS = dataset;
    env.IEXEC_DATASET_FILENAME = dataset;
  }
  // Only bulk requests get these; each protected data of the slice is decrypted next to the others.
  const bulk = options.bulk ?? [];
  if (bulk.length > 0) env.IEXEC_BULK_SLICE_SIZE = String(bulk.length);
  for (const [i, file] of bulk.entries()) env[`IEXEC_DATASET_${i + 1}_FILENAME`] = placeProtectedData(file, inDir);
  const { argv, warning: argsWarning } = workerArgs(options.args ?? '');
  let run: AppExit;
  if (options.exec) {
    run = await options.exec({ argv, env, inDir, outDir, dir });
  } else {
    const child = spawnSync(process.execPath, [bundle, ...argv], { env, encoding: 'utf8', cwd: dir });
    if (child.error) throw child.error;
    run = child;
  }
  saveLogs(outDir, run.status, run.stdout, run.stderr);
  return { inDir, outDir, env: run.env ?? env, argv, argsWarning, status: run.status, stdout: run.stdout, stderr: run.stderr, secrets, callback: options.callback ?? false };
}
