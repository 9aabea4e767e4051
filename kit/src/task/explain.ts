/*
 * A task's view in words: where it stands and the commands that move it on. The platform's rules: PoCo
 * lets a task complete until its contribution deadline and be claimed once its final deadline passed,
 * by anyone, which refunds the requester and marks the task FAILED (IexecPoco2Facet v6.1.0 contribute,
 * claim; a task never initialized through initializeAndClaimArray, the SDK's deal claim); the
 * workerpool never claims (iexec-core fa704ab3 has no claim call), so it is the requester's to do.
 */
import { causeText } from './causes.js';
import type { TaskView } from './view.js';

export type TaskState = 'uninitialized' | 'running' | 'stuck' | 'claimable' | 'completed' | 'claimed';

export interface Explanation {
  state: TaskState;
  /** What the task's state means. */
  meaning: string;
  /** The result link, for a COMPLETED task. */
  result?: string;
  /** Commands, each with what it does. */
  next: string[];
}

export interface ExplainContext {
  chain: string;
  local: boolean;
  ipfsGateway?: string | undefined;
}

export function when(seconds: number, now: number): string {
  const date = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  const minutes = Math.round(Math.abs(seconds - now) / 60);
  const span = minutes >= 120 ? `${Math.round(minutes / 60)} h` : minutes >= 1 ? `${minutes} min` : `${Math.abs(seconds - now)} s`;
  return `${date} (${seconds >= now ? `in ${span}` : `${span} ago`})`;
}

/** The replicate's failure that ends the worker's part, if its last status is one. */
export function replicateFailure(view: TaskView): string | undefined {
  if ('error' in view.offchain) return undefined;
  for (const replicate of view.offchain.replicates) {
    const last = replicate.statusHistory.at(-1);
    if (last && /(_FAILED|^FAILED|^ABORTED|^WORKER_LOST)$/.test(last.status)) {
      const cause = [...replicate.statusHistory].reverse().find((entry) => entry.cause)?.cause;
      return `the worker stopped at ${last.status}${cause ? ` (${causeText(cause)})` : ''}`;
    }
  }
  if (view.offchain.status === 'FAILED') {
    const reason = view.offchain.statusHistory
      .map((entry) => entry.status)
      .filter((status) => status !== 'FAILED')
      .at(-1);
    return `the workerpool marked it FAILED${reason ? ` (${reason})` : ''}`;
  }
  return undefined;
}

function resultLink(view: TaskView, ipfsGateway: string | undefined): string {
  const results = view.task!.results;
  if (results.storage === 'ipfs' && results.location) return `${(ipfsGateway ?? '<ipfs gateway>').replace(/\/+$/, '')}${results.location}`;
  if (results.storage === 'ethereum') return `the callback contract ${results.location}, which received ${view.task!.resultsCallback}`;
  if (results.storage === 'none') return 'none';
  return `${results.storage}${results.location ? ` ${results.location}` : ''}`;
}

export function explainTask(view: TaskView, ctx: ExplainContext): Explanation {
  const { taskid, now } = view;
  const chain = `--chain ${ctx.chain}`;
  const watch = `npm run task -- ${taskid} --watch ${chain}   (follows it to its end)`;
  const replay = `npm run task -- ${taskid} --replay ${chain}   (runs it here as npm run local does, same args, inputs and secrets)`;
  const claim = `npm run task -- ${taskid} --claim ${chain}   (the SDK's claim: the requester gets the price back)`;
  const final = view.deadlines ? when(view.deadlines.final, now) : 'its final deadline';
  const advance = ctx.local
    ? [`npm run chain:local -- advance --past-final-deadline ${taskid}   (moves the local network's clock there)`]
    : [];
  switch (view.statusName) {
    case 'COMPLETED': {
      const result = resultLink(view, ctx.ipfsGateway);
      const callback = view.task!.results.storage === 'ethereum';
      return {
        state: 'completed',
        meaning: callback
          ? `COMPLETED: PoCo called the callback contract with the result.`
          : 'COMPLETED: the workerpool uploaded the result and PoCo finalized the task.',
        result,
        next: callback ? [] : [`npm run result -- ${taskid} ${chain}   (downloads and unzips it into results/${taskid}/)`],
      };
    }
    case 'FAILED':
      return {
        state: 'claimed',
        meaning: 'FAILED: it was claimed after its final deadline, and the requester got the price back in its iExec account.',
        next: [replay],
      };
    case 'TIMEOUT': {
      const failure = replicateFailure(view);
      const deal =
        view.task === undefined && view.deal
          ? [`npm run iexec -- standard deal claim ${view.deal.dealid} ${chain}   (claims the deal's tasks PoCo never initialized)`]
          : [];
      return {
        state: 'claimable',
        meaning: `past its final deadline ${final} without completing${failure ? ` (${failure})` : ''}: PoCo lets it be claimed, which refunds the requester and marks it FAILED.`,
        next: [...(view.task ? [claim] : deal), replay],
      };
    }
    case 'UNSET':
      return {
        state: 'uninitialized',
        meaning: `PoCo has no task ${taskid} yet: the workerpool initializes a deal's tasks when it takes the deal${view.deal ? '' : ', or this is not a task of this chain'}.`,
        next: [watch],
      };
    default: {
      const failure = replicateFailure(view);
      if (failure) {
        return {
          state: 'stuck',
          meaning: `it will not complete: ${failure}. Nobody fails it on chain: it stays ${view.statusName} until its final deadline ${final}, then its requester claims the price back.`,
          next: [replay, ...advance, `once past the final deadline: ${claim}`],
        };
      }
      const contribution = view.deadlines ? ` until its contribution deadline ${when(view.deadlines.contribution, now)}` : '';
      return {
        state: 'running',
        meaning: `${view.statusName}: the workerpool is running it; it can complete${contribution}.`,
        next: [watch],
      };
    }
  }
}
