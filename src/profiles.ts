/*
 * What the iExec platform offers, per TEE framework and per chain (../shared/docs/iexec-platform.md).
 * Everything profile-specific the templates need is derived from these two tables.
 */

import type { Feature } from './features.js';

export const TEES = ['tdx', 'scone'] as const;
export type Tee = (typeof TEES)[number];

export const CHAINS = ['bellecour', 'arbitrum-sepolia-testnet', 'arbitrum-mainnet'] as const;
export type Chain = (typeof CHAINS)[number];

interface TeeProfile {
  title: string;
  /** One line shown beside the choice: what picking it means. */
  hint: string;
  iexecVersion: string;
  defaultChain: Chain;
  chains: readonly Chain[];
  /** The runtime image's base (the Dockerfile's FROM). */
  baseImage: string;
  /** Node flags the app needs under this TEE, before the bundle in the image's ENTRYPOINT. */
  nodeFlags: readonly string[];
  /** Worker-contract features this stack cannot run, with the reason shown when one is asked for. */
  unsupportedFeatures: Partial<Record<Feature, string>>;
  /** Said once when the profile is chosen: where it stands at iExec. */
  notice?: string;
}

export const TEE_PROFILES: Record<Tee, TeeProfile> = {
  tdx: {
    title: 'Intel TDX',
    hint: 'current iExec (SDK 9, Arbitrum): a plain amd64 image, no sconify step',
    iexecVersion: '^9.0.1',
    defaultChain: 'arbitrum-sepolia-testnet',
    chains: ['arbitrum-sepolia-testnet', 'arbitrum-mainnet'],
    baseImage: 'node:22-bookworm-slim',
    nodeFlags: [],
    unsupportedFeatures: {},
  },
  scone: {
    title: 'SCONE (Intel SGX)',
    hint: 'legacy iExec (SDK 8, bellecour or a self-hosted SGX stack): sconify.sh and an mrenclave',
    iexecVersion: '^8.24.0',
    defaultChain: 'bellecour',
    chains: ['bellecour'],
    // bullseye ships glibc 2.31, the glibc SCONE supports (bookworm has 2.36).
    baseImage: 'node:22-bullseye-slim',
    // node 20+ otherwise reserves a ~10 GB virtual memory cage for WASM, which breaks the enclave
    // heap; sconify.sh copies the ENTRYPOINT, flags included, into the mrenclave entrypoint.
    nodeFlags: ['--disable-wasm-trap-handler'],
    unsupportedFeatures: {
      // iexec SDK 8.24, src/common/utils/config.js: bellecour lists BULK_PROCESSING under notImplemented.
      bulk: 'SDK 8.24 marks bulk processing as not implemented on bellecour, so no SCONE task can run a bulk slice',
    },
    // iExec removed SCONE and bellecour from SDK 9.0.0, its docs and web3mail (April 2026).
    notice:
      "SCONE (SGX) is iExec's legacy stack: SDK 9, the iExec docs and web3mail dropped it and bellecour in April 2026. Choose it for an existing SGX deployment or a self-hosted stack; new modules should use --tee tdx.",
  },
};

/** What the chain question shows; each chain's public workerpool is the kit's (`iexec-module-kit/platform` WORKERPOOLS). */
export const CHAIN_PROFILES: Record<Chain, { title: string }> = {
  bellecour: { title: 'bellecour (SDK 8, SCONE)' },
  'arbitrum-sepolia-testnet': { title: 'Arbitrum Sepolia testnet (SDK 9, TDX)' },
  'arbitrum-mainnet': { title: 'Arbitrum mainnet (SDK 9, TDX)' },
};

/** Why a TEE cannot run on a chain, or undefined when it can. */
export function incompatibility(tee: Tee, chain: Chain): string | undefined {
  if (TEE_PROFILES[tee].chains.includes(chain)) return undefined;
  if (tee === 'tdx') {
    return `TDX runs on Arbitrum with iExec SDK 9, which does not know ${chain}. Use --chain arbitrum-sepolia-testnet (or arbitrum-mainnet), or --tee scone to stay on ${chain}.`;
  }
  return `SCONE apps run with iExec SDK 8 on bellecour; no public SCONE workerpool serves ${chain}. Use --chain bellecour, or --tee tdx for ${chain}.`;
}
