/*
 * The local workerpool's own orders on the local market, as a real pool's operator publishes them: one
 * fixed order per TEE tag it serves and per category, at a fixed price and trust, of a finite volume, and
 * a new one once fewer than RENEW_BELOW tasks are left of them (each deal consumes the volume on chain,
 * PoCo viewConsumed, and the market serves what remains). Signed by the pool's owner, the scheduler, and
 * published through the market's own checks (services/market/book.ts).
 */
import { randomBytes } from 'node:crypto';
import { ZeroAddress, toBeHex, type TypedDataDomain, type TypedDataField } from 'ethers';
import type { OrderBook } from '../services/market/book.js';
import { KINDS, typesOf } from '../services/market/kinds.js';

/**
 * The tags the pool serves (bits: 0 TEE, 1 SCONE, 3 TDX; iexec-commons-poco TeeUtils, the SDK's TAG_MAP):
 * TDX and SCONE, both here since its one worker emulates both. A standard request (no TEE bit) matches
 * either: PoCo asks the pool's tag to hold the deal's bits, not to equal them (IexecPoco1Facet).
 */
export const POOL_TAGS = { tdx: toBeHex(0x9, 32), scone: toBeHex(0x3, 32) } as const;
export const POOL_ORDER = { volume: 100, price: 0, trust: 1 } as const;
const RENEW_BELOW = 10;

export interface PoolSigner {
  address: string;
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string>;
}

/** What an operator may change in the pool's offer (a test injects it as a fault: services/local-only.ts). */
export interface PoolPolicy {
  /** No order whose tag holds every bit of this one: a pool that does not serve it. */
  noOrdersForTag?: bigint;
  /** nRLC per task instead of POOL_ORDER.price. */
  workerpoolPrice?: bigint;
}

export class PoolOrders {
  private running = Promise.resolve();

  constructor(
    private readonly book: OrderBook,
    private readonly owner: PoolSigner,
    private readonly workerpool: string,
    private readonly domain: () => Promise<TypedDataDomain>,
    private readonly categories: () => Promise<number>,
    private readonly log: (message: string) => void,
    private readonly policy: PoolPolicy = {},
  ) {}

  /** Publishes what is missing; calls never overlap. */
  renew(): Promise<void> {
    return this.queue(() => this.publishMissing());
  }

  /** After a change of policy: the pool's open orders unpublished, then what the policy serves published. */
  reset(): Promise<void> {
    return this.queue(async () => {
      const mine = (await this.book.open('workerpoolorder')).filter(
        ({ signer }) => signer.toLowerCase() === this.owner.address.toLowerCase(),
      );
      for (const { orderHash, signer } of mine) this.book.unpublish('workerpoolorder', 'unpublish_orderHash', orderHash, signer);
      await this.publishMissing();
    });
  }

  private queue(work: () => Promise<void>): Promise<void> {
    this.running = this.running.then(work).catch((error: Error) => this.log(`ERROR publishing the workerpool's orders: ${error.message}`));
    return this.running;
  }

  private serves(tag: string): boolean {
    const excluded = this.policy.noOrdersForTag;
    return excluded === undefined || (BigInt(tag) & excluded) !== excluded;
  }

  private async publishMissing() {
    const open = (await this.book.open('workerpoolorder')).filter(
      ({ signer }) => signer.toLowerCase() === this.owner.address.toLowerCase(),
    );
    const count = await this.categories();
    for (const tag of Object.values(POOL_TAGS).filter((candidate) => this.serves(candidate))) {
      for (let category = 0; category < count; category += 1) {
        const left = open
          .filter(({ order }) => order.tag === tag && order.category === category)
          .reduce((sum, { remaining }) => sum + remaining, 0);
        if (left < RENEW_BELOW) await this.publish(tag, category);
      }
    }
  }

  private async publish(tag: string, category: number) {
    const order = {
      workerpool: this.workerpool,
      workerpoolprice: this.policy.workerpoolPrice ?? POOL_ORDER.price,
      volume: POOL_ORDER.volume,
      tag,
      category,
      trust: POOL_ORDER.trust,
      apprestrict: ZeroAddress,
      datasetrestrict: ZeroAddress,
      requesterrestrict: ZeroAddress,
      salt: `0x${randomBytes(32).toString('hex')}`,
    };
    const sign = await this.owner.signTypedData(await this.domain(), typesOf(KINDS.workerpoolorder), order);
    await this.book.publish('workerpoolorder', { ...order, sign }, this.owner.address);
  }
}
