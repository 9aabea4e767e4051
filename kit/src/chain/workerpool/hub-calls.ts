/*
 * The workerpool's calls to PoCo (v6.1.0 IexecPoco1Facet/IexecPoco2Facet), behind one interface so the
 * task pipeline runs against a fake in unit tests. The scheduler (workerpool owner) initializes and
 * finalizes; the worker contributes, reveals, or contributes and finalizes in one call (TEE).
 */
import {
  Contract,
  ZeroAddress,
  ZeroHash,
  getBytes,
  solidityPackedKeccak256,
  type HDNodeWallet,
  type InterfaceAbi,
  type JsonRpcProvider,
  type Wallet,
} from 'ethers';
import { multiaddrText } from '../multiformats.js';

/** What the worker reads of a deal (PoCo IexecLibCore_v5.Deal, as the hub returns it). */
export interface Deal {
  dealid: string;
  app: string;
  dataset: string;
  workerpool: string;
  requester: string;
  beneficiary: string;
  callback: string;
  tag: string;
  category: number;
  trust: number;
  params: string;
  botFirst: number;
  botSize: number;
  /** Seconds. */
  startTime: number;
}

export interface DeployedApp {
  multiaddr: string;
  /** 0x + the image's registry digest, as publish.sh records it. */
  checksum: string;
  /** The app's mrenclave bytes (SCONE apps on SDK 8), as text. */
  mrenclave: string;
}

export interface DeployedDataset {
  multiaddr: string;
  checksum: string;
}

/** A PoCo transaction that reverted, with its reason. */
export class PocoRefused extends Error {}

export interface Poco {
  worker: string;
  deal(dealid: string): Promise<Deal>;
  /** The category's workClockTimeRef, seconds. */
  categoryTime(category: number): Promise<number>;
  taskStatus(taskid: string): Promise<{ status: number; consensusValue: string; revealDeadline: number }>;
  app(address: string): Promise<DeployedApp>;
  dataset(address: string): Promise<DeployedDataset>;
  /** Each resolves with the block number, or throws PocoRefused. */
  initialize(dealid: string, index: number): Promise<number>;
  contribute(taskid: string, resultHash: string, resultSeal: string): Promise<number>;
  reveal(taskid: string, digest: string): Promise<number>;
  finalize(taskid: string, results: Uint8Array, callbackData: string): Promise<number>;
  contributeAndFinalize(
    taskid: string,
    digest: string,
    results: Uint8Array,
    callbackData: string,
    enclave: HDNodeWallet | Wallet,
    enclaveSign: string,
  ): Promise<number>;
}

/** ethers' error, as PoCo's revert reason when there is one. */
function revertReason(error: any): string {
  return error?.revert?.args?.[0] ?? error?.reason ?? error?.shortMessage ?? error?.message ?? String(error);
}

async function mined(label: string, call: () => Promise<any>): Promise<number> {
  try {
    const receipt = await (await call()).wait();
    if (receipt?.status !== 1) throw new Error('the transaction failed');
    return receipt.blockNumber;
  } catch (error) {
    throw new PocoRefused(`PoCo refused ${label} (${revertReason(error)})`);
  }
}

export interface PocoAbis {
  hub: InterfaceAbi;
  app: InterfaceAbi;
  dataset: InterfaceAbi;
}

export function pocoOnChain(
  provider: JsonRpcProvider,
  hub: string,
  abis: PocoAbis,
  scheduler: HDNodeWallet | Wallet,
  worker: HDNodeWallet | Wallet,
): Poco {
  const asScheduler = new Contract(hub, abis.hub, scheduler) as any;
  const asWorker = new Contract(hub, abis.hub, worker) as any;
  // The scheduler's authorization (iexec-core SignatureService.createAuthorization): the workerpool owner's
  // EIP-191 signature of keccak256(worker ‖ taskid ‖ enclave challenge).
  const authorize = (taskid: string, enclave: string) =>
    scheduler.signMessage(getBytes(solidityPackedKeccak256(['address', 'bytes32', 'address'], [worker.address, taskid, enclave])));
  return {
    worker: worker.address,
    async deal(dealid) {
      const deal = await asScheduler.viewDeal(dealid);
      return {
        dealid,
        app: deal.app.pointer,
        dataset: deal.dataset.pointer,
        workerpool: deal.workerpool.pointer,
        requester: deal.requester,
        beneficiary: deal.beneficiary,
        callback: deal.callback,
        tag: deal.tag,
        category: Number(deal.category),
        trust: Number(deal.trust),
        params: deal.params,
        botFirst: Number(deal.botFirst),
        botSize: Number(deal.botSize),
        startTime: Number(deal.startTime),
      };
    },
    categoryTime: async (category) => Number((await asScheduler.viewCategory(category)).workClockTimeRef),
    async taskStatus(taskid) {
      const task = await asScheduler.viewTask(taskid);
      return { status: Number(task.status), consensusValue: task.consensusValue, revealDeadline: Number(task.revealDeadline) };
    },
    async app(address) {
      const app = new Contract(address, abis.app, provider) as any;
      const [multiaddr, checksum, mrenclave] = await Promise.all([app.m_appMultiaddr(), app.m_appChecksum(), app.m_appMREnclave()]);
      return { multiaddr: multiaddrText(multiaddr), checksum, mrenclave };
    },
    async dataset(address) {
      const dataset = new Contract(address, abis.dataset, provider) as any;
      const [multiaddr, checksum] = await Promise.all([dataset.m_datasetMultiaddr(), dataset.m_datasetChecksum()]);
      return { multiaddr: multiaddrText(multiaddr), checksum };
    },
    initialize: (dealid, index) => mined('initialize', () => asScheduler.initialize(dealid, index)),
    // Standard: no enclave, 32 zero bytes as its signature.
    contribute: async (taskid, resultHash, resultSeal) => {
      const authorization = await authorize(taskid, ZeroAddress);
      return mined('contribute', () => asWorker.contribute(taskid, resultHash, resultSeal, ZeroAddress, ZeroHash, authorization));
    },
    reveal: (taskid, digest) => mined('reveal', () => asWorker.reveal(taskid, digest)),
    finalize: (taskid, results, callbackData) => mined('finalize', () => asScheduler.finalize(taskid, results, callbackData)),
    contributeAndFinalize: async (taskid, digest, results, callbackData, enclave, enclaveSign) => {
      const authorization = await authorize(taskid, enclave.address);
      return mined('contributeAndFinalize', () =>
        asWorker.contributeAndFinalize(taskid, digest, results, callbackData, enclave.address, enclaveSign, authorization),
      );
    },
  };
}

/**
 * PoCo's own check that a dataset order may serve a deal (IexecPoco1Facet.assertDatasetDealCompatibility,
 * which the SMS calls for each order of a bulk slice): the revert reason, or undefined when it fits.
 */
export function datasetOrderCheck(provider: JsonRpcProvider, hub: string, hubAbi: InterfaceAbi) {
  const contract = new Contract(hub, hubAbi, provider) as any;
  return async (order: Record<string, unknown>, dealid: string): Promise<string | undefined> => {
    const fields = [
      'dataset',
      'datasetprice',
      'volume',
      'tag',
      'apprestrict',
      'workerpoolrestrict',
      'requesterrestrict',
      'salt',
      'sign',
    ].map((name) => order[name]);
    try {
      await contract.assertDatasetDealCompatibility(fields, dealid);
      return undefined;
    } catch (error) {
      return `PoCo says it does not fit the deal (${revertReason(error)})`;
    }
  };
}
