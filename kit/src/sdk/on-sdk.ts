/*
 * ChainReads through the module's own SDK: one IExec instance (iexec 8.24.0 or 9.0.1, lib/IExec*.d.ts),
 * built with chain.json's overrides as the CLI builds its chain, signing only when a private key is
 * given (task logs and claim). Every read is a documented method; the only HTTP the SDK does not make
 * for us is the registry's (registry.ts).
 */
import { JsonRpcProvider, isAddress } from 'ethers';
import { chainNow, clockOffset } from '../chain/clock.js';
import { sdkConnection, type ChainTarget } from './chain.js';
import type { Sdk } from './package.js';
import type { ChainReads, OffchainTask, ServiceUrls } from './reads.js';

export interface SdkReadsOptions {
  target: ChainTarget;
  sdk: Sdk;
  /** The module's TEE framework: SDK 8 keys its SMS URLs by it. */
  teeFramework: 'tdx' | 'scone';
  /** The requester's key, for the two calls that sign. */
  privateKey?: string;
}

const big = (value: unknown) => BigInt(String(value ?? 0));
const num = (value: unknown) => Number(String(value ?? 0));

/** A resolve* of IExecConfig that throws ConfigurationError when neither the options nor the SDK's defaults set it. */
const optional = <T>(read: () => Promise<T>) => read().catch(() => undefined);

async function servicesOf(config: any, major: 8 | 9, teeFramework: string): Promise<ServiceUrls> {
  const [contracts, sms, iexecGateway, ipfsGateway, compass, resultProxy] = await Promise.all([
    optional(() => config.resolveContractsClient()),
    optional(() => (major === 8 ? config.resolveSmsURL({ teeFramework }) : config.resolveSmsURL())),
    optional(() => config.resolveIexecGatewayURL()),
    optional(() => config.resolveIpfsGatewayURL()),
    optional(() => config.resolveCompassURL()),
    major === 8 ? optional(() => config.resolveResultProxyURL()) : undefined,
  ]);
  const urls: ServiceUrls = { hub: (contracts as { hubAddress?: string } | undefined)?.hubAddress, sms, iexecGateway, ipfsGateway, compass, resultProxy } as ServiceUrls;
  return Object.fromEntries(Object.entries(urls).filter(([, value]) => typeof value === 'string')) as ServiceUrls;
}

/**
 * The SDK judges a task's deadlines by Date.now (9.0.1 common/execution/task.js show, claim). On the
 * local network the chain's clock runs ahead of this machine's once `chain advance` moved it, so a claim
 * there runs with Date shifted by anvil's offset, as `sdkClockEnv` does for a CLI run (chain/clock.ts).
 */
async function onChainClock<T>(provider: JsonRpcProvider | undefined, run: () => Promise<T>): Promise<T> {
  if (!provider) return run();
  const shift = (await clockOffset(provider)) * 1000;
  const realNow = Date.now;
  Date.now = () => realNow() + shift;
  try {
    return await run();
  } finally {
    Date.now = realNow;
  }
}

