// iexec-module task <taskid> [options]: one view of a task on any chain (PoCo's status and deal, its
// deadlines, the workerpool's replicates and the app's logs, the result) and what to do next; --watch
// follows it, --claim claims it back, --replay runs it here as `npm run local` does.
import { parseArgs } from 'node:util';
import { reportFailure } from '../iexec/failure.js';
import { TASK_ID } from '../iexec/result.js';
import { bounded } from '../sdk/bounded.js';
import { claimTask } from '../task/claim.js';
import { explainTask, type ExplainContext } from '../task/explain.js';
import { printTask, taskJson } from '../task/print.js';
import { replayTask } from '../task/replay.js';
import { taskSession } from '../task/session.js';
import { taskView } from '../task/view.js';
import { watchTask } from '../task/watch.js';
import { WALLET_OPTIONS, walletChoice, walletUsage } from './wallet-options.js';

const USAGE = `Usage: iexec-module task <taskid> [options]   (in a module: npm run task -- <taskid> [options])
Shows a task: its status on chain and its deal, its deadlines and the time left, what the workerpool
says of it (replicates, causes) and, for its requester, the app's logs; the result link; then, in words,
what it means and what to do next.
  --chain <name>              the chain.json chain the task is on (default: chain.json's "default")
  --watch                     follow it until it completes, fails or passes its final deadline
  --claim                     claim it once past its final deadline (the SDK's claim: the requester gets the price back)
  --replay                    run it here as npm run local does: the deal's args, input files and secrets
                              (values from IEXEC_REQUESTER_SECRET_<n> and IEXEC_APP_DEVELOPER_SECRET, or
                              asked at a terminal), its dataset (the real one on the local network, else a
                              mock of its schema)
  --protected-data <file>     with --replay: this protected data file in place of the deal's dataset
  --deal <dealid>             the task's deal, to show a task PoCo has not initialized yet
${walletUsage("the requester's wallet (the app's logs and --claim need it)")}
  --json                      the view as JSON on stdout (one object per change with --watch)
  -h, --help                  show this help
Exits 0 once shown; with --watch, 0 when the task completed, 1 otherwise; with --claim, 0 when claimed;
with --replay, 0 when the replay would complete (as npm run local); 2 on a bad option.`;

const OPTIONS = {
  chain: { type: 'string' },
  watch: { type: 'boolean' },
  claim: { type: 'boolean' },
  replay: { type: 'boolean' },
  'protected-data': { type: 'string' },
  deal: { type: 'string' },
  ...WALLET_OPTIONS,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usage(message: string): number {
  console.error(`${message}\n\n${USAGE}`);
  return 2;
}

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [taskid, ...extra] = positionals;
  if (taskid === undefined || !TASK_ID.test(taskid) || extra.length > 0)
    return usage(`give one task id (0x and 64 hex digits)${taskid === undefined ? '' : `, got ${[taskid, ...extra].join(' ')}`}`);
  if (values.deal !== undefined && !TASK_ID.test(values.deal))
    return usage(`--deal takes a deal id (0x and 64 hex digits), got '${values.deal}'`);
  if ([values.watch, values.claim, values.replay].filter(Boolean).length > 1) return usage('give one of --watch, --claim and --replay');
  if (values['protected-data'] !== undefined && !values.replay) return usage('--protected-data goes with --replay');
  let session;
  try {
    session = await taskSession(root, {
      chain: values.chain,
      ...walletChoice(values),
    });
  } catch (error) {
    return reportFailure(error);
  }
  try {
    const chainId = await session.reads.chainId();
    const explain: ExplainContext = {
      chain: session.target.name,
      local: session.target.local,
      ipfsGateway: (await session.reads.services()).ipfsGateway,
    };
    const print = {
      header: `on chain ${session.target.name} (chain id ${chainId})`,
      local: session.target.local,
      requester: session.wallet?.address,
    };
    const show = (view: Awaited<ReturnType<typeof taskView>>, explanation: ReturnType<typeof explainTask>) =>
      values.json ? console.log(taskJson(view, explanation, session.target.name)) : printTask(view, explanation, print);
    if (values.watch) {
      const end = await watchTask(session, taskid, { dealid: values.deal, explain, show });
      return end.state === 'completed' ? 0 : 1;
    }
    const view = await bounded(taskView(session.reads, taskid, { dealid: values.deal, logs: session.logs }), `the reads of task ${taskid}`);
    if (!values.replay || values.json) show(view, explainTask(view, explain));
    if (values.claim) return await claimTask(session, view, explain);
    if (values.replay)
      return await replayTask(session.reads, view, { root, local: session.target.local, protectedData: values['protected-data'] });
    return 0;
  } catch (error) {
    if ((error as Error).message === 'interrupted') return 130;
    console.error(`error: ${(error as Error).message.split('\n')[0]}`);
    return 1;
  } finally {
    session.close();
  }
}
