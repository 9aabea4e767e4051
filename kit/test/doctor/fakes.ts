// What the doctor and task unit tests share: a module folder as create-iexec-module writes one (its
// app files, deployed.json, manifest, wallet) and a ChainReads answering from plain data, so each
// check runs against the answers a chain would give, with no chain.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Wallet, ZeroAddress } from 'ethers';
import { appProfile, type DoctorContext } from '../../src/doctor/context.js';
import { chainTarget } from '../../src/sdk/chain.js';
import type { ChainReads, OnChainApp, ServiceUrls, WorkerpoolOrder } from '../../src/sdk/reads.js';
import { encodeTag } from '../../src/sdk/tags.js';

export const WORKERPOOL = '0x2956f0cb779904795a5f30d3b3ea88b714c3123f';
export const STANDARD_APP = '0x00000000000000000000000000000000000000a1';
export const TEE_APP = '0x00000000000000000000000000000000000000a2';
export const DIGEST = `sha256:${'d1'.repeat(32)}`;
export const CHECKSUM = `0x${'d1'.repeat(32)}`;
export const SERVICES: ServiceUrls = {
  hub: '0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E',
  sms: 'https://sms.arbitrum-sepolia-testnet.iex.ec',
  iexecGateway: 'https://api-market.arbitrum-sepolia-testnet.iex.ec',
  ipfsGateway: 'https://ipfs-gateway.arbitrum-sepolia-testnet.iex.ec',
  compass: 'https://compass.arbitrum-sepolia-testnet.iex.ec',
};

export interface FakeModule {
  root: string;
  wallet: Wallet;
}

/** A TDX module on Arbitrum Sepolia (or SCONE on bellecour), its image published and both apps deployed, an unencrypted wallet. */
export function fakeModule(
  options: { framework?: 'tdx' | 'scone'; features?: string[]; image?: string; deployed?: boolean } = {},
): FakeModule {
  const framework = options.framework ?? 'tdx';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-doctor-'));
  const wallet = new Wallet(Wallet.createRandom().privateKey);
  const chain = framework === 'tdx' ? 'arbitrum-sepolia-testnet' : 'bellecour';
  const chainId = framework === 'tdx' ? '421614' : '134';
  const image = options.image ?? 'alice/hello:1.0.0';
  const write = (name: string, value: unknown) => fs.writeFileSync(path.join(root, name), JSON.stringify(value, null, 2));
  write('chain.json', {
    default: chain,
    chains: {
      [chain]: {},
      local: {
        id: '31337',
        host: 'http://127.0.0.1:1',
        hub: '0x0165878A594ca255338adfa4d48449f69242Eb8F',
        sms: 'http://127.0.0.1:2',
        iexecGateway: 'http://127.0.0.1:3',
        ipfsGateway: 'http://127.0.0.1:4',
        compass: 'http://127.0.0.1:5',
      },
    },
  });
  write('iexec.json', { app: { owner: wallet.address, name: 'hello', type: 'DOCKER', multiaddr: image, checksum: CHECKSUM } });
  const mrenclave =
    framework === 'scone'
      ? {
          mrenclave: {
            framework: 'SCONE',
            version: 'v5.9',
            entrypoint: 'node /app/app.cjs',
            heapSize: 1073741824,
            fingerprint: 'ab'.repeat(32),
          },
        }
      : {};
  write('iexec.tee.json', {
    app: { owner: wallet.address, name: 'hello-tee', type: 'DOCKER', multiaddr: image, checksum: CHECKSUM, ...mrenclave },
  });
  write('.create-iexec-module.json', { answers: { tee: framework, features: options.features ?? ['args'] } });
  write('wallet.json', { privateKey: wallet.privateKey, address: wallet.address });
  if (options.deployed !== false) {
    write('deployed.json', { app: { [chainId]: STANDARD_APP } });
    write('deployed.tee.json', { app: { [chainId]: TEE_APP } });
  }
  return { root, wallet };
}

/** What the chain holds for the fake module: both apps as iexec.json says, a pool with a free order per tag. */
export interface ChainData {
  chainId: number;
  services: ServiceUrls;
  defaults?: ServiceUrls;
  apps: Record<string, OnChainApp>;
  wei: bigint;
  nRLC: bigint;
  stake: bigint;
  secrets: Set<string>;
  pools: Record<string, { owner: string; description: string }>;
  orders: WorkerpoolOrder[];
  categories: number[];
  apiUrl?: string;
  down: Set<string>;
}

