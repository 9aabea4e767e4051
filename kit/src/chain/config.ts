/*
 * Where the local chain runs: chain.json's "local" entry, the one the iexec CLI reads with --chain local,
 * so the chain and the CLI cannot disagree.
 */
import path from 'node:path';
import { Failure } from '../iexec/failure.js';
import { readJson } from '../iexec/module.js';

export interface LocalEntry {
  id: string;
  host: string;
  hub: string;
  port: string;
}

const EXAMPLE = '"local": { "id": "31337", "host": "http://127.0.0.1:8545", "hub": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" }';

export function localEntry(root: string): LocalEntry {
  const entry = readJson(path.join(root, 'chain.json'))?.chains?.local;
  if (!entry?.host || !entry.id || !entry.hub) throw new Failure(`chain.json has no complete "local" chain: add ${EXAMPLE}`);
  let url: URL;
  try {
    url = new URL(entry.host);
  } catch {
    throw new Failure(`chain.json "local" host must be http://127.0.0.1:PORT, got ${entry.host}`);
  }
  if (!['127.0.0.1', 'localhost'].includes(url.hostname) || url.protocol !== 'http:') {
    throw new Failure(`chain.json "local" host must be http://127.0.0.1:PORT, got ${entry.host}`);
  }
  return { id: String(entry.id), host: entry.host, hub: entry.hub, port: url.port || '80' };
}
