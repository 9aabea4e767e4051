import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkApp } from '../../src/doctor/app.js';
import { checkAppSecrets } from '../../src/doctor/app-secret.js';
import { checkDataset } from '../../src/doctor/dataset.js';
import { chainData, fakeContext, fakeModule, fakeReads, STANDARD_APP, TEE_APP } from './fakes.js';

/*
 * Each app deployed where deployed.json says, a SCONE TEE app with the enclave iexec.tee.json names,
 * the app secret of each app that runs in a TEE (modules with app-secret), and the protected data a
 * module with protected-data runs with.
 */
async function deployedContext(options: { framework?: 'tdx' | 'scone'; features?: string[] } = {}) {
  const module = fakeModule(options);
  const data = chainData(module, options.framework);
  const ctx = fakeContext(module, fakeReads(data), options);
  ctx.chainId = data.chainId;
  ctx.wallet = { file: 'wallet.json', address: module.wallet.address, encrypted: false };
  return { module, data, ctx };
}

describe('doctor: the apps', () => {
  it('passes both apps of a TDX module, deployed where deployed.json says, with the tag their runs carry', async () => {
    const { ctx } = await deployedContext();
    expect(await checkApp(ctx, ctx.apps[0]!)).toEqual([
      {
        id: 'app:standard',
        level: 'pass',
        message: `standard app ${STANDARD_APP} is deployed on arbitrum-sepolia-testnet; its runs carry the tag tee,tdx`,
      },
    ]);
    expect((await checkApp(ctx, ctx.apps[1]!))[0]!.message).toContain(`TEE app ${TEE_APP}`);
    expect(ctx.deployed.get('tee')?.address).toBe(TEE_APP);
  });

  it('fails an app deployed.json does not name on this chain, and one that is not on the chain, with the deploy command', async () => {
    const { module, data, ctx } = await deployedContext();
    fs.writeFileSync(path.join(module.root, 'deployed.json'), JSON.stringify({ app: { 1: STANDARD_APP } }));
    const deployedThere = data.apps[STANDARD_APP]!;
    delete data.apps[STANDARD_APP];
    expect(await checkApp(ctx, ctx.apps[0]!)).toEqual([
      {
        id: 'app:standard',
        level: 'fail',
        message: 'the standard app is not deployed on arbitrum-sepolia-testnet: deployed.json has no address for chain id 421614',
        fix: 'npm run deploy -- --chain arbitrum-sepolia-testnet',
      },
    ]);
    data.apps[STANDARD_APP] = deployedThere;
    expect(await checkApp(ctx, ctx.apps[0]!)).toEqual([
      {
        id: 'app:standard',
        level: 'fail',
        message: `deployed.json has no address for chain id 421614, but the app iexec.json describes is deployed at ${STANDARD_APP}, where app deploy will not deploy it again`,
        fix: `record it: add "421614": "${STANDARD_APP}" under "app" in deployed.json`,
      },
    ]);
    delete data.apps[TEE_APP];
    expect(await checkApp(ctx, ctx.apps[1]!)).toEqual([
      expect.objectContaining({
        level: 'fail',
        message: `deployed.tee.json names ${TEE_APP} for chain id 421614, but there is no app there`,
        fix: 'npm run deploy:tee -- --chain arbitrum-sepolia-testnet',
      }),
    ]);
  });

  it("fails a SCONE TEE app deployed without iexec.tee.json's enclave", async () => {
    const { data, ctx } = await deployedContext({ framework: 'scone' });
    expect((await checkApp(ctx, ctx.apps[1]!))[0]).toMatchObject({ level: 'pass', message: expect.stringContaining('the tag tee,scone') });
    data.apps[TEE_APP]!.mrenclave = '';
    expect((await checkApp(ctx, ctx.apps[1]!))[0]).toMatchObject({
      level: 'fail',
      message: expect.stringContaining('has no SCONE mrenclave on chain'),
      fix: 'npm run deploy:tee -- --chain bellecour',
    });
    data.apps[TEE_APP]!.mrenclave = JSON.stringify({ framework: 'SCONE', fingerprint: 'cd'.repeat(32) });
    expect((await checkApp(ctx, ctx.apps[1]!))[0]).toMatchObject({
      level: 'fail',
      message: expect.stringContaining(`with the enclave fingerprint ${'cd'.repeat(32)}, iexec.tee.json has ${'ab'.repeat(32)}`),
    });
  });

  it("warns when the app is not the wallet's: app:run then needs a published app order", async () => {
    const { data, ctx } = await deployedContext();
    data.apps[STANDARD_APP]!.owner = '0x00000000000000000000000000000000000000ff';
    expect((await checkApp(ctx, ctx.apps[0]!)).map((line) => [line.id, line.level])).toEqual([
      ['app:standard', 'pass'],
      ['app:standard:owner', 'warn'],
    ]);
  });
});

