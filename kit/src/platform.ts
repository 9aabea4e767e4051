/*
 * Platform facts the kit acts on, one table per kind (sources in create-iexec-module's
 * docs/iexec-platform.md). The generator renders modules from the same tables (its src/context.ts).
 */

/** The TEE frameworks a module can target, and how orders for a TEE app are tagged. */
export const TEE_TAGS = { tdx: 'tee,tdx', scone: 'tee,scone' } as const;
export type TeeFramework = keyof typeof TEE_TAGS;

/**
 * The workerpool of `iexec-module chain`, the local network: registered by its scheduler (anvil's
 * account #1) with this description on the local PoCo, so its address is the same on every start
 * (WorkerpoolRegistry.createWorkerpool is CREATE2 over owner and description). It takes every tag.
 */
export const LOCAL_WORKERPOOL = {
  address: '0xea2E9CEd3DB6692954DCcBEB906F70b70ADB5411',
  description: 'iExec in a box: local workerpool',
} as const;

/**
 * The workerpool `app run` uses when none is given, per TEE framework and chain: on a public chain a
 * SCONE request never matches a TDX pool's orders (their tags differ), so a module only gets its own
 * framework's; the chain.json entry `local` is the local network, whose one pool serves both.
 */
export const WORKERPOOLS: Readonly<Record<TeeFramework, Readonly<Record<string, string>>>> = {
  scone: { bellecour: 'debug-v8-bellecour.main.pools.iexec.eth', local: LOCAL_WORKERPOOL.address },
  tdx: {
    'arbitrum-sepolia-testnet': '0x2956f0cb779904795a5f30d3b3ea88b714c3123f',
    'arbitrum-mainnet': '0x8ef2ec3ef9535d4b4349bfec7d8b31a580e60244',
    local: LOCAL_WORKERPOOL.address,
  },
};

/**
 * The tag of a run's orders, per TEE framework and app profile: the TEE app runs with its framework's
 * tag; SDK 9.0.1 adds `tee,tdx` to every order it signs (common/market/order.js createApporder,
 * createRequestorder: TDX_DEFAULT_TAG), so a TDX module's standard app runs in TDX too; SDK 8's
 * standard app runs untagged.
 */
export const RUN_TAGS: Readonly<Record<TeeFramework, { standard: string[]; tee: string[] }>> = {
  tdx: { standard: ['tee', 'tdx'], tee: ['tee', 'tdx'] },
  scone: { standard: [], tee: ['tee', 'scone'] },
};

/**
 * The memory a task's app gets, in bytes. TDX: the iApp generator's test caps a run at the TDX
 * worker's 6 GiB (iapp cli/src/config/config.ts IEXEC_TDX_WORKER_HEAP_SIZE). SCONE: the enclave heap
 * is the app's mrenclave.heapSize, which a worker refuses above its cap
 * (IEXEC_WORKER_TEE_COMPUTE_MAX_HEAP_SIZE_GB, 8 by default, iexec-worker).
 */
export const TEE_MEMORY = { tdxBytes: 6 * 1024 ** 3, sconeMaxHeapBytes: 8 * 1024 ** 3 } as const;

/** Chains whose transactions the SDK sends at gas price 0 (iexec 8.24.0 IExecContractsClient gasPriceByNetwork): bellecour. */
export const FREE_GAS_CHAIN_IDS: readonly number[] = [134];

/**
 * Where DataProtector indexes each protected data's schema, by chain id (dataprotector-sdk 88cd845f,
 * packages/sdk/src/config/config.ts subgraphUrl; packages/subgraph/schema.graphql ProtectedData.schema,
 * a list of { path, type }): `task --replay` off the local network runs a mock of that schema. The
 * current DataProtector no longer lists bellecour.
 */
export const DATAPROTECTOR_SUBGRAPHS: Readonly<Record<number, string>> = {
  421614: 'https://thegraph.arbitrum-sepolia-testnet.iex.ec/api/subgraphs/id/5YjRPLtjS6GH6bB4yY55Qg4HzwtRGQ8TaHtGf9UBWWd',
  42161: 'https://thegraph.arbitrum.iex.ec/api/subgraphs/id/Ep5zs5zVr4tDiVuQJepUu51e5eWYJpka624X4DMBxe3u',
};
