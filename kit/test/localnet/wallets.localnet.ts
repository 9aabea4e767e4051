import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Wallet } from 'ethers';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpc } from '../../src/chain/rpc.js';
import { grantAccess } from '../../src/data-owner/grant.js';
import { protectData } from '../../src/data-owner/protect.js';
import { LOCAL_WORKERPOOL } from '../../src/platform.js';
import { LOCALNET, installSdk, startLocalnet, unpublishedApp, type Localnet } from './helpers.js';

/** SDK 9 signs everything tee,tdx; 8.24 runs the SCONE profile: its TEE app carries an mrenclave. */
const PROFILES = [
  { version: '9.0.1', sdk: 9 as const, tag: 'tee,tdx', poolTag: 0x9, app: {} },
  {
    version: '8.24.0',
    sdk: 8 as const,
    tag: 'tee,scone',
    poolTag: 0x3,
    app: {
      mrenclave: {
        framework: 'SCONE',
        version: 'v5.9',
        entrypoint: '/usr/local/bin/node /app/app.cjs',
        heapSize: 1073741824,
        fingerprint: 'ab'.repeat(32),
      },
    },
  },
];

/*
 * Three wallets on the local network with the real iexec CLIs, 9.0.1 and 8.24.0 (issue 18): an app owner publishes,
 * restricts and unpublishes app orders (market /challenge, POST and PUT /apporders, GET /apporders), a data
 * owner protects data and grants it (the kit's protect-data and grant-access: IPFS /api/v0/add, SMS
 * /secrets/web3, POST /datasetorders), a requester who owns nothing runs the app on it (GET /apporders,
 * /datasetorders, /workerpoolorders), refused without the grant, and the pool's order volume goes down.
 */
