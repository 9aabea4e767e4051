/*
 * The whole PoCo 6.1.0, from the compiled contracts of the @iexec/poco npm package, deployed the way
 * PoCo's deploy script does for chain 31337 (PoCo deploy/0_deploy.ts and config/config.json at tag
 * v6.1.0; the sequence is in create-iexec-module's docs/local-network.md), with one difference: plain
 * CREATE from the deployer instead of the CreateX factory, whose presigned deployment is not on npm.
 * Only the addresses differ, and they are the same on every start (a fresh chain, the same deployer and
 * nonces), so chain.json keeps them: the CLI finds the rest through the hub.
 */
import path from 'node:path';
import {
  AbiCoder,
  Contract,
  FunctionFragment,
  Interface,
  ZeroAddress,
  concat,
  getCreateAddress,
  type InterfaceAbi,
  type Signer,
} from 'ethers';
import type { Artifact, Artifacts } from './artifacts.js';

/**
 * deploy/0_deploy.ts order. The script skips the two Boost facets on Arbitrum mainnet and Sepolia only,
 * so 31337 has them. Token mode: config.json gives 31337 `"asset": "Token"`, and both SDKs (8.24.0 and
 * 9.0.1) talk to the hub through IexecInterfaceToken on any chain but bellecour.
 */
const FACETS = [
  'IexecAccessorsABILegacyFacet',
  'IexecCategoryManagerFacet',
  'IexecConfigurationExtraFacet',
  'IexecConfigurationFacet',
  'IexecERC20Facet',
  'IexecEscrowTokenFacet',
  'IexecOrderManagementFacet',
  'IexecPoco1Facet',
  'IexecPoco2Facet',
  'IexecPocoAccessorsFacet',
  'IexecPocoBoostFacet',
  'IexecPocoBoostAccessorsFacet',
  'IexecRelayFacet',
];

/** PoCo config/config.json at v6.1.0: the categories and their work clock time reference (s). */
export const CATEGORIES = [
  { name: 'XS', workClockTimeRef: 300 },
  { name: 'S', workClockTimeRef: 1200 },
  { name: 'M', workClockTimeRef: 3600 },
  { name: 'L', workClockTimeRef: 10800 },
  { name: 'XL', workClockTimeRef: 36000 },
];
const BASE_URI = {
  app: 'https://nfts-metadata.iex.ec/app',
  dataset: 'https://nfts-metadata.iex.ec/dataset',
  workerpool: 'https://nfts-metadata.iex.ec/workerpool',
};
const FACET_CUT_ADD = 0;

/** Fills the library placeholders of a linked artifact (hardhat linkReferences are byte offsets). */
function link(artifact: Artifact, libraries: Record<string, string>): string {
  let code = artifact.bytecode.slice(2);
  for (const [file, libs] of Object.entries(artifact.linkReferences ?? {})) {
    for (const [lib, refs] of Object.entries(libs)) {
      const address = libraries[`${file}:${lib}`];
      if (!address) throw new Error(`${file}:${lib} is not deployed`);
      for (const { start, length } of refs)
        code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2);
    }
  }
  return `0x${code}`;
}

/** PoCo utils/proxy-tools.ts getFunctionSelectors: functions, receive → 0x00000000, fallback → 0xffffffff. */
function selectors(abi: InterfaceAbi): string[] {
  return (abi as any[]).flatMap((item) => {
    if (item.type === 'function') return [FunctionFragment.from(item).selector];
    if (item.type === 'receive') return ['0x00000000'];
    if (item.type === 'fallback') return ['0xffffffff'];
    return [];
  });
}

export interface DeployedPoco {
  hub: string;
  rlc: string;
  registries: { app: string; dataset: string; workerpool: string };
  transactions: number;
}

/**
 * Sends transactions back to back with explicit nonces and checks every receipt at the end: anvil mines
 * each one as it arrives, so this takes a fraction of waiting for each.
 */
class Deployment {
  private readonly pending: Array<() => Promise<void>> = [];

  private constructor(
    private readonly deployer: Signer,
    readonly from: string,
    private nonce: number,
  ) {}

  static async of(deployer: Signer): Promise<Deployment> {
    const from = await deployer.getAddress();
    return new Deployment(deployer, from, await deployer.provider!.getTransactionCount(from));
  }

  async send(data: string, to: string | undefined, label: string) {
    const sent = await this.deployer.sendTransaction({ to, data, nonce: this.nonce++, gasLimit: 15_000_000n });
    this.pending.push(async () => {
      const receipt = await sent.wait();
      if (receipt?.status !== 1) throw new Error(`${label} failed (transaction ${sent.hash})`);
    });
  }

