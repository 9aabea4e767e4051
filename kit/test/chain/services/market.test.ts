import { TypedDataEncoder, Wallet, ZeroAddress, recoverAddress, toBeHex, type TypedDataDomain } from 'ethers';
import { beforeEach, describe, expect, it } from 'vitest';
import { dispatch, request, type Reply } from '../../../src/chain/services/http.js';
import { OrderBook, type MarketChain } from '../../../src/chain/services/market/book.js';
import { KINDS, typesOf } from '../../../src/chain/services/market/kinds.js';
import { marketService } from '../../../src/chain/services/market.js';
import { POOL_ORDER, POOL_TAGS, PoolOrders } from '../../../src/chain/workerpool/pool-orders.js';

/*
 * The local market against iexec-market-api 1639637 (controllers/router.js, services/order.js, auth.js,
 * error.js): its login, its publication checks and their 403s, its orderbook clauses (restrictions, tags,
 * remaining volume read from PoCo's consumed volume), unpublish, and the local pool's own orders. The chain
 * is a fake: who owns what, what PoCo counts as consumed, signatures checked as the hub checks an EOA's.
 */
const CHAIN_ID = 31337;
const domain: TypedDataDomain = {
  name: 'iExecODB',
  version: '5.0.0',
  chainId: CHAIN_ID,
  verifyingContract: '0x0165878A594ca255338adfa4d48449f69242Eb8F',
};
const appOwner = new Wallet(Wallet.createRandom().privateKey);
const dataOwner = new Wallet(Wallet.createRandom().privateKey);
const requester = new Wallet(Wallet.createRandom().privateKey);
const stranger = new Wallet(Wallet.createRandom().privateKey);
const poolOwner = new Wallet(Wallet.createRandom().privateKey);
const APP = '0x00000000000000000000000000000000000000A1';
const DATASET = '0x00000000000000000000000000000000000000D1';
const POOL = '0x00000000000000000000000000000000000000B1';
const TDX = toBeHex(0x9, 32);

let consumed: Map<string, bigint>;
let chain: MarketChain;
let book: OrderBook;
const owners: Record<string, string> = { [APP]: appOwner.address, [DATASET]: dataOwner.address, [POOL]: poolOwner.address };

beforeEach(() => {
  consumed = new Map();
  chain = {
    chainId: CHAIN_ID,
    orderDomain: async () => domain,
    isRegistered: async (_registry, address) => address in owners,
    ownerOf: async (address) => owners[address] ?? ZeroAddress,
    verifySignature: async (signer, hash, sign) => {
      try {
        return recoverAddress(hash, sign) === signer;
      } catch {
        return false;
      }
    },
    consumed: async (hash) => consumed.get(hash) ?? 0n,
    stake: async () => 0n,
  };
  book = new OrderBook(chain);
  service = marketService(chain, book);
});

let service: ReturnType<typeof marketService>;
const market = () => service;
const get = (path: string) => dispatch(market(), request('GET', path));
const body = (reply: Reply) => reply.body as any;

async function login(wallet: Wallet): Promise<string> {
  const { data } = body(await get(`/challenge?chainId=${CHAIN_ID}&address=${wallet.address}`));
  const { EIP712Domain: _, ...types } = data.types;
  const sign = await wallet.signTypedData(data.domain, types, data.message);
  return `${TypedDataEncoder.hash(data.domain, types, data.message)}_${sign}_${wallet.address}`;
}

const apporder = (fields: Record<string, unknown> = {}) => ({
  app: APP,
  appprice: '0',
  volume: '10',
  tag: TDX,
  datasetrestrict: ZeroAddress,
  workerpoolrestrict: ZeroAddress,
  requesterrestrict: ZeroAddress,
  salt: toBeHex(Math.floor(Math.random() * 1e9), 32),
  ...fields,
});

async function signed(kind: keyof typeof KINDS, order: Record<string, unknown>, wallet: Wallet) {
  return { ...order, sign: await wallet.signTypedData(domain, typesOf(KINDS[kind]), order) };
}

async function publish(kind: keyof typeof KINDS, order: Record<string, unknown>, signer: Wallet, publisher = signer) {
  const authorization = await login(publisher);
  const path = `${KINDS[kind].path}?chainId=${CHAIN_ID}`;
  return dispatch(market(), request('POST', path, JSON.stringify({ order: await signed(kind, order, signer) }), { authorization }));
}

