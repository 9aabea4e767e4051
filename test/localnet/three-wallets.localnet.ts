import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAddress } from 'ethers';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAppBundle } from '../../kit/src/chain/local-apps.js';
import { runCli } from '../helpers/cli.js';
import { Timings } from '../helpers/timings.js';
import { LocalNetwork, moduleUserEnv, moveLocalPorts, plain, readJson, type Ready } from './network.js';

/*
 * Issue 18's acceptance from a module owner's seat: one generated TDX module (SDK 9.0.1) with the
 * protected-data and bulk features, its `npm run chain:local` funding three keystores, one per role, and
 * only the module's npm scripts as its README's rehearsal gives them: the app owner publishes (then
 * restricts, unpublishes, publishes again) the TEE app's order from iexec.tee.json, the data owner
 * protects data and grants it, the requester who owns nothing runs the app on it. The bulk request goes
 * through the SDK library (the CLI has none), as DataProtector's prepareBulkRequest does.
 *
 * The app is deployed with its placeholder checksum: `deploy:tee --chain local` records the module's
 * bundle as its code (kit chain/local-apps.ts), which the network's worker runs.
 */

const PASSWORD = 'test';
const ZERO = '0x0000000000000000000000000000000000000000';
const TASK_ID = /Task idx 0 \((0x[0-9a-f]{64})\)/i;
const ROLES = ['app-owner', 'data-owner', 'requester'] as const;
type Role = (typeof ROLES)[number];

const timings = new Timings('localnet timings, three wallets', 'localnet timing');
const timed = timings.timed.bind(timings);

/** The SDK library's bulk request, as DataProtector's prepareBulkRequest and processBulkRequest make it. */
const BULK_REQUESTER = `
import fs from 'node:fs';
import { Wallet } from 'ethers';
import { IExec, utils } from 'iexec';
const [keystore, password, app, workerpool] = process.argv.slice(2);
const chain = JSON.parse(fs.readFileSync('chain.json', 'utf8')).chains.local;
const file = fs.readdirSync(keystore).find((name) => name.startsWith('UTC--'));
const wallet = await Wallet.fromEncryptedJson(fs.readFileSync(keystore + '/' + file, 'utf8'), password);
const iexec = new IExec({ ethProvider: utils.getSignerFromPrivateKey(chain.host, wallet.privateKey) }, { hubAddress: chain.hub, smsURL: chain.sms, iexecGatewayURL: chain.iexecGateway, ipfsGatewayURL: chain.ipfsGateway, ipfsNodeURL: chain.ipfsGateway });
const tag = ['tee', 'tdx'];
const { orders } = await iexec.orderbook.fetchDatasetOrderbook({ dataset: 'any', app, requester: wallet.address, bulkOnly: true });
const { cid, volume } = await iexec.order.prepareDatasetBulk(orders.map((entry) => entry.order));
const requestorder = await iexec.order.signRequestorder(await iexec.order.createRequestorder({ app, workerpool, volume, category: 0, tag, params: { bulk_cid: cid } }));
const apporder = (await iexec.orderbook.fetchAppOrderbook({ app, requester: wallet.address, workerpool, minTag: tag, maxTag: tag })).orders[0].order;
const workerpoolorder = (await iexec.orderbook.fetchWorkerpoolOrderbook({ workerpool, app, requester: wallet.address, category: 0, minTag: tag })).orders[0].order;
const { dealid } = await iexec.order.matchOrders({ apporder, workerpoolorder, requestorder });
const taskid = await iexec.deal.computeTaskId(dealid, 0);
// The task exists on chain once the scheduler initializes it: until then show() throws.
const status = () => iexec.task.show(taskid).then((task) => task.status, () => 0);
for (let i = 0; i < 120 && (await status()) < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 1000));
const results = await iexec.task.fetchResults(taskid);
fs.writeFileSync('bulk-result.zip', Buffer.from(await results.arrayBuffer()));
console.log(JSON.stringify({ datasets: orders.length, cid, dealid, taskid, status: (await iexec.task.show(taskid)).statusName }));
`;

