/*
 * The chain console's words for a task that will not complete: what went wrong, what iExec does next
 * (nothing on chain: the task waits for its deadlines; see deadlines.ts) and the commands that move the
 * local network's clock and claim the task back, as a requester does on iExec.
 */
import type { TaskRecord } from '../state.js';
import { isoDate } from './deadlines.js';

export function explainStuck(record: TaskRecord, reason: string, tee: boolean): string {
  return [
    `will not complete: ${reason}.`,
    `On iExec nobody fails it now: it stays ${tee ? 'ACTIVE' : 'ACTIVE (or REVEALING once a contribution reached consensus)'} on chain; the workerpool marks it FAILED at its contribution deadline (${isoDate(record.contributionDeadline)}), and once its final deadline passes (${isoDate(record.finalDeadline)}, chain time) the SDK shows TIMEOUT and the requester claims the price back.`,
    `Here: npm run iexec -- standard task debug ${record.taskid} --logs --chain local shows what the workerpool shows; npm run chain:local -- advance --past-final-deadline ${record.taskid} moves this network's clock there; then npm run iexec -- standard task claim ${record.taskid} --chain local.`,
  ].join('\n  ');
}
