import { TypedDataEncoder, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { dispatch, request } from '../../../src/chain/services/http.js';
import { workerpoolApiService } from '../../../src/chain/services/workerpool-api.js';
import type { TaskRecord } from '../../../src/chain/state.js';

/*
 * The workerpool API against iexec-core fa704ab3 (TaskController, iexec-task-api models): only the
 * fields of TaskModel/ReplicateModel/ReplicateStatusUpdateModel, core's time-driven statuses derived
 * from the chain's clock, and the logs route's order of refusals.
 */
const requester = new Wallet(Wallet.createRandom().privateKey);
const stranger = new Wallet(Wallet.createRandom().privateKey);
const TASK = `0x${'1'.repeat(64)}`;
const WORKER = '0x00000000000000000000000000000000000000b2';

function record(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskid: TASK,
    dealid: `0x${'2'.repeat(64)}`,
    taskIndex: 0,
    requester: requester.address,
    tee: true,
    tag: `0x${'0'.repeat(63)}9`,
    trust: 1,
    dappName: 'registry.example/app:1.0.0',
    commandLine: 'Alice',
    maxExecutionTime: 300,
    contributionDeadline: 1_000 + 2100,
    finalDeadline: 1_000 + 3000,
    dateStatusList: [
      { status: 'RECEIVED', date: 'd0' },
      { status: 'INITIALIZED', date: 'd1' },
      { status: 'RUNNING', date: 'd2' },
    ],
    replicate: {
      walletAddress: WORKER,
      statusUpdateList: [
        { status: 'COMPUTED', date: 'd3' },
        { status: 'CONTRIBUTE_AND_FINALIZE_FAILED', date: 'd4', cause: 'DETERMINISM_HASH_NOT_FOUND' },
      ],
      appExitCode: 1,
      logs: { stdout: 'out', stderr: 'err' },
    },
    ...overrides,
  };
}

function api(task: TaskRecord, now = 1_500) {
  const tasks = new Map([[task.taskid, task]]);
  return workerpoolApiService(tasks, { now: async () => now }, 31337, () => 'http://api');
}

async function authorization(service: ReturnType<typeof api>, signer: Wallet) {
  const typedData = (await dispatch(service, request('GET', `/tasks/logs/challenge?address=${signer.address}`))).body as any;
  const { EIP712Domain: _, ...types } = typedData.types;
  const hash = TypedDataEncoder.hash(typedData.domain, types, typedData.message);
  return `${hash}_${await signer.signTypedData(typedData.domain, types, typedData.message)}_${signer.address}`;
}

describe('GET /tasks/{id}', () => {
  it("answers core's TaskModel and ReplicateModel, with {status, date, cause} updates only", async () => {
    const reply = await dispatch(api(record()), request('GET', `/tasks/${TASK}`));
    const body = reply.body as any;
    expect(Object.keys(body).sort()).toEqual(
      [
        'chainTaskId',
        'replicates',
        'maxExecutionTime',
        'tag',
        'dappType',
        'dappName',
        'commandLine',
        'initializationBlockNumber',
        'currentStatus',
        'trust',
        'uploadingWorkerWalletAddress',
        'consensus',
        'contributionDeadline',
        'revealDeadline',
        'finalDeadline',
        'resultLink',
        'chainCallbackData',
        'dateStatusList',
      ].sort(),
    );
    expect(body.maxExecutionTime).toBe(300_000);
    expect(body.currentStatus).toBe('RUNNING');
    const [replicate] = body.replicates;
    expect(Object.keys(replicate).sort()).toEqual([
      'appExitCode',
      'appLogs',
      'chainTaskId',
      'currentStatus',
      'self',
      'statusUpdateList',
      'walletAddress',
    ]);
    expect(replicate.currentStatus).toBe('CONTRIBUTE_AND_FINALIZE_FAILED');
    expect(replicate.statusUpdateList.at(-1)).toEqual({
      status: 'CONTRIBUTE_AND_FINALIZE_FAILED',
      date: 'd4',
      cause: 'DETERMINISM_HASH_NOT_FOUND',
    });
  });

  it('adds CONTRIBUTION_TIMEOUT then FAILED once the chain passes the contribution deadline, FINAL_DEADLINE_REACHED after the final one', async () => {
    const statuses = async (now: number, consensus?: string) => {
      const tasks = new Map([[TASK, record({ consensus })]]);
      const service = workerpoolApiService(tasks, { now: async () => now }, 31337, () => '');
      return ((await dispatch(service, request('GET', `/tasks/${TASK}`))).body as any).dateStatusList.map(
        (entry: { status: string }) => entry.status,
      );
    };
    expect((await statuses(3_000)).slice(-1)).toEqual(['RUNNING']);
    expect((await statuses(3_101)).slice(-2)).toEqual(['CONTRIBUTION_TIMEOUT', 'FAILED']);
    // A contribution reached consensus on chain (REVEALING): no contribution timeout, the final deadline decides.
    expect((await statuses(3_101, `0x${'c'.repeat(64)}`)).slice(-1)).toEqual(['RUNNING']);
    expect((await statuses(4_001, `0x${'c'.repeat(64)}`)).slice(-2)).toEqual(['FINAL_DEADLINE_REACHED', 'FAILED']);
  });

  it('answers 404 for a task core does not know', async () => {
    expect((await dispatch(api(record()), request('GET', `/tasks/0x${'3'.repeat(64)}`))).status).toBe(404);
  });
});

describe('GET /tasks/{id}/logs', () => {
  it('refuses without a challenge (401), a non-requester (403) and a bad signature (401), in that order', async () => {
    const service = api(record());
    expect((await dispatch(service, request('GET', `/tasks/${TASK}/logs`))).status).toBe(401);
    const strangerAuth = await authorization(service, stranger);
    expect((await dispatch(service, request('GET', `/tasks/${TASK}/logs`, '', { authorization: strangerAuth }))).status).toBe(403);
    const forged = `${strangerAuth.split('_').slice(0, 2).join('_')}_${requester.address}`;
    expect((await dispatch(service, request('GET', `/tasks/${TASK}/logs`, '', { authorization: forged }))).status).toBe(401);
  });

  it("gives the requester the app's logs once core holds them, 404 before COMPUTED", async () => {
    const service = api(record());
    const auth = await authorization(service, requester);
    expect((await dispatch(service, request('GET', `/tasks/${TASK}/logs`, '', { authorization: auth }))).body).toEqual({
      chainTaskId: TASK,
      computeLogsList: [{ walletAddress: WORKER, stdout: 'out', stderr: 'err' }],
    });
    const early = api(record({ replicate: { walletAddress: WORKER, statusUpdateList: [{ status: 'COMPUTING', date: 'd' }] } }));
    const earlyAuth = await authorization(early, requester);
    expect((await dispatch(early, request('GET', `/tasks/${TASK}/logs`, '', { authorization: earlyAuth }))).status).toBe(404);
  });
});
