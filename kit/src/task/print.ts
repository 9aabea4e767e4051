/* A task's view as a person reads it, or as one JSON object (--json). */
import { ZeroAddress } from 'ethers';
import { formatRlc } from '../doctor/units.js';
import { tagText } from '../sdk/tags.js';
import { causeText } from './causes.js';
import { when, type Explanation } from './explain.js';
import type { TaskView } from './view.js';

/** The last lines of a log: enough to see why, not a wall of text. */
const LOG_LINES = 20;
const tail = (text: string) => {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.length > LOG_LINES ? [`(… ${lines.length - LOG_LINES} lines before)`, ...lines.slice(-LOG_LINES)] : lines;
};

function dealLines(view: TaskView, requester: string | undefined): string[] {
  const deal = view.deal;
  if (!deal) return [];
  const none = (address: string) => address === ZeroAddress;
  const minutes = view.categoryTime !== undefined ? ` (${view.categoryTime / 60} min per task)` : '';
  const you = requester && requester.toLowerCase() === deal.requester.toLowerCase() ? ' (you)' : '';
  return [
    `  deal        ${deal.dealid}`,
    `  app         ${deal.app.pointer} (${formatRlc(deal.app.price)})`,
    `  dataset     ${none(deal.dataset.pointer) ? 'none' : `${deal.dataset.pointer} (${formatRlc(deal.dataset.price)})`}`,
    `  workerpool  ${deal.workerpool.pointer} (${formatRlc(deal.workerpool.price)})`,
    `  tag         ${tagText(deal.tag)}, category ${deal.category}${minutes}, trust ${deal.trust}`,
    `  params      ${deal.params || '{}'}`,
    `  requester   ${deal.requester}${you}${none(deal.callback) ? '' : `, callback ${deal.callback}`}`,
  ];
}

function offchainLines(view: TaskView): string[] {
  if ('error' in view.offchain) return [`  workerpool  its API does not say: ${view.offchain.error}`];
  const lines = [
    `  workerpool  ${view.offchain.status ?? 'no status'} (${view.offchain.statusHistory.map((entry) => entry.status).join(' → ') || 'no history'})`,
  ];
  for (const replicate of view.offchain.replicates) {
    const steps = replicate.statusHistory.map((entry) => (entry.cause ? `${entry.status} (${entry.cause})` : entry.status)).join(' → ');
    lines.push(
      `  replicate   worker ${replicate.worker}${replicate.exitCode !== undefined ? `, app exit code ${replicate.exitCode}` : ''}: ${steps}`,
    );
    const cause = [...replicate.statusHistory].reverse().find((entry) => entry.cause)?.cause;
    if (cause) lines.push(`              ${causeText(cause)}`);
  }
  return lines;
}

function logLines(view: TaskView): string[] {
  if ('error' in view.logs) return [`  app logs    none here: ${view.logs.error}`];
  if (view.logs.length === 0) return ['  app logs    none yet (the workerpool keeps them once the app ran)'];
  return view.logs.flatMap((logs) => [
    `  app logs    worker ${logs.worker}`,
    ...(logs.stdout ? ['    stdout:', ...tail(logs.stdout).map((line) => `      ${line}`)] : ['    stdout: (empty)']),
    ...(logs.stderr ? ['    stderr:', ...tail(logs.stderr).map((line) => `      ${line}`)] : ['    stderr: (empty)']),
  ]);
}

export interface PrintContext {
  /** "on chain NAME (chain id N)". */
  header: string;
  local: boolean;
  /** The wallet here, to say "(you)" beside the requester. */
  requester?: string | undefined;
}

export function printTask(view: TaskView, explanation: Explanation, { header, local, requester }: PrintContext): void {
  const clock = local ? " (the local network's clock)" : '';
  const lines = [
    `task ${view.taskid} ${header}`,
    `  on chain    ${view.statusName}${view.task ? '' : ' (not initialized)'}`,
    ...dealLines(view, requester),
    ...(view.deadlines
      ? [`  deadlines   contribution ${when(view.deadlines.contribution, view.now)}, final ${when(view.deadlines.final, view.now)}${clock}`]
      : []),
    ...offchainLines(view),
    ...logLines(view),
    ...(explanation.result ? [`  result      ${explanation.result}`] : []),
    '',
    explanation.meaning,
    ...(explanation.next.length > 0 ? ['next:', ...explanation.next.map((step) => `  ${step}`)] : []),
  ];
  console.log(lines.join('\n'));
}

export function taskJson(view: TaskView, explanation: Explanation, chain: string): string {
  return JSON.stringify({ chain, ...view, explanation }, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}