export function chainData(module: FakeModule, framework: 'tdx' | 'scone' = 'tdx', image = 'alice/hello:1.0.0'): ChainData {
  const owner = module.wallet.address;
  const app = (name: string, mrenclave = ''): OnChainApp => ({ owner, name, multiaddr: image, checksum: CHECKSUM, mrenclave });
  const teeTag = encodeTag(framework === 'tdx' ? ['tee', 'tdx'] : ['tee', 'scone']);
  const order = (tag: string, hash: string): WorkerpoolOrder => ({
    workerpool: WORKERPOOL,
    price: 0n,
    tag,
    category: 0,
    trust: 0,
    remaining: 10,
    orderHash: hash,
  });
  return {
    chainId: framework === 'tdx' ? 421614 : 134,
    services: SERVICES,
    defaults: SERVICES,
    apps: {
      [STANDARD_APP]: app('hello'),
      [TEE_APP]: app('hello-tee', framework === 'scone' ? JSON.stringify({ framework: 'SCONE', fingerprint: 'ab'.repeat(32) }) : ''),
    },
    wei: 10n ** 16n,
    nRLC: 0n,
    stake: 0n,
    secrets: new Set(),
    pools: { [WORKERPOOL]: { owner: ZeroAddress, description: 'the pool' } },
    orders:
      framework === 'tdx'
        ? [order(teeTag, `0x${'01'.repeat(32)}`)]
        : [order(encodeTag([]), `0x${'02'.repeat(32)}`), order(teeTag, `0x${'03'.repeat(32)}`)],
    categories: [300, 1200],
    apiUrl: 'https://core.example',
    down: new Set(),
  };
}

const sameTagBits = (tag: string, minTag: string) => (BigInt(tag) & BigInt(minTag)) === BigInt(minTag);

/** ChainReads over the data; a name in `down` makes that read throw as a service that does not answer. */
export function fakeReads(data: ChainData, sdkVersion = '9.0.1'): ChainReads {
  const guard = async <T>(name: string, value: () => T): Promise<T> => {
    if (data.down.has(name)) throw new Error(`Connection to ${name} failed with a network error`);
    return value();
  };
  return {
    sdkVersion,
    chainId: () => guard('node', () => data.chainId),
    services: async () => data.services,
    sdkDefaults: async () => data.defaults,
    now: async () => 1_000_000,
    balances: (address) => guard('node', () => ({ wei: data.wei, nRLC: data.nRLC, address })),
    account: () => guard('node', () => ({ stake: data.stake, locked: 0n })),
    app: (address) => guard('node', () => data.apps[address]),
    predictAppAddress: async (app) => (app.name === 'hello-tee' ? TEE_APP : STANDARD_APP),
    appSecretExists: (app) => guard('sms', () => data.secrets.has(app)),
    resolveAddress: async (name) => (name.startsWith('0x') ? name : undefined),
    workerpool: (address) => guard('node', () => data.pools[address]),
    workerpoolApiUrl: () => guard('compass', () => data.apiUrl),
    workerpoolOrders: (query) =>
      guard('market', () => data.orders.filter((order) => order.category === query.category && sameTagBits(order.tag, query.minTag))),
    categoryTime: async (category) => data.categories[category],
    dataset: async () => undefined,
    datasetOrders: async () => [],
    datasetSecretExists: async () => false,
    requesterSecretExists: (_requester, name) => guard('sms', () => data.secrets.has(name)),
    task: async () => undefined,
    deal: async () => {
      throw new Error('no deal');
    },
    offchain: async () => ({ statusHistory: [], replicates: [] }),
    logs: async () => [],
    claim: async () => '0x',
  };
}

/** A doctor context as doctorContext builds it, on the fake chain. */
export function fakeContext(
  module: FakeModule,
  reads: ChainReads,
  options: { framework?: 'tdx' | 'scone'; chain?: string; features?: string[] } = {},
): DoctorContext {
  const framework = options.framework ?? 'tdx';
  return {
    root: module.root,
    target: chainTarget(module.root, options.chain),
    reads,
    framework,
    features: options.features ?? ['args'],
    apps: (['standard', 'tee'] as const).map((profile) => appProfile(module.root, profile, framework)),
    walletOptions: {},
    workerpool: WORKERPOOL,
    deployed: new Map(),
    orders: new Map(),
  };
}
