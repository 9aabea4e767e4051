/*
 * The limits a worker runs a task under, as data: each names the platform code it comes from. The
 * emulation (task.ts, process.ts, pre-compute.ts) reads them from here and nowhere else.
 */

/**
 * The two ways a worker runs a task. `standard`: iexec-worker alone (downloads in Java, the app's
 * container, the Java post-compute in PostComputeService.runStandardPostCompute). `tee`: the
 * pre-compute and post-compute enclaves of tee-worker-compute-rust around the app, the secrets from
 * the SMS session.
 */
export type Flow = 'standard' | 'tee';
export const FLOWS: readonly Flow[] = ['tee', 'standard'];

/**
 * The app's time, in seconds, per PoCo category (PoCo v6.1.0 config/config.json `workClockTimeRef`):
 * the worker stops the app's container after it (iexec-commons-poco TaskDescription.getMaxExecutionTime,
 * iexec-commons-containers DockerClientInstance.run). A deal asks for a category; iexec app run's
 * default is 0, XS.
 */
export const CATEGORY_SECONDS = { XS: 300, S: 1200, M: 3600, L: 10800, XL: 36000 } as const;
export const DEFAULT_TIMEOUT_MS = CATEGORY_SECONDS.XS * 1000;

/**
 * The logs the core keeps for `iexec task debug --logs`: the last 100,000 characters (UTF-16 units,
 * Java's String.length) of each stream (iexec-common ComputeLogs.MAX_LOG_LENGTH, tailLogs). The worker
 * itself keeps the whole output and writes it into IEXEC_OUT as stdout.txt and stderr.txt
 * (iexec-commons-containers DockerClientInstance.FrameResultCallback, iexec-worker
 * ComputeManagerService.writeLogs).
 */
export const LOG_TAIL_CHARS = 100_000;

/**
 * Not a platform limit: what the kit writes to disk of one stream before it stops keeping it. The
 * worker holds the whole log in one Java String (at most 2^31 - 1 characters) and would keep more; an
 * app printing in a loop for its whole category time would otherwise fill the disk.
 */
export const KEPT_LOG_BYTES = 1024 ** 3;

/**
 * How long one input file download may take. The TEE pre-compute downloads with reqwest's blocking
 * client, whose default timeout is 30 s for the whole request (tee-worker-compute-rust
 * pre-compute/src/compute/utils/file_utils.rs download_from_url; reqwest src/blocking/client.rs
 * `impl Default for Timeout`). The standard worker sets none (iexec-common
 * FileHelper.readFileBytesFromUrl: `new URL(url).openStream()`), so a server that never answers holds
 * it until the task's deadlines pass: the kit gives up at the same 30 s and says so.
 */
export const DOWNLOAD_TIMEOUT_MS = 30_000;

/**
 * Result file names longer than this fail the post-compute: UTF-16 units in the standard worker
 * (iexec-worker PostComputeService.checkResultFilesName, `fileName.length()`), UTF-8 bytes in the TEE
 * post-compute (tee-worker-compute-rust post-compute/src/compute/web2_result.rs
 * check_result_files_name, Rust's `str::len`).
 */
export const MAX_RESULT_NAME = 31;
