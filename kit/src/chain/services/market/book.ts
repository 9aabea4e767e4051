/*
 * The orders published on the local market, kept as iexec-market-api keeps them (api/src/services/order.js
 * publish*order, unpublishOrders, get*orders at 1639637): the order hash under the hub's EIP-712 domain, the
 * resource's owner as the only signer, the signature checked by the hub (verifySignature, so a contract
 * wallet's ERC-1271 counts as it does there), at most 50 open orders per signer and kind, and the stakes
 * paid orders need. What the market's watcher keeps up to date from chain events, the remaining volume,
 * is read here from PoCo's consumed volume (viewConsumed) whenever an order is served: an order used up
 * (or cancelled on chain, which PoCo counts as consumed) is `filled` and leaves the open orderbook.
 */
import { TypedDataEncoder, ZeroAddress, type TypedDataDomain } from 'ethers';
import { notFound, refused } from './errors.js';
import { KINDS, typesOf, type KindName, type OrderKind } from './kinds.js';
import { tagToArray, type OrderQuery, type Published } from './query.js';
import { signedOrder, type Order } from './validate.js';

const MAX_OPEN_ORDERS_PER_WALLET = 50;
/** PoCo's workerpool stake ratio at creation (Workerpool m_workerStakeRatioPolicy). */
const WORKER_STAKE_RATIO = 30n;
const TAG_TEE = 1;

export interface MarketChain {
  chainId: number;
  /** The hub's EIP-712 domain, which orders are signed for (iexec common/market/order.js getEIP712Domain). */
  orderDomain(): Promise<TypedDataDomain>;
  isRegistered(registry: NonNullable<OrderKind['registry']>, address: string): Promise<boolean>;
  ownerOf(address: string): Promise<string>;
  /** The hub's verifySignature(signer, hash, sign). */
  verifySignature(signer: string, hash: string, sign: string): Promise<boolean>;
  /** The hub's viewConsumed(orderHash). */
  consumed(orderHash: string): Promise<bigint>;
  /** The hub's viewAccount(address).stake. */
  stake(address: string): Promise<bigint>;
}

export type Served = Omit<Published, 'tagArray'>;
export const served = ({ tagArray: _, ...record }: Published): Served => record;

export const UNPUBLISH_TARGETS = ['unpublish_orderHash', 'unpublish_last', 'unpublish_all'] as const;
export type UnpublishTarget = (typeof UNPUBLISH_TARGETS)[number];

export class OrderBook {
  private readonly records: Record<KindName, Map<string, Published>> = {
    apporder: new Map(),
    datasetorder: new Map(),
    workerpoolorder: new Map(),
    requestorder: new Map(),
  };

