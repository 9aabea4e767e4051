/*
 * `task --claim`: the SDK's own claim (IExecTaskModule.claim: PoCo IexecPoco2Facet.claim), once the task
 * is past its final deadline without completing; it refunds the requester and marks the task FAILED.
 * Before that, PoCo refuses it, and so does the kit, saying when it can be claimed.
 */
import { explainTask, when, type ExplainContext } from './explain.js';
import type { TaskSession } from './session.js';
import type { TaskView } from './view.js';

export async function claimTask(session: TaskSession, view: TaskView, explain: ExplainContext): Promise<number> {
  const { state } = explainTask(view, explain);
  const { taskid } = view;
  if (state === 'completed' || state === 'claimed') {
    console.error(`error: nothing to claim: task ${taskid} is ${view.statusName}`);
    return 1;
  }
  if (state !== 'claimable' || !view.task) {
    const final = view.deadlines ? ` (${when(view.deadlines.final, view.now)})` : '';
    const advance = session.target.local
      ? `; on the local network: npm run chain:local -- advance --past-final-deadline ${taskid}, then claim`
      : '';
    const deal =
      !view.task && view.deal && state === 'claimable'
        ? `; PoCo never initialized it: npm run iexec -- standard deal claim ${view.deal.dealid} --chain ${session.target.name} claims the deal's tasks`
        : '';
    console.error(`error: task ${taskid} cannot be claimed before its final deadline${final}: it is ${view.statusName}${advance}${deal}`);
    return 1;
  }
  const reads = await session.signed(true);
  const hash = await reads.claim(taskid);
  console.log(
    `claimed task ${taskid} (transaction ${hash}): it is FAILED on chain, and the requester ${view.deal?.requester ?? ''} got the price back in its iExec account`,
  );
  return 0;
}
