/*
 * `task --watch`: the view again each time something changes, until the task ends as the SDK's own
 * watch ends it (iexec common/execution/task.js obsTask: COMPLETED, FAILED, or TIMEOUT once past the
 * final deadline), polling as often as the SDK does (FETCH_INTERVAL, 5 s; 1 s on the local network).
 * A task PoCo never initialized and whose deal is unknown is followed for an hour at most.
 */
import { bounded } from '../sdk/bounded.js';
import { explainTask, type ExplainContext, type Explanation } from './explain.js';
import type { TaskSession } from './session.js';
import { taskView, type TaskView } from './view.js';

const ENDS = new Set(['completed', 'claimed', 'claimable']);
const UNINITIALIZED_LIMIT_MS = 60 * 60 * 1000;

/** What a change is: the chain's status, the workerpool's and each replicate's last step. */
function stamp(view: TaskView): string {
  const offchain =
    'error' in view.offchain
      ? ''
      : [view.offchain.status, ...view.offchain.replicates.map((replicate) => replicate.statusHistory.at(-1)?.status)].join('|');
  return `${view.statusName}|${offchain}|${'error' in view.logs ? '' : view.logs.length}`;
}

export async function watchTask(
  session: TaskSession,
  taskid: string,
  options: { dealid?: string | undefined; explain: ExplainContext; show(view: TaskView, explanation: Explanation): void },
): Promise<Explanation> {
  const intervalMs = session.target.local ? 1000 : 5000;
  const started = Date.now();
  let last = '';
  for (;;) {
    const view = await bounded(
      taskView(session.reads, taskid, { dealid: options.dealid, logs: session.logs }),
      `the reads of task ${taskid}`,
    );
    const explanation = explainTask(view, options.explain);
    if (stamp(view) !== last) {
      last = stamp(view);
      options.show(view, explanation);
    }
    if (ENDS.has(explanation.state)) return explanation;
    if (explanation.state === 'uninitialized' && !view.deal && Date.now() - started > UNINITIALIZED_LIMIT_MS) return explanation;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