describe('GET /challenge', () => {
  it('answers {ok, data} with the iExec Gateway typed data, the same one until it is used', async () => {
    const first = await get(`/challenge?chainId=${CHAIN_ID}&address=${requester.address.toLowerCase()}`);
    expect(first.status).toBe(200);
    expect(body(first).ok).toBe(true);
    expect(body(first).data.domain).toEqual({ name: 'iExec Gateway', version: '1', chainId: String(CHAIN_ID) });
    expect(body(first).data.message.challenge).toMatch(/^Sign this message to log into iExec Gateway: /);
    expect(body(await get(`/challenge?chainId=${CHAIN_ID}&address=${requester.address}`)).data).toEqual(body(first).data);
  });

  it('refuses another chain or a bad address with 400 and the validator message', async () => {
    expect(await get(`/challenge?chainId=1&address=${requester.address}`)).toEqual({
      status: 400,
      body: { ok: false, error: 'chainId 1 is not supported' },
    });
    expect(await get(`/challenge?chainId=${CHAIN_ID}&address=0x12`)).toEqual({
      status: 400,
      body: { ok: false, error: 'address is not a valid ethereum address' },
    });
  });
});

describe('POST /<kind>s: publish', () => {
  it('publishes an order its resource owner signed, with the hash PoCo computes and the remaining volume', async () => {
    const order = apporder();
    const reply = await publish('apporder', order, appOwner);
    expect(reply.status).toBe(200);
    const { published } = body(reply);
    expect(published.orderHash).toBe(TypedDataEncoder.hash(domain, typesOf(KINDS.apporder), order).toLowerCase());
    expect(published).toMatchObject({ chainId: CHAIN_ID, remaining: 10, status: 'open', signer: appOwner.address });
    // Stored as the market's yup schema casts it: numbers, checksummed addresses.
    expect(published.order).toMatchObject({ app: APP, appprice: 0, volume: 10, tag: TDX });
    expect(published).not.toHaveProperty('tagArray');
  });

  it('answers 403 "invalid authorization" without a login, with a spent challenge, or signed by someone else', async () => {
    const path = `/apporders?chainId=${CHAIN_ID}`;
    const order = JSON.stringify({ order: await signed('apporder', apporder(), appOwner) });
    const denied = { status: 403, body: { ok: false, error: 'invalid authorization' } };
    expect(await dispatch(market(), request('POST', path, order))).toEqual(denied);
    const authorization = await login(appOwner);
    expect((await dispatch(market(), request('POST', path, order, { authorization }))).status).toBe(200);
    expect(
      await dispatch(
        market(),
        request('POST', path, JSON.stringify({ order: await signed('apporder', apporder(), appOwner) }), { authorization }),
      ),
    ).toEqual(denied);
    const [hash, sign] = (await login(stranger)).split('_');
    expect(await dispatch(market(), request('POST', path, order, { authorization: `${hash}_${sign}_${appOwner.address}` }))).toEqual(
      denied,
    );
  });

  it('refuses with 403 and the market reason: not the owner, a bad signature, twice, consumed, not deployed', async () => {
    const refusal = (error: string) => ({ status: 403, body: { ok: false, error } });
    expect(await publish('apporder', apporder(), stranger)).toEqual(refusal(`only order signer ${appOwner.address} can publish an order`));
    expect(await publish('apporder', apporder(), stranger, appOwner)).toEqual(refusal('invalid sign'));
    const order = apporder();
    await publish('apporder', order, appOwner);
    expect(await publish('apporder', order, appOwner)).toEqual(refusal('order already published'));
    const used = apporder({ volume: '2' });
    consumed.set(TypedDataEncoder.hash(domain, typesOf(KINDS.apporder), used).toLowerCase(), 2n);
    expect(await publish('apporder', used, appOwner)).toEqual(refusal('order already consumed'));
    expect(await publish('apporder', apporder({ app: '0x00000000000000000000000000000000000000C1' }), appOwner)).toEqual(
      refusal('Resource not deployed'),
    );
  });

  it('answers 400 on an order the validator refuses', async () => {
    const reply = await publish('apporder', apporder({ volume: '0' }), appOwner);
    expect(reply).toEqual({ status: 400, body: { ok: false, error: 'order.volume must be greater than or equal to 1' } });
  });

  it('publishes a request only when an app order it can pay is open', async () => {
    const request = {
      app: APP,
      appmaxprice: '0',
      dataset: ZeroAddress,
      datasetmaxprice: '0',
      workerpool: ZeroAddress,
      workerpoolmaxprice: '0',
      requester: requester.address,
      volume: '1',
      tag: TDX,
      category: '0',
      trust: '0',
      beneficiary: requester.address,
      callback: ZeroAddress,
      params: '{}',
      salt: toBeHex(1, 32),
    };
    expect(await publish('requestorder', request, requester)).toEqual({
      status: 403,
      body: { ok: false, error: `No tee enabled apporder published for app ${APP}` },
    });
    await publish('apporder', apporder(), appOwner);
    expect((await publish('requestorder', request, requester)).status).toBe(200);
  });
});

