/*
 * `iexec-module chain advance <seconds>` / `advance --past-final-deadline <taskid>`: moves a running local
 * network's clock (anvil's evm_increaseTime, then a block at the new time), from a second process, and
 * says which active tasks that moves past a deadline: past the contribution deadline PoCo refuses their
 * contributions and the workerpool marks them FAILED; past the final deadline their requester can claim
 * them (PoCo IexecPoco2Facet v6.1.0 contribute, claim).
 */
import { Contract, JsonRpcProvider } from 'ethers';
import { Failure } from '../iexec/failure.js';
import { chainNow } from './clock.js';
import { localEntry } from './config.js';
import { Artifacts } from './poco/artifacts.js';
import { rpc } from './rpc.js';
import { cacheDir, fetchTools } from './tools.js';
import { CHAIN_TASK_STATUS, isoDate } from './workerpool/deadlines.js';

interface ActiveTask {
  taskid: string;
  status: number;
  contributionDeadline: number;
  finalDeadline: number;
}

async function activeTasks(hub: any): Promise<ActiveTask[]> {
  const initialized = await hub.queryFilter(hub.filters.TaskInitialize(), 0, 'latest');
  const tasks: ActiveTask[] = [];
  for (const event of initialized) {
    const taskid: string = event.args.taskid;
    const task = await hub.viewTask(taskid);
    const status = Number(task.status);
    if (status === 1 || status === 2)
      tasks.push({ taskid, status, contributionDeadline: Number(task.contributionDeadline), finalDeadline: Number(task.finalDeadline) });
  }
  return tasks;
}

/** What crossing from `before` to `after` means for each active task. */
export function crossed(tasks: ActiveTask[], before: number, after: number): string[] {
  const lines: string[] = [];
  for (const task of tasks) {
    const name = `task ${task.taskid} (${CHAIN_TASK_STATUS[task.status]})`;
    if (task.status === 1 && before < task.contributionDeadline && after >= task.contributionDeadline) {
      lines.push(
        `${name} is past its contribution deadline (${isoDate(task.contributionDeadline)}): PoCo refuses its contributions, and the workerpool marks it FAILED`,
      );
    }
    if (before < task.finalDeadline && after >= task.finalDeadline) {
      lines.push(
        `${name} is past its final deadline (${isoDate(task.finalDeadline)}): the SDK shows TIMEOUT, and its requester claims it: npm run iexec -- standard task claim ${task.taskid} --chain local`,
      );
    }
  }
  return lines;
}

async function connect(root: string) {
  const entry = localEntry(root);
  const url = `http://127.0.0.1:${entry.port}`;
  const id = await rpc(url, 'eth_chainId').catch(() => undefined);
  if (id === undefined)
    throw new Failure(
      `no local network answers at ${url}: start it with npm run chain:local (in another terminal), then advance its clock`,
    );
  const provider = new JsonRpcProvider(url, Number(entry.id), { staticNetwork: true });
  const { pocoDir } = fetchTools(cacheDir(root));
  return { provider, hub: new Contract(entry.hub, new Artifacts(pocoDir).hubAbi(), provider) as any };
}

export async function advanceClock(root: string, target: { seconds: number } | { pastFinalDeadline: string }): Promise<number> {
  const { provider, hub } = await connect(root);
  try {
    const before = await chainNow(provider);
    let seconds: number;
    if ('seconds' in target) seconds = target.seconds;
    else {
      const task = await hub.viewTask(target.pastFinalDeadline);
      if (Number(task.status) === 0)
        throw new Failure(
          `task ${target.pastFinalDeadline} is not initialized on this network (iexec task show says UNSET): check the task id, or wait until the workerpool initializes it`,
        );
      seconds = Math.max(0, Number(task.finalDeadline) - before + 1);
      if (seconds === 0)
        console.log(`task ${target.pastFinalDeadline} is already past its final deadline (${isoDate(Number(task.finalDeadline))})`);
    }
    const tasks = await activeTasks(hub);
    if (seconds > 0) {
      await provider.send('evm_increaseTime', [seconds]);
      await provider.send('evm_mine', []);
    }
    const after = await chainNow(provider);
    console.log(
      `the local network's clock moved ${seconds} s: chain time ${isoDate(after)} (was ${isoDate(before)}, ${Math.round((after - Date.now() / 1000) / 60)} min ahead of this machine)`,
    );
    const lines = crossed(tasks, before, after);
    console.log(lines.length > 0 ? lines.map((line) => `  ${line}`).join('\n') : '  no active task crossed a deadline');
    return 0;
  } finally {
    provider.destroy();
  }
}