describe.runIf(LOCALNET).each(PROFILES.map((profile) => [profile.version, profile] as const))(
  'three wallets with iexec %s',
  (_version, profile) => {
    let net: Localnet;
    let bin: string;
    const appOwner = new Wallet(Wallet.createRandom().privateKey);
    const dataOwner = new Wallet(Wallet.createRandom().privateKey);
    const requester = new Wallet(Wallet.createRandom().privateKey);
    const folders = new Map<string, string>();
    let app = '';
    let dataset = '';

    /** A folder of the wallet's own: chain.json, wallet.json, the CLI linked as a module's node_modules/iexec. */
    function folder(wallet: Wallet): string {
      if (!folders.has(wallet.address)) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-wallets-'));
        fs.copyFileSync(path.join(net.work, 'chain.json'), path.join(dir, 'chain.json'));
        fs.writeFileSync(path.join(dir, 'wallet.json'), JSON.stringify({ privateKey: wallet.privateKey, address: wallet.address }));
        fs.mkdirSync(path.join(dir, 'node_modules'));
        let sdk = path.dirname(bin);
        while (!fs.existsSync(path.join(sdk, 'package.json'))) sdk = path.dirname(sdk);
        fs.symlinkSync(sdk, path.join(dir, 'node_modules', 'iexec'));
        folders.set(wallet.address, dir);
      }
      return folders.get(wallet.address)!;
    }

    /** The CLI as this wallet; `out` is all it printed. */
    async function cli(wallet: Wallet, args: string[]) {
      const done = await net.cli(args, folder(wallet));
      return { status: done.status, json: done.json, out: `${done.stdout}${done.stderr}` };
    }

    const market = async (query: string) => (await fetch(`${net.network.entry.services.iexecGateway!.url}${query}`)).json() as Promise<any>;
    const poolRemaining = async () => {
      const { orders } = await market(
        `/workerpoolorders?chainId=31337&category=0&workerpool=${LOCAL_WORKERPOOL.address}&minTag=0x${'0'.repeat(63)}${profile.poolTag}&requester=any&app=any&dataset=any`,
      );
      return orders.reduce((sum: number, order: any) => sum + order.remaining, 0);
    };
    const run = (extra: string[] = []) =>
      cli(requester, [
        'app',
        'run',
        app,
        '--workerpool',
        LOCAL_WORKERPOOL.address,
        '--tag',
        profile.tag,
        '--dataset',
        dataset,
        '--watch',
        '--force',
        ...extra,
      ]);

    beforeAll(async () => {
      ({ bin } = installSdk(profile.version));
      net = await startLocalnet(profile.sdk, bin, `wallets${profile.sdk}`);
      for (const wallet of [appOwner, dataOwner, requester])
        await rpc(net.network.entry.host, 'anvil_setBalance', [wallet.address, '0x56bc75e2d63100000']);
    }, 600_000);

    afterAll(async () => {
      await net?.stop();
      for (const dir of folders.values()) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('the app owner deploys and publishes an app order restricted to another requester, then unpublishes it', async () => {
      const order = {
        app: '0x0000000000000000000000000000000000000000',
        appprice: '0',
        volume: '1000',
        tag: profile.tag,
        datasetrestrict: '0x0000000000000000000000000000000000000000',
        workerpoolrestrict: '0x0000000000000000000000000000000000000000',
        requesterrestrict: dataOwner.address,
      };
      fs.writeFileSync(path.join(folder(appOwner), 'iexec.json'), JSON.stringify({ app: unpublishedApp(appOwner.address, profile.app) }));
      const deployed = await cli(appOwner, ['app', 'deploy']);
      expect(deployed.status, deployed.out).toBe(0);
      app = deployed.json.address;
      net.registerApp(app);
      fs.writeFileSync(
        path.join(folder(appOwner), 'iexec.json'),
        JSON.stringify({ app: unpublishedApp(appOwner.address, profile.app), order: { apporder: { ...order, app } } }),
      );
      expect((await cli(appOwner, ['order', 'sign', '--app'])).status).toBe(0);
      const published = await cli(appOwner, ['order', 'publish', '--app', '--force']);
      expect(published.status, published.out).toBe(0);
      const orderHash = published.json.apporder.orderHash;
      const book = await cli(appOwner, ['orderbook', 'app', app, '--requester', dataOwner.address]);
      expect(book.json, book.out).toMatchObject({ ok: true, count: 1 });
      // Restricted to another wallet: the requester's query leaves it out.
      const refused = await cli(requester, ['app', 'run', app, '--workerpool', LOCAL_WORKERPOOL.address, '--tag', profile.tag, '--force']);
      expect(refused.status).toBe(1);
      expect(refused.out).toContain(`No order available for app ${app}`);
      const unpublished = await cli(appOwner, ['order', 'unpublish', '--app', orderHash, '--force']);
      expect(unpublished.status, unpublished.out).toBe(0);
      expect((await cli(appOwner, ['orderbook', 'app', app, '--requester', dataOwner.address])).json).toMatchObject({ ok: true, count: 0 });
      // Then an order for anyone.
      fs.writeFileSync(
        path.join(folder(appOwner), 'iexec.json'),
        JSON.stringify({
          app: unpublishedApp(appOwner.address, profile.app),
          order: { apporder: { ...order, app, requesterrestrict: '0x0000000000000000000000000000000000000000' } },
        }),
      );
      expect((await cli(appOwner, ['order', 'sign', '--app'])).status).toBe(0);
      expect((await cli(appOwner, ['order', 'publish', '--app', '--force'])).status).toBe(0);
    }, 300_000);

    it('the data owner protects data (IPFS upload, dataset, SMS key) with the kit', async () => {
      const done = await protectData(
        folder(dataOwner),
        { data: { name: 'Alice' }, files: {}, name: 'alice', chain: 'local', wallet: {} },
        () => undefined,
      );
      dataset = done.address;
      expect(done.owner).toBe(dataOwner.address);
      expect(done.multiaddr).toMatch(/^\/p2p\/b/);
      expect((await cli(dataOwner, ['dataset', 'check-secret', dataset])).json).toMatchObject({ ok: true, isSecretSet: true });
    }, 300_000);

    it('the requester is refused before any deal without the grant', async () => {
      const refused = await run();
      expect(refused.status).toBe(1);
      expect(refused.out).toContain(`No order available for dataset ${dataset}`);
      expect(net.logs.join('\n')).not.toMatch(/task 0x/);
    }, 300_000);

    it('after grant-access the requester runs the app on it: COMPLETED, the decrypted data in IEXEC_IN, the pool volume down by one', async () => {
      await grantAccess(folder(dataOwner), {
        dataset,
        app,
        user: requester.address,
        price: 0,
        volume: 1,
        bulk: false,
        chain: 'local',
        wallet: {},
      });
      await expect(
        grantAccess(folder(dataOwner), {
          dataset,
          app,
          user: requester.address,
          price: 0,
          volume: 1,
          bulk: false,
          chain: 'local',
          wallet: {},
        }),
      ).rejects.toThrow(/already granted/);
      const before = await poolRemaining();
      const started = performance.now();
      const done = await run();
      expect(done.status, `${done.out}\n${net.logs.join('\n')}`).toBe(0);
      console.log(
        `three wallets, iexec ${profile.version}: app run --watch by the requester (COMPLETED): ${Math.round(performance.now() - started)} ms`,
      );
      expect(await poolRemaining()).toBe(before - 1);
      const taskid = done.json.tasks[0].taskid;
      expect((await cli(requester, ['task', 'show', taskid, '--download', 'result'])).status).toBe(0);
      const zip = await JSZip.loadAsync(fs.readFileSync(path.join(folder(requester), 'result.zip')));
      const { result } = JSON.parse(await zip.file('result.json')!.async('string'));
      expect(result.env.IEXEC_DATASET_FILENAME).toBe(dataset.toLowerCase());
      expect(result.inputs[dataset.toLowerCase()]).toMatch(/^[0-9a-f]{64}$/);
      // The grant was for one run: a second finds no dataset order.
      expect((await run()).out).toContain(`No order available for dataset ${dataset}`);
    }, 300_000);
  },
);
