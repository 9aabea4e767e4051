/*
 * iExec in a box: anvil (Foundry's local EVM, from npm) with the whole PoCo 6.1.0 (from the @iexec/poco
 * npm package, deployed as PoCo's own deploy script does), a workerpool and its scheduler and worker,
 * and the off-chain services the iexec CLI asks, all on loopback where chain.json's "local" entry
 * says. The module's own scripts and its pinned CLI run against it unchanged: deploy, app run,
 * result, task debug, task claim.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HDNodeWallet, JsonRpcProvider, getCreateAddress, parseEther, toBeHex } from 'ethers';
import { Failure } from '../iexec/failure.js';
import { defaultWalletAddresses } from '../iexec/wallet.js';
import { LOCAL_WORKERPOOL } from '../platform.js';
import { portFree, reclaimPort, startAnvil } from './anvil.js';
import { deployedChain, type Deployed } from './chain-state.js';
import { ChainClock } from './clock.js';
import { localEntry, type LocalEntry } from './config.js';
import { hubView } from './hub-view.js';
import { forgetLocalApps, localAppBundle } from './local-apps.js';
import { Artifacts } from './poco/artifacts.js';
import { createWorkerpool, deployCallbackReceiver, deployPoco, setCallbackGas, stakePool } from './poco/deploy.js';
import { waitForNode } from './rpc.js';
import { startServices } from './services/index.js';
import { newState } from './state.js';
import { cacheDir, fetchTools } from './tools.js';
import { AppRunner } from './workerpool/app-image.js';
import { datasetOrderCheck, pocoOnChain } from './workerpool/hub-calls.js';
import { PoolOrders } from './workerpool/pool-orders.js';
import { startScheduler } from './workerpool/scheduler.js';

/** Anvil's default accounts: #0 deploys PoCo and owns it, #1 is the scheduler (workerpool owner), #2 the worker. */
const MNEMONIC = 'test test test test test test test test test test test junk';
const FUNDS = parseEther('100');
/** How long the worker waits for a dataset download (none is set by the worker's own HTTP client). */
const DOWNLOAD_TIMEOUT_MS = 60_000;

export interface Network extends Deployed {
  entry: LocalEntry;
  workerpoolApi: string;
  funded: string[];
  stop(): Promise<void>;
  /** Resolves when anvil exits, with its status. */
  exited: Promise<number | null>;
}

export interface StartOptions {
  /** Addresses to give gas money to, besides the wallets the CLI finds. */
  fund?: string[];
  /** Where the network's lines go (default: stdout). */
  log?: (line: string) => void;
}

const accounts = () => HDNodeWallet.fromPhrase(MNEMONIC, undefined, "m/44'/60'/0'/0");

/** The hub's address is fixed by the deployer's nonce (poco/deploy.ts): a wrong chain.json is refused before anything starts. */
function checkHub(entry: LocalEntry) {
  const hub = getCreateAddress({ from: accounts().deriveChild(0).address, nonce: 6 });
  if (hub.toLowerCase() !== entry.hub.toLowerCase()) {
    throw new Failure(
      `chain.json "local" says hub ${entry.hub}, but PoCo's hub lands at ${hub} on the local network: set "hub" to ${hub} (the same on every start)`,
    );
  }
  return hub;
}

async function checkPorts(cache: string, entry: LocalEntry) {
  await reclaimPort(cache, entry.port, 'chain.json "local" host');
  for (const [name, service] of Object.entries(entry.services)) {
    if (!(await portFree(service.port)))
      throw new Failure(`port ${service.port} (chain.json "local" ${name}) is taken: stop what uses it, or change the port in chain.json`);
  }
}

async function deploy(artifacts: Artifacts, provider: JsonRpcProvider, chainId: number, hubAddress: string): Promise<Deployed> {
  console.error('deploying PoCo on the local chain (the first start in this module; the next ones load it from the cache)...');
  const [deployer, scheduler] = [0, 1].map((index) => accounts().deriveChild(index).connect(provider)) as [HDNodeWallet, HDNodeWallet];
  const poco = await deployPoco(artifacts, deployer, chainId);
  if (poco.hub !== hubAddress) throw new Error(`PoCo's hub landed at ${poco.hub}, not ${hubAddress}`);
  await setCallbackGas(artifacts, poco.hub, deployer);
  const pool = await createWorkerpool(artifacts, poco.registries.workerpool, scheduler, LOCAL_WORKERPOOL.description);
  await stakePool(artifacts, poco.hub, poco.rlc, deployer, scheduler);
  if (pool !== LOCAL_WORKERPOOL.address) throw new Error(`the workerpool landed at ${pool}, not ${LOCAL_WORKERPOOL.address} (platform.ts)`);
  return { hub: poco.hub, workerpool: pool, callbackReceiver: await deployCallbackReceiver(artifacts, deployer) };
}

