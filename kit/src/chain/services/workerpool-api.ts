/*
 * The workerpool's API, as iexec-core serves it (TaskController at fa704ab3) and the SDK reads it
 * (iexec 9.0.1 common/execution/debug.js): a task and its replicates (iexec-task-api TaskModel,
 * ReplicateModel, ReplicateStatusUpdateModel: {status, date, cause} and nothing else), and the app's
 * logs for the deal's requester only, behind core's EIP-712 challenge.
 */
import { coreStatuses, isoDate } from '../workerpool/deadlines.js';
import type { ReplicateRecord, TaskRecord } from '../state.js';
import { Challenges, claimedAddress } from './challenge.js';
import { empty, json, type Service } from './http.js';

export interface WorkerpoolApiChain {
  /** Chain time, seconds: the clock core's deadlines are judged by here. */
  now(): Promise<number>;
}

/** ReplicateModel is @JsonInclude(NON_EMPTY): absent fields are left out. */
function replicateModel(task: TaskRecord, replicate: ReplicateRecord, self: string) {
  return {
    self: `${self}/tasks/${task.taskid}/replicates/${replicate.walletAddress}`,
    chainTaskId: task.taskid,
    walletAddress: replicate.walletAddress,
    currentStatus: replicate.statusUpdateList.at(-1)?.status,
    statusUpdateList: replicate.statusUpdateList,
    ...(replicate.resultLink && { resultLink: replicate.resultLink }),
    ...(replicate.chainCallbackData && { chainCallbackData: replicate.chainCallbackData }),
    // The logs link exists once core holds logs (TaskController.buildReplicateModel).
    ...(replicate.logs && { appLogs: `${self}/tasks/${task.taskid}/replicates/${replicate.walletAddress}/logs` }),
    ...(replicate.appExitCode !== undefined && { appExitCode: replicate.appExitCode }),
  };
}

/** TaskModel has no @JsonInclude: what core does not know is null. */
function taskModel(task: TaskRecord, statuses: TaskRecord['dateStatusList'], self: string) {
  return {
    chainTaskId: task.taskid,
    replicates: task.replicate ? [replicateModel(task, task.replicate, self)] : null,
    maxExecutionTime: task.maxExecutionTime * 1000,
    tag: task.tag,
    dappType: 'DOCKER',
    dappName: task.dappName,
    commandLine: task.commandLine,
    initializationBlockNumber: task.initializationBlockNumber ?? 0,
    currentStatus: statuses.at(-1)?.status,
    trust: task.trust,
    uploadingWorkerWalletAddress: task.resultLink && task.replicate && !task.tee ? task.replicate.walletAddress : null,
    consensus: task.consensus ?? null,
    contributionDeadline: isoDate(task.contributionDeadline),
    revealDeadline: task.revealDeadline !== undefined ? isoDate(task.revealDeadline) : null,
    finalDeadline: isoDate(task.finalDeadline),
    resultLink: task.resultLink ?? null,
    chainCallbackData: task.chainCallbackData ?? null,
    dateStatusList: statuses,
  };
}

export function workerpoolApiService(
  tasks: Map<string, TaskRecord>,
  chain: WorkerpoolApiChain,
  chainId: number,
  self: () => string,
): Service {
  const challenges = new Challenges('iExec Core', chainId);
  const find = (taskid: string) => tasks.get(taskid.toLowerCase());
  /** TaskController.getTaskLogs's order: no challenge 401, not the requester 403, bad signature 401, no logs 404. */
  const logsCaller = (authorization: string | undefined, task: TaskRecord | undefined) => {
    // SignedChallenge.createFromString: `<hash>_<signature>_<address>`, or nothing.
    if (
      String(authorization ?? '')
        .split('_')
        .filter(Boolean).length !== 3
    )
      return empty(401);
    const address = claimedAddress(authorization);
    if (!task || task.requester.toLowerCase() !== address.toLowerCase()) return empty(403);
    if (!challenges.verify(authorization)) return empty(401);
    return undefined;
  };
  return {
    name: 'workerpool API',
    routes: [
      { method: 'GET', path: /^\/tasks\/logs\/challenge$/, handle: (req) => json(200, challenges.issue(String(req.query.get('address')))) },
      {
        method: 'GET',
        path: /^\/tasks\/(0x[0-9a-fA-F]{64})$/,
        handle: async (_req, [taskid]) => {
          const task = find(taskid!);
          if (!task) return empty(404);
          const statuses = coreStatuses(task, await chain.now());
          return json(200, taskModel(task, statuses, self()));
        },
      },
      {
        method: 'GET',
        path: /^\/tasks\/(0x[0-9a-fA-F]{64})\/replicates\/(0x[0-9a-fA-F]{40})$/,
        handle: (_req, [taskid, wallet]) => {
          const task = find(taskid!);
          if (!task?.replicate || task.replicate.walletAddress.toLowerCase() !== wallet!.toLowerCase()) return empty(404);
          return json(200, replicateModel(task, task.replicate, self()));
        },
      },
      {
        method: 'GET',
        path: /^\/tasks\/(0x[0-9a-fA-F]{64})\/logs$/,
        handle: (req, [taskid]) => {
          const task = find(taskid!);
          const refused = logsCaller(req.headers.authorization, task);
          if (refused) return refused;
          // TaskLogsService keeps logs from COMPUTED on: before that there are none (404).
          if (!task!.replicate?.logs) return empty(404);
          return json(200, {
            chainTaskId: task!.taskid,
            computeLogsList: [{ walletAddress: task!.replicate.walletAddress, ...task!.replicate.logs }],
          });
        },
      },
      {
        method: 'GET',
        path: /^\/tasks\/(0x[0-9a-fA-F]{64})\/replicates\/(0x[0-9a-fA-F]{40})\/logs$/,
        handle: (req, [taskid, wallet]) => {
          const task = find(taskid!);
          const refused = logsCaller(req.headers.authorization, task);
          if (refused) return refused;
          const replicate = task!.replicate;
          if (!replicate?.logs || replicate.walletAddress.toLowerCase() !== wallet!.toLowerCase()) return empty(404);
          return json(200, { walletAddress: replicate.walletAddress, ...replicate.logs });
        },
      },
    ],
    notFound: () => empty(404),
  };
}
