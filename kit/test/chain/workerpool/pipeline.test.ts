import { generateKeyPairSync, privateDecrypt, constants, createDecipheriv } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ZeroAddress, ZeroHash } from 'ethers';
import JSZip from 'jszip';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChainClock } from '../../../src/chain/clock.js';
import { WEB2_SECRET, newState, requesterKey, web2Key, type NetworkState, type TaskRecord } from '../../../src/chain/state.js';
import { AppRunner, type AppSource } from '../../../src/chain/workerpool/app-image.js';
import { PocoRefused, type Deal, type Poco } from '../../../src/chain/workerpool/hub-calls.js';
import { TaskPipeline } from '../../../src/chain/workerpool/pipeline.js';
import { receiveTask } from '../../../src/chain/workerpool/scheduler.js';
import { moduleDir } from '../../helpers.js';

/*
 * One task through the local workerpool, on a fake PoCo and the stand-in app (kit/test/helpers.ts): the
 * status and cause sequences iexec-core and iexec-worker record (TaskUpdateManager, ReplicateWorkflow at
 * fa704ab3; TaskNotificationService, TaskManagerService at 579a7db9), the 9.2.0 flow that goes on after
 * errors, and what the worker uploads. The same pipeline on anvil with the real SDK: kit/test/localnet-*.
 */
const WORKER = '0x00000000000000000000000000000000000000b2';
const APP = '0x00000000000000000000000000000000000000a1';
const DATASET = '0x00000000000000000000000000000000000000D1';
const REQUESTER = '0x00000000000000000000000000000000000000c1';
const TDX_TAG = `0x${'0'.repeat(63)}9`;
const NO_TAG = `0x${'0'.repeat(64)}`;

let work: string;
let bundle: string;
let state: NetworkState;
let logs: string[];

beforeEach(() => {
  const made = moduleDir();
  work = made.dir;
  bundle = made.bundle;
  state = newState();
  logs = [];
});

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

interface FakeOptions {
  tag?: string;
  params?: Record<string, unknown>;
  dataset?: string;
  trust?: number;
  refuse?: string;
  /** The on-chain status a contribution leaves (2: consensus at trust 1). */
  afterContribute?: number;
}

function fakePoco(options: FakeOptions): { poco: Poco; calls: string[]; deal: Deal } {
  const calls: string[] = [];
  let status = 0;
  const deal: Deal = {
    dealid: `0x${'2'.repeat(64)}`,
    app: APP,
    dataset: options.dataset ?? ZeroAddress,
    workerpool: '0x00000000000000000000000000000000000000e1',
    requester: REQUESTER,
    beneficiary: REQUESTER,
    callback: ZeroAddress,
    tag: options.tag ?? TDX_TAG,
    category: 0,
    trust: options.trust ?? 1,
    params: JSON.stringify(options.params ?? {}),
    botFirst: 0,
    botSize: 1,
    startTime: 1_000,
  };
  const tx = (name: string, next: number) => async () => {
    calls.push(name);
    if (options.refuse === name) throw new PocoRefused(`PoCo refused ${name} (a reason)`);
    status = next;
    return calls.length;
  };
  const poco: Poco = {
    worker: WORKER,
    deal: async () => deal,
    categoryTime: async () => 300,
    taskStatus: async () => ({ status, consensusValue: `0x${'c'.repeat(64)}`, revealDeadline: 2_000 }),
    app: async () => ({ multiaddr: 'registry.example/me/app:1.0.0', checksum: ZeroHash, mrenclave: '0x' }),
    dataset: async () => ({ multiaddr: 'http://127.0.0.1:1/nothing', checksum: ZeroHash }),
    initialize: tx('initialize', 1),
    contribute: tx('contribute', options.afterContribute ?? 2),
    reveal: tx('reveal', 2),
    finalize: tx('finalize', 3),
    contributeAndFinalize: tx('contributeAndFinalize', 3),
  };
  return { poco, calls, deal };
}

async function runTask(options: FakeOptions & { runner?: AppSource } = {}): Promise<{ record: TaskRecord; calls: string[] }> {
  const { poco, calls, deal } = fakePoco(options);
  const clock = new ChainClock({ send: async () => 0 } as never);
  const runner = options.runner ?? new AppRunner((app) => (app === APP ? bundle : undefined));
  const workDir = fs.mkdtempSync(path.join(work, 'tasks-'));
  const record = receiveTask(deal, 0, 300, 'registry.example/me/app:1.0.0', clock.date());
  state.tasks.set(record.taskid, record);
  const context = {
    poco,
    state,
    runner,
    clock,
    workDir,
    fetchUrl: async (url: string) => Promise.reject(new Error(`GET ${url}: refused`)),
    log: (line: string) => logs.push(line),
  };
  await new TaskPipeline(context, deal, record, 'task').run(0);
  return { record, calls };
}

