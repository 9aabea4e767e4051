/*
 * iExec in a box: anvil (Foundry's local EVM, from npm) with the whole PoCo 6.1.0 (from the @iexec/poco
 * npm package, deployed as PoCo's own deploy script does), a workerpool and its scheduler and worker,
 * and the off-chain services the iexec CLI asks, all on loopback where chain.json's "local" entry
 * says. The module's own scripts and its pinned CLI run against it unchanged: deploy, app run,
 * result, task debug.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { HDNodeWallet, JsonRpcProvider, getCreateAddress, toBeHex, parseEther } from 'ethers';
import { Failure } from '../iexec/failure.js';
import { defaultWalletAddresses } from '../iexec/wallet.js';
import { LOCAL_WORKERPOOL } from '../platform.js';
import { AppRunner } from './app.js';
import { SERVICES, localEntry, type LocalEntry, type ServiceName } from './config.js';
import { Artifacts, CALLBACK_GAS, createWorkerpool, deployCallbackReceiver, deployPoco, setCallbackGas } from './poco.js';
import { waitForNode } from './rpc.js';
import { newState, startServices } from './services.js';
import { ANVIL, POCO, cacheDir, fetchTools } from './tools.js';
import { startWorker } from './worker.js';

/** Anvil's default accounts: #0 deploys PoCo and owns it, #1 is the scheduler (workerpool owner), #2 the worker. */
const MNEMONIC = 'test test test test test test test test test test test junk';
const FUNDS = parseEther('100');

/** Printed once at start: what a rehearsal here proves nothing about. */
export const CANNOT_PROVE = [
  'What this local network cannot prove:',
  '  - TEE: no SGX or TDX here. TEE tasks run as plain processes or containers, nothing is attested, and the',
  '    enclave key that signs their results is the local worker\'s own.',
  '  - SCONE: an mrenclave (fingerprint, heap size, entrypoint) is registered but never measured or checked,',
  '    and a SCONE image cannot start without SGX: its tasks run the module\'s bundle.',
  '  - Workerpools: the local pool takes every order at once. A real one may be busy, down, serve other',
  '    tags or categories, or charge a price.',
  '  - PoCo: 6.1.0 from npm runs here; Arbitrum runs 6.2.0 (since 2026-01-21), which matches dataset tags',
  '    differently, has no ERC-20 facet and deposits in one call.',
].join('\n');

export interface Network {
  entry: LocalEntry;
  hub: string;
  workerpool: string;
  callbackReceiver: string;
  workerpoolApi: string;
  funded: string[];
  stop(): Promise<void>;
  /** Resolves when anvil exits, with its status. */
  exited: Promise<number | null>;
}

export interface StartOptions {
  /** Addresses to give gas money to, besides the wallets the CLI finds. */
  fund?: string[];
  /** The bundle the worker runs when it cannot run the image (default: <root>/dist/app.cjs). */
  bundle?: string;
  /** Where the worker's lines go (default: stdout). */
  log?: (line: string) => void;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

interface Deployed {
  hub: string;
  workerpool: string;
  callbackReceiver: string;
}

/**
 * The chain right after its setup is the same on every start (same code, same deployer, same nonces),
 * so the first start keeps anvil's dump of it in the cache and the next ones load it: a fraction of a
 * second instead of some 60 transactions. The file's name holds what the state depends on: anvil,
 * PoCo, and this kit's deployment code, byte for byte.
 */
async function deployed(cache: string, provider: JsonRpcProvider, deploy: () => Promise<Deployed>): Promise<Deployed> {
  // Compiled (.js) or run from source (.ts, in the kit's tests).
  const code = fs.readFileSync(new URL(`./poco${path.extname(import.meta.url)}`, import.meta.url));
  const self = fs.readFileSync(new URL(import.meta.url));
  const key = createHash('sha256').update(`${ANVIL}\0${POCO}\0${String(await provider.send('eth_chainId', []))}\0`).update(code).update(self).digest('hex').slice(0, 16);
  const file = path.join(cache, `chain-state-${key}.json`);
  if (fs.existsSync(file)) {
    try {
      const { state, ...addresses } = JSON.parse(fs.readFileSync(file, 'utf8')) as Deployed & { state: string };
      await provider.send('anvil_loadState', [state]);
      if ((await provider.getCode(addresses.hub)) !== '0x' && (await provider.getCode(addresses.workerpool)) !== '0x') return addresses;
    } catch {
      // A damaged file: deploy afresh, which replaces it.
    }
    fs.rmSync(file, { force: true });
    throw new Failure(`the cached chain ${file} did not load, so it is deleted: start again to deploy PoCo afresh`);
  }
  const addresses = await deploy();
  const state: string = await provider.send('anvil_dumpState', []);
  for (const old of fs.readdirSync(cache).filter((name) => name.startsWith('chain-state-'))) fs.rmSync(path.join(cache, old));
  // Written beside, then renamed: a start reading it meanwhile never sees half of one.
  fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify({ ...addresses, state }));
  fs.renameSync(`${file}.${process.pid}`, file);
  return addresses;
}