  constructor(
    private readonly chain: MarketChain,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async hash(kind: OrderKind, order: Order): Promise<string> {
    return TypedDataEncoder.hash(
      await this.chain.orderDomain(),
      typesOf(kind),
      kind.name === 'requestorder' ? { params: '', ...order } : order,
    ).toLowerCase();
  }

  /** Publishes a signed order for `authorized`, who must own its resource (or be its requester). */
  async publish(kindName: KindName, input: unknown, authorized: string): Promise<Served> {
    const kind = KINDS[kindName];
    const order = signedOrder(kind, input);
    const orderHash = await this.hash(kind, order);
    const records = this.records[kindName];
    const existing = records.get(orderHash);
    if (existing && existing.status !== 'dead') throw refused('order already published');
    const signer = await this.signerOf(kind, order);
    if (signer !== authorized) throw refused(`only order signer ${signer} can publish an order`);
    if (!(await this.chain.verifySignature(signer, orderHash, String(order.sign)))) throw refused('invalid sign');
    const open = [...records.values()].filter((record) => record.signer === signer && record.status === 'open').length;
    if (open >= MAX_OPEN_ORDERS_PER_WALLET)
      throw refused(`maximum of ${MAX_OPEN_ORDERS_PER_WALLET} published open ${kindName} has been reached for wallet ${signer}`);
    const remaining = BigInt(order.volume!) - (await this.chain.consumed(orderHash));
    if (remaining <= 0n) throw refused('order already consumed');
    await this.checkStake(kind, order, signer, remaining);
    if (kindName === 'requestorder') await this.checkMatchable(order);
    const record: Published = {
      orderHash,
      order: existing?.order ?? order,
      chainId: this.chain.chainId,
      tagArray: tagToArray(String(order.tag)),
      remaining: Number(remaining),
      status: 'open',
      publicationTimestamp: existing?.publicationTimestamp ?? this.now().toISOString(),
      signer,
    };
    records.set(orderHash, record);
    return served(record);
  }

  /** Unpublishes by hash, or the last or all open orders of a resource, for their signer; returns the hashes. */
  unpublish(kindName: KindName, target: UnpublishTarget, resourceId: string, authorized: string): string[] {
    const kind = KINDS[kindName];
    const records = this.records[kindName];
    let chosen: Published[];
    if (target === 'unpublish_orderHash') {
      const published = records.get(resourceId);
      if (!published || published.status !== 'open') throw refused(`${kindName} with orderHash ${resourceId} is not published`);
      if (published.signer !== authorized) throw refused(`only order signer ${published.signer} can unpublish an order`);
      chosen = [published];
    } else {
      const mine = [...records.values()]
        .filter((record) => record.order[kind.addressField] === resourceId && record.signer === authorized && record.status === 'open')
        .sort((a, b) => b.publicationTimestamp.localeCompare(a.publicationTimestamp));
      if (mine.length === 0) throw refused(`no open ${kindName} published by signer ${authorized} for ${kind.addressField} ${resourceId}`);
      chosen = target === 'unpublish_last' ? mine.slice(0, 1) : mine;
    }
    for (const record of chosen) records.delete(record.orderHash);
    return chosen.map((record) => record.orderHash);
  }

  async get(kindName: KindName, orderHash: string): Promise<Served> {
    const record = this.records[kindName].get(orderHash);
    if (!record) throw notFound(`${kindName} not found`);
    await this.refresh(record);
    return served(record);
  }

  /** get*orders: the open orders the clauses keep, cheapest first, then oldest, then by hash. */
  async list(kindName: KindName, query: OrderQuery): Promise<{ orders: Served[]; count: number; nextPage?: number }> {
    const kind = KINDS[kindName];
    const records = [...this.records[kindName].values()];
    await Promise.all(records.filter((record) => record.status === 'open').map((record) => this.refresh(record)));
    const kept = records
      .filter((record) => query.clauses.every((clause) => clause(record)))
      .sort(
        (a, b) =>
          kind.priceOrder * (Number(a.order[kind.priceField]) - Number(b.order[kind.priceField])) ||
          a.publicationTimestamp.localeCompare(b.publicationTimestamp) ||
          a.orderHash.localeCompare(b.orderHash),
      );
    const { skip, limit } = query.page;
    const orders = kept.slice(skip, skip + limit).map(served);
    // pagination-utils.js getClientNextPage: a full page means there may be more.
    return { orders, count: kept.length, ...(orders.length === limit && { nextPage: skip + limit }) };
  }

  /** The open orders of a kind, for the local workerpool's own renewals. */
  async open(kindName: KindName): Promise<Served[]> {
    const records = [...this.records[kindName].values()].filter((record) => record.status === 'open');
    await Promise.all(records.map((record) => this.refresh(record)));
    return records.filter((record) => record.status === 'open').map(served);
  }

  private async refresh(record: Published) {
    const left = BigInt(record.order.volume!) - (await this.chain.consumed(record.orderHash));
    record.remaining = Number(left > 0n ? left : 0n);
    if (left <= 0n && record.status === 'open') record.status = 'filled';
  }

  private async signerOf(kind: OrderKind, order: Order): Promise<string> {
    const resource = String(order[kind.addressField]);
    if (!kind.registry) return resource;
    if (!(await this.chain.isRegistered(kind.registry, resource))) throw refused('Resource not deployed');
    return this.chain.ownerOf(resource);
  }

  /** A paid workerpool order needs the owner's stake for the workers' locks; a paid request, the whole price. */
  private async checkStake(kind: OrderKind, order: Order, signer: string, remaining: bigint) {
    if (kind.name === 'workerpoolorder') {
      const required = ((BigInt(order.workerpoolprice!) * WORKER_STAKE_RATIO) / 100n) * remaining;
      if (required > 0n && (await this.chain.stake(signer)) < required)
        throw refused("workerpool owner's stake is too low to cover required workerpool lock");
    }
    if (kind.name === 'requestorder') {
      const total = (BigInt(order.appmaxprice!) + BigInt(order.datasetmaxprice!) + BigInt(order.workerpoolmaxprice!)) * remaining;
      if (total > 0n && (await this.chain.stake(signer)) < total)
        throw refused(`requester stake is too low to cover requestorder payment, minimum stake required is ${total} nRLC`);
    }
  }

  /** checkMatchableApporder / checkMatchableDatasetorder, strict: a request needs an open order it can pay. */
  private async checkMatchable(request: Order) {
    const tee = tagToArray(String(request.tag)).includes(TAG_TEE);
    const within = (restrict: unknown, value: unknown) => restrict === ZeroAddress || restrict === value;
    const apporders = (await this.open('apporder'))
      .filter(
        ({ order }) =>
          order.app === request.app &&
          within(order.workerpoolrestrict, request.workerpool) &&
          within(order.datasetrestrict, request.dataset) &&
          within(order.requesterrestrict, request.requester),
      )
      .filter(({ order }) => !tee || tagToArray(String(order.tag)).includes(TAG_TEE));
    const bestApp = Math.min(...apporders.map(({ order }) => Number(order.appprice)));
    if (apporders.length === 0) throw refused(`No ${tee ? 'tee enabled ' : ''}apporder published for app ${request.app}`);
    if (Number(request.appmaxprice) < bestApp)
      throw refused(`appmaxprice for app ${request.app} is too low, actual best price is ${bestApp} nRLC`);
    if (request.dataset === ZeroAddress) return;
    const datasetorders = (await this.open('datasetorder')).filter(
      ({ order }) =>
        order.dataset === request.dataset &&
        within(order.workerpoolrestrict, request.workerpool) &&
        within(order.apprestrict, request.app) &&
        within(order.requesterrestrict, request.requester),
    );
    const bestDataset = Math.min(...datasetorders.map(({ order }) => Number(order.datasetprice)));
    if (datasetorders.length === 0) throw refused(`No datasetorder published for dataset ${request.dataset}`);
    if (Number(request.datasetmaxprice) < bestDataset)
      throw refused(`datasetmaxprice for dataset ${request.dataset} is too low, actual best price is ${bestDataset} nRLC`);
  }
}
