/*
 * One task, everything the public interfaces say about it: PoCo's task and deal (the SDK's task show and
 * deal show), its deadlines, the workerpool API's off-chain view (fetchOffchainInfo) and, for the
 * requester, the app's logs (fetchLogs). Each off-chain read may fail on its own (a workerpool without
 * an API, a task its core never saw): the view keeps why, and shows the rest.
 */
import type { ChainReads, ComputeLogs, OffchainTask, OnChainDeal, OnChainTask } from '../sdk/reads.js';

/** PoCo's deadline ratios (IexecPoco2Facet, FacetBase v6.1.0: contribution 7, final 10 times the category's time). */
const CONTRIBUTION_RATIO = 7;
const FINAL_RATIO = 10;

export interface TaskView {
  taskid: string;
  /** Seconds, by the clock the SDK judges deadlines with (the chain's on the local network). */
  now: number;
  /** undefined while PoCo has not initialized the task. */
  task?: OnChainTask;
  deal?: OnChainDeal;
  categoryTime?: number;
  deadlines?: { contribution: number; final: number };
  /** The SDK's status name at `now` (iexec 9.0.1 common/execution/task.js show: TIMEOUT once an unfinished task is past its final deadline). */
  statusName: string;
  offchain: OffchainTask | { error: string };
  /** The requester's view of the app's logs; `error` says why there are none here. */
  logs: ComputeLogs[] | { error: string };
}

const STATUS = ['UNSET', 'ACTIVE', 'REVEALING', 'COMPLETED', 'FAILED'];
const why = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0]!;

export function statusName(status: number, finalDeadline: number | undefined, now: number): string {
  if (status < 3 && finalDeadline !== undefined && now >= finalDeadline) return 'TIMEOUT';
  return STATUS[status] ?? String(status);
}

export interface ViewOptions {
  /** The deal, when the task is not initialized yet (app run prints both ids). */
  dealid?: string | undefined;
  /** The app's logs: a signing read for the deal's requester only; it throws why when they cannot be had here. */
  logs(taskid: string, deal: OnChainDeal | undefined): Promise<ComputeLogs[]>;
}

export async function taskView(reads: ChainReads, taskid: string, options: ViewOptions): Promise<TaskView> {
  const [now, task] = await Promise.all([reads.now(), reads.task(taskid)]);
  const dealid = task?.dealid ?? options.dealid;
  const deal = dealid ? await reads.deal(dealid) : undefined;
  const categoryTime = deal ? await reads.categoryTime(deal.category) : undefined;
  const deadlines =
    task !== undefined
      ? { contribution: task.contributionDeadline, final: task.finalDeadline }
      : deal && categoryTime !== undefined
        ? { contribution: deal.startTime + CONTRIBUTION_RATIO * categoryTime, final: deal.startTime + FINAL_RATIO * categoryTime }
        : undefined;
  const offchain = await reads.offchain(taskid).catch((error: unknown) => ({ error: why(error) }));
  const logs = await options.logs(taskid, deal).catch((error: unknown) => ({ error: why(error) }));
  return {
    taskid,
    now,
    ...(task && { task }),
    ...(deal && { deal }),
    ...(categoryTime !== undefined && { categoryTime }),
    ...(deadlines && { deadlines }),
    statusName: statusName(task?.status ?? 0, deadlines?.final, now),
    offchain,
    logs,
  };
}
