import { ZeroAddress, solidityPackedKeccak256 } from 'ethers';
import { describe, expect, it } from 'vitest';
import { crossed } from '../../../src/chain/advance.js';
import { receiveTask, skipReason } from '../../../src/chain/workerpool/scheduler.js';
import type { Deal } from '../../../src/chain/workerpool/hub-calls.js';

/*
 * What the scheduler records and skips, as iexec-core's DealWatcherService does (fa704ab3), and what
 * `chain advance` says a clock move means for active tasks (PoCo IexecPoco2Facet v6.1.0 deadlines).
 */
const deal = (overrides: Partial<Deal> = {}): Deal => ({
  dealid: `0x${'2'.repeat(64)}`,
  app: '0x00000000000000000000000000000000000000a1',
  dataset: ZeroAddress,
  workerpool: '0x00000000000000000000000000000000000000e1',
  requester: '0x00000000000000000000000000000000000000c1',
  beneficiary: '0x00000000000000000000000000000000000000c1',
  callback: ZeroAddress,
  tag: `0x${'0'.repeat(63)}9`,
  category: 0,
  trust: 1,
  params: '{"iexec_args":"Alice Bob"}',
  botFirst: 0,
  botSize: 1,
  startTime: 10_000,
  ...overrides,
});

describe('the scheduler', () => {
  it("records a task at RECEIVED with PoCo's task id and deadlines (7 and 10 times the category's time)", () => {
    const record = receiveTask(deal(), 3, 300, 'me/app:1', 'now');
    expect(record.taskid).toBe(solidityPackedKeccak256(['bytes32', 'uint256'], [deal().dealid, 3]));
    expect(record).toMatchObject({
      taskIndex: 3,
      tee: true,
      commandLine: 'Alice Bob',
      maxExecutionTime: 300,
      contributionDeadline: 12_100,
      finalDeadline: 13_000,
      dateStatusList: [{ status: 'RECEIVED', date: 'now' }],
    });
  });

  it('skips what core skips: a TEE deal at trust above 1, a deal past its contribution deadline', () => {
    expect(skipReason(deal(), 300, 10_500)).toBeUndefined();
    expect(skipReason(deal({ trust: 2 }), 300, 10_500)).toMatch(/TEE tag and trust 2: .*never initialized/);
    expect(skipReason(deal({ trust: 2, tag: `0x${'0'.repeat(64)}` }), 300, 10_500)).toBeUndefined();
    expect(skipReason(deal(), 300, 12_101)).toMatch(/contribution deadline .* has passed/);
  });
});

describe('chain advance', () => {
  const task = { taskid: `0x${'1'.repeat(64)}`, status: 1, contributionDeadline: 12_100, finalDeadline: 13_000 };

  it('names the active tasks a clock move takes past a deadline, and what follows', () => {
    expect(crossed([task], 10_000, 11_000)).toEqual([]);
    const [contribution, final] = crossed([task], 10_000, 13_000);
    expect(contribution).toMatch(/past its contribution deadline .*PoCo refuses its contributions/);
    expect(final).toMatch(/past its final deadline .*task claim 0x1{64} --chain local/);
    // A task that reached consensus (REVEALING) has no contribution deadline left to miss.
    expect(crossed([{ ...task, status: 2 }], 10_000, 13_000)).toHaveLength(1);
  });
});