const replicateStatuses = (record: TaskRecord) => record.replicate!.statusUpdateList.map((update) => update.status);
const coreStatuses = (record: TaskRecord) => record.dateStatusList.map((update) => update.status);
const unavailable: AppSource = {
  choose: async () => ({ cause: 'APP_IMAGE_DOWNLOAD_FAILED', message: 'podman cannot pull registry.example/me/app:1.0.0: not found' }),
};

async function uploaded(record: TaskRecord): Promise<JSZip> {
  const cid = JSON.parse(record.resultLink!).location.replace('/ipfs/', '');
  return JSZip.loadAsync(state.results.get(cid)!);
}

describe('a TEE task (contributeAndFinalize)', () => {
  it('completes: the statuses of core and of its replicate, the result uploaded', async () => {
    const { record, calls } = await runTask({ params: { iexec_args: 'print Ada' } });
    expect(calls).toEqual(['initialize', 'contributeAndFinalize']);
    expect(coreStatuses(record)).toEqual(['RECEIVED', 'INITIALIZING', 'INITIALIZED', 'RUNNING', 'FINALIZED', 'COMPLETED']);
    expect(replicateStatuses(record)).toEqual([
      'CREATED',
      'STARTING',
      'STARTED',
      'APP_DOWNLOADING',
      'APP_DOWNLOADED',
      'DATA_DOWNLOADING',
      'DATA_DOWNLOADED',
      'COMPUTING',
      'COMPUTED',
      'CONTRIBUTE_AND_FINALIZE_ONGOING',
      'CONTRIBUTE_AND_FINALIZE_DONE',
      'COMPLETING',
      'COMPLETED',
    ]);
    expect(record.replicate!.logs).toEqual({ stdout: 'to stdout\n', stderr: 'to stderr\n' });
    expect(Object.keys((await uploaded(record)).files).sort()).toEqual(['computed.json', 'result.json', 'stderr.txt', 'stdout.txt']);
    expect(logs.join('\n')).toContain('WARNING the app was deployed before its image was published');
  });

  it('does not contribute without a computed.json: CONTRIBUTE_AND_FINALIZE_FAILED, DETERMINISM_HASH_NOT_FOUND; core stays RUNNING', async () => {
    const { record, calls } = await runTask({ params: { iexec_args: 'no-computed exit=3' } });
    expect(calls).toEqual(['initialize']);
    expect(replicateStatuses(record).slice(-3)).toEqual(['COMPUTED', 'CONTRIBUTE_AND_FINALIZE_ONGOING', 'CONTRIBUTE_AND_FINALIZE_FAILED']);
    expect(record.replicate!.statusUpdateList.at(-1)!.cause).toBe('DETERMINISM_HASH_NOT_FOUND');
    expect(record.replicate!.appExitCode).toBe(3);
    expect(coreStatuses(record).at(-1)).toBe('RUNNING');
    expect(logs.join('\n')).toMatch(/will not complete: .*no computed\.json.*\n.*stays ACTIVE on chain/);
  });

  it('records a reverted contributeAndFinalize as CHAIN_RECEIPT_NOT_VALID', async () => {
    const { record } = await runTask({ refuse: 'contributeAndFinalize' });
    expect(record.replicate!.statusUpdateList.at(-1)).toMatchObject({
      status: 'CONTRIBUTE_AND_FINALIZE_FAILED',
      cause: 'CHAIN_RECEIPT_NOT_VALID',
    });
  });

  it('gives the app the requester secrets the SMS has and leaves out the others, with a line saying so', async () => {
    state.secrets.requester.set(requesterKey(REQUESTER, 'known'), 'requester-value');
    const { record } = await runTask({ params: { iexec_secrets: { 1: 'known', 2: 'unknown' }, iexec_args: 'keep-secrets' } });
    const { result } = JSON.parse(await (await uploaded(record)).file('result.json')!.async('string'));
    expect(result.env.IEXEC_REQUESTER_SECRET_1).toBe('requester-value');
    expect(result.env).not.toHaveProperty('IEXEC_REQUESTER_SECRET_2');
    expect(logs.join('\n')).toContain('the SMS has no requester secret 2=unknown');
  });

  it('fails the session without the dataset key: START_FAILED, TEE_SESSION_GENERATION_PRE_COMPUTE_GET_DATASET_SECRET_FAILED', async () => {
    const { record, calls } = await runTask({ dataset: DATASET });
    expect(calls).toEqual(['initialize']);
    expect(record.replicate!.statusUpdateList.at(-1)).toMatchObject({
      status: 'START_FAILED',
      cause: 'TEE_SESSION_GENERATION_PRE_COMPUTE_GET_DATASET_SECRET_FAILED',
    });
    expect(coreStatuses(record).at(-1)).toBe('INITIALIZED');
  });

  it('runs the app anyway when the pre-compute cannot download the dataset, and completes with what the app wrote', async () => {
    state.secrets.web3.set(DATASET.toLowerCase(), Buffer.alloc(32).toString('base64'));
    const { record, calls } = await runTask({ dataset: DATASET });
    expect(calls).toEqual(['initialize', 'contributeAndFinalize']);
    expect(logs.join('\n')).toContain('PRE_COMPUTE_DATASET_DOWNLOAD_FAILED');
    const { result } = JSON.parse(await (await uploaded(record)).file('result.json')!.async('string'));
    expect(result.inputs).toEqual({});
  });

  it('runs the app without an input file the pre-compute could not download, and completes with what the app wrote', async () => {
    const { record, calls } = await runTask({ params: { iexec_input_files: ['http://127.0.0.1:1/names.txt'] } });
    expect(calls).toEqual(['initialize', 'contributeAndFinalize']);
    expect(logs.join('\n')).toMatch(/PRE_COMPUTE_INPUT_FILE_DOWNLOAD_FAILED: .*127\.0\.0\.1:1\/names\.txt.*the worker goes on/);
    const { result } = JSON.parse(await (await uploaded(record)).file('result.json')!.async('string'));
    expect(result.env.IEXEC_INPUT_FILES_NUMBER).toBe('1');
    expect(result.inputs).toEqual({});
  });

  it('does not contribute when its image cannot be pulled: APP_DOWNLOAD_FAILED, APP_IMAGE_DOWNLOAD_FAILED', async () => {
    const { record, calls } = await runTask({ runner: unavailable });
    expect(calls).toEqual(['initialize']);
    expect(record.replicate!.statusUpdateList.at(-1)).toMatchObject({ status: 'APP_DOWNLOAD_FAILED', cause: 'APP_IMAGE_DOWNLOAD_FAILED' });
  });

  it('encrypts the result for the beneficiary when asked, as the TEE post-compute does', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    state.secrets.web2.set(web2Key(REQUESTER, WEB2_SECRET.resultEncryptionKey), Buffer.from(publicKey).toString('base64'));
    const { record } = await runTask({ params: { iexec_result_encryption: true, iexec_args: 'Ada' } });
    const zip = await uploaded(record);
    expect(Object.keys(zip.files).sort()).toEqual(['aes-key.rsa', 'iexec_out.zip.aes']);
    // Node refuses PKCS#1 v1.5 private decryption (CVE-2023-46809); the SDK decrypts with node-forge. Raw
    // RSA, then the padding stripped by hand: 0x00 0x02, non-zero bytes, 0x00, the key.
    const padded = privateDecrypt(
      { key: privateKey, padding: constants.RSA_NO_PADDING },
      await zip.file('aes-key.rsa')!.async('nodebuffer'),
    );
    expect([padded[0], padded[1]]).toEqual([0, 2]);
    const key = padded.subarray(padded.indexOf(0, 2) + 1);
    expect(key.length).toBe(32);
    const encrypted = await zip.file('iexec_out.zip.aes')!.async('nodebuffer');
    const decipher = createDecipheriv('aes-256-cbc', key, encrypted.subarray(0, 16));
    const inner = await JSZip.loadAsync(Buffer.concat([decipher.update(encrypted.subarray(16)), decipher.final()]));
    expect(JSON.parse(await inner.file('result.json')!.async('string')).result.args).toEqual(['Ada']);
  });

  it('fails the session for encrypted results without the beneficiary key', async () => {
    const { record } = await runTask({ params: { iexec_result_encryption: true } });
    expect(record.replicate!.statusUpdateList.at(-1)).toMatchObject({
      status: 'START_FAILED',
      cause: 'TEE_SESSION_GENERATION_POST_COMPUTE_GET_ENCRYPTION_TOKENS_FAILED_EMPTY_BENEFICIARY_KEY',
    });
  });
});