describe('GET /<kind>s: the orderbook', () => {
  const appOrders = async (query: string) => body(await get(`/apporders?chainId=${CHAIN_ID}&${query}`));

  it('keeps an order restricted to a requester for that requester only, and unrestricted orders for all', async () => {
    await publish('apporder', apporder({ requesterrestrict: requester.address }), appOwner);
    expect((await appOrders(`app=${APP}&requester=${requester.address}`)).count).toBe(1);
    expect((await appOrders(`app=${APP}&requester=${stranger.address}`)).count).toBe(0);
    // No requester given: only orders restricted to nobody (getAddressOrAnyRestrictClause).
    expect((await appOrders(`app=${APP}`)).count).toBe(0);
    expect((await appOrders(`app=${APP}&requester=any`)).count).toBe(1);
    await publish('apporder', apporder(), appOwner);
    expect((await appOrders(`app=${APP}&requester=${stranger.address}`)).count).toBe(1);
    expect((await appOrders(`app=${APP}&requester=${requester.address}&isRequesterStrict=true`)).count).toBe(1);
  });

  it('filters tags as the market does: every bit of minTag, none outside maxTag', async () => {
    await publish('apporder', apporder(), appOwner);
    expect((await appOrders(`app=${APP}&minTag=${toBeHex(1, 32)}`)).count).toBe(1);
    expect((await appOrders(`app=${APP}&minTag=${toBeHex(3, 32)}`)).count).toBe(0);
    // SDK 9's app run by a non-owner without --tag: maxTag 0x0 leaves out a tee,tdx app order.
    expect((await appOrders(`app=${APP}&maxTag=${toBeHex(0, 32)}`)).count).toBe(0);
    expect((await appOrders(`app=${APP}&maxTag=${TDX}`)).count).toBe(1);
  });

  it('serves the remaining volume PoCo has not consumed, and drops a used-up order', async () => {
    const { published } = body(await publish('apporder', apporder({ volume: '3' }), appOwner));
    consumed.set(published.orderHash, 1n);
    expect((await appOrders(`app=${APP}`)).orders[0].remaining).toBe(2);
    consumed.set(published.orderHash, 3n);
    expect(await appOrders(`app=${APP}`)).toEqual({ ok: true, orders: [], count: 0 });
    expect(body(await get(`/apporders/${published.orderHash}?chainId=${CHAIN_ID}`))).toMatchObject({
      ok: true,
      orderHash: published.orderHash,
      status: 'filled',
      remaining: 0,
    });
  });

  it('pages as the market does, and names what a query lacks', async () => {
    for (let i = 0; i < 12; i += 1) await publish('apporder', apporder(), appOwner);
    const first = await appOrders(`app=${APP}&pageSize=10`);
    expect([first.orders.length, first.count, first.nextPage]).toEqual([10, 12, 10]);
    expect((await appOrders(`app=${APP}&pageSize=10&pageIndex=1`)).orders).toHaveLength(2);
    expect(await get(`/apporders?chainId=${CHAIN_ID}`)).toEqual({ status: 400, body: { ok: false, error: 'app or appOwner is required' } });
    expect((await get(`/apporders?chainId=${CHAIN_ID}&app=${APP}&pageSize=5`)).status).toBe(400);
    expect(await get(`/apporders/0x${'0'.repeat(64)}?chainId=${CHAIN_ID}`)).toEqual({
      status: 404,
      body: { ok: false, error: 'apporder not found' },
    });
  });

  it('keeps bulk dataset orders only with bulkOnly', async () => {
    const bulk = {
      dataset: DATASET,
      datasetprice: '0',
      volume: String(Number.MAX_SAFE_INTEGER),
      tag: TDX,
      apprestrict: APP,
      workerpoolrestrict: ZeroAddress,
      requesterrestrict: ZeroAddress,
      salt: toBeHex(7, 32),
    };
    await publish('datasetorder', bulk, dataOwner);
    await publish('datasetorder', { ...bulk, volume: '1', salt: toBeHex(8, 32) }, dataOwner);
    const query = `/datasetorders?chainId=${CHAIN_ID}&dataset=${DATASET}&app=${APP}`;
    expect(body(await get(query)).count).toBe(2);
    expect(body(await get(`${query}&bulkOnly=true`)).count).toBe(1);
    // A dataset order restricted to an app is not served to a query that names none.
    expect(body(await get(`/datasetorders?chainId=${CHAIN_ID}&dataset=${DATASET}`)).count).toBe(0);
  });
});

