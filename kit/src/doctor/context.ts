/*
 * What the doctor's checks share: the module's files (its two app profiles, its manifest's features),
 * the chain and its reads, and what earlier checks learned (the chain id, the wallet, the deployed apps,
 * the workerpool order each run would take).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROFILES, readJson, type ProfileName } from '../iexec/module.js';
import type { WalletOptions } from '../iexec/wallet.js';
import { RUN_TAGS, type TeeFramework } from '../platform.js';
import type { ChainTarget } from '../sdk/chain.js';
import type { ChainReads, OnChainApp, WorkerpoolOrder } from '../sdk/reads.js';
import { encodeTag } from '../sdk/tags.js';
import type { FoundWallet } from '../sdk/wallet.js';

/** The manifest create-iexec-module writes: its answers name the module's features. */
const MANIFEST = '.create-iexec-module.json';

export interface AppProfile {
  profile: ProfileName;
  /** "standard app", "TEE app". */
  label: string;
  /** The profile's iexec.json and deployed.json (iexec.tee.json, deployed.tee.json for tee). */
  file: string;
  deployedFile: string;
  /** The module's npm script that deploys it. */
  deployScript: string;
  /** The file's app section, as app deploy registers it. */
  fields: Record<string, unknown>;
  multiaddr: string;
  checksum: string;
  mrenclave?: { framework?: string; heapSize?: number; fingerprint?: string };
  /** The tag its runs' orders carry. */
  tagNames: string[];
  tag: string;
  /** Whether its tasks run in a TEE: they get secrets, and the SMS serves them. */
  tee: boolean;
}

export interface DoctorContext {
  root: string;
  target: ChainTarget;
  reads: ChainReads;
  framework: TeeFramework;
  features: string[];
  apps: AppProfile[];
  walletOptions: WalletOptions;
  password?: { password: string; from: string };
  /** The workerpool app:run uses: --workerpool, else the kit's table (platform.ts WORKERPOOLS). */
  workerpool?: string;
  dataset?: string;
  chainId?: number;
  wallet?: FoundWallet;
  /** The deployed app of each profile, once the app check found it on chain. */
  deployed: Map<ProfileName, { address: string; app: OnChainApp }>;
  /** The order each profile's run would take, once the workerpool check found one. */
  orders: Map<ProfileName, WorkerpoolOrder>;
  workerpoolAddress?: string;
}

export function readFeatures(root: string): string[] {
  const file = path.join(root, MANIFEST);
  if (!fs.existsSync(file)) return [];
  const features = readJson(file)?.answers?.features;
  return Array.isArray(features) ? features.filter((feature): feature is string => typeof feature === 'string') : [];
}

export function appProfile(root: string, profile: ProfileName, framework: TeeFramework): AppProfile {
  const file = PROFILES[profile]['iexec.json'];
  const app = readJson(path.join(root, file))?.app ?? {};
  const tagNames = RUN_TAGS[framework][profile];
  return {
    profile,
    label: profile === 'tee' ? 'TEE app' : 'standard app',
    file,
    deployedFile: PROFILES[profile]['deployed.json'],
    deployScript: profile === 'tee' ? 'deploy:tee' : 'deploy',
    fields: app,
    multiaddr: String(app.multiaddr ?? ''),
    checksum: String(app.checksum ?? ''),
    ...(typeof app.mrenclave === 'object' && app.mrenclave !== null && { mrenclave: app.mrenclave }),
    tagNames,
    tag: encodeTag(tagNames),
    tee: tagNames.includes('tee'),
  };
}

/** The address deployed.json (or deployed.tee.json) records for a chain id, if any. */
export function deployedAddress(root: string, app: AppProfile, chainId: number): string | undefined {
  const file = path.join(root, app.deployedFile);
  if (!fs.existsSync(file)) return undefined;
  const address = readJson(file)?.app?.[String(chainId)];
  return typeof address === 'string' ? address : undefined;
}

/** A module npm script as a command to paste, e.g. `npm run deploy -- --chain local`. */
export function npmRun(ctx: Pick<DoctorContext, 'target'>, script: string, ...args: string[]): string {
  return `npm run ${script} -- ${[...args, '--chain', ctx.target.name].join(' ')}`;
}

/** The module's iexec CLI on a profile: `npm run iexec -- tee app push-secret --chain local`. */
export function iexecRun(ctx: Pick<DoctorContext, 'target'>, profile: ProfileName, ...args: string[]): string {
  return npmRun(ctx, 'iexec', profile, ...args);
}

/** The doctor again, as the user ran it: the next step after a fix that only time or someone else makes. */
export function doctorAgain(ctx: Pick<DoctorContext, 'target'>): string {
  return npmRun(ctx, 'doctor');
}