describe('a standard task (contribute, reveal, finalize)', () => {
  it('completes: consensus, reveal, upload, then the scheduler finalizes', async () => {
    const { record, calls } = await runTask({ tag: NO_TAG, params: { iexec_args: 'Ada' } });
    expect(calls).toEqual(['initialize', 'contribute', 'reveal', 'finalize']);
    expect(coreStatuses(record)).toEqual([
      'RECEIVED',
      'INITIALIZING',
      'INITIALIZED',
      'RUNNING',
      'CONSENSUS_REACHED',
      'AT_LEAST_ONE_REVEALED',
      'RESULT_UPLOADING',
      'RESULT_UPLOADED',
      'FINALIZING',
      'FINALIZED',
      'COMPLETED',
    ]);
    expect(replicateStatuses(record).slice(-9)).toEqual([
      'CONTRIBUTING',
      'CONTRIBUTED',
      'REVEALING',
      'REVEALED',
      'RESULT_UPLOAD_REQUESTED',
      'RESULT_UPLOADING',
      'RESULT_UPLOADED',
      'COMPLETING',
      'COMPLETED',
    ]);
    expect(record.consensus).toBe(`0x${'c'.repeat(64)}`);
  });

  it("completes with the worker's error.txt when its image cannot be pulled", async () => {
    const { record, calls } = await runTask({ tag: NO_TAG, runner: unavailable });
    expect(calls).toEqual(['initialize', 'contribute', 'reveal', 'finalize']);
    expect(replicateStatuses(record).slice(3, 6)).toEqual(['APP_DOWNLOADING', 'APP_DOWNLOAD_FAILED', 'CONTRIBUTING']);
    const zip = await uploaded(record);
    expect(await zip.file('error.txt')!.async('string')).toBe(
      '[IEXEC] Errors occurred while computing the task [error:APP_DOWNLOAD_FAILED, causes:[WorkflowError[cause=APP_IMAGE_DOWNLOAD_FAILED, message=]]]',
    );
    expect(JSON.parse(await zip.file('computed.json')!.async('string'))).toMatchObject({
      'deterministic-output-path': '/iexec_out/error.txt',
    });
  });

  it("completes with the worker's error.txt when an input file cannot be downloaded", async () => {
    const { record, calls } = await runTask({ tag: NO_TAG, params: { iexec_input_files: ['http://127.0.0.1:1/names.txt'] } });
    expect(calls).toEqual(['initialize', 'contribute', 'reveal', 'finalize']);
    expect(record.replicate!.statusUpdateList.find((update) => update.status === 'DATA_DOWNLOAD_FAILED')!.cause).toBe(
      'INPUT_FILES_DOWNLOAD_FAILED',
    );
    expect(replicateStatuses(record)).not.toContain('COMPUTING');
    expect(await (await uploaded(record)).file('error.txt')!.async('string')).toContain(
      '[error:DATA_DOWNLOAD_FAILED, causes:[WorkflowError[cause=INPUT_FILES_DOWNLOAD_FAILED, message=]]]',
    );
  });

  it("completes with the worker's error.txt when its dataset cannot be downloaded", async () => {
    const { record } = await runTask({ tag: NO_TAG, dataset: DATASET });
    expect(replicateStatuses(record)).toContain('DATA_DOWNLOAD_FAILED');
    expect(record.replicate!.statusUpdateList.find((update) => update.status === 'DATA_DOWNLOAD_FAILED')!.cause).toBe(
      'DATASET_FILE_DOWNLOAD_FAILED',
    );
    expect(await (await uploaded(record)).file('error.txt')!.async('string')).toContain(
      '[error:DATA_DOWNLOAD_FAILED, causes:[WorkflowError[cause=DATASET_FILE_DOWNLOAD_FAILED, message=]]]',
    );
  });

  it('refuses encrypted results: START_FAILED, TASK_DESCRIPTION_INVALID, and core never leaves INITIALIZED', async () => {
    const { record, calls } = await runTask({ tag: NO_TAG, params: { iexec_result_encryption: true } });
    expect(calls).toEqual(['initialize']);
    expect(record.replicate!.statusUpdateList.at(-1)).toMatchObject({ status: 'START_FAILED', cause: 'TASK_DESCRIPTION_INVALID' });
    expect(coreStatuses(record).at(-1)).toBe('INITIALIZED');
  });

  it('lets PoCo decide consensus: at trust 3 one contribution is not enough, and the task waits', async () => {
    const { record, calls } = await runTask({ tag: NO_TAG, trust: 3, afterContribute: 1 });
    expect(calls).toEqual(['initialize', 'contribute']);
    expect(replicateStatuses(record).at(-1)).toBe('CONTRIBUTED');
    expect(logs.join('\n')).toContain('did not reach consensus at trust 3');
  });

  it('marks FINALIZE_FAILED then FAILED when PoCo refuses the finalize, and leaves the replicate at RESULT_UPLOADED', async () => {
    const { record } = await runTask({ tag: NO_TAG, refuse: 'finalize' });
    expect(coreStatuses(record).slice(-2)).toEqual(['FINALIZE_FAILED', 'FAILED']);
    expect(replicateStatuses(record).at(-1)).toBe('RESULT_UPLOADED');
  });
});
