/*
 * The local workerpool's scheduler and its one worker: they watch the hub for deals of the workerpool
 * and run each task the way iexec-core and iexec-worker do on chain (PoCo v6.1.0 IexecPoco2Facet), with
 * the app run by the kit's worker emulation (runTask, checkOutput), as `iexec-module local` runs it.
 * The on-chain steps, the result format and the sources are in create-iexec-module's
 * docs/local-network.md ("Worker on-chain steps", "Result format").
 */
import { createDecipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Contract, Wallet, ZeroAddress, type HDNodeWallet, ZeroHash, getBytes, keccak256, solidityPackedKeccak256, type JsonRpcProvider } from 'ethers';
import { checkOutput, type Verdict } from '../worker/post-compute.js';
import { runTask, type Task } from '../worker/task.js';
import { AppRunner } from './app.js';
import type { Artifacts } from './poco.js';
import { ipfsDigest, multiaddrText, rawCid, resultLink, web2Digest, zipResult } from './result.js';
import type { NetworkState, TaskRecord } from './services.js';

/** PoCo deal tag bits (iexec-commons-poco TeeUtils): bit 0 TEE, then the framework. */
const TAG_TEE = 0x1n;
const TAG_SCONE = 0x2n;
const TAG_GRAMINE = 0x4n;
const TAG_TDX = 0x8n;

/** PoCo IexecLibCore_v5 TaskStatusEnum. */
const TASK_STATUS = ['UNSET', 'ACTIVE', 'REVEALING', 'COMPLETED', 'FAILED'];

/** A reason the real stack fails the task; `cause` is iexec-common's ReplicateStatusCause when there is one. */
class TaskFailure extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly replicateStatus = 'COMPUTE_FAILED',
    /** Set when the scheduler's step failed, not the worker's (iexec-core TaskStatus). */
    readonly taskStatus?: string,
  ) {
    super(message);
  }
}

export interface WorkerOptions {
  provider: JsonRpcProvider;
  artifacts: Artifacts;
  hub: string;
  scheduler: Wallet | HDNodeWallet;
  worker: Wallet | HDNodeWallet;
  workerpool: string;
  state: NetworkState;
  runner: AppRunner;
  /** Where the tasks' folders go. */
  workDir: string;
  log: (message: string) => void;
}

const short = (hex: string) => `${hex.slice(0, 10)}…`;

/** ethers' error, as PoCo's revert reason when there is one. */
function revertReason(error: any): string {
  return error?.revert?.args?.[0] ?? error?.reason ?? error?.shortMessage ?? error?.message ?? String(error);
}

