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
import type {
  ChainReads,
  ComputeLogs,
  DatasetOrder,
  OffchainTask,
  OnChainDeal,
  OnChainTask,
  OrdersQuery,
  ServiceUrls,
  WorkerpoolOrder,
} from './reads.js';

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
  const urls: ServiceUrls = {
    hub: (contracts as { hubAddress?: string } | undefined)?.hubAddress,
    sms,
    iexecGateway,
    ipfsGateway,
    compass,
    resultProxy,
  } as ServiceUrls;
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

/** The reads, each one documented method of the module's IExec. */
export class SdkReads implements ChainReads {
  readonly sdkVersion: string;
  private readonly iexec: any;
  private readonly framework: { teeFramework: string } | undefined;
  private readonly ethProvider: string;
  /** The local network's clock is anvil's (chain advance moves it); the kit reads it with its own provider. */
  private readonly local: JsonRpcProvider | undefined;

  constructor(private readonly options: SdkReadsOptions) {
    const { target, sdk, teeFramework } = options;
    const { ethProvider, options: overrides } = sdkConnection(target, sdk.major as 8 | 9, teeFramework);
    const signer = options.privateKey ? sdk.api.utils.getSignerFromPrivateKey(ethProvider, options.privateKey) : undefined;
    this.sdkVersion = sdk.version;
    this.ethProvider = ethProvider;
    this.iexec = new sdk.api.IExec({ ethProvider: signer ?? ethProvider }, overrides);
    this.framework = sdk.major === 8 ? { teeFramework } : undefined;
    this.local = target.local ? new JsonRpcProvider(ethProvider, undefined, { staticNetwork: true }) : undefined;
  }

  private get major(): 8 | 9 {
    return this.options.sdk.major as 8 | 9;
  }

  async chainId() {
    return Number(await this.iexec.config.resolveChainId());
  }

  services() {
    return servicesOf(this.iexec.config, this.major, this.options.teeFramework);
  }

  async sdkDefaults() {
    const config = new this.options.sdk.api.IExecConfig(
      { ethProvider: this.ethProvider },
      this.major === 8 ? { defaultTeeFramework: this.options.teeFramework } : {},
    );
    const defaults = await servicesOf(config, this.major, this.options.teeFramework);
    return Object.keys(defaults).length > 0 ? defaults : undefined;
  }

  async now() {
    return this.local ? chainNow(this.local) : Math.floor(Date.now() / 1000);
  }

  async balances(address: string) {
    const { wei, nRLC } = await this.iexec.wallet.checkBalances(address);
    return { wei: big(wei), nRLC: big(nRLC) };
  }

  async account(address: string) {
    const { stake, locked } = await this.iexec.account.checkBalance(address);
    return { stake: big(stake), locked: big(locked) };
  }

  async app(address: string) {
    if (!(await this.iexec.app.checkDeployedApp(address))) return undefined;
    const { app } = await this.iexec.app.showApp(address);
    return {
      owner: app.owner,
      name: app.appName,
      multiaddr: app.appMultiaddr,
      checksum: app.appChecksum,
      mrenclave: app.appMREnclave ?? '',
    };
  }

  predictAppAddress(app: Record<string, unknown>): Promise<string> {
    return this.iexec.app.predictAppAddress(app);
  }

  appSecretExists(app: string): Promise<boolean> {
    return this.iexec.app.checkAppSecretExists(app, this.framework);
  }

  async resolveAddress(nameOrAddress: string) {
    if (isAddress(nameOrAddress)) return nameOrAddress;
    // ENS names are an SDK 8 feature (bellecour's pools have them); SDK 9 has no ENS module.
    if (this.major !== 8) return undefined;
    return (await this.iexec.ens.resolveName(nameOrAddress)) ?? undefined;
  }

  async workerpool(address: string) {
    if (!(await this.iexec.workerpool.checkDeployedWorkerpool(address))) return undefined;
    const { workerpool } = await this.iexec.workerpool.showWorkerpool(address);
    return { owner: workerpool.owner, description: workerpool.workerpoolDescription };
  }

  async workerpoolApiUrl(address: string) {
    return (await this.iexec.workerpool.getWorkerpoolApiUrl(address)) ?? undefined;
  }

  async workerpoolOrders(query: OrdersQuery): Promise<WorkerpoolOrder[]> {
    const { orders } = await this.iexec.orderbook.fetchWorkerpoolOrderbook({
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
  }

  async categoryTime(category: number) {
    if (category >= num(await this.iexec.hub.countCategory())) return undefined;
    return num((await this.iexec.hub.showCategory(category)).workClockTimeRef);
  }

  async dataset(address: string) {
    if (!(await this.iexec.dataset.checkDeployedDataset(address))) return undefined;
    const { dataset } = await this.iexec.dataset.showDataset(address);
    return { owner: dataset.owner, multiaddr: dataset.datasetMultiaddr, checksum: dataset.datasetChecksum };
  }

  async datasetOrders(query: {
    dataset: string;
    app: string;
    requester: string;
    workerpool?: string;
    tag: string;
  }): Promise<DatasetOrder[]> {
    const { orders } = await this.iexec.orderbook.fetchDatasetOrderbook({
      dataset: query.dataset,
      app: query.app,
      requester: query.requester,
      ...(query.workerpool && { workerpool: query.workerpool }),
      maxTag: query.tag,
    });
    return (orders ?? []).map(({ order, remaining }: any) => ({
      price: big(order.datasetprice),
      tag: order.tag,
      remaining: num(remaining),
    }));
  }

  datasetSecretExists(dataset: string): Promise<boolean> {
    return this.iexec.dataset.checkDatasetSecretExists(dataset, this.framework);
  }

  requesterSecretExists(requester: string, name: string): Promise<boolean> {
    return this.iexec.secrets.checkRequesterSecretExists(requester, name, this.framework);
  }

  async task(taskid: string): Promise<OnChainTask | undefined> {
    let task: any;
    try {
      task = await this.iexec.task.show(taskid);
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
  }

  async deal(dealid: string): Promise<OnChainDeal> {
    const deal = await this.iexec.deal.show(dealid);
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
  }

  async offchain(taskid: string): Promise<OffchainTask> {
    const { task, replicates } = await this.iexec.task.fetchOffchainInfo(taskid);
    return {
      status: task?.status,
      statusHistory: task?.statusHistory ?? [],
      replicates: (replicates ?? []).map((replicate: any) => ({ ...replicate, statusHistory: replicate.statusHistory ?? [] })),
    };
  }

  logs(taskid: string): Promise<ComputeLogs[]> {
    return this.iexec.task.fetchLogs(taskid);
  }

  claim(taskid: string): Promise<string> {
    return onChainClock(this.local, () => this.iexec.task.claim(taskid));
  }

  close(): void {
    this.local?.destroy();
  }
}