describe('doctor: the app secret', () => {
  it('asks nothing of a module without the app-secret feature', async () => {
    const { ctx } = await deployedContext();
    expect(await checkAppSecrets(ctx)).toEqual([]);
  });

  it('fails each app that runs in a TEE without its secret, with the push-secret command (both on TDX, the TEE app on SCONE)', async () => {
    for (const framework of ['tdx', 'scone'] as const) {
      const { data, ctx } = await deployedContext({ framework, features: ['app-secret'] });
      for (const app of ctx.apps) await checkApp(ctx, app);
      data.secrets.add(STANDARD_APP);
      const lines = await checkAppSecrets(ctx);
      const chain = framework === 'tdx' ? 'arbitrum-sepolia-testnet' : 'bellecour';
      expect(lines.map((line) => [line.id, line.level])).toEqual(
        framework === 'tdx'
          ? [
              ['app-secret:standard', 'pass'],
              ['app-secret:tee', 'fail'],
            ]
          : [['app-secret:tee', 'fail']],
      );
      expect(lines.at(-1)).toMatchObject({
        message: `the SMS has no app secret for the TEE app ${TEE_APP}: its tasks get no IEXEC_APP_DEVELOPER_SECRET`,
        fix: `npm run iexec -- tee app push-secret --chain ${chain}`,
      });
    }
  });
});

describe('doctor: the protected data', () => {
  const DATASET = '0x00000000000000000000000000000000000000d1';

  it('asks for the dataset to check in a module with protected-data, and nothing in one without', async () => {
    const { ctx } = await deployedContext({ features: ['protected-data'] });
    expect(await checkDataset(ctx)).toEqual([
      expect.objectContaining({
        level: 'warn',
        fix: 'npm run doctor -- --dataset <protected data address> --chain arbitrum-sepolia-testnet',
      }),
    ]);
    ctx.features = [];
    expect(await checkDataset(ctx)).toEqual([]);
  });

  it("passes the wallet's own dataset; fails another's without an order for this app and requester, and one whose key the SMS lacks", async () => {
    const { module, ctx } = await deployedContext({ features: ['protected-data'] });
    for (const app of ctx.apps) await checkApp(ctx, app);
    ctx.dataset = DATASET;
    let owner = module.wallet.address;
    let secret = true;
    Object.assign(ctx.reads, {
      dataset: async () => ({ owner, multiaddr: '/ipfs/Qm', checksum: `0x${'0'.repeat(64)}` }),
      datasetOrders: async () => [],
      datasetSecretExists: async () => secret,
    });
    expect((await checkDataset(ctx)).map((line) => line.level)).toEqual(['pass', 'pass', 'pass']);
    owner = '0x00000000000000000000000000000000000000ee';
    secret = false;
    const lines = await checkDataset(ctx);
    expect(lines.map((line) => [line.id, line.level])).toEqual([
      ['dataset:standard', 'fail'],
      ['dataset:tee', 'fail'],
      ['dataset:key', 'fail'],
    ]);
    expect(lines[1]!.fix).toContain(
      `grantAccess({ protectedData: '${DATASET}', authorizedApp: '${TEE_APP}', authorizedUser: '${module.wallet.address}' })`,
    );
    expect(lines[2]!.message).toContain('PRE_COMPUTE_GET_DATASET_SECRET_FAILED');
  });
});