/** Starts the network; `stop()` ends it. */
export async function startNetwork(root: string, options: StartOptions = {}): Promise<Network> {
  const entry = localEntry(root);
  const log = options.log ?? ((line: string) => console.log(line));
  const cache = cacheDir(root);
  const { anvilBin, pocoDir } = fetchTools(cache);
  const artifacts = new Artifacts(pocoDir);
  const chainId = Number(entry.id);
  const accounts = HDNodeWallet.fromPhrase(MNEMONIC, undefined, "m/44'/60'/0'/0");
  // The hub's address is fixed by the deployer's nonce (poco.ts): a wrong chain.json is refused before anything is sent.
  const deployerAddress = accounts.deriveChild(0).address;
  const hubAddress = getCreateAddress({ from: deployerAddress, nonce: 6 });
  if (hubAddress.toLowerCase() !== entry.hub.toLowerCase()) {
    throw new Failure(`chain.json "local" says hub ${entry.hub}, but PoCo's hub lands at ${hubAddress} on the local network: set "hub" to ${hubAddress} (the same on every start)`);
  }

  // A node already answering there would take this network's transactions: refuse before starting.
  for (const [name, port] of [['host', entry.port], ...Object.entries(entry.services).map(([key, service]) => [key, service.port])] as Array<[string, number]>) {
    if (!(await portFree(port))) throw new Failure(`port ${port} (chain.json "local" ${name}) is taken: is another local network running? Stop it, or change the port in chain.json`);
  }
  const url = `http://127.0.0.1:${entry.port}`;
  const anvil: ChildProcess = spawn(process.execPath, [anvilBin, '--host', '127.0.0.1', '--port', String(entry.port), '--chain-id', String(chainId), '--silent'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => anvil.on('exit', (code) => resolve(code)));
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    if (anvil.exitCode === null && anvil.signalCode === null) anvil.kill('SIGTERM');
    await exited;
  };
  try {
    const answered = await waitForNode(url, () => anvil.exitCode);
    if (Number(answered) !== chainId) throw new Failure(`the node at ${url} has chain id ${Number(answered)}, chain.json says ${entry.id}`);
    const provider = new JsonRpcProvider(url, chainId, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    cleanups.push(async () => provider.destroy());
    const [deployer, scheduler, worker] = [0, 1, 2].map((index) => accounts.deriveChild(index).connect(provider)) as [HDNodeWallet, HDNodeWallet, HDNodeWallet];

    const { hub, workerpool, callbackReceiver } = await deployed(cache, provider, async () => {
      const poco = await deployPoco(artifacts, deployer, chainId);
      if (poco.hub !== hubAddress) throw new Error(`PoCo's hub landed at ${poco.hub}, not ${hubAddress}`);
      await setCallbackGas(artifacts, poco.hub, deployer);
      const pool = await createWorkerpool(artifacts, poco.registries.workerpool, scheduler, LOCAL_WORKERPOOL.description);
      if (pool !== LOCAL_WORKERPOOL.address) throw new Error(`the workerpool landed at ${pool}, not ${LOCAL_WORKERPOOL.address} (platform.ts)`);
      return { hub: poco.hub, workerpool: pool, callbackReceiver: await deployCallbackReceiver(artifacts, deployer) };
    });

    const funded = [...new Set([...(options.fund ?? []), ...defaultWalletAddresses(root)].map((address) => address.toLowerCase()))];
    for (const address of funded) await provider.send('anvil_setBalance', [address, toBeHex(FUNDS)]);
    // A wallet made once the network runs (iexec wallet create) gets its gas too.
    const known = new Set(funded);
    const watch = setInterval(() => {
      for (const address of defaultWalletAddresses(root).map((found) => found.toLowerCase())) {
        if (known.has(address)) continue;
        known.add(address);
        provider.send('anvil_setBalance', [address, toBeHex(FUNDS)]).then(
          () => log(`100 ETH for gas given to ${address} (a new wallet)`),
          (error: Error) => log(`ERROR funding ${address}: ${error.message}`),
        );
      }
    }, 1000);
    cleanups.push(async () => clearInterval(watch));

    const state = newState();
    const services = await startServices({
      ports: Object.fromEntries(Object.entries(entry.services).map(([name, service]) => [name, service.port])),
      chainId,
      provider,
      hub,
      hubAbi: artifacts.hubAbi(),
      scheduler,
      workerpool,
      state,
      log: (message) => log(`ERROR ${message}`),
    });
    cleanups.push(() => services.close());
    // Each start begins with no task folder: the last session's stay until then, to look into.
    const workDir = path.join(cache, 'tasks');
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.mkdirSync(workDir, { recursive: true });
    const runner = new AppRunner(path.resolve(root, options.bundle ?? 'dist/app.cjs'));
    const scheduling = startWorker({ provider, artifacts, hub, scheduler, worker, workerpool, state, runner, workDir, log: (message) => log(`worker: ${message}`) });
    cleanups.push(() => scheduling.stop());
    return { entry, hub, workerpool, callbackReceiver, workerpoolApi: services.workerpoolApi, funded, stop, exited };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs the network until Ctrl-C (status 0) or until it fails (status 1, the node stopped). */
export async function runLocalChain(root: string, fund: string[]): Promise<number> {
  const started = performance.now();
  let stopping = false;
  let network: Network | undefined;
  let interrupted: () => void = () => {};
  const onSignal = () => {
    stopping = true;
    interrupted();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // A chain.json the network cannot serve is refused before anything is printed or started.
    localEntry(root);
    console.log(CANNOT_PROVE);
    const starting = startNetwork(root, { fund });
    // Ctrl-C during the start: the start ends what it began before returning.
    network = await starting;
    if (stopping) {
      await network.stop();
      return 0;
    }
    const { entry } = network;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const service = (name: ServiceName) => (entry.services[name] ? `  ${SERVICES[name]}: ${entry.services[name]!.url}` : []);
    console.log(
      [
        `local iExec network ready in ${seconds} s: chain.json "local" ${JSON.stringify({ id: entry.id, host: entry.host, hub: entry.hub })}`,
        `  PoCo ${POCO.split('@').pop()} (${POCO}, token mode, callback gas ${CALLBACK_GAS}), anvil ${ANVIL.split('@').pop()}`,
        `  workerpool ${network.workerpool} (app:run's default with --chain local), its API ${network.workerpoolApi}`,
        ...(['iexecGateway', 'sms', 'ipfsGateway', 'compass', 'resultProxy'] as const).flatMap(service),
        `  callback receiver: ${network.callbackReceiver} (PoCo's TestClient)`,
        `  tasks run the deployed image when docker or podman can pull it, else ${path.join(root, 'dist/app.cjs')}`,
        "  a task the platform would fail is FAILED at once: the chain's clock jumps to its final deadline and the scheduler claims it",
        '  try: npm run deploy -- --chain local',
        '       npm run app:run -- --chain local --args "Alice Bob"',
        '       npm run result -- <taskid> --chain local',
        '  Ctrl-C stops it; it keeps nothing, so deployed.json entries for chain 31337 go stale.',
        `  100 ETH for gas given to: ${network.funded.length > 0 ? network.funded.join(', ') : 'no wallet found (use --fund ADDRESS)'}`,
      ].join('\n'),
    );
    const stopped = new Promise<void>((resolve) => (interrupted = resolve));
    const code = await Promise.race([network.exited, stopped.then(() => 'stopped' as const)]);
    if (code === 'stopped') {
      await network.stop();
      return 0;
    }
    console.error(`error: anvil stopped by itself (status ${code})`);
    await network.stop();
    return 1;
  } catch (error) {
    if (stopping) return 0;
    console.error(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
