/*
 * One task on the local workerpool, step by step as iexec-core schedules it and iexec-worker runs it
 * (core TaskUpdateManager and ReplicateWorkflow at fa704ab3; worker TaskNotificationService and
 * TaskManagerService at 579a7db9, the TDX support): initialize, start (the TEE session), download the
 * app, download the data (standard tasks), compute, then contribute, reveal and upload, or contribute and
 * finalize in one call (TEE). A step that fails records the status and cause the worker reports and ends
 * the worker's part; nobody fails the task on chain: it stays as PoCo leaves it, and the console says why
 * it will not complete and when it can be claimed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Wallet, ZeroAddress, getBytes, solidityPackedKeccak256 } from 'ethers';
import type { Task } from '../../worker/task.js';
import type { ChainClock } from '../clock.js';
import type { NetworkState, TaskRecord } from '../state.js';
import type { AppChoice, AppSource } from './app-image.js';
import { runTask, type AppLaunch, type AppExit } from '../../worker/task.js';
import { fetchBulkSlice, type BulkChain } from './bulk.js';
import { computedFile, type ComputedFile } from './computed-file.js';
import { fetchDataset, ipfsLookup, type StepError } from './dataset.js';
import { explainStuck } from './explain.js';
import { PocoRefused, type Deal, type Poco } from './hub-calls.js';
import { Progress } from './progress.js';
import { teeSession, type DealParams, type TeeSession } from './tee-session.js';
import { uploadResult } from './upload.js';

export interface PipelineContext {
  poco: Poco;
  state: NetworkState;
  runner: AppSource;
  clock: ChainClock;
  /** Where the tasks' folders go. */
  workDir: string;
  /** An http(s) download bounded in time (datasets). */
  fetchUrl(url: string): Promise<Buffer>;
  /** What a bulk task's slice needs from the chain and the SMS (bulk.ts). */
  bulk?: BulkChain;
  log(message: string): void;
}

