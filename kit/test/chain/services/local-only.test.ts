import { TypedDataEncoder, Wallet, verifyTypedData } from 'ethers';
import { describe, expect, it } from 'vitest';
import { dispatch, request, type Service } from '../../../src/chain/services/http.js';
import { withLocalRoutes } from '../../../src/chain/services/local-only.js';
import { marketService, WORKERPOOL_ORDER, type MarketChain } from '../../../src/chain/services/market.js';
import { smsService } from '../../../src/chain/services/sms.js';
import { newState } from '../../../src/chain/state.js';

/*
 * The routes only the local network has (not platform behaviour): the dataset key for a replay, and
 * the faults a test injects for the doctor: the SMS down, no workerpool order for a tag, a price.
 */
const scheduler = new Wallet(Wallet.createRandom().privateKey);
const domain = { name: 'iExecODB', version: '5.0.0', chainId: 31337, verifyingContract: '0x0165878A594ca255338adfa4d48449f69242Eb8F' };
const market: MarketChain = {
  chainId: 31337,
  workerpool: '0xea2E9CEd3DB6692954DCcBEB906F70b70ADB5411',
  schedulerAddress: scheduler.address,
  orderDomain: async () => domain,
  signTypedData: (d, types, value) => scheduler.signTypedData(d, types, value),
};
const TDX = `0x${'9'.padStart(64, '0')}`;

function services() {
  const state = newState();
  state.secrets.web3.set('0x00000000000000000000000000000000000000d1', 'a2V5');
  const none = (name: string): Service => ({ name, routes: [], notFound: () => ({ status: 404 }) });
  return withLocalRoutes(
    { iexecGateway: marketService(market), sms: smsService(state.secrets, { ownerOf: async () => scheduler.address }), ipfsGateway: none('ipfs'), compass: none('compass'), resultProxy: none('proxy') },
    state.secrets,
    market,
  );
}

const orders = async (all: ReturnType<typeof services>, minTag = TDX) => (await dispatch(all.iexecGateway, request('GET', `/workerpoolorders?chainId=31337&category=0&minTag=${minTag}`))).body as any;

describe('the local network\'s own routes', () => {
  it("gives the local SMS's key of a dataset, and 404 for one it does not hold", async () => {
    const all = services();
    expect(await dispatch(all.sms, request('GET', '/local/datasets/0x00000000000000000000000000000000000000D1/key'))).toEqual({ status: 200, body: { dataset: '0x00000000000000000000000000000000000000D1', key: 'a2V5' } });
    expect((await dispatch(all.sms, request('GET', '/local/datasets/0x00000000000000000000000000000000000000d2/key'))).status).toBe(404);
  });

  it('takes the SMS down (503 to every SMS request) until the faults are cleared', async () => {
    const all = services();
    const head = () => dispatch(all.sms, request('HEAD', `/requesters/${scheduler.address}/secrets/my-key`));
    expect((await head()).status).toBe(404);
    expect(await dispatch(all.iexecGateway, request('POST', '/local/faults', '{"smsDown":true}'))).toMatchObject({ status: 200, body: { faults: { smsDown: true } } });
    expect((await head()).status).toBe(503);
    expect((await dispatch(all.sms, request('GET', '/nothing'))).status).toBe(503);
    await dispatch(all.iexecGateway, request('DELETE', '/local/faults'));
    expect((await head()).status).toBe(404);
  });

  it('gives no order for a tag the pool does not serve, and others still', async () => {
    const all = services();
    await dispatch(all.iexecGateway, request('POST', '/local/faults', JSON.stringify({ noOrdersForTag: TDX })));
    expect(await orders(all)).toEqual({ ok: true, orders: [], count: 0 });
    expect((await orders(all, `0x${'3'.padStart(64, '0')}`)).count).toBe(1);
  });

  it('re-signs the orders at the price asked, with a hash and signature the SDK checks', async () => {
    const all = services();
    await dispatch(all.iexecGateway, request('POST', '/local/faults', JSON.stringify({ workerpoolPrice: '5000000000' })));
    const [published] = (await orders(all)).orders;
    const { sign, ...order } = published.order;
    expect(order.workerpoolprice).toBe('5000000000');
    expect(published.orderHash).toBe(TypedDataEncoder.hash(domain, WORKERPOOL_ORDER, order));
    expect(verifyTypedData(domain, WORKERPOOL_ORDER, order, sign)).toBe(scheduler.address);
  });

  it('refuses faults it cannot read', async () => {
    const all = services();
    expect((await dispatch(all.iexecGateway, request('POST', '/local/faults', 'not json'))).status).toBe(400);
    expect((await dispatch(all.iexecGateway, request('POST', '/local/faults', '{"workerpoolPrice":"lots"}'))).status).toBe(400);
  });
});