describe('PUT /<kind>s: unpublish', () => {
  it('unpublishes by hash for the signer only; the order leaves the orderbook', async () => {
    const { published } = body(await publish('apporder', apporder(), appOwner));
    const put = async (wallet: Wallet, payload: unknown) =>
      dispatch(market(), request('PUT', `/apporders?chainId=${CHAIN_ID}`, JSON.stringify(payload), { authorization: await login(wallet) }));
    expect(await put(stranger, { orderHash: published.orderHash })).toEqual({
      status: 403,
      body: { ok: false, error: `only order signer ${appOwner.address} can unpublish an order` },
    });
    expect(await put(appOwner, { orderHash: published.orderHash })).toEqual({
      status: 200,
      body: { ok: true, unpublished: [published.orderHash] },
    });
    expect(body(await get(`/apporders?chainId=${CHAIN_ID}&app=${APP}`)).count).toBe(0);
    expect(await put(appOwner, { orderHash: published.orderHash })).toEqual({
      status: 403,
      body: { ok: false, error: `apporder with orderHash ${published.orderHash} is not published` },
    });
    await publish('apporder', apporder(), appOwner);
    await publish('apporder', apporder(), appOwner);
    expect(body(await put(appOwner, { target: 'unpublish_all', app: APP.toLowerCase() })).unpublished).toHaveLength(2);
  });
});

describe('the local workerpool orders (workerpool/pool-orders.ts)', () => {
  it('publishes one order per TEE tag and category, and a new one when a deal leaves fewer than 10', async () => {
    const pool = new PoolOrders(
      book,
      poolOwner,
      POOL,
      async () => domain,
      async () => 2,
      (message) => {
        throw new Error(message);
      },
    );
    await pool.renew();
    const orders = async (tag: string, category: number) =>
      body(
        await get(
          `/workerpoolorders?chainId=${CHAIN_ID}&category=${category}&workerpool=${POOL}&minTag=${tag}&requester=${requester.address}`,
        ),
      ).orders;
    expect(await orders(POOL_TAGS.tdx, 1)).toHaveLength(1);
    const [tdx] = await orders(POOL_TAGS.tdx, 0);
    expect(tdx).toMatchObject({ remaining: POOL_ORDER.volume, order: { tag: POOL_TAGS.tdx, trust: POOL_ORDER.trust, workerpoolprice: 0 } });
    // A standard request (no tag) is served by either order.
    expect(await orders(toBeHex(0, 32), 0)).toHaveLength(2);
    consumed.set(tdx.orderHash, BigInt(POOL_ORDER.volume - 5));
    await pool.renew();
    const renewed = await orders(POOL_TAGS.tdx, 0);
    expect(renewed.map((order: any) => order.remaining)).toEqual([5, POOL_ORDER.volume]);
    expect(await orders(POOL_TAGS.scone, 0)).toHaveLength(1);
  });

  it("follows an operator's change of offer: no order for a tag it stops serving, a price on the others, and back", async () => {
    const policy: { noOrdersForTag?: bigint; workerpoolPrice?: bigint } = {};
    // A priced order needs its owner's stake to cover the worker lock (the market's check): the local pool has it.
    chain.stake = async () => 10n ** 18n;
    const pool = new PoolOrders(
      book,
      poolOwner,
      POOL,
      async () => domain,
      async () => 1,
      (message) => {
        throw new Error(message);
      },
      policy,
    );
    await pool.renew();
    const orders = async (tag: string) =>
      body(await get(`/workerpoolorders?chainId=${CHAIN_ID}&category=0&workerpool=${POOL}&minTag=${tag}`)).orders;
    Object.assign(policy, { noOrdersForTag: BigInt(POOL_TAGS.tdx), workerpoolPrice: 5_000_000_000n });
    await pool.reset();
    expect(await orders(POOL_TAGS.tdx)).toEqual([]);
    const [scone] = await orders(POOL_TAGS.scone);
    expect(scone.order.workerpoolprice).toBe(5_000_000_000);
    // Signed by the pool's owner for the hub's domain, as the SDK checks it.
    expect(
      recoverAddress(TypedDataEncoder.hash(domain, typesOf(KINDS.workerpoolorder), { ...scone.order, sign: undefined }), scone.order.sign),
    ).toBe(poolOwner.address);
    Object.assign(policy, { noOrdersForTag: undefined, workerpoolPrice: undefined });
    await pool.reset();
    expect((await orders(POOL_TAGS.tdx)).map((order: any) => order.order.workerpoolprice)).toEqual([0]);
  });
});
