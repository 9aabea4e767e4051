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
export const LOCAL_WORKERPOOL = { address: '0xea2E9CEd3DB6692954DCcBEB906F70b70ADB5411', description: 'iExec in a box: local workerpool' } as const;

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
