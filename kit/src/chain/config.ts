/*
 * Where the local network runs: chain.json's "local" entry, the one the iexec CLI reads with --chain
 * local, so the network and the CLI cannot disagree. The node listens on `host`, each off-chain service
 * on the URL the SDK is given for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Failure } from '../iexec/failure.js';
import { readJson } from '../iexec/module.js';
import { resolveIexecCli } from '../iexec/sdk.js';

/** Where PoCo's diamond lands on a fresh anvil (plain CREATE, the deployer's nonce 6: see poco.ts). */
export const LOCAL_HUB = '0x0165878A594ca255338adfa4d48449f69242Eb8F';

/**
 * The services, by the chain.json key that points the SDK at each (read in iexec 9.0.1 and 8.24.0,
 * cli/utils/fs.js chainConfSchema). Each needs its own origin: the SDK builds every URL as
 * new URL('/absolute/path', base), which drops a path in the base (common/utils/api-utils.js).
 */
export const SERVICES = {
  iexecGateway: 'the market API (orders published, unpublished and matched)',
  sms: 'the SMS (secrets, storage tokens, preflight checks)',
  ipfsGateway: 'IPFS (results for task show --download, uploads at /api/v0/add)',
  compass: "compass (where task debug finds the workerpool's API)",
  resultProxy: "the result proxy (SDK 8's storage init)",
} as const;
export type ServiceName = keyof typeof SERVICES;

/** SDK 9.0.1 accepts exactly id, host, hub, sms, ipfsGateway, iexecGateway, compass, pocoSubgraph: no resultProxy. */
const SERVICES_BY_SDK: Record<8 | 9, ServiceName[]> = {
  9: ['iexecGateway', 'sms', 'ipfsGateway', 'compass'],
  8: ['iexecGateway', 'sms', 'ipfsGateway', 'compass', 'resultProxy'],
};
const DEFAULT_PORTS: Record<ServiceName, number> = { iexecGateway: 8546, sms: 8547, ipfsGateway: 8548, compass: 8549, resultProxy: 8550 };

/** The "local" entry create-iexec-module writes for a module on this SDK major (templates/module/chain.json.hbs). */
export function defaultLocalEntry(sdk: 8 | 9): Record<string, string> {
  const entry: Record<string, string> = { id: '31337', host: 'http://127.0.0.1:8545', hub: LOCAL_HUB };
  for (const name of SERVICES_BY_SDK[sdk]) entry[name] = `http://127.0.0.1:${DEFAULT_PORTS[name]}`;
  return entry;
}

export interface LocalEntry {
  id: string;
  host: string;
  hub: string;
  port: number;
  /** The services the SDK of this module reaches, and the port each listens on. */
  services: Partial<Record<ServiceName, { url: string; port: number }>>;
  /** The iexec SDK major of the module (9 unless 8.x is installed or the entry has SDK 8's keys). */
  sdk: 8 | 9;
}

/** The major of the module's installed iexec CLI, if it is installed. */
export function installedSdkMajor(root: string): 8 | 9 | undefined {
  let bin: string;
  try {
    bin = resolveIexecCli(root);
  } catch {
    return undefined;
  }
  for (let dir = path.dirname(bin); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const { name, version } = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (name !== 'iexec') continue;
    return String(version).startsWith('8.') ? 8 : 9;
  }
  return undefined;
}

function loopbackPort(name: string, value: unknown, fix: string): number {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new Failure(`chain.json "local" ${name} must be http://127.0.0.1:PORT, got ${JSON.stringify(value)}${fix}`);
  }
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(url.hostname)) {
    throw new Failure(
      `chain.json "local" ${name} must be http://127.0.0.1:PORT (the local network listens on loopback only), got ${value}${fix}`,
    );
  }
  if (url.pathname !== '/' || url.search) {
    throw new Failure(
      `chain.json "local" ${name} must have no path, got ${value}: the SDK drops a base URL's path (new URL('/path', base))${fix}`,
    );
  }
  return Number(url.port || '80');
}

export function localEntry(root: string): LocalEntry {
  const entry = readJson(path.join(root, 'chain.json'))?.chains?.local;
  const sdk = installedSdkMajor(root) ?? (entry?.resultProxy !== undefined || typeof entry?.sms === 'object' ? 8 : 9);
  const expected = defaultLocalEntry(sdk);
  const fix = `: the "local" entry for iexec ${sdk} is ${JSON.stringify(expected)}`;
  if (!entry?.host || !entry.id || !entry.hub) throw new Failure(`chain.json has no complete "local" chain${fix}`);
  const port = loopbackPort('host', entry.host, fix);
  const services: LocalEntry['services'] = {};
  const missing: ServiceName[] = [];
  for (const name of SERVICES_BY_SDK[sdk]) {
    let value = entry[name];
    // SDK 8 also takes one SMS URL per TEE framework; the local SMS serves them all.
    if (name === 'sms' && typeof value === 'object' && value !== null) {
      const urls = [...new Set(Object.values(value))];
      if (urls.length !== 1)
        throw new Failure(
          `chain.json "local" sms names ${urls.length} URLs: the local network has one SMS for every TEE framework, give it one URL${fix}`,
        );
      value = urls[0];
    }
    if (value === undefined) missing.push(name);
    else services[name] = { url: String(value), port: loopbackPort(name, value, fix) };
  }
  if (missing.length > 0) {
    throw new Failure(`chain.json "local" has no ${missing.join(', ')}${fix}`);
  }
  const ports = [port, ...Object.values(services).map((service) => service.port)];
  if (new Set(ports).size !== ports.length)
    throw new Failure(`chain.json "local": the node and each service need a port of their own, got ${ports.join(', ')}${fix}`);
  return { id: String(entry.id), host: entry.host, hub: entry.hub, port, services, sdk };
}
