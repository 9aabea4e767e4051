/*
 * Platform facts the kit acts on, one table per kind (sources in create-iexec-module's
 * docs/iexec-platform.md). The generator renders modules from the same tables.
 */

/** The TEE frameworks a module can target, and how orders for a TEE app are tagged. */
export const TEE_TAGS = { tdx: 'tee,tdx', scone: 'tee,scone' } as const;
export type TeeFramework = keyof typeof TEE_TAGS;

/**
 * The public workerpool `app run` uses when none is given, per TEE framework and chain: a SCONE request
 * never matches a TDX pool's orders (their tags differ), so a module only gets its own framework's.
 */
export const WORKERPOOLS: Readonly<Record<TeeFramework, Readonly<Record<string, string>>>> = {
  scone: { bellecour: 'debug-v8-bellecour.main.pools.iexec.eth' },
  tdx: {
    'arbitrum-sepolia-testnet': '0x2956f0cb779904795a5f30d3b3ea88b714c3123f',
    'arbitrum-mainnet': '0x8ef2ec3ef9535d4b4349bfec7d8b31a580e60244',
  },
};