export function startWorker(options: WorkerOptions): { stop(): Promise<void> } {
  const { provider, artifacts, scheduler, worker, workerpool, state, runner, log } = options;
  const hubAbi = artifacts.hubAbi();
  const hubAsScheduler = new Contract(options.hub, hubAbi, scheduler) as any;
  const hubAsWorker = new Contract(options.hub, hubAbi, worker) as any;
  const schedulerNotice = hubAsScheduler.interface.getEvent('SchedulerNotice').topicHash;

  // The scheduler's authorization (iexec-core SignatureService.createAuthorization): the workerpool
  // owner's EIP-191 signature of keccak256(worker ‖ taskid ‖ enclave challenge).
  const authorize = (taskid: string, enclave: string) =>
    scheduler.signMessage(getBytes(solidityPackedKeccak256(['address', 'bytes32', 'address'], [worker.address, taskid, enclave])));
  const send = async (label: string, call: () => Promise<any>, failure: { replicate: string; task?: string; why?: string } = { replicate: 'CONTRIBUTE_FAILED' }) => {
    try {
      const receipt = await (await call()).wait();
      if (receipt?.status !== 1) throw new Error('the transaction failed');
    } catch (error) {
      throw new TaskFailure(`PoCo refused ${label} (${revertReason(error)})${failure.why ? `: ${failure.why}` : ''}`, undefined, failure.replicate, failure.task);
    }
  };

  function record(taskid: string, dealid: string, requester: string): TaskRecord {
    const entry: TaskRecord = {
      taskid,
      dealid,
      requester,
      worker: worker.address,
      currentStatus: 'RECEIVED',
      dateStatusList: [],
      replicateStatus: 'CREATED',
      statusUpdateList: [],
      stdout: '',
      stderr: '',
    };
    state.tasks.set(taskid.toLowerCase(), entry);
    return entry;
  }
  // iexec-core TaskStatus and iexec-common ReplicateStatus names, as the workerpool API shows them.
  const taskStatus = (entry: TaskRecord, status: string) => {
    entry.currentStatus = status;
    entry.dateStatusList.push({ status, date: new Date().toISOString() });
  };
  const replicateStatus = (entry: TaskRecord, status: string, details?: Record<string, unknown>, isSuccess = true) => {
    entry.replicateStatus = status;
    entry.statusUpdateList.push({ status, modifier: 'WORKER', date: new Date().toISOString(), isSuccess, ...(details && { details }) });
  };

  /** The dataset file as the pre-compute leaves it in IEXEC_IN (tee-worker-pre-compute-rust pre_compute_app.rs). */
  async function fetchDataset(address: string, tee: boolean, dir: string): Promise<string> {
    const dataset = new Contract(address, artifacts.datasetAbi(), provider) as any;
    const [multiaddr, checksum]: [string, string] = await Promise.all([dataset.m_datasetMultiaddr(), dataset.m_datasetChecksum()]);
    const url = multiaddrText(multiaddr);
    let bytes: Buffer | undefined;
    const cid = url.match(/^\/(?:ipfs|p2p)\/([^/]+)$/)?.[1];
    if (cid !== undefined) {
      // The pre-compute tries public IPFS gateways; here only the local storage can answer.
      const digest = ipfsDigest(cid);
      bytes = [...state.results.values()].find((stored) => createHash('sha256').update(stored).digest('hex') === digest);
    } else if (/^https?:\/\//.test(url)) {
      const response = await fetch(url).catch(() => undefined);
      if (response?.ok) bytes = Buffer.from(await response.arrayBuffer());
    }
    if (!bytes) throw new TaskFailure(`cannot download the dataset ${address} from ${url}`, tee ? 'PRE_COMPUTE_DATASET_DOWNLOAD_FAILED' : 'DATASET_FILE_DOWNLOAD_FAILED');
    const actual = `0x${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== checksum.toLowerCase()) {
      throw new TaskFailure(`the dataset ${address} downloaded from ${url} has sha256 ${actual}, its checksum on chain is ${checksum}`, tee ? 'PRE_COMPUTE_INVALID_DATASET_CHECKSUM' : 'DATASET_FILE_BAD_CHECKSUM');
    }
    let plain: Buffer = bytes;
    if (tee) {
      const key = state.secrets.web3.get(address.toLowerCase());
      if (key === undefined) throw new TaskFailure(`the SMS has no key for the dataset ${address} (iexec dataset push-secret)`, 'TEE_SESSION_GENERATION_PRE_COMPUTE_GET_DATASET_SECRET_FAILED');
      // AES-256-CBC, the IV in the first 16 bytes, PKCS#7 padding, the key base64 (pre_compute_app.rs decrypt_dataset).
      try {
        const raw = Buffer.from(key, 'base64');
        const decipher = createDecipheriv('aes-256-cbc', raw, bytes.subarray(0, 16));
        plain = Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]);
      } catch (error) {
        throw new TaskFailure(`cannot decrypt the dataset ${address} with its key from the SMS: ${(error as Error).message}`, 'PRE_COMPUTE_DATASET_DECRYPTION_FAILED');
      }
    }
    const file = path.join(dir, `dataset-${address}`);
    fs.writeFileSync(file, plain);
    return file;
  }

  /** Requester secrets by their index, the app developer secret: what the SMS gives a TEE session. */
  function teeSecrets(deal: any, params: any, app: string) {
    const requesterSecrets: Record<string, string> = {};
    for (const [index, name] of Object.entries<string>(params.iexec_secrets ?? {})) {
      const value = state.secrets.requester.get(`${String(deal.requester).toLowerCase()}|${name}`);
      if (value === undefined) throw new TaskFailure(`the SMS has no requester secret "${name}" of ${deal.requester} (--secret ${index}=${name}): the worker gets no TEE session`);
      requesterSecrets[index] = value;
    }
    return { requesterSecrets, appSecret: state.secrets.app.get(app.toLowerCase()) };
  }

  /**
   * The post-compute's verdict. A computed.json with callback-data in a deal without callback passes the
   * worker (it hands callback-data on unfiltered: iexec-worker TaskManagerService) and fails in PoCo:
   * checkOutput stops at it, so the worker's own checks run once more without it, and PoCo is left to
   * refuse the contribution on chain, as it does.
   */
  function postCompute(task: Task): { verdict: Verdict; callbackData: string; pocoRefuses?: string } {
    // Our lint (a secret in the logs) is not the platform's: the worker uploads them all the same.
    const verdict = checkOutput({ ...task, secrets: [] });
    const computedFile = path.join(task.outDir, 'computed.json');
    let computed: any;
    try {
      computed = JSON.parse(fs.readFileSync(computedFile, 'utf8'));
    } catch {
      return { verdict, callbackData: '0x' };
    }
    const callbackData = typeof computed?.['callback-data'] === 'string' ? computed['callback-data'] : '';
    if (task.callback || verdict.ok || !callbackData) return { verdict, callbackData: task.callback ? callbackData : '0x' };
    const text = fs.readFileSync(computedFile);
    const { 'callback-data': _, ...rest } = computed;
    fs.writeFileSync(computedFile, JSON.stringify(rest));
    try {
      return { verdict: checkOutput({ ...task, secrets: [] }), callbackData, pocoRefuses: verdict.reason };
    } finally {
      fs.writeFileSync(computedFile, text);
    }
  }

  async function runOne(dealid: string, deal: any, idx: bigint) {
    const taskid = solidityPackedKeccak256(['bytes32', 'uint256'], [dealid, idx]);
    const entry = record(taskid, dealid, deal.requester);
    const tag = BigInt(deal.tag);
    const tee = (tag & TAG_TEE) !== 0n;
    const scone = (tag & TAG_SCONE) !== 0n;
    const framework = scone ? 'scone' : (tag & TAG_TDX) !== 0n ? 'tdx' : (tag & TAG_GRAMINE) !== 0n ? 'gramine' : undefined;
    const label = `task ${taskid} (${tee ? `TEE ${framework ?? ''}`.trim() : 'standard'}, deal ${short(dealid)} #${idx})`;
    const started = Date.now();
    taskStatus(entry, 'INITIALIZING');
    await send('initialize', () => hubAsScheduler.initialize(dealid, idx));
    taskStatus(entry, 'INITIALIZED');
    taskStatus(entry, 'RUNNING');
    replicateStatus(entry, 'STARTED');
    try {
      const category = await hubAsScheduler.viewCategory(deal.category);
      const timeoutMs = Number(category.workClockTimeRef) * 1000;
      const params = JSON.parse(deal.params || '{}');
      if (Number(deal.trust) > 1) {
        throw new TaskFailure(`the deal asks for trust ${deal.trust}: the local workerpool has one worker, so no consensus is ever reached`);
      }
      // Bulk slices (deal param bulk_cid, iexec common/utils/constant.js) come from IPFS, which is not here.
      if (params.bulk_cid) throw new TaskFailure('the deal is a bulk request (bulk_cid): the local network does not emulate bulk processing');
      // The worker downloads input files by URL; anything else is no file it can fetch.
      const inputFiles: string[] = params.iexec_input_files ?? [];
      const notUrl = inputFiles.find((url) => !/^https?:\/\//.test(url));
      if (notUrl !== undefined) throw new TaskFailure(`the input file ${notUrl} is not an http(s) URL: the worker cannot download it`, tee ? 'PRE_COMPUTE_INPUT_FILE_DOWNLOAD_FAILED' : 'INPUT_FILES_DOWNLOAD_FAILED');
      const appAddress: string = deal.app.pointer;
      const app = new Contract(appAddress, artifacts.appAbi(), provider) as any;
      const [multiaddr, checksum, mrenclave] = await Promise.all([app.m_appMultiaddr(), app.m_appChecksum(), app.m_appMREnclave()]);
      const choice = await runner.choose({ multiaddr: multiaddrText(multiaddr), checksum, mrenclave }, { scone, timeoutMs });
      log(`${label}: running ${choice.runs}`);
      if (choice.warning) log(`${label}: WARNING ${choice.warning}`);
      // iexec-commons-poco TaskDescription.getAppCommand: SCONE gets entrypoint + " " + iexec_args in its
      // CAS session (iexec-sms), never split by the worker's Maven rules.
      if (scone && tee && params.iexec_args) log(`${label}: the args are split as a worker splits them for a container; a SCONE enclave gets them appended to the mrenclave entrypoint, split by SCONE's own rules`);
      if (tee) log(`${label}: no enclave runs here: the app, its secrets and the result stay in plain processes, and the enclave key that signs the result is the local worker's own`);
      replicateStatus(entry, 'APP_DOWNLOADED');

      const taskDir = fs.mkdtempSync(path.join(options.workDir, `${taskid.slice(0, 18)}-`));
      const dataset: string = deal.dataset.pointer;
      const protectedData = dataset !== ZeroAddress ? await fetchDataset(dataset, tee, taskDir) : undefined;
      // Secrets reach TEE tasks only: the SMS hands them to an enclave session.
      const secrets = tee ? teeSecrets(deal, params, appAddress) : { requesterSecrets: {}, appSecret: undefined };
      if (params.iexec_result_encryption === true) log(`${label}: WARNING the result is NOT encrypted here (--encrypt-result): a real post-compute encrypts it with the beneficiary's key`);
      if (params.iexec_result_storage_provider && params.iexec_result_storage_provider !== 'ipfs') {
        log(`${label}: WARNING the result goes to the local storage, not ${params.iexec_result_storage_provider}`);
      }
      replicateStatus(entry, 'DATA_DOWNLOADED');
      replicateStatus(entry, 'COMPUTING');
      let task: Task;
      try {
        task = await runTask({
          bundle: runner.bundle,
          args: params.iexec_args,
          inputFiles,
          ...secrets,
          protectedData,
          callback: deal.callback !== ZeroAddress,
          workDir: taskDir,
          deal: { taskId: taskid, dealId: dealid, taskIndex: Number(idx), botFirstIndex: Number(deal.botFirst), botSize: Number(deal.botSize), datasetAddress: dataset },
          exec: choice.exec,
        });
      } catch (error) {
        const message = (error as Error).message;
        const cause = /input file/.test(message) ? (tee ? 'PRE_COMPUTE_INPUT_FILE_DOWNLOAD_FAILED' : 'INPUT_FILES_DOWNLOAD_FAILED') : /ran past/.test(message) ? 'APP_COMPUTE_TIMEOUT' : undefined;
        throw new TaskFailure(message, cause);
      }
      entry.stdout = task.stdout;
      entry.stderr = task.stderr;
      entry.appExitCode = task.status;
      const printed = [...Object.values(secrets.requesterSecrets), secrets.appSecret].filter((value): value is string => value !== undefined && value.length >= 6);
      if (printed.some((value) => `${task.stdout}\n${task.stderr}`.includes(value))) {
        log(`${label}: WARNING the app printed the value of a secret: the worker uploads stdout.txt and stderr.txt with the result`);
      }
      const { verdict, callbackData, pocoRefuses } = postCompute(task);
      for (const check of verdict.checks) if (check.level === 'warn') log(`${label}: ${check.message}`);
      if (!verdict.ok) {
        const cause = verdict.reason?.match(/\(([A-Z][A-Z0-9_]{5,})\)/)?.[1] ?? 'POST_COMPUTE_FAILED_UNKNOWN_ISSUE';
        throw new TaskFailure(verdict.reason ?? 'the post-compute failed', cause);
      }
      replicateStatus(entry, 'COMPUTED', { exitCode: task.status });

      // The result: its digest, and where it goes.
      let digest: string;
      let results: string;
      if (deal.callback !== ZeroAddress) {
        // iexec-worker ResultService: a callback deal's digest is keccak256 of callback-data, nothing is
        // uploaded, and the link names the callback contract.
        digest = keccak256(callbackData);
        results = resultLink('ethereum', deal.callback);
      } else {
        const computed = JSON.parse(fs.readFileSync(path.join(task.outDir, 'computed.json'), 'utf8'));
        const appOut = task.env.IEXEC_OUT ?? task.outDir;
        digest = web2Digest(path.join(task.outDir, path.relative(appOut, computed['deterministic-output-path'])), tee);
        const zip = await zipResult(task.outDir);
        const cid = rawCid(zip);
        state.results.set(cid, zip);
        results = resultLink('ipfs', `/ipfs/${cid}`);
        replicateStatus(entry, 'RESULT_UPLOADED', { resultLink: results });
      }
      const resultsBytes = new TextEncoder().encode(results);
      const resultHash = solidityPackedKeccak256(['bytes32', 'bytes32'], [taskid, digest]);
      const resultSeal = solidityPackedKeccak256(['address', 'bytes32', 'bytes32'], [worker.address, taskid, digest]);

      if (tee) {
        // TEE, trust 1 (iexec-commons-poco TaskDescription.isEligibleToContributeAndFinalize): the SMS makes
        // an enclave challenge key, the post-compute signs keccak256(resultHash ‖ resultSeal) with it, the
        // worker calls contributeAndFinalize. Here the key is the worker's own, made for this task.
        const enclave = Wallet.createRandom();
        const enclaveSign = await enclave.signMessage(getBytes(solidityPackedKeccak256(['bytes32', 'bytes32'], [resultHash, resultSeal])));
        replicateStatus(entry, 'CONTRIBUTE_AND_FINALIZE_ONGOING');
        const authorization = await authorize(taskid, enclave.address);
        await send('contributeAndFinalize', () => hubAsWorker.contributeAndFinalize(taskid, digest, resultsBytes, callbackData, enclave.address, enclaveSign, authorization), { replicate: 'CONTRIBUTE_AND_FINALIZE_FAILED', why: pocoRefuses });
        replicateStatus(entry, 'CONTRIBUTE_AND_FINALIZE_DONE');
      } else {
        // Standard: contribute without enclave (32 zero bytes as its signature), consensus at trust 1,
        // reveal, then the scheduler finalizes with the result link.
        replicateStatus(entry, 'CONTRIBUTING');
        const authorization = await authorize(taskid, ZeroAddress);
        await send('contribute', () => hubAsWorker.contribute(taskid, resultHash, resultSeal, ZeroAddress, ZeroHash, authorization));
        replicateStatus(entry, 'CONTRIBUTED');
        taskStatus(entry, 'CONSENSUS_REACHED');
        await send('reveal', () => hubAsWorker.reveal(taskid, digest), { replicate: 'REVEAL_FAILED' });
        replicateStatus(entry, 'REVEALED');
        taskStatus(entry, 'AT_LEAST_ONE_REVEALED');
        taskStatus(entry, 'FINALIZING');
        await send('finalize', () => hubAsScheduler.finalize(taskid, resultsBytes, callbackData), { replicate: 'COMPLETE_FAILED', task: 'FINALIZE_FAILED', why: pocoRefuses });
        taskStatus(entry, 'FINALIZED');
      }
      replicateStatus(entry, 'COMPLETED');
      taskStatus(entry, 'COMPLETED');
      log(`${label}: COMPLETED in ${((Date.now() - started) / 1000).toFixed(1)} s, results ${results}`);
    } catch (error) {
      if (!(error instanceof TaskFailure)) throw error;
      if (error.taskStatus) taskStatus(entry, error.taskStatus);
      replicateStatus(entry, error.replicateStatus, { ...(error.code && { cause: error.code }), errorMessage: error.message }, false);
      log(`${label}: the real task would fail: ${error.message}`);
      await claim(entry, label);
    }
  }

  /**
   * A task nobody contributes to stays ACTIVE (or REVEALING) until its final deadline, 10 times its
   * category's time after the deal (50 min for XS), then anyone may claim it and it is FAILED (PoCo
   * IexecPoco2Facet.claim). Nobody waits that long here: the chain's clock jumps to the deadline, which
   * only moves later deadlines further from the wall clock the SDK judges timeouts with, and the
   * scheduler claims the task.
   */
  async function claim(entry: TaskRecord, label: string) {
    const task = await hubAsScheduler.viewTask(entry.taskid);
    const status = TASK_STATUS[Number(task.status)];
    if (status !== 'ACTIVE' && status !== 'REVEALING') return;
    const latest = await provider.getBlock('latest');
    const deadline = Number(task.finalDeadline);
    await provider.send('evm_setNextBlockTimestamp', [Math.max(deadline, (latest?.timestamp ?? 0) + 1)]);
    await (await hubAsScheduler.claim(entry.taskid)).wait();
    taskStatus(entry, 'FINAL_DEADLINE_REACHED');
    taskStatus(entry, 'FAILED');
    log(
      `${label}: FAILED on chain. A real one stays ${status} until its final deadline (${new Date(deadline * 1000).toISOString()}, chain time), shows TIMEOUT, and is FAILED once claimed: the local chain's clock jumped there and the scheduler claimed it. ` +
        `So app run --watch stops at FAILED without its "App run failed" summary (it waits for the wall clock to pass the deadline). Why, in its logs: iexec task debug ${entry.taskid} --logs`,
    );
  }

  // One worker: one task at a time, in the order the deals come.
  let queue = Promise.resolve();
  const seen = new Set<string>();
  const enqueue = (dealid: string) => {
    if (seen.has(dealid)) return;
    seen.add(dealid);
    queue = queue.then(async () => {
      try {
        const deal = await hubAsScheduler.viewDeal(dealid);
        for (let idx = deal.botFirst; idx < deal.botFirst + deal.botSize; idx += 1n) await runOne(dealid, deal, idx);
      } catch (error) {
        log(`ERROR deal ${dealid}: ${(error as Error).stack ?? error}`);
      }
    });
  };

  let stopped = false;
  let fromBlock = 0;
  const loop = (async () => {
    while (!stopped) {
      try {
        const latest = await provider.getBlockNumber();
        if (latest >= fromBlock) {
          const logs = await provider.getLogs({ address: options.hub, topics: [schedulerNotice, `0x${workerpool.slice(2).toLowerCase().padStart(64, '0')}`], fromBlock, toBlock: latest });
          fromBlock = latest + 1;
          for (const entry of logs) enqueue(hubAsScheduler.interface.parseLog(entry).args.dealid);
        }
      } catch (error) {
        if (!stopped) log(`ERROR watching deals: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
