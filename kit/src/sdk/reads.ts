/*
 * Everything doctor and task read from a chain and its services, as one interface: sdk/on-sdk.ts
 * answers it through the module's own SDK (its public JS API), the unit tests with fakes. Amounts are
 * nRLC and wei as bigints, times are seconds, tags are bytes32 hex.
 */

/** The services the SDK reaches for a chain (the chain.json keys of iexec 8.24.0 and 9.0.1). */
export interface ServiceUrls {
  hub?: string;
  sms?: string;
  iexecGateway?: string;
  ipfsGateway?: string;
  compass?: string;
  resultProxy?: string;
}

export interface OnChainApp {
  owner: string;
  name: string;
  multiaddr: string;
  /** bytes32 hex. */
  checksum: string;
  /** The mrenclave as the SDK shows it (text; empty for TDX and standard apps). */
  mrenclave: string;
}

export interface OnChainDataset {
  owner: string;
  multiaddr: string;
  checksum: string;
}

export interface WorkerpoolOrder {
  workerpool: string;
  price: bigint;
  tag: string;
  category: number;
  trust: number;
  remaining: number;
  orderHash: string;
}

export interface OrdersQuery {
  workerpool?: string | undefined;
  /** Leave app, dataset and requester out to see orders whatever their restrictions. */
  app?: string | undefined;
  dataset?: string | undefined;
  requester?: string | undefined;
  /** bytes32: every bit of it must be in the order's tag. */
  minTag: string;
  category: number;
}

export interface DatasetOrder {
  price: bigint;
  tag: string;
  remaining: number;
}

/** A task as PoCo holds it (the SDK's task show), statusName left to the caller's clock. */
export interface OnChainTask {
  taskid: string;
  dealid: string;
  idx: number;
  /** PoCo TaskStatusEnum: 0 UNSET, 1 ACTIVE, 2 REVEALING, 3 COMPLETED, 4 FAILED. */
  status: number;
  contributionDeadline: number;
  finalDeadline: number;
  /** The decoded result link: { storage, location } (storage "none" when there is none). */
  results: { storage: string; location?: string };
  resultsCallback: string;
}

export interface OnChainDeal {
  dealid: string;
  app: { pointer: string; owner: string; price: bigint };
  dataset: { pointer: string; owner: string; price: bigint };
  workerpool: { pointer: string; owner: string; price: bigint };
  tag: string;
  category: number;
  trust: number;
  params: string;
  requester: string;
  beneficiary: string;
  callback: string;
  startTime: number;
  botFirst: number;
  botSize: number;
}

/** The workerpool API's view of a task (the SDK's task fetchOffchainInfo: iexec-core TaskModel). */
export interface OffchainTask {
  status?: string;
  statusHistory: Array<{ status: string; date: string }>;
  replicates: Array<{
    worker: string;
    status?: string;
    exitCode?: number;
    statusHistory: Array<{ status: string; date: string; cause?: string }>;
  }>;
}

export interface ComputeLogs {
  worker: string;
  stdout: string;
  stderr: string;
}

export interface ChainReads {
  /** The iexec SDK that answers, e.g. "9.0.1". */
  sdkVersion: string;
  chainId(): Promise<number>;
  /** The services the SDK uses for this chain: its defaults, overridden by chain.json's entry. */
  services(): Promise<ServiceUrls>;
  /** The SDK's own defaults for the chain id the node reports; undefined for a chain it does not know. */
  sdkDefaults(): Promise<ServiceUrls | undefined>;
  /** Seconds: the chain's clock on the local network, this machine's elsewhere (the SDK judges deadlines by it). */
  now(): Promise<number>;
  balances(address: string): Promise<{ wei: bigint; nRLC: bigint }>;
  account(address: string): Promise<{ stake: bigint; locked: bigint }>;
  app(address: string): Promise<OnChainApp | undefined>;
  /** Where the app registry puts (or put) an app with these fields: its CREATE2 address. */
  predictAppAddress(app: Record<string, unknown>): Promise<string>;
  appSecretExists(app: string): Promise<boolean>;
  /** An ENS name (SDK 8's bellecour pools) or an address, as an address; undefined when nothing is there. */
  resolveAddress(nameOrAddress: string): Promise<string | undefined>;
  workerpool(address: string): Promise<{ owner: string; description: string } | undefined>;
  /** Where the SDK finds the workerpool's API (compass on SDK 9, ENS on SDK 8). */
  workerpoolApiUrl(address: string): Promise<string | undefined>;
  workerpoolOrders(query: OrdersQuery): Promise<WorkerpoolOrder[]>;
  /** The category's workClockTimeRef in seconds; undefined when the hub has no such category. */
  categoryTime(category: number): Promise<number | undefined>;
  dataset(address: string): Promise<OnChainDataset | undefined>;
  datasetOrders(query: { dataset: string; app: string; requester: string; workerpool?: string; tag: string }): Promise<DatasetOrder[]>;
  datasetSecretExists(dataset: string): Promise<boolean>;
  requesterSecretExists(requester: string, name: string): Promise<boolean>;
  /** undefined while the task is not initialized (UNSET). */
  task(taskid: string): Promise<OnChainTask | undefined>;
  deal(dealid: string): Promise<OnChainDeal>;
  offchain(taskid: string): Promise<OffchainTask>;
  /** The requester's signer required: the workerpool API gives logs to the deal's requester only. */
  logs(taskid: string): Promise<ComputeLogs[]>;
  /** The SDK's claim (a transaction): the signer required. Resolves with the transaction hash. */
  claim(taskid: string): Promise<string>;
}