  async create(name: string, data: string): Promise<string> {
    const address = getCreateAddress({ from: this.from, nonce: this.nonce });
    await this.send(data, undefined, `deploying ${name}`);
    return address;
  }

  call(to: string, abi: InterfaceAbi, fn: string, args: unknown[], label = fn) {
    return this.send(new Interface(abi).encodeFunctionData(fn, args), to, label);
  }

  async settle(): Promise<number> {
    for (const wait of this.pending) await wait();
    return this.pending.length;
  }
}

/** 2. The ERC-2535 diamond with its cut, loupe and ownership facets, initialized by DiamondInit.init(). */
async function deployDiamond(artifacts: Artifacts, run: Deployment): Promise<{ hub: string; present: Set<string> }> {
  const init = artifacts.deployed('DiamondInit');
  const diamondInit = await run.create('DiamondInit', init.bytecode);
  const cuts = [];
  for (const name of ['DiamondCutFacet', 'DiamondLoupeFacet', 'OwnershipFacet']) {
    const artifact = artifacts.deployed(name);
    cuts.push({
      facetAddress: await run.create(name, artifact.bytecode),
      action: FACET_CUT_ADD,
      functionSelectors: selectors(artifact.abi),
    });
  }
  const diamondArgs = AbiCoder.defaultAbiCoder().encode(
    ['tuple(address facetAddress,uint8 action,bytes4[] functionSelectors)[]', 'tuple(address owner,address init,bytes initCalldata)'],
    [cuts, { owner: run.from, init: diamondInit, initCalldata: new Interface(init.abi).encodeFunctionData('init') }],
  );
  const hub = await run.create('Diamond', concat([artifacts.contract('Diamond.sol/Diamond.json').bytecode, diamondArgs]));
  return { hub, present: new Set(cuts.flatMap((cut) => cut.functionSelectors)) };
}

/**
 * 3. The library, then each facet and its own diamondCut; selectors the diamond already has are left
 * out, or the cut would revert (PoCo linkContractToProxy).
 */
async function deployFacets(artifacts: Artifacts, run: Deployment, hub: string, present: Set<string>) {
  const libraries = {
    'contracts/libs/IexecLibOrders_v5.sol:IexecLibOrders_v5': await run.create(
      'IexecLibOrders_v5',
      artifacts.contract('libs/IexecLibOrders_v5.sol/IexecLibOrders_v5.json').bytecode,
    ),
  };
  const cutAbi = artifacts.deployed('DiamondCutFacet').abi;
  for (const name of FACETS) {
    const artifact = artifacts.contract(`facets/${name}.sol/${name}.json`);
    const facet = await run.create(name, link(artifact, libraries));
    const functionSelectors = selectors(artifact.abi).filter((selector) => !present.has(selector));
    functionSelectors.forEach((selector) => present.add(selector));
    await run.call(
      hub,
      cutAbi,
      'diamondCut',
      [[{ facetAddress: facet, action: FACET_CUT_ADD, functionSelectors }], ZeroAddress, '0x'],
      `diamondCut ${name}`,
    );
  }
}

/** 4. The registries: no previous registry on 31337 (config.json has no v3), then the NFT base URI. */
async function deployRegistries(artifacts: Artifacts, run: Deployment, chainId: number): Promise<DeployedPoco['registries']> {
  const registries = { app: '', dataset: '', workerpool: '' };
  for (const [key, rel] of [
    ['app', 'registries/apps/AppRegistry.sol/AppRegistry.json'],
    ['dataset', 'registries/datasets/DatasetRegistry.sol/DatasetRegistry.json'],
    ['workerpool', 'registries/workerpools/WorkerpoolRegistry.sol/WorkerpoolRegistry.json'],
  ] as const) {
    const artifact = artifacts.contract(rel);
    registries[key] = await run.create(path.basename(rel, '.json'), artifact.bytecode);
    await run.call(registries[key], artifact.abi, 'initialize', [ZeroAddress]);
    await run.call(registries[key], artifact.abi, 'setBaseURI', [`${BASE_URI[key]}/${chainId}/`]);
  }
  return registries;
}

