// A task as the chain and the workerpool show it, for the task view's unit tests: a deal, the task
// PoCo holds, the workerpool API's replicates, each settable per test.
import { ZeroAddress } from 'ethers';
import type { ChainReads, OffchainTask, OnChainDeal, OnChainTask } from '../../src/sdk/reads.js';
import { encodeTag } from '../../src/sdk/tags.js';
import { chainData, fakeModule, fakeReads } from '../doctor/fakes.js';

export const TASK = `0x${'7a'.repeat(32)}`;
export const DEAL = `0x${'de'.repeat(32)}`;
export const NOW = 1_000_000;
export const REQUESTER = '0x00000000000000000000000000000000000000c1';

export interface TaskData {
  task?: OnChainTask;
  deal: OnChainDeal;
  offchain: OffchainTask | Error;
  logs: Array<{ worker: string; stdout: string; stderr: string }>;
  claimed: string[];
  appSecret: boolean;
}

export function taskData(): TaskData {
  return {
    task: {
      taskid: TASK,
      dealid: DEAL,
      idx: 0,
      status: 1,
      contributionDeadline: NOW + 600,
      finalDeadline: NOW + 1200,
      results: { storage: 'none' },
      resultsCallback: '0x',
    },
    deal: {
      dealid: DEAL,
      app: { pointer: '0x00000000000000000000000000000000000000a1', owner: REQUESTER, price: 0n },
      dataset: { pointer: ZeroAddress, owner: ZeroAddress, price: 0n },
      workerpool: { pointer: '0x2956f0cb779904795a5f30d3b3ea88b714c3123f', owner: ZeroAddress, price: 0n },
      tag: encodeTag(['tee', 'tdx']),
      category: 0,
      trust: 1,
      params: JSON.stringify({ iexec_args: 'Alice "Ada Lovelace"', iexec_secrets: { 1: 'my-key' } }),
      requester: REQUESTER,
      beneficiary: REQUESTER,
      callback: ZeroAddress,
      startTime: NOW - 100,
      botFirst: 0,
      botSize: 1,
    },
    offchain: {
      status: 'RUNNING',
      statusHistory: [
        { status: 'RECEIVED', date: 'd' },
        { status: 'RUNNING', date: 'd' },
      ],
      replicates: [
        {
          worker: '0xw',
          status: 'COMPUTING',
          statusHistory: [
            { status: 'CREATED', date: 'd' },
            { status: 'COMPUTING', date: 'd' },
          ],
        },
      ],
    },
    logs: [],
    claimed: [],
    appSecret: false,
  };
}

/** The doctor's fake chain, answering for this one task. */
export function taskReads(data: TaskData): ChainReads {
  const module = fakeModule();
  const base = fakeReads(chainData(module));
  return {
    ...base,
    now: async () => NOW,
    task: async () => data.task,
    deal: async () => data.deal,
    offchain: async () => {
      if (data.offchain instanceof Error) throw data.offchain;
      return data.offchain;
    },
    logs: async () => data.logs,
    appSecretExists: async () => data.appSecret,
    claim: async (taskid) => {
      data.claimed.push(taskid);
      return `0x${'f0'.repeat(32)}`;
    },
  };
}
