/*
 * What happens before the app runs, and what a worker >= 9.2.0 does when it goes wrong (iexec-worker
 * commit 030f21c8, TaskManagerService):
 *   - standard task: the worker downloads the app, the dataset, then the input files, and stops at the
 *     first failure (DataService.downloadStandardInputFiles). Then the app does not run: the worker
 *     writes /iexec_out/error.txt and a computed.json pointing at it (ResultService.writeErrorToIexecOut),
 *     runs the post-compute on that, and the task completes with error.txt as its result
 *     (triggerPostComputeHookOnError; iexec-core ReplicateWorkflow asks it to contribute).
 *   - TEE task: the pre-compute enclave tries every dataset and input file and collects the errors
 *     (tee-worker-compute-rust pre-compute/src/compute/pre_compute_app.rs `run`); the worker logs them
 *     and runs the app anyway, then the post-compute (TaskManagerService.compute).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { pathToFileURL } from 'node:url';
import type { Flow } from './limits.js';

/** A pre-compute error: `cause` is an iexec-common ReplicateStatusCause name. */
export interface PreComputeError {
  cause: string;
  /** The platform's own message where it has one, then what the kit saw. */
  message: string;
}

/**
 * The causes after which a worker does not run the app, with the replicate status it writes in
 * error.txt (iexec-worker TaskManagerService.downloadApp and downloadData). An app image that cannot
 * be pulled stops a TEE task too; a dataset or input file only stops a standard one.
 */
const FATAL: Record<Flow, Readonly<Record<string, string>>> = {
  standard: {
    APP_IMAGE_DOWNLOAD_FAILED: 'APP_DOWNLOAD_FAILED',
    DATASET_FILE_DOWNLOAD_FAILED: 'DATA_DOWNLOAD_FAILED',
    DATASET_FILE_BAD_CHECKSUM: 'DATA_DOWNLOAD_FAILED',
    INPUT_FILES_DOWNLOAD_FAILED: 'DATA_DOWNLOAD_FAILED',
  },
  tee: { APP_IMAGE_DOWNLOAD_FAILED: 'APP_DOWNLOAD_FAILED' },
};

/** The first error that keeps the app from running in this flow, if any. */
export function fatalError(flow: Flow, errors: PreComputeError[]): PreComputeError | undefined {
  return errors.find((error) => Object.hasOwn(FATAL[flow], error.cause));
}

/**
 * What the worker writes when the app cannot run: error.txt, and a computed.json pointing at it by its
 * path in the container, /iexec_out/error.txt. The text is Java's: String.format of the replicate
 * status and the List<WorkflowError> (records print as `WorkflowError[cause=…, message=]`; the
 * download errors carry no message).
 */
export function writeErrorResult(outDir: string, flow: Flow, error: PreComputeError): void {
  const status = FATAL[flow][error.cause];
  writeFileSync(
    join(outDir, 'error.txt'),
    `[IEXEC] Errors occurred while computing the task [error:${status}, causes:[WorkflowError[cause=${error.cause}, message=]]]`,
  );
  // Jackson's ObjectMapper writes every field of iexec-common ComputedFile, nulls included, in order.
  const computed = {
    'deterministic-output-path': '/iexec_out/error.txt',
    'callback-data': null,
    'task-id': null,
    'result-digest': null,
    'enclave-signature': null,
    'error-message': null,
  };
  writeFileSync(join(outDir, 'computed.json'), JSON.stringify(computed));
}

/** The name the worker gives a downloaded input file: the SHA-256 of its URL, "0x" and 64 hex digits. */
export function inputFileName(url: string): string {
  return `0x${createHash('sha256').update(url).digest('hex')}`;
}

/** Why a fetch failed, in words: the URL's own problem, not `fetch failed`. */
function fetchFailure(error: unknown, timeoutMs: number): string {
  const { name, message, cause } = error as Error & { cause?: Error & { errors?: Error[] } };
  if (name === 'TimeoutError' || name === 'AbortError') return `no complete answer within ${timeoutMs / 1000} s`;
  if (cause?.errors?.length) return cause.errors.map((inner) => inner.message).join('; ');
  return cause?.message ?? message;
}

/** Downloads `url` into `file` (written beside, then renamed: a failed download leaves no file). */
async function download(url: string, file: string, timeoutMs: number): Promise<void> {
  const partial = `${file}.part`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    await pipeline(Readable.fromWeb(response.body as ReadableStream<Uint8Array>), createWriteStream(partial));
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new Error(fetchFailure(error, timeoutMs));
  }
}

export interface InputFilesRequest {
  /** http(s) URLs, or local paths standing for their file:// URL when `localPaths` holds. */
  sources: string[];
  localPaths: boolean;
  inDir: string;
  flow: Flow;
  timeoutMs: number;
  /** A standard worker that already failed (the app image, the dataset) downloads no input file. */
  stopped: boolean;
}

/**
 * Places the input files in IEXEC_IN under the worker's names, and returns those names (in order,
 * downloaded or not: the app's environment names them all) and the errors the downloads met.
 * @throws when a local path is not a file: that is the kit's user's mistake, not a download failure
 */
export async function placeInputFiles(request: InputFilesRequest): Promise<{ names: string[]; errors: PreComputeError[] }> {
  const { sources, inDir, flow, timeoutMs } = request;
  const names: string[] = [];
  const errors: PreComputeError[] = [];
  for (const source of sources) {
    const isUrl = /^https?:\/\//i.test(source);
    if (!isUrl && request.localPaths) {
      const path = resolve(source);
      if (!existsSync(path) || !statSync(path).isFile())
        throw new Error(`input file ${source} is not a file (give an http(s) URL to rehearse a download that fails)`);
      const name = inputFileName(pathToFileURL(path).href);
      copyFileSync(path, join(inDir, name));
      names.push(name);
      continue;
    }
    const name = inputFileName(source);
    names.push(name);
    // The standard worker stops at the first failure; it downloads nothing after it.
    if (flow === 'standard' && (request.stopped || errors.length > 0)) continue;
    try {
      // Only http(s): Rust's reqwest fetches nothing else, and Java's URL.openStream would read a file:
      // or ftp: URL from the worker's own host, which the kit does not rehearse.
      if (!isUrl) throw new Error('not an http(s) URL');
      await download(source, join(inDir, name), timeoutMs);
    } catch (error) {
      // iexec-common FileHelper.readFileBytesFromUrl sets no timeout: the standard worker would wait on.
      const wait =
        flow === 'standard' && (error as Error).message.startsWith('no complete answer')
          ? " (the kit gives up there; a standard worker sets no timeout and waits until the task's deadlines)"
          : '';
      const reason = `${source}: ${(error as Error).message}${wait}`;
      errors.push(
        flow === 'tee'
          ? { cause: 'PRE_COMPUTE_INPUT_FILE_DOWNLOAD_FAILED', message: `Input file download failed for input ${reason}` }
          : { cause: 'INPUT_FILES_DOWNLOAD_FAILED', message: `cannot download input file ${reason}` },
      );
    }
  }
  return { names, errors };
}
