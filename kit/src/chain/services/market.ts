/*
 * The market API behind chain.json's iexecGateway (iexec-market-api api/src/controllers/router.js), as far
 * as `app run` needs it: the workerpool orders the SDK asks for when the requester does not own the pool.
 */
import { randomBytes } from 'node:crypto';
import { TypedDataEncoder, ZeroAddress, toBeHex, type TypedDataDomain } from 'ethers';
import { json, type Service } from './http.js';

const WORKERPOOL_ORDER = {
  WorkerpoolOrder: [
    { name: 'workerpool', type: 'address' },
    { name: 'workerpoolprice', type: 'uint256' },
    { name: 'volume', type: 'uint256' },
    { name: 'tag', type: 'bytes32' },
    { name: 'category', type: 'uint256' },
    { name: 'trust', type: 'uint256' },
    { name: 'apprestrict', type: 'address' },
    { name: 'datasetrestrict', type: 'address' },
    { name: 'requesterrestrict', type: 'address' },
    { name: 'salt', type: 'bytes32' },
  ],
};

export interface MarketChain {
  chainId: number;
  workerpool: string;
  /** The hub's EIP-712 domain, which orders are signed for (iexec common/market/order.js getEIP712Domain). */
  orderDomain(): Promise<TypedDataDomain>;
  /** The workerpool owner's signer. */
  signTypedData(domain: TypedDataDomain, types: typeof WORKERPOOL_ORDER, value: Record<string, unknown>): Promise<string>;
  schedulerAddress: string;
}

const none = () => json(200, { ok: true, orders: [], count: 0 });

export function marketService(chain: MarketChain): Service {
  return {
    name: 'iexecGateway',
    routes: [
      {
        method: 'GET',
        path: /^\/workerpoolorders$/,
        handle: async (req) => {
          // A real pool publishes its orders; this one signs a free order for what is asked. The tag is the
          // request's minTag: the market returns orders whose tag holds every bit of it (maxTag, when given,
          // bounds it the other way: iexec-market-api services/order.js minTagClause/maxTagClause).
          const q = Object.fromEntries(req.query);
          if (q.workerpool && q.workerpool.toLowerCase() !== chain.workerpool.toLowerCase()) return none();
          const tag = BigInt(q.minTag ?? 0);
          if (q.maxTag !== undefined && (tag & ~BigInt(q.maxTag)) !== 0n) return none();
          const order = {
            workerpool: chain.workerpool,
            workerpoolprice: '0',
            volume: '1000000',
            tag: toBeHex(tag, 32),
            category: String(q.category ?? 0),
            // A deal's trust is at least 1 (PoCo IexecPoco1Facet); the order must reach the request's.
            trust: String(Math.max(1, Number(q.minTrust ?? 0))),
            apprestrict: ZeroAddress,
            datasetrestrict: ZeroAddress,
            requesterrestrict: ZeroAddress,
            salt: `0x${randomBytes(32).toString('hex')}`,
          };
          const domain = await chain.orderDomain();
          const sign = await chain.signTypedData(domain, WORKERPOOL_ORDER, order);
          const orderHash = TypedDataEncoder.hash(domain, WORKERPOOL_ORDER, order);
          const published = { orderHash, chainId: chain.chainId, remaining: Number(order.volume), status: 'open', signer: chain.schedulerAddress, publicationTimestamp: new Date().toISOString(), order: { ...order, sign } };
          return json(200, { ok: true, orders: [published], count: 1 });
        },
      },
      // Nothing is published here: the SDK signs the orders of an app or dataset its wallet owns itself.
      { method: 'GET', path: /^\/(apporders|datasetorders|requestorders)$/, handle: none },
    ],
    notFound: (req) => json(404, { ok: false, error: `the local market answers GET /workerpoolorders only (no published orders: run apps and datasets your wallet owns), not ${req.method} ${req.path}` }),
  };
}