describe('three wallets on a protected-data module (SDK 9): an app owner publishes, a data owner protects and grants, a requester runs', () => {
  let dir = '';
  let env: Record<string, string> = {};
  let network: LocalNetwork;
  let ready: Ready;
  let host = '';
  const keystore = (role: Role) => join(env.HOME!, '.iexec-rehearsal', role);
  const address: Partial<Record<Role, string>> = {};
  let app = '';
  let data = '';

  const run = (command: string, args: string[], timeout = 300_000) =>
    execa(command, args, { cwd: dir, env, extendEnv: false, reject: false, all: true, stdin: 'ignore', timeout });
  /** `npm run <script> -- <args>` as the role, with its keystore and test password. */
  const as = (role: Role, script: string, args: string[]) =>
    run('npm', ['run', script, '--', ...args, '--keystoredir', keystore(role), '--password', PASSWORD]);
  /** As the role; `wallet: false` for a command that signs nothing (the CLI refuses wallet options there). */
  async function ok(role: Role, script: string, args: string[], wallet = true) {
    const result = wallet ? await as(role, script, args) : await run('npm', ['run', script, '--', ...args]);
    expect(result.exitCode, `${role}: npm run ${script} -- ${args.join(' ')}\n${plain(result.all ?? '')}\n${network.tail()}`).toBe(0);
    return plain(result.all ?? '');
  }
  const market = async (query: string) =>
    (await fetch(`${readJson(join(dir, 'chain.json')).chains.local.iexecGateway}${query}`)).json() as Promise<any>;
  const poolRemaining = async () =>
    (
      await market(
        `/workerpoolorders?chainId=31337&category=0&workerpool=${ready.workerpool}&minTag=0x${'0'.repeat(63)}9&app=any&dataset=any&requester=any`,
      )
    ).orders.reduce((sum: number, order: any) => sum + order.remaining, 0);
  const setAppOrder = (fields: Record<string, string>) => {
    const file = join(dir, 'iexec.tee.json');
    const conf = readJson(file);
    Object.assign(conf.order.apporder, fields);
    writeFileSync(file, `${JSON.stringify(conf, null, 2)}\n`);
  };
  const runTee = (args: string[]) =>
    timed("requester: npm run app:run:tee, deal to the CLI's end", () =>
      as('requester', 'app:run:tee', ['--chain', 'local', '--force', ...args]),
    );

  beforeAll(async () => {
    const parent = await mkdtemp(join(tmpdir(), 'cim-wallets-'));
    dir = join(parent, 'ln-wallets');
    const created = await timed('create + install the module', () =>
      runCli([dir, '--yes', '--tee', 'tdx', '--features', 'protected-data,bulk', '--no-git', '--no-validate'], { timeout: 600_000 }),
    );
    expect(created.exitCode, created.all ?? created.stderr).toBe(0);
    await mkdir(join(parent, 'home'));
    env = { ...moduleUserEnv(), HOME: join(parent, 'home'), npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm') };
    expect((await run('npm', ['run', 'build'])).exitCode).toBe(0);
    for (const role of ROLES) {
      const made = await run('npm', [
        'run',
        'iexec',
        '--',
        'tee',
        'wallet',
        'create',
        '--keystoredir',
        keystore(role),
        '--password',
        PASSWORD,
        '--raw',
      ]);
      expect(made.exitCode, made.all).toBe(0);
      // The keystore file's address field has no 0x.
      address[role] = getAddress(`0x${JSON.parse(plain(made.stdout).trim().split('\n').pop()!).wallet.address.replace(/^0x/, '')}`);
    }
    host = await moveLocalPorts(dir);
    network = new LocalNetwork(dir, env);
    ready = await timed('npm run chain:local --fund x3 to its banner', () =>
      network.start(
        300_000,
        ROLES.flatMap((role) => ['--fund', keystore(role)]),
      ),
    );
  }, 900_000);

  afterAll(async () => {
    await network?.stop().catch((error: Error) => console.error(error.message));
    if (dir) await rm(join(dir, '..'), { recursive: true, force: true });
    timings.print(64);
  }, 120_000);

  it('chain:local funds the three keystores and names them in its banner', () => {
    for (const role of ROLES) expect(ready.banner.toLowerCase()).toContain(`${role} ${address[role]!.toLowerCase()}`);
  });

  it('the app owner deploys the TEE app; an order restricted to another requester is not matched; unpublished, it is gone', {
    timeout: 600_000,
  }, async () => {
    await ok('app-owner', 'deploy:tee', ['--chain', 'local']);
    app = readJson(join(dir, 'deployed.tee.json')).app['31337'];
    // deploy:tee on the local network recorded the module's bundle as the app's code (placeholder checksum).
    expect(localAppBundle(Number(new URL(host).port), app)).toBe(join(dir, 'dist', 'app.cjs'));
    setAppOrder({ requesterrestrict: address['data-owner']! });
    expect(await ok('app-owner', 'iexec', ['tee', 'order', 'sign', '--app', '--chain', 'local'])).toContain(
      `order.apporder.app set to ${app}`,
    );
    const published = await ok('app-owner', 'iexec', ['tee', 'order', 'publish', '--app', '--force', '--chain', 'local']);
    const orderHash = published.match(/orderHash (0x[0-9a-f]{64})/)?.[1];
    expect(orderHash, published).toBeDefined();
    expect(
      await ok('app-owner', 'iexec', ['tee', 'orderbook', 'app', app, '--requester', address['data-owner']!, '--chain', 'local'], false),
    ).toContain(orderHash!);
    const refused = await runTee([]);
    expect(refused.exitCode).not.toBe(0);
    expect(plain(refused.all ?? '')).toContain(`No order available for app ${app}`);
    await ok('app-owner', 'iexec', ['tee', 'order', 'unpublish', '--app', orderHash!, '--force', '--chain', 'local']);
    expect(
      await ok('app-owner', 'iexec', ['tee', 'orderbook', 'app', app, '--requester', address['data-owner']!, '--chain', 'local'], false),
    ).not.toContain(orderHash!);
    setAppOrder({ requesterrestrict: ZERO });
    await ok('app-owner', 'iexec', ['tee', 'order', 'sign', '--app', '--chain', 'local']);
    await ok('app-owner', 'iexec', ['tee', 'order', 'publish', '--app', '--force', '--chain', 'local']);
  });

  it('the data owner protects data; without the grant the requester is refused before any deal', { timeout: 600_000 }, async () => {
    const protectedOut = await timed('data owner: npm run protect-data', () =>
      ok('data-owner', 'protect-data', ['{"name": "Alice"}', '--chain', 'local']),
    );
    data = protectedOut.match(/protected data (0x[0-9a-fA-F]{40}): owned by/)?.[1] ?? '';
    expect(data, protectedOut).not.toBe('');
    const refused = await runTee(['--dataset', data]);
    expect(refused.exitCode).not.toBe(0);
    expect(plain(refused.all ?? '')).toContain(`No order available for dataset ${data}`);
    expect(network.log).not.toMatch(/task 0x[0-9a-f]{64} \(/);
  });

  it("after grant-access the requester's task COMPLETES with the app's greeting of the protected data, and the pool's order volume goes down", {
    timeout: 600_000,
  }, async () => {
    await timed('data owner: npm run grant-access', () =>
      ok('data-owner', 'grant-access', [data, '--app', app, '--user', address.requester!, '--chain', 'local']),
    );
    const before = await poolRemaining();
    const done = await runTee(['--dataset', data]);
    const output = plain(done.all ?? '');
    expect(done.exitCode, `${output}\n${network.tail()}`).toBe(0);
    const taskid = output.match(TASK_ID)?.[1];
    expect(taskid, output).toBeDefined();
    expect(await poolRemaining()).toBe(before - 1);
    await ok('requester', 'result:tee', [taskid!, '--chain', 'local']);
    const result = readJson(join(dir, 'results', taskid!, 'result.json'));
    expect(result).toMatchObject({ ok: true, result: { greeting: 'Hello, Alice!' } });
    // What the app gives for the same data locally.
    await ok('data-owner', 'mock:protected-data', ['mock.zip', '{"name": "Alice"}'], false);
    const local = plain((await run('npm', ['run', 'local', '--', '--protected-data', 'mock.zip'])).all ?? '');
    expect(readJson(join(local.match(/The result is in (\S+)/)![1]!, 'result.json'))).toEqual(result);
  });

  it("bulk: two protected data granted with --bulk, one task of the SDK library's bulk request greets both", {
    timeout: 600_000,
  }, async () => {
    for (const name of ['Ann', 'Ben']) {
      const out = await ok('data-owner', 'protect-data', [JSON.stringify({ name }), '--chain', 'local']);
      const bulkData = out.match(/protected data (0x[0-9a-fA-F]{40}): owned by/)![1]!;
      await ok('data-owner', 'grant-access', [bulkData, '--app', app, '--user', address.requester!, '--bulk', '--chain', 'local']);
    }
    writeFileSync(join(dir, 'bulk-request.mjs'), BULK_REQUESTER);
    const bulk = await timed('requester: a bulk request through the SDK library', () =>
      run('node', ['bulk-request.mjs', keystore('requester'), PASSWORD, app, ready.workerpool], 300_000),
    );
    expect(bulk.exitCode, `${bulk.all}\n${network.tail()}`).toBe(0);
    const summary = JSON.parse(bulk.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ datasets: 2, status: 'COMPLETED' });
    const unzipped = await execa('unzip', ['-p', join(dir, 'bulk-result.zip'), 'result.json'], { reject: false });
    expect(JSON.parse(unzipped.stdout)).toMatchObject({
      ok: true,
      result: { greeting: expect.stringMatching(/^Hello, (Ann and Ben|Ben and Ann)!$/), failed: [] },
    });
  });
});