export async function deployPoco(artifacts: Artifacts, deployer: Signer, chainId: number): Promise<DeployedPoco> {
  const run = await Deployment.of(deployer);
  // 1. RLC: 31337 has no token address in config.json, so a new one is deployed (its constructor mints
  //    the whole supply to the deployer).
  const rlcArtifact = artifacts.rlc();
  const rlc = await run.create('RLC', rlcArtifact.bytecode);
  await run.call(rlc, rlcArtifact.abi, 'transferOwnership', [run.from]);
  const { hub, present } = await deployDiamond(artifacts, run);
  await deployFacets(artifacts, run, hub, present);
  const registries = await deployRegistries(artifacts, run, chainId);
  // 5. configure (no v3 hub), then the categories; the script passes JSON.stringify(description) and
  //    every description is empty, so each stores the two characters "".
  const hubAbi = artifacts.hubAbi();
  await run.call(hub, hubAbi, 'configure', [
    rlc,
    'Staked RLC',
    'SRLC',
    9,
    registries.app,
    registries.dataset,
    registries.workerpool,
    ZeroAddress,
  ]);
  for (const category of CATEGORIES)
    await run.call(hub, hubAbi, 'createCategory', [category.name, JSON.stringify(''), category.workClockTimeRef]);
  // 6. Ownership to the configured owner, who is the deployer on 31337.
  for (const address of [hub, registries.app, registries.dataset, registries.workerpool]) {
    await run.call(address, ['function transferOwnership(address)'], 'transferOwnership', [run.from]);
  }
  return { hub, rlc, registries, transactions: await run.settle() };
}

/**
 * The callback gas PoCo gives a callback contract. 6.1.0's configure() sets 100,000, which is too low
 * for a real receiver: PoCo's own TestClient ran out of gas storing a 96-byte result and used 115,197
 * with more (docs/local-network.md, "Worker on-chain steps" 6), and PoCo ignores the failed call, so
 * the task completes with nothing received. 200,000 is what PoCo v6.2.0's configure() sets
 * (IexecConfigurationFacet). That is not evidence of the live value: the v6.2.0 upgrade
 * (scripts/upgrades/v6.2.0.ts) does not re-run configure, and the live chains hold whatever the owner
 * last set with setCallbackGas (scripts/set-callback-gas.ts, run by hand from a GitHub workflow). The
 * local chain takes 200,000 and the banner says so.
 */
export const CALLBACK_GAS = 200_000;

export async function setCallbackGas(artifacts: Artifacts, hub: string, owner: Signer): Promise<void> {
  await (await (new Contract(hub, artifacts.hubAbi(), owner) as any).setCallbackGas(CALLBACK_GAS)).wait();
}

/**
 * The pool owner's stake on the hub (RLC from the deployer, who holds the whole supply, approved and
 * deposited as `iexec account deposit` does): a priced workerpool order must have its worker lock
 * covered (PoCo Workerpool m_workerStakeRatioPolicy, checked by the market and by PoCo's matchOrders).
 */
export const POOL_STAKE = 1_000_000n * 10n ** 9n;

export async function stakePool(artifacts: Artifacts, hub: string, rlc: string, deployer: Signer, owner: Signer): Promise<void> {
  const token = artifacts.rlc().abi;
  await (await (new Contract(rlc, token, deployer) as any).transfer(await owner.getAddress(), POOL_STAKE)).wait();
  await (await (new Contract(rlc, token, owner) as any).approve(hub, POOL_STAKE)).wait();
  await (await (new Contract(hub, artifacts.hubAbi(), owner) as any).deposit(POOL_STAKE)).wait();
}

/** Registers the scheduler's workerpool (CREATE2 in the registry: the address depends on owner and description only). */
export async function createWorkerpool(artifacts: Artifacts, registry: string, scheduler: Signer, description: string): Promise<string> {
  const contract = new Contract(registry, artifacts.workerpoolRegistry().abi, scheduler) as any;
  const owner = await scheduler.getAddress();
  const address: string = await contract.predictWorkerpool(owner, description);
  await (await contract.createWorkerpool(owner, description)).wait();
  return address;
}

/** PoCo's own callback receiver (tools/testing/TestClient: stores what receiveResult gets, emits GotResult). */
export async function deployCallbackReceiver(artifacts: Artifacts, deployer: Signer): Promise<string> {
  const artifact = artifacts.contract('tools/testing/TestClient.sol/TestClient.json');
  const sent = await deployer.sendTransaction({ data: artifact.bytecode });
  const receipt = await sent.wait();
  if (!receipt?.contractAddress) throw new Error('deploying TestClient failed');
  return receipt.contractAddress;
}