export function sdkReads(options: SdkReadsOptions): ChainReads & { close(): void } {
  const { target, sdk, teeFramework } = options;
  const { ethProvider, options: overrides } = sdkConnection(target, sdk.major as 8 | 9, teeFramework);
  const signer = options.privateKey ? sdk.api.utils.getSignerFromPrivateKey(ethProvider, options.privateKey) : undefined;
  const iexec = new sdk.api.IExec({ ethProvider: signer ?? ethProvider }, overrides);
  const framework = sdk.major === 8 ? { teeFramework } : undefined;
  // The local network's clock is anvil's (chain advance moves it); the kit reads it with its own provider.
  const local = target.local ? new JsonRpcProvider(ethProvider, undefined, { staticNetwork: true }) : undefined;
  return {
    sdkVersion: sdk.version,
    chainId: async () => Number(await iexec.config.resolveChainId()),
    services: () => servicesOf(iexec.config, sdk.major as 8 | 9, teeFramework),
    async sdkDefaults() {
      const config = new sdk.api.IExecConfig({ ethProvider }, sdk.major === 8 ? { defaultTeeFramework: teeFramework } : {});
      const defaults = await servicesOf(config, sdk.major as 8 | 9, teeFramework);
      return Object.keys(defaults).length > 0 ? defaults : undefined;
    },
    now: async () => (local ? chainNow(local) : Math.floor(Date.now() / 1000)),
    async balances(address) {
      const { wei, nRLC } = await iexec.wallet.checkBalances(address);
      return { wei: big(wei), nRLC: big(nRLC) };
    },
    async account(address) {
      const { stake, locked } = await iexec.account.checkBalance(address);
      return { stake: big(stake), locked: big(locked) };
    },
    async app(address) {
      if (!(await iexec.app.checkDeployedApp(address))) return undefined;
      const { app } = await iexec.app.showApp(address);
      return { owner: app.owner, name: app.appName, multiaddr: app.appMultiaddr, checksum: app.appChecksum, mrenclave: app.appMREnclave ?? '' };
    },
    appSecretExists: (app) => iexec.app.checkAppSecretExists(app, framework),
    async resolveAddress(nameOrAddress) {
      if (isAddress(nameOrAddress)) return nameOrAddress;
      // ENS names are an SDK 8 feature (bellecour's pools have them); SDK 9 has no ENS module.
      if (sdk.major !== 8) return undefined;
      return (await iexec.ens.resolveName(nameOrAddress)) ?? undefined;
    },
    async workerpool(address) {
      if (!(await iexec.workerpool.checkDeployedWorkerpool(address))) return undefined;
      const { workerpool } = await iexec.workerpool.showWorkerpool(address);
      return { owner: workerpool.owner, description: workerpool.workerpoolDescription };
    },
    workerpoolApiUrl: async (address) => (await iexec.workerpool.getWorkerpoolApiUrl(address)) ?? undefined,
    async workerpoolOrders(query) {
      const { orders } = await iexec.orderbook.fetchWorkerpoolOrderbook({
        ...(query.workerpool && { workerpool: query.workerpool }),
        ...(query.app && { app: query.app }),
        ...(query.dataset && { dataset: query.dataset }),
        ...(query.requester && { requester: query.requester }),
        minTag: query.minTag,
        category: query.category,
        minTrust: 0,
      });
      return (orders ?? []).map(({ order, orderHash, remaining }: any) => ({
        workerpool: order.workerpool,
        price: big(order.workerpoolprice),
        tag: order.tag,
        category: num(order.category),
        trust: num(order.trust),
        remaining: num(remaining),
        orderHash,
      }));
    },
    async categoryTime(category) {
      if (category >= num(await iexec.hub.countCategory())) return undefined;
      return num((await iexec.hub.showCategory(category)).workClockTimeRef);
    },
    async dataset(address) {
      if (!(await iexec.dataset.checkDeployedDataset(address))) return undefined;
      const { dataset } = await iexec.dataset.showDataset(address);
      return { owner: dataset.owner, multiaddr: dataset.datasetMultiaddr, checksum: dataset.datasetChecksum };
    },
    async datasetOrders(query) {
      const { orders } = await iexec.orderbook.fetchDatasetOrderbook({
        dataset: query.dataset,
        app: query.app,
        requester: query.requester,
        ...(query.workerpool && { workerpool: query.workerpool }),
        maxTag: query.tag,
      });
      return (orders ?? []).map(({ order, remaining }: any) => ({ price: big(order.datasetprice), tag: order.tag, remaining: num(remaining) }));
    },
    datasetSecretExists: (dataset) => iexec.dataset.checkDatasetSecretExists(dataset, framework),
    requesterSecretExists: (requester, name) => iexec.secrets.checkRequesterSecretExists(requester, name, framework),
    async task(taskid) {
      let task: any;
      try {
        task = await iexec.task.show(taskid);
      } catch (error) {
        // viewTask: a task PoCo never initialized has no deal (common/execution/common.js).
        if ((error as Error).name === 'ObjectNotFoundError') return undefined;
        throw error;
      }
      return {
        taskid: task.taskid,
        dealid: task.dealid,
        idx: num(task.idx),
        status: num(task.status),
        contributionDeadline: num(task.contributionDeadline),
        finalDeadline: num(task.finalDeadline),
        results: typeof task.results === 'object' && task.results !== null ? task.results : { storage: 'none' },
        resultsCallback: String(task.resultsCallback ?? '0x'),
      };
    },
    async deal(dealid) {
      const deal = await iexec.deal.show(dealid);
      const party = (part: any) => ({ pointer: part.pointer, owner: part.owner, price: big(part.price) });
      return {
        dealid,
        app: party(deal.app),
        dataset: party(deal.dataset),
        workerpool: party(deal.workerpool),
        tag: deal.tag,
        category: num(deal.category),
        trust: num(deal.trust),
        params: String(deal.params ?? ''),
        requester: deal.requester,
        beneficiary: deal.beneficiary,
        callback: deal.callback,
        startTime: num(deal.startTime),
        botFirst: num(deal.botFirst),
        botSize: num(deal.botSize),
      };
    },
    async offchain(taskid): Promise<OffchainTask> {
      const { task, replicates } = await iexec.task.fetchOffchainInfo(taskid);
      return { status: task?.status, statusHistory: task?.statusHistory ?? [], replicates: (replicates ?? []).map((replicate: any) => ({ ...replicate, statusHistory: replicate.statusHistory ?? [] })) };
    },
    logs: (taskid) => iexec.task.fetchLogs(taskid),
    claim: (taskid) => onChainClock(local, () => iexec.task.claim(taskid)),
    close: () => local?.destroy(),
  };
}
