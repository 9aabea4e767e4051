/*
 * Which chain doctor and task read, and with which services: chain.json's entry, as the module's CLI
 * reads it (iexec 8.24.0 and 9.0.1 cli/utils/chains.js loadChain: `--chain NAME` or chain.json's
 * `default`, then the SDK's defaults for the chain overridden by the entry's own keys). The same
 * overrides, given to the SDK's JS API as IExecConfig options, make it see what `npm run iexec` sees.
 */
import path from 'node:path';
import { Failure } from '../iexec/failure.js';
import { readJson } from '../iexec/module.js';

/** chain.json's entry for the local network (`iexec-module chain`). */
export const LOCAL_CHAIN = 'local';

export interface ChainTarget {
  name: string;
  entry: Record<string, unknown>;
  local: boolean;
}

export function chainTarget(root: string, name?: string): ChainTarget {
  const conf = readJson(path.join(root, 'chain.json'));
  const chains = conf?.chains ?? {};
  const chosen = name ?? conf?.default;
  if (typeof chosen !== 'string' || chosen === '') throw new Failure('chain.json has no "default" chain: pass --chain NAME');
  if (!Object.hasOwn(chains, chosen)) {
    throw new Failure(
      `chain.json has no "${chosen}" chain (it has ${Object.keys(chains).join(', ') || 'none'}): pass --chain with one of them, or add it to chain.json`,
    );
  }
  return { name: chosen, entry: chains[chosen] ?? {}, local: chosen === LOCAL_CHAIN };
}

/** chain.json keys and the IExecConfig options that override the same thing (IExecConfig.d.ts, both majors). */
const OPTION_OF = {
  hub: 'hubAddress',
  sms: 'smsURL',
  iexecGateway: 'iexecGatewayURL',
  ipfsGateway: 'ipfsGatewayURL',
  compass: 'compassURL',
  pocoSubgraph: 'pocoSubgraphURL',
  resultProxy: 'resultProxyURL',
} as const;

/**
 * What to give `new IExec({ ethProvider }, options)`: the entry's host, else the chain's name (the SDK
 * resolves its default host), and an option for every service the entry sets. SDK 8 also needs the TEE
 * framework its SMS URLs are keyed by (defaultTeeFramework).
 */
export function sdkConnection(
  target: ChainTarget,
  major: 8 | 9,
  teeFramework: string,
): { ethProvider: string; options: Record<string, unknown> } {
  const options: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(OPTION_OF)) {
    if (target.entry[key] === undefined) continue;
    if (key === 'resultProxy' && major === 9) continue;
    options[option] = target.entry[key];
  }
  if (major === 8) options.defaultTeeFramework = teeFramework;
  const host = target.entry.host;
  return { ethProvider: typeof host === 'string' && host !== '' ? host : target.name, options };
}
