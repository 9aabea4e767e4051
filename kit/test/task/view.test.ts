import { describe, expect, it } from 'vitest';
import { explainTask } from '../../src/task/explain.js';
import { taskView } from '../../src/task/view.js';
import { DEAL, NOW, TASK, taskData, taskReads } from './fakes.js';

/*
 * The task view and what it says: PoCo's deadlines (the task's, or the deal's start + 7 and + 10 times
 * the category's time before it is initialized), the SDK's TIMEOUT, the workerpool's replicates, and
 * in words the state and the next commands.
 */
const explain = { chain: 'arbitrum-sepolia-testnet', local: false, ipfsGateway: 'https://ipfs.example' };
const noLogs = async () => {
  throw new Error('the workerpool API gives them to the requester only');
};

describe('task: the view', () => {
  it('reads the task, its deal, its deadlines; keeps why the logs or the workerpool API say nothing', async () => {
    const data = taskData();
    data.offchain = new Error('Impossible to resolve API url for workerpool');
    const view = await taskView(taskReads(data), TASK, { logs: noLogs });
    expect(view).toMatchObject({
      taskid: TASK,
      now: NOW,
      statusName: 'ACTIVE',
      deadlines: { contribution: NOW + 600, final: NOW + 1200 },
      categoryTime: 300,
    });
    expect(view.offchain).toEqual({ error: 'Impossible to resolve API url for workerpool' });
    expect(view.logs).toEqual({ error: 'the workerpool API gives them to the requester only' });
  });

  it("derives an uninitialized task's deadlines from its deal, as PoCo will set them", async () => {
    const data = taskData();
    delete data.task;
    const view = await taskView(taskReads(data), TASK, { dealid: DEAL, logs: noLogs });
    expect(view).toMatchObject({ statusName: 'UNSET', deadlines: { contribution: NOW - 100 + 7 * 300, final: NOW - 100 + 10 * 300 } });
    expect(explainTask(view, explain)).toMatchObject({
      state: 'uninitialized',
      next: [expect.stringContaining(`npm run task -- ${TASK} --watch --chain arbitrum-sepolia-testnet`)],
    });
  });
});

describe('task: in words', () => {
  const view = async (edit: (data: ReturnType<typeof taskData>) => void, local = false) => {
    const data = taskData();
    edit(data);
    return explainTask(await taskView(taskReads(data), TASK, { logs: noLogs }), { ...explain, local });
  };

  it('running: wait, until its contribution deadline', async () => {
    expect(await view(() => {})).toMatchObject({
      state: 'running',
      meaning: expect.stringContaining('ACTIVE: the workerpool is running it; it can complete until its contribution deadline'),
      next: [expect.stringContaining('--watch')],
    });
  });

  it('stuck: the worker stopped at a failure, said with its cause; replay it, and claim once past the final deadline', async () => {
    const stuck = await view((data) => {
      const replicate = (data.offchain as any).replicates[0];
      replicate.statusHistory.push(
        { status: 'COMPUTED', date: 'd' },
        { status: 'CONTRIBUTE_AND_FINALIZE_FAILED', date: 'd', cause: 'DETERMINISM_HASH_NOT_FOUND' },
      );
    }, true);
    expect(stuck.state).toBe('stuck');
    expect(stuck.meaning).toMatch(
      /^it will not complete: the worker stopped at CONTRIBUTE_AND_FINALIZE_FAILED \(DETERMINISM_HASH_NOT_FOUND: the worker had no result digest/,
    );
    expect(stuck.meaning).toContain('Nobody fails it on chain: it stays ACTIVE until its final deadline');
    expect(stuck.next).toEqual([
      expect.stringContaining(`npm run task -- ${TASK} --replay --chain arbitrum-sepolia-testnet`),
      expect.stringContaining(`npm run chain:local -- advance --past-final-deadline ${TASK}`),
      expect.stringContaining(`once past the final deadline: npm run task -- ${TASK} --claim`),
    ]);
    const failed = await view((data) =>
      Object.assign(data.offchain as object, {
        status: 'FAILED',
        statusHistory: [
          { status: 'RUNNING', date: 'd' },
          { status: 'CONTRIBUTION_TIMEOUT', date: 'd' },
          { status: 'FAILED', date: 'd' },
        ],
      }),
    );
    expect(failed).toMatchObject({
      state: 'stuck',
      meaning: expect.stringContaining('the workerpool marked it FAILED (CONTRIBUTION_TIMEOUT)'),
    });
  });

  it('TIMEOUT once past its final deadline: claim it', async () => {
    const claimable = await view((data) => (data.task!.finalDeadline = NOW - 60));
    expect(claimable).toMatchObject({
      state: 'claimable',
      meaning: expect.stringMatching(/^past its final deadline .*\(1 min ago\) without completing/),
      next: [expect.stringContaining('--claim'), expect.stringContaining('--replay')],
    });
  });

  it("COMPLETED: the result link on the IPFS gateway and the command that downloads it; a callback deal's contract", async () => {
    const completed = await view((data) =>
      Object.assign(data.task!, { status: 3, results: { storage: 'ipfs', location: '/ipfs/QmResult' } }),
    );
    expect(completed).toEqual({
      state: 'completed',
      meaning: expect.stringContaining('COMPLETED'),
      result: 'https://ipfs.example/ipfs/QmResult',
      next: [`npm run result -- ${TASK} --chain arbitrum-sepolia-testnet   (downloads and unzips it into results/${TASK}/)`],
    });
    const callback = await view((data) =>
      Object.assign(data.task!, { status: 3, results: { storage: 'ethereum', location: '0xcb' }, resultsCallback: '0xabcd' }),
    );
    expect(callback).toMatchObject({ result: 'the callback contract 0xcb, which received 0xabcd', next: [] });
  });

  it('FAILED: claimed; replay it to see why', async () => {
    expect(await view((data) => (data.task!.status = 4))).toMatchObject({
      state: 'claimed',
      meaning: expect.stringContaining('the requester got the price back'),
      next: [expect.stringContaining('--replay')],
    });
  });
});
