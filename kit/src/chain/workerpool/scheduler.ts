/*
 * The local workerpool's scheduler: it watches the hub for deals of its workerpool (SchedulerNotice) and
 * records each task as iexec-core does (DealWatcherService): RECEIVED with the deal's deadlines, except
 * for deals core skips (past their contribution deadline; a TEE tag with trust outside {0, 1}: never
 * initialized). Its one worker runs the tasks one at a time, in the order the deals come.
 */
import { Contract, solidityPackedKeccak256, type InterfaceAbi, type JsonRpcProvider } from 'ethers';
import type { ChainClock } from '../clock.js';
import type { TaskRecord } from '../state.js';
import { isoDate } from './deadlines.js';
import { TaskPipeline, teeFramework, type PipelineContext } from './pipeline.js';
import type { Deal } from './hub-calls.js';

/** PoCo's deadline ratios (IexecPoco2Facet, FacetBase: contribution 7, final 10 times the category's time). */
const CONTRIBUTION_RATIO = 7;
const FINAL_RATIO = 10;

export interface SchedulerOptions {
  provider: JsonRpcProvider;
  hub: string;
  hubAbi: InterfaceAbi;
  workerpool: string;
  clock: ChainClock;
  pipeline: PipelineContext;
  /** Called once per deal of the pool seen (the pool renews its market orders). */
  onDeal?: () => void;
}

const short = (hex: string) => `${hex.slice(0, 10)}…`;

/** Core's record of one task of a deal, at RECEIVED. */
export function receiveTask(deal: Deal, index: number, categoryTime: number, appMultiaddr: string, date: string): TaskRecord {
  const taskid = solidityPackedKeccak256(['bytes32', 'uint256'], [deal.dealid, index]);
  const params = JSON.parse(deal.params || '{}');
  return {
    taskid,
    dealid: deal.dealid,
    taskIndex: index,
    requester: deal.requester,
    tee: teeFramework(deal.tag) !== undefined,
    tag: deal.tag,
    trust: deal.trust,
    dappName: appMultiaddr,
    commandLine: params.iexec_args ?? null,
    maxExecutionTime: categoryTime,
    contributionDeadline: deal.startTime + CONTRIBUTION_RATIO * categoryTime,
    finalDeadline: deal.startTime + FINAL_RATIO * categoryTime,
    dateStatusList: [{ status: 'RECEIVED', date }],
  };
}

/** DealWatcherService.shouldProcessDeal: why core skips a deal, if it does. */
export function skipReason(deal: Deal, categoryTime: number, now: number): string | undefined {
  if (now > deal.startTime + CONTRIBUTION_RATIO * categoryTime)
    return `its contribution deadline (${isoDate(deal.startTime + CONTRIBUTION_RATIO * categoryTime)}) has passed`;
  if (teeFramework(deal.tag) !== undefined && deal.trust > 1)
    return `it has a TEE tag and trust ${deal.trust}: core runs TEE deals at trust 0 or 1 only, so its tasks are never initialized`;
  return undefined;
}

export function startScheduler(options: SchedulerOptions): { stop(): Promise<void> } {
  const { provider, pipeline, clock } = options;
  const hub = new Contract(options.hub, options.hubAbi, provider) as any;
  const schedulerNotice = hub.interface.getEvent('SchedulerNotice').topicHash;
  const log = (message: string) => pipeline.log(message);

  async function schedule(dealid: string) {
    const deal = await pipeline.poco.deal(dealid);
    const categoryTime = await pipeline.poco.categoryTime(deal.category);
    const skipped = skipReason(deal, categoryTime, await clock.refresh());
    if (skipped)
      return log(
        `deal ${dealid} is skipped, as iexec-core skips it: ${skipped}. The requester claims its tasks after their final deadline (${isoDate(deal.startTime + FINAL_RATIO * categoryTime)}, chain time).`,
      );
    const { multiaddr } = await pipeline.poco.app(deal.app);
    for (let index = deal.botFirst; index < deal.botFirst + deal.botSize; index += 1) {
      const record = receiveTask(deal, index, categoryTime, multiaddr, clock.date());
      pipeline.state.tasks.set(record.taskid.toLowerCase(), record);
      const framework = teeFramework(deal.tag);
      const label = `task ${record.taskid} (${framework ? `TEE ${framework}` : record.tee ? 'TEE' : 'standard'}, deal ${short(dealid)} #${index})`;
      queue = queue
        .then(() => new TaskPipeline(pipeline, deal, record, label).run(index))
        .catch((error: Error) => log(`ERROR ${label}: ${error.stack ?? error}`));
    }
  }

  let queue = Promise.resolve();
  const seen = new Set<string>();
  let stopped = false;
  let fromBlock = 0;
  const loop = (async () => {
    while (!stopped) {
      try {
        await clock.refresh();
        const latest = await provider.getBlockNumber();
        if (latest >= fromBlock) {
          const logs = await provider.getLogs({
            address: options.hub,
            topics: [schedulerNotice, `0x${options.workerpool.slice(2).toLowerCase().padStart(64, '0')}`],
            fromBlock,
            toBlock: latest,
          });
          fromBlock = latest + 1;
          for (const entry of logs) {
            const dealid: string = hub.interface.parseLog(entry).args.dealid;
            if (seen.has(dealid)) continue;
            seen.add(dealid);
            options.onDeal?.();
            await schedule(dealid).catch((error: Error) => log(`ERROR deal ${dealid}: ${error.stack ?? error}`));
          }
        }
      } catch (error) {
        if (!stopped) log(`ERROR watching deals: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