/** Gas for the wallets given and those the CLI finds, now and (a wallet made later) every second. */
function fundWallets(root: string, provider: JsonRpcProvider, given: string[], log: (line: string) => void) {
  const fund = (address: string) => provider.send('anvil_setBalance', [address, toBeHex(FUNDS)]);
  const funded = [...new Set([...given, ...defaultWalletAddresses(root)].map((address) => address.toLowerCase()))];
  const known = new Set(funded);
  const watch = setInterval(() => {
    for (const address of defaultWalletAddresses(root).map((found) => found.toLowerCase())) {
      if (known.has(address)) continue;
      known.add(address);
      fund(address).then(
        () => log(`100 ETH for gas given to ${address} (a new wallet)`),
        (error: Error) => log(`ERROR funding ${address}: ${error.message}`),
      );
    }
  }, 1000);
  return { funded, ready: Promise.all(funded.map(fund)), stop: () => clearInterval(watch) };
}

/** Downloads bounded in time, with the URL and the cause in the error. */
async function fetchUrl(url: string): Promise<Buffer> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    const cause =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`
        : String((error as { cause?: Error }).cause?.message ?? (error as Error).message);
    throw new Error(`GET ${url}: ${cause}`);
  }
}

/** Starts the network; `stop()` ends it, and anything it started. */
export async function startNetwork(root: string, options: StartOptions = {}): Promise<Network> {
  const entry = localEntry(root);
  const log = options.log ?? ((line: string) => console.log(line));
  const cache = cacheDir(root);
  const hubAddress = checkHub(entry);
  await checkPorts(cache, entry);
  const { anvilBin, pocoDir } = fetchTools(cache);
  const artifacts = new Artifacts(pocoDir);
  const chainId = Number(entry.id);
  const anvil: ChildProcess = startAnvil(cache, anvilBin, entry.port, chainId);
  const exited = new Promise<number | null>((resolve) => anvil.on('exit', (code) => resolve(code)));
  const cleanups: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    cleanups.length = 0;
    if (anvil.exitCode === null && anvil.signalCode === null) anvil.stdin?.end();
    await exited;
  };
  try {
    const url = `http://127.0.0.1:${entry.port}`;
    const answered = await waitForNode(url, () => anvil.exitCode);
    if (Number(answered) !== chainId) throw new Failure(`the node at ${url} has chain id ${Number(answered)}, chain.json says ${entry.id}`);
    const provider = new JsonRpcProvider(url, chainId, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    cleanups.push(() => provider.destroy());
    const deployed = await deployedChain(cache, provider, () => deploy(artifacts, provider, chainId, hubAddress));
    const wallets = fundWallets(root, provider, options.fund ?? [], log);
    cleanups.push(wallets.stop);
    await wallets.ready;
    forgetLocalApps(entry.port);
    const workerpoolApi = await startWorkerpool({ entry, cache, provider, artifacts, deployed, chainId, log, cleanups });
    return { ...deployed, entry, workerpoolApi, funded: wallets.funded, stop, exited };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface WorkerpoolSetup {
  entry: LocalEntry;
  cache: string;
  provider: JsonRpcProvider;
  artifacts: Artifacts;
  deployed: Deployed;
  chainId: number;
  log: (line: string) => void;
  cleanups: Array<() => Promise<void> | void>;
}

/** The services, then the scheduler and its worker; returns the workerpool API's URL. */
async function startWorkerpool(setup: WorkerpoolSetup): Promise<string> {
  const { entry, provider, artifacts, deployed, chainId, log, cleanups } = setup;
  const [scheduler, worker] = [1, 2].map((index) => accounts().deriveChild(index).connect(provider)) as [HDNodeWallet, HDNodeWallet];
  const state = newState();
  const hubAbi = artifacts.hubAbi();
  const hub = hubView(provider, deployed.hub, hubAbi);
  const services = await startServices({
    ports: Object.fromEntries(Object.entries(entry.services).map(([name, service]) => [name, service.port])),
    chainId,
    hub,
    workerpool: deployed.workerpool,
    state,
    log: (message) => log(`ERROR ${message}`),
  });
  cleanups.push(() => services.close());
  // Each start begins with no task folder: the last session's stay until then, to look into.
  const workDir = path.join(setup.cache, 'tasks');
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const clock = new ChainClock(provider);
  const poco = pocoOnChain(
    provider,
    deployed.hub,
    { hub: hubAbi, app: artifacts.appAbi(), dataset: artifacts.datasetAbi() },
    scheduler,
    worker,
  );
  const runner = new AppRunner((app) => localAppBundle(entry.port, app));
  const bulk = {
    dataset: (address: string) => poco.dataset(address),
    incompatibility: datasetOrderCheck(provider, deployed.hub, hubAbi),
    key: (address: string) => state.secrets.web3.get(address.toLowerCase()),
  };
  const pipeline = { poco, state, runner, clock, workDir, fetchUrl, bulk, log: (message: string) => log(`worker: ${message}`) };
  // Its orders on the market before the first request looks for them, renewed as deals use them.
  const poolOrders = new PoolOrders(
    services.book,
    scheduler,
    deployed.workerpool,
    () => hub.orderDomain(),
    () => hub.categories(),
    (message) => log(message),
    services.faults,
  );
  services.faults.changed = () => poolOrders.reset();
  await poolOrders.renew();
  const scheduling = startScheduler({
    provider,
    hub: deployed.hub,
    hubAbi,
    workerpool: deployed.workerpool,
    clock,
    pipeline,
    onDeal: () => poolOrders.renew(),
  });
  cleanups.push(() => scheduling.stop());
  return services.workerpoolApi;
}
