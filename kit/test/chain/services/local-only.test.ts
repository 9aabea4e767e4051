import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { dispatch, request, type Service } from '../../../src/chain/services/http.js';
import { LocalFaults, withLocalRoutes } from '../../../src/chain/services/local-only.js';
import { smsService } from '../../../src/chain/services/sms.js';
import { newState } from '../../../src/chain/state.js';

/*
 * The routes only the local network has (not platform behaviour): the dataset key for a replay, and
 * the faults a test injects for the doctor: the SMS down, and the pool's offer (no order for a tag, a
 * price), which the pool's orders follow (pool-orders.ts, tested with the market).
 */
const scheduler = new Wallet(Wallet.createRandom().privateKey);
const TDX = `0x${'9'.padStart(64, '0')}`;

function services(faults = new LocalFaults()) {
  const state = newState();
  state.secrets.web3.set('0x00000000000000000000000000000000000000d1', 'a2V5');
  const none = (name: string): Service => ({ name, routes: [], notFound: () => ({ status: 404 }) });
  return withLocalRoutes(
    {
      iexecGateway: none('market'),
      sms: smsService(state.secrets, { ownerOf: async () => scheduler.address }),
      ipfsGateway: none('ipfs'),
      compass: none('compass'),
      resultProxy: none('proxy'),
    },
    state.secrets,
    faults,
  );
}

describe("the local network's own routes", () => {
  it("gives the local SMS's key of a dataset, and 404 for one it does not hold", async () => {
    const all = services();
    expect(await dispatch(all.sms, request('GET', '/local/datasets/0x00000000000000000000000000000000000000D1/key'))).toEqual({
      status: 200,
      body: { dataset: '0x00000000000000000000000000000000000000D1', key: 'a2V5' },
    });
    expect((await dispatch(all.sms, request('GET', '/local/datasets/0x00000000000000000000000000000000000000d2/key'))).status).toBe(404);
  });

  it('takes the SMS down (503 to every SMS request) until the faults are cleared', async () => {
    const all = services();
    const head = () => dispatch(all.sms, request('HEAD', `/requesters/${scheduler.address}/secrets/my-key`));
    expect((await head()).status).toBe(404);
    expect(await dispatch(all.iexecGateway, request('POST', '/local/faults', '{"smsDown":true}'))).toMatchObject({
      status: 200,
      body: { faults: { smsDown: true } },
    });
    expect((await head()).status).toBe(503);
    expect((await dispatch(all.sms, request('GET', '/nothing'))).status).toBe(503);
    await dispatch(all.iexecGateway, request('DELETE', '/local/faults'));
    expect((await head()).status).toBe(404);
  });

  it("sets the pool's offer and tells the pool, which clears it again on DELETE", async () => {
    const faults = new LocalFaults();
    let changes = 0;
    faults.changed = async () => void (changes += 1);
    const all = services(faults);
    const set = await dispatch(
      all.iexecGateway,
      request('POST', '/local/faults', JSON.stringify({ noOrdersForTag: TDX, workerpoolPrice: '5000000000' })),
    );
    expect(set).toEqual({
      status: 200,
      body: { ok: true, faults: { smsDown: false, noOrdersForTag: '9', workerpoolPrice: '5000000000' } },
    });
    expect([faults.noOrdersForTag, faults.workerpoolPrice, changes]).toEqual([9n, 5_000_000_000n, 1]);
    await dispatch(all.iexecGateway, request('DELETE', '/local/faults'));
    expect([faults.noOrdersForTag, faults.workerpoolPrice, changes]).toEqual([undefined, undefined, 2]);
  });

  it('refuses faults it cannot read', async () => {
    const all = services();
    expect((await dispatch(all.iexecGateway, request('POST', '/local/faults', 'not json'))).status).toBe(400);
    expect((await dispatch(all.iexecGateway, request('POST', '/local/faults', '{"workerpoolPrice":"lots"}'))).status).toBe(400);
  });
});