/** A step's end: the replicate status and cause the worker reports, and why, in words. */
class StepFailed extends Error {
  constructor(
    readonly status: string,
    readonly cause: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** A standard task whose app could not be pulled never runs it: runTask writes the error result instead. */
const notRun = (_app: AppLaunch): Promise<AppExit> => Promise.reject(new Error('the app image was not downloaded'));

/** PoCo tag bits (iexec-commons-poco TeeUtils): bit 0 TEE, then the framework. */
const TAG_SCONE = 0x2n;
const TAG_GRAMINE = 0x4n;
const TAG_TDX = 0x8n;

export function teeFramework(tag: string): 'scone' | 'gramine' | 'tdx' | undefined {
  const bits = BigInt(tag);
  if ((bits & 0x1n) === 0n) return undefined;
  return (bits & TAG_SCONE) !== 0n ? 'scone' : (bits & TAG_TDX) !== 0n ? 'tdx' : (bits & TAG_GRAMINE) !== 0n ? 'gramine' : undefined;
}

export class TaskPipeline {
  private readonly progress: Progress;
  private readonly tee: boolean;
  private readonly params: DealParams;
  private readonly dir: string;
  private session?: TeeSession;
  private app?: AppChoice;
  private appError?: StepError;
  private dataset?: string;
  private bulkFiles?: string[];
  private readonly errors: StepError[] = [];

  constructor(
    private readonly ctx: PipelineContext,
    private readonly deal: Deal,
    private readonly record: TaskRecord,
    private readonly label: string,
  ) {
    this.progress = new Progress(record, ctx.poco.worker, () => ctx.clock.date());
    this.tee = record.tee;
    this.params = JSON.parse(deal.params || '{}');
    this.dir = fs.mkdtempSync(path.join(ctx.workDir, `${record.taskid.slice(0, 18)}-`));
  }

  private say(message: string) {
    this.ctx.log(`${this.label}: ${message}`);
  }

  async run(index: number): Promise<void> {
    const started = Date.now();
    try {
      if (!(await this.initialize(index))) return;
      this.progress.replicate('CREATED');
      await this.start();
      await this.downloadApp();
      await this.downloadData();
      const result = await this.computeStage();
      if (this.tee) await this.contributeAndFinalize(result);
      else await this.contributeRevealFinalize(result);
      this.say(
        `COMPLETED in ${((Date.now() - started) / 1000).toFixed(1)} s, results ${this.record.resultLink ?? this.record.chainCallbackData}`,
      );
    } catch (error) {
      if (!(error instanceof StepFailed)) throw error;
      if (error.status) this.progress.replicate(error.status, error.cause);
      this.say(explainStuck(this.record, error.message, this.tee));
    }
  }

  /** core received2Initializing, initializing2Initialized. */
  private async initialize(index: number): Promise<boolean> {
    this.progress.core('INITIALIZING');
    try {
      this.record.initializationBlockNumber = await this.ctx.poco.initialize(this.deal.dealid, index);
    } catch (error) {
      this.progress.core('INITIALIZE_FAILED', 'FAILED');
      this.say(explainStuck(this.record, (error as Error).message, this.tee));
      return false;
    }
    this.progress.core('INITIALIZED');
    return true;
  }

  /** TaskManagerService.start: standard tasks refuse encrypted results; TEE tasks need their session. */
  private async start() {
    this.progress.replicate('STARTING');
    if (!this.tee && this.params.iexec_result_encryption === true) {
      throw new StepFailed(
        'START_FAILED',
        'TASK_DESCRIPTION_INVALID',
        'the deal asks for encrypted results, which a standard worker refuses (only a TEE post-compute encrypts results)',
      );
    }
    if (this.tee) {
      const session = teeSession(this.deal, this.params, this.ctx.state.secrets);
      if ('error' in session) throw new StepFailed('START_FAILED', session.error.cause, session.error.message);
      this.session = session.session;
      if (session.session.missingSecrets.length > 0) {
        this.say(
          `the SMS has no requester secret ${session.session.missingSecrets.join(', ')} of ${this.deal.requester}: the app gets no variable for it`,
        );
      }
    }
    this.progress.replicate('STARTED');
    this.progress.core('RUNNING');
  }

  /** TaskManagerService.downloadApp: a failed pull is APP_IMAGE_DOWNLOAD_FAILED. */
  private async downloadApp() {
    this.progress.replicate('APP_DOWNLOADING');
    const deployed = await this.ctx.poco.app(this.deal.app);
    const timeoutMs = this.record.maxExecutionTime * 1000;
    const choice = await this.ctx.runner.choose(this.deal.app, deployed, { scone: teeFramework(this.deal.tag) === 'scone', timeoutMs });
    if ('cause' in choice) {
      this.progress.replicate('APP_DOWNLOAD_FAILED', choice.cause);
      this.appError = choice;
      return;
    }
    this.app = choice;
    this.say(`running ${choice.runs}`);
    if (choice.warning) this.say(`WARNING ${choice.warning}`);
    const framework = teeFramework(this.deal.tag);
    // iexec-commons-poco TaskDescription.getAppCommand: SCONE gets entrypoint + " " + iexec_args in its CAS
    // session (iexec-sms), never split by the worker's Maven rules.
    if (framework === 'scone' && this.params.iexec_args)
      this.say(
        "the args are split as a worker splits them for a container; a SCONE enclave gets them appended to the mrenclave entrypoint, split by SCONE's own rules",
      );
    if (this.tee)
      this.say(
        "no enclave runs here: the app, its secrets and the result stay in plain processes, and the enclave key that signs the result is the local worker's own",
      );
    this.progress.replicate('APP_DOWNLOADED');
  }

  /**
   * TaskManagerService.downloadData: a standard worker downloads the dataset and the input files; a TEE
   * task's pre-compute does it inside the compute stage.
   */
  private async downloadData() {
    if (this.appError) return;
    this.progress.replicate('DATA_DOWNLOADING');
    const sources = { fromIpfs: ipfsLookup(this.ctx.state.results), fromUrl: (url: string) => this.ctx.fetchUrl(url) };
    if (this.deal.dataset !== ZeroAddress) {
      const dataset = await this.ctx.poco.dataset(this.deal.dataset);
      const fetched = await fetchDataset(this.deal.dataset, dataset, {
        tee: this.tee,
        key: this.session?.datasetKey,
        dir: this.dir,
        sources,
      });
      if ('error' in fetched) this.errors.push(fetched.error);
      else this.dataset = fetched.file;
    }
    // Bulk hook (bulk.ts): the slice's protected data, fetched as the pre-compute fetches them.
    if (this.params.bulk_cid && this.ctx.bulk) {
      const slice = await fetchBulkSlice(this.params.bulk_cid, this.record.taskIndex, this.deal.dealid, this.ctx.bulk, {
        dir: this.dir,
        sources,
      });
      this.errors.push(...slice.errors);
      this.bulkFiles = slice.files;
    }
  }

  /**
   * The compute stage, through the kit's worker emulation (runTask, the 9.2.0 flow): a standard task
   * whose app or data could not be downloaded gets the worker's error.txt result and no app run
   * (triggerPostComputeHookOnError); a TEE task logs its pre-compute errors and runs the app anyway; an
   * app past its category's time is stopped and the post-compute runs on what it left.
   */
  private async computeStage(): Promise<ComputedFile & { outDir: string }> {
    if (this.tee && this.appError)
      throw new StepFailed('', undefined, `${this.appError.message}: a TEE worker does not contribute without its app`);
    const session = this.session;
    const task = await runTask({
      bundle: '',
      flow: this.tee ? 'tee' : 'standard',
      timeoutMs: this.record.maxExecutionTime * 1000,
      args: this.params.iexec_args,
      inputFiles: this.params.iexec_input_files ?? [],
      localInputFiles: false,
      requesterSecrets: session?.requesterSecrets ?? {},
      appSecret: session?.appSecret,
      protectedData: this.dataset,
      bulk: this.bulkFiles,
      callback: this.deal.callback !== ZeroAddress,
      preComputeErrors: [...(this.appError ? [this.appError] : []), ...this.errors],
      workDir: this.dir,
      deal: {
        taskId: this.record.taskid,
        dealId: this.deal.dealid,
        taskIndex: this.record.taskIndex,
        botFirstIndex: this.deal.botFirst,
        botSize: this.deal.botSize,
        datasetAddress: this.deal.dataset.toLowerCase(),
      },
      exec: this.app ? (launch) => this.startApp(this.app!, launch) : notRun,
    });
    this.recordCompute(task);
    const result = computedFile(task, this.tee);
    for (const check of result.verdict.checks) if (check.level === 'warn') this.say(check.message);
    return { ...result, outDir: task.outDir };
  }

  /** The data is in IEXEC_IN (or the pre-compute gave up on it) and the app starts. */
  private startApp(app: AppChoice, launch: AppLaunch): Promise<AppExit> {
    this.progress.replicate('DATA_DOWNLOADED');
    this.progress.replicate('COMPUTING');
    return app.exec(launch);
  }

  /** The statuses the worker reports once the compute stage is over, and what it logs. */
  private recordCompute(task: Task) {
    const failed = task.preComputeErrors[0];
    if (!task.appRan) {
      // Standard: DATA_DOWNLOAD_FAILED (APP_DOWNLOAD_FAILED was reported at its step), then the error result.
      if (!this.appError) this.progress.replicate('DATA_DOWNLOAD_FAILED', failed?.cause);
      this.say(`${failed?.cause}: ${failed?.message}: the worker writes error.txt as the result and contributes it`);
      return;
    }
    for (const error of task.preComputeErrors) this.say(`${error.cause}: ${error.message} (logged; the worker goes on)`);
    if (task.timedOut)
      this.say(
        `APP_COMPUTE_TIMEOUT: the app ran past its category's ${task.timeoutMs / 1000} s and was stopped (logged; the post-compute runs on what it left)`,
      );
    for (const warning of task.warnings) this.say(`WARNING ${warning}`);
    this.progress.computed(task.status, task.stdout, task.stderr);
  }

  /** Without a computed file the worker has no digest to contribute (DETERMINISM_HASH_NOT_FOUND). */
  private needDigest(result: ComputedFile, failed: string): string {
    if (result.digest) return result.digest;
    throw new StepFailed(
      failed,
      'DETERMINISM_HASH_NOT_FOUND',
      `${result.verdict.reason ?? 'the post-compute failed'}: the worker has no result digest to contribute`,
    );
  }

  private async upload(result: ComputedFile & { outDir: string }): Promise<string> {
    const callback = this.deal.callback !== ZeroAddress;
    // A callback deal uploads nothing; its link names the contract, in lower case (iexec-commons-poco).
    if (callback) return `{ "storage": "ethereum", "location": "${this.deal.callback.toLowerCase()}" }`;
    return uploadResult(this.ctx.state.results, {
      taskid: this.record.taskid,
      outDir: result.outDir,
      tee: this.tee,
      storageProvider: this.params.iexec_result_storage_provider,
      encryptionKey: this.session?.resultEncryptionKey,
    });
  }

  /** TEE, trust 0 or 1 (TaskDescription.isEligibleToContributeAndFinalize): the post-compute's enclave key signs. */
  private async contributeAndFinalize(result: ComputedFile & { outDir: string }) {
    this.progress.replicate('CONTRIBUTE_AND_FINALIZE_ONGOING');
    const digest = this.needDigest(result, 'CONTRIBUTE_AND_FINALIZE_FAILED');
    const link = await this.upload(result);
    const { resultHash, resultSeal } = this.seal(digest);
    // The SMS makes an enclave challenge key per task; here the local worker makes its own.
    const enclave = Wallet.createRandom();
    const enclaveSign = await enclave.signMessage(getBytes(solidityPackedKeccak256(['bytes32', 'bytes32'], [resultHash, resultSeal])));
    await this.onChain('CONTRIBUTE_AND_FINALIZE_FAILED', result, () =>
      this.ctx.poco.contributeAndFinalize(
        this.record.taskid,
        digest,
        new TextEncoder().encode(link),
        result.callbackData,
        enclave,
        enclaveSign,
      ),
    );
    this.progress.replicate('CONTRIBUTE_AND_FINALIZE_DONE');
    await this.recordConsensus();
    this.completed(link, result.callbackData);
    this.progress.core('FINALIZED', 'COMPLETED');
  }

  /** Standard: contribute, consensus (PoCo decides, trust included), reveal, upload, then the scheduler finalizes. */
  private async contributeRevealFinalize(result: ComputedFile & { outDir: string }) {
    this.progress.replicate('CONTRIBUTING');
    const digest = this.needDigest(result, 'CONTRIBUTE_FAILED');
    const { resultHash, resultSeal } = this.seal(digest);
    await this.onChain('CONTRIBUTE_FAILED', result, () => this.ctx.poco.contribute(this.record.taskid, resultHash, resultSeal));
    this.progress.replicate('CONTRIBUTED');
    if (!(await this.recordConsensus())) {
      throw new StepFailed(
        '',
        undefined,
        `the contribution did not reach consensus at trust ${this.record.trust} with the pool's one worker: the task waits for more contributions`,
      );
    }
    this.progress.core('CONSENSUS_REACHED');
    this.progress.replicate('REVEALING');
    await this.onChain('REVEAL_FAILED', result, () => this.ctx.poco.reveal(this.record.taskid, digest));
    this.progress.replicate('REVEALED');
    this.progress.core('AT_LEAST_ONE_REVEALED', 'RESULT_UPLOADING');
    this.progress.replicate('RESULT_UPLOAD_REQUESTED');
    this.progress.replicate('RESULT_UPLOADING');
    const link = await this.upload(result);
    this.record.replicate!.resultLink = link;
    this.progress.replicate('RESULT_UPLOADED');
    this.progress.core('RESULT_UPLOADED', 'FINALIZING');
    try {
      await this.ctx.poco.finalize(this.record.taskid, new TextEncoder().encode(link), result.callbackData);
    } catch (error) {
      if (!(error instanceof PocoRefused)) throw error;
      this.progress.core('FINALIZE_FAILED', 'FAILED');
      throw new StepFailed('', undefined, [error.message, result.pocoRefuses].filter(Boolean).join(': '));
    }
    this.completed(link, result.callbackData);
    this.progress.core('FINALIZED', 'COMPLETED');
  }

  private seal(digest: string) {
    const resultHash = solidityPackedKeccak256(['bytes32', 'bytes32'], [this.record.taskid, digest]);
    const resultSeal = solidityPackedKeccak256(['address', 'bytes32', 'bytes32'], [this.ctx.poco.worker, this.record.taskid, digest]);
    return { resultHash, resultSeal };
  }

  /** A reverted transaction is CHAIN_RECEIPT_NOT_VALID for the worker (isValidChainReceipt). */
  private async onChain(failed: string, result: ComputedFile, send: () => Promise<number>) {
    try {
      await send();
    } catch (error) {
      if (!(error instanceof PocoRefused)) throw error;
      throw new StepFailed(failed, 'CHAIN_RECEIPT_NOT_VALID', [error.message, result.pocoRefuses].filter(Boolean).join(': '));
    }
  }

  /** Core reads consensus from the chain (updateConsensusDataFromChainTask); false when there is none yet. */
  private async recordConsensus(): Promise<boolean> {
    const task = await this.ctx.poco.taskStatus(this.record.taskid);
    if (task.status < 2) return false;
    this.record.consensus = task.consensusValue;
    this.record.revealDeadline = task.revealDeadline;
    return true;
  }

  private completed(link: string, callbackData: string) {
    this.record.resultLink = link;
    if (callbackData !== '0x') this.record.chainCallbackData = callbackData;
    this.progress.replicate('COMPLETING');
    this.progress.replicate('COMPLETED');
  }
}
