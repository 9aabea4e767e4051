import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOrders, checkWorkerpool } from '../../src/doctor/workerpool.js';
import { encodeTag } from '../../src/sdk/tags.js';
import { chainData, fakeContext, fakeModule, fakeReads, STANDARD_APP, TEE_APP, WORKERPOOL } from './fakes.js';

/*
 * The workerpool app:run adds, and the order each run would take from the market now: app run's own
 * search (the run's tag, category 0 then the next, the first order with volume left).
 */
describe('doctor: the workerpool and its orders', () => {
  it("passes the kit's pool when it is on the chain", async () => {
    const module = fakeModule();
    const ctx = fakeContext(module, fakeReads(chainData(module)));
    expect(await checkWorkerpool(ctx)).toEqual([
      { id: 'workerpool', level: 'pass', message: `workerpool ${WORKERPOOL} "the pool" is on arbitrum-sepolia-testnet` },
    ]);
    expect(ctx.workerpoolAddress).toBe(WORKERPOOL);
  });

  it('fails a chain the kit has no pool for, and a pool that is not deployed, saying how to name one', async () => {
    const module = fakeModule();
    const conf = JSON.parse(fs.readFileSync(path.join(module.root, 'chain.json'), 'utf8'));
    conf.chains.mine = { host: 'http://127.0.0.1:9' };
    fs.writeFileSync(path.join(module.root, 'chain.json'), JSON.stringify(conf));
    const none = fakeContext(module, fakeReads(chainData(module)), { chain: 'mine' });
    none.workerpool = undefined;
    expect(await checkWorkerpool(none)).toEqual([
      expect.objectContaining({
        level: 'fail',
        message: 'the kit knows no public TDX workerpool on mine, so app:run has none to add',
        fix: expect.stringContaining('npm run doctor -- --workerpool <address> --chain mine'),
      }),
    ]);
    const data = chainData(module);
    data.pools = {};
    expect(await checkWorkerpool(fakeContext(module, fakeReads(data)))).toEqual([
      expect.objectContaining({ level: 'fail', message: `no workerpool is deployed at ${WORKERPOOL} on arbitrum-sepolia-testnet` }),
    ]);
  });

  it('finds the order a run of each app takes, and its category', async () => {
    const module = fakeModule();
    const data = chainData(module);
    data.orders[0]!.category = 1;
    const ctx = fakeContext(module, fakeReads(data));
    ctx.workerpoolAddress = WORKERPOOL;
    ctx.deployed.set('standard', { address: STANDARD_APP, app: data.apps[STANDARD_APP]! });
    ctx.deployed.set('tee', { address: TEE_APP, app: data.apps[TEE_APP]! });
    const lines = await checkOrders(ctx);
    expect(lines.map((line) => line.level)).toEqual(['pass', 'pass']);
    expect(lines[0]!.message).toBe(
      'standard app: workerpool order 0x01010101… for tag tee,tdx, category 1 (20 min per task), 0 RLC, 10 left',
    );
    expect(ctx.orders.get('tee')).toMatchObject({ category: 1, price: 0n });
  });

  it('fails a run whose tag no order of the pool carries, with the orderbook command to watch', async () => {
    const module = fakeModule({ framework: 'scone' });
    const data = chainData(module, 'scone');
    data.orders = data.orders.filter((order) => order.tag === encodeTag([]));
    const ctx = fakeContext(module, fakeReads(data), { framework: 'scone' });
    ctx.workerpoolAddress = WORKERPOOL;
    const [standard, tee] = await checkOrders(ctx);
    expect(standard!.level).toBe('pass');
    expect(tee).toMatchObject({
      id: 'workerpool-order:tee',
      level: 'fail',
      message: `no order of workerpool ${WORKERPOOL} on the market now for a TEE app run (tag tee,scone, categories 0 to 1): app:run would stop at "No workerpoolorder matching your conditions currently available"`,
      fix: expect.stringContaining(
        `npm run iexec -- standard orderbook workerpool ${WORKERPOOL} --require-tag tee,scone --chain bellecour`,
      ),
    });
  });

  it('fails when the market does not answer', async () => {
    const module = fakeModule();
    const data = chainData(module);
    data.down.add('market');
    const ctx = fakeContext(module, fakeReads(data));
    ctx.workerpoolAddress = WORKERPOOL;
    expect((await checkOrders(ctx))[0]).toMatchObject({
      level: 'fail',
      message: expect.stringContaining("cannot ask the market for the standard app's workerpool orders: Connection to market"),
    });
  });
});
