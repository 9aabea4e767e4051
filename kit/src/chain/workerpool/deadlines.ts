/*
 * What time does to a task, on chain and in the workerpool's core. Nobody fails a task on iExec at the
 * moment it goes wrong: PoCo refuses contributions after the contribution deadline (deal start + 7 x the
 * category's time) and lets anyone claim a task once its final deadline (+ 10 x) has passed
 * (IexecPoco2Facet contribute/claim, v6.1.0); the core marks its own off-chain view FAILED on those
 * deadlines (iexec-core TaskUpdateManager: CONTRIBUTION_TIMEOUT while INITIALIZED or RUNNING with the
 * chain task below REVEALING, FINAL_DEADLINE_REACHED otherwise), and never claims (fa704ab3 has no claim
 * call). The local network's clock is its chain's: time moves when blocks say so.
 */
import type { TaskRecord } from '../state.js';

/** iexec-core TaskStatus values that end a task. */
const FINAL = new Set(['COMPLETED', 'FAILED']);
const WAITING_CONTRIBUTION = new Set(['INITIALIZED', 'RUNNING']);

/** PoCo IexecLibCore_v5 TaskStatusEnum, with the SDK's TIMEOUT (iexec 9.0.1 execution/task.js show()). */
export const CHAIN_TASK_STATUS = ['UNSET', 'ACTIVE', 'REVEALING', 'COMPLETED', 'FAILED'] as const;

export const isoDate = (seconds: number) => new Date(seconds * 1000).toISOString().replace('Z', '+00:00');

/**
 * Core's status list as of `now` (chain time, seconds): its own steps, then what its detectors add once
 * a deadline has passed (ContributionTimeoutTaskDetector, FinalDeadlineTaskDetector).
 */
export function coreStatuses(record: TaskRecord, now: number): TaskRecord['dateStatusList'] {
  const list = record.dateStatusList;
  const current = list.at(-1)?.status ?? 'RECEIVED';
  if (FINAL.has(current)) return list;
  // CONTRIBUTION_TIMEOUT only while no contribution reached consensus on chain (status below REVEALING):
  // the pool's one worker is the only contributor, so the record knows.
  if (WAITING_CONTRIBUTION.has(current) && now > record.contributionDeadline && record.consensus === undefined) {
    const date = isoDate(record.contributionDeadline);
    return [...list, { status: 'CONTRIBUTION_TIMEOUT', date }, { status: 'FAILED', date }];
  }
  if (now > record.finalDeadline) {
    const date = isoDate(record.finalDeadline);
    return [...list, { status: 'FINAL_DEADLINE_REACHED', date }, { status: 'FAILED', date }];
  }
  return list;
}

/** The SDK's name for a task's on-chain status at `now` (TIMEOUT: not completed and past its final deadline). */
export function sdkStatusName(status: number, finalDeadline: number, now: number): string {
  return status < 3 && now >= finalDeadline ? 'TIMEOUT' : (CHAIN_TASK_STATUS[status] ?? String(status));
}
