// The iExec worker contract, kept apart from src/app.ts so that the compute logic never has to care
// about it: src/app.ts imports everything from here. Keep your own code in src/app.ts: this file and
// src/iexec/ can then be updated from newer create-iexec-module releases.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readAppSecret } from './iexec/app-secret.js';
import { readBulkSlice } from './iexec/bulk.js';
import { type CallbackData, toCallbackData } from './iexec/callback.js';
import { type InputFile, readInputFiles } from './iexec/input-files.js';
import { type ProtectedData, readProtectedData } from './iexec/protected-data.js';
import { readRequesterSecrets, type RequesterSecrets } from './iexec/requester-secrets.js';
export type { CallbackData } from './iexec/callback.js';
export { type InputFile, readInputText } from './iexec/input-files.js';
export type { ProtectedData } from './iexec/protected-data.js';
export type { RequesterSecrets } from './iexec/requester-secrets.js';

/** What the worker hands the app: the task args (its CMD) and the IEXEC_* environment, read and checked. */
export interface IexecContext {
  /** `iexec_args` of the request, as the worker split them (iexec-module-kit's `workerArgs` has their exact rules), without --callback. */
  args: string[];
  /**
   * Whether the requester asked for callback-data, by putting --callback in the task args. The app
   * cannot see the deal's callback contract, and PoCo refuses callback-data on a deal without one.
   */
  callback: boolean;
  /** IEXEC_IN: input files and decrypted protected data are here. */
  inDir: string;
  /** IEXEC_OUT: everything written here is the task result the requester downloads. */
  outDir: string;
  taskId: string | undefined;
  dealId: string | undefined;
  taskIndex: number | undefined;
  botSize: number | undefined;
  botFirstIndex: number | undefined;
  botTaskIndex: number | undefined;
  /** The request's `iexec_input_files`, downloaded into IEXEC_IN, in the request's order. */
  inputFiles: InputFile[];
  /** Secrets the requester mapped to this task (TEE tasks only), by key. */
  requesterSecrets: RequesterSecrets;
  /** The app developer secret (TEE tasks only); throws an error saying how to set it when there is none. */
  appSecret: () => string;
  /** The task's protected data, or undefined when the request names none. */
  protectedData: ProtectedData | undefined;
  /** The protected data of a bulk slice, in order; empty when the task is not bulk processing. */
  bulk: ProtectedData[];
}

/** What the compute returns: the value recorded in result.json, and the bytes for the deal's callback contract. */
export interface Output {
  /** Recorded in result.json; it must survive JSON.stringify. */
  result: unknown;
  /** Written into computed.json only when `ctx.callback` is true; ignored otherwise. */
  callbackData: CallbackData;
}

export type Compute = (ctx: IexecContext) => Output | Promise<Output>;

/** The task arg by which the requester asks for callback-data (web3mail's requesters use a `useCallback` secret). */
export const CALLBACK_ARG = '--callback';

/** The deterministic output: the result digest is computed on this file. */
export const RESULT_FILE = 'result.json';
const COMPUTED_FILE = 'computed.json';
/**
 * The TEE post-compute fails the whole task on a longer result file name, counted in bytes of UTF-8
 * (tee-worker-compute-rust, web2_result.rs): `résultat.txt` is 12 characters but 13 bytes.
 */
export const MAX_RESULT_NAME_BYTES = 31;

function optionalInt(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : undefined;
}

function outDirOf(env: NodeJS.ProcessEnv): string {
  return env.IEXEC_OUT || '/iexec_out';
}

/** Reads what the worker hands the app; throws an error naming the variable when one is malformed. */
export function readContext(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv): IexecContext {
  const inDir = env.IEXEC_IN || '/iexec_in';
  const taskArgs = argv.slice(2);
  return {
    args: taskArgs.filter((arg) => arg !== CALLBACK_ARG),
    callback: taskArgs.includes(CALLBACK_ARG),
    inDir,
    outDir: outDirOf(env),
    taskId: env.IEXEC_TASK_ID || undefined,
    dealId: env.IEXEC_DEAL_ID || undefined,
    taskIndex: optionalInt(env.IEXEC_TASK_INDEX),
    botSize: optionalInt(env.IEXEC_BOT_SIZE),
    botFirstIndex: optionalInt(env.IEXEC_BOT_FIRST_INDEX),
    botTaskIndex: optionalInt(env.IEXEC_BOT_TASK_INDEX),
    inputFiles: readInputFiles(env, inDir),
    requesterSecrets: readRequesterSecrets(env),
    appSecret: readAppSecret(env),
    protectedData: readProtectedData(env, inDir),
    bulk: readBulkSlice(env, inDir),
  };
}

/** Writes an extra file into the result, refusing names that would fail the task after compute. */
export function writeResultFile(ctx: IexecContext, name: string, data: string | Uint8Array): string {
  if (name === '' || basename(name) !== name) {
    throw new Error(`result file name ${JSON.stringify(name)} must be a plain file name`);
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_RESULT_NAME_BYTES) {
    throw new Error(`result file name ${JSON.stringify(name)} has ${bytes} bytes of UTF-8, over the ${MAX_RESULT_NAME_BYTES} the TEE post-compute accepts`);
  }
  if (name === RESULT_FILE || name === COMPUTED_FILE) {
    throw new Error(`${name} is written by runApp: return the value from your compute instead`);
  }
  const path = join(ctx.outDir, name);
  writeFileSync(path, data);
  return path;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs the compute and always ends with $IEXEC_OUT/result.json and $IEXEC_OUT/computed.json.
 *
 * A failing compute still exits 0 with `{ ok: false, error }` in result.json, as mature iExec apps
 * (web3mail) do, so the requester downloads a result that says what went wrong. A non-zero exit
 * would tell them less: the worker (since 9.2.0) logs APP_COMPUTE_FAILED, drops the app's
 * stdout.txt/stderr.txt and goes on with whatever computed.json is there, and older workers fail
 * the task outright. The cost: the requester pays for the failed run.
 * Error messages and everything the app prints end up in the result (stdout.txt, stderr.txt),
 * unencrypted unless the requester asked for --encrypt-result: never put a secret's value in one.
 *
 * callback-data is written only when the requester put --callback in the task args: on a deal
 * without a callback contract PoCo refuses to finalize a result that carries it (IexecPoco2Facet), so
 * the task would never complete. A failed compute writes none: in a deal with a callback the worker
 * then cannot compute the result digest and fails the task, so the contract never receives bytes
 * that mean nothing.
 */
export async function runApp(compute: Compute): Promise<void> {
  const outDir = outDirOf(process.env);
  let body: string;
  let callbackData: string | undefined;
  try {
    mkdirSync(outDir, { recursive: true });
    const ctx = readContext();
    const output = await compute(ctx);
    if (ctx.callback) callbackData = toCallbackData(output.callbackData);
    body = JSON.stringify({ ok: true, result: output.result ?? null }, null, 2);
  } catch (error) {
    console.error('compute failed:', error);
    body = JSON.stringify({ ok: false, error: describeError(error) }, null, 2);
  }
  try {
    const resultPath = join(outDir, RESULT_FILE);
    writeFileSync(resultPath, `${body}\n`);
    // Written last: its presence means the result is complete.
    writeFileSync(
      join(outDir, COMPUTED_FILE),
      `${JSON.stringify({ 'deterministic-output-path': resultPath, 'callback-data': callbackData })}\n`,
    );
  } catch (error) {
    // No way left to report through the result: fail loudly for the worker logs instead.
    console.error(`cannot write the result into IEXEC_OUT (${outDir}):`, error);
    process.exitCode = 1;
  }
}
