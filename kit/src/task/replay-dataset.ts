/*
 * The protected data a replay gives the app. On the local network, the deal's own dataset: its bytes
 * from where its multiaddr points, checked against its checksum and, for a TEE task, decrypted with the
 * key the local SMS holds, which its local-only route hands out (chain/services/local-only.ts): the
 * worker's own steps (chain/workerpool/dataset.ts). Elsewhere the key stays in iExec's SMS, which gives
 * it to a TEE session only: the replay runs a mock with the dataset's schema as DataProtector's subgraph
 * indexes it, and says so; --protected-data gives a file instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ZeroAddress } from 'ethers';
import { fetchDataset } from '../chain/workerpool/dataset.js';
import { DATAPROTECTOR_SUBGRAPHS } from '../platform.js';
import type { ChainReads, OnChainDeal } from '../sdk/reads.js';
import { mockProtectedData, type ProtectedValue } from '../worker/protected-data.js';

const TIMEOUT_MS = 30_000;

export interface ReplayDataset {
  file?: string;
  /** Where it comes from, or why the app gets none. */
  note: string;
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return Buffer.from(await response.arrayBuffer());
}

async function localDataset(reads: ChainReads, address: string, tee: boolean, dir: string): Promise<ReplayDataset> {
  const [services, dataset] = await Promise.all([reads.services(), reads.dataset(address)]);
  if (!dataset) return { note: `no dataset at ${address} on this network any more: the app runs without it` };
  const cid = dataset.multiaddr.match(/^\/(?:ipfs|p2p)\/([^/]+)$/)?.[1];
  const stored = cid ? await download(`${String(services.ipfsGateway).replace(/\/+$/, '')}/ipfs/${cid}`).catch(() => undefined) : undefined;
  let key: string | undefined;
  if (tee) {
    const answer = await fetch(`${String(services.sms).replace(/\/+$/, '')}/local/datasets/${address}/key`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (answer.status === 404)
      return {
        note: `the local SMS has no key for ${address}: the task's TEE session failed to start (PRE_COMPUTE_GET_DATASET_SECRET_FAILED), the app runs without it here`,
      };
    if (!answer.ok) throw new Error(`the local SMS answers HTTP ${answer.status} for the key of ${address}`);
    key = ((await answer.json()) as { key: string }).key;
  }
  const fetched = await fetchDataset(address, dataset, {
    tee,
    ...(key !== undefined && { key }),
    dir,
    sources: { fromIpfs: () => stored, fromUrl: download },
  });
  if ('error' in fetched)
    return { note: `${fetched.error.cause}: ${fetched.error.message}; the worker goes on without it, and so does the replay` };
  return { file: fetched.file, note: `${address}, the deal's own${tee ? ', decrypted with its key from the local SMS' : ''}` };
}

/** A placeholder for each schema type DataProtector writes (string, bool, f64; v0's boolean and number; a MIME type for bytes). */
function placeholder(type: string): ProtectedValue | undefined {
  if (type === 'string') return 'mock';
  if (type === 'bool' || type === 'boolean') return false;
  if (type === 'f64' || type === 'number') return 0;
  if (type === 'i128') return undefined;
  return new Uint8Array();
}

async function mockDataset(
  reads: ChainReads,
  address: string,
  dir: string,
  subgraphs: Readonly<Record<number, string>>,
): Promise<ReplayDataset> {
  const own = 'pass --protected-data <file> (made with npm run mock:protected-data) to replay with values of your own';
  const chainId = await reads.chainId();
  const subgraph = subgraphs[chainId];
  if (!subgraph)
    return {
      note: `the real protected data stays encrypted in iExec's SMS, and no DataProtector subgraph is known for chain id ${chainId} to read its schema: the app runs without it; ${own}`,
    };
  const answer = await fetch(subgraph, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ protectedData(id: "${address.toLowerCase()}") { schema { path type } } }` }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await answer.json().catch(() => ({}))) as {
    data?: { protectedData?: { schema: Array<{ path: string; type: string }> } | null };
  };
  const schema = body.data?.protectedData?.schema;
  if (!answer.ok || !schema)
    return {
      note: `DataProtector's subgraph has no schema for ${address} (not a protected data made with DataProtector?): the app runs without it; ${own}`,
    };
  const values: Record<string, ProtectedValue> = {};
  const skipped: string[] = [];
  for (const { path: dotted, type } of schema) {
    const value = placeholder(type);
    if (value === undefined) {
      skipped.push(`${dotted} (${type})`);
      continue;
    }
    const keys = dotted.split('.');
    let node = values;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, ProtectedValue>;
    node[keys.at(-1)!] = value;
  }
  const file = path.join(dir, address.toLowerCase());
  fs.writeFileSync(file, await mockProtectedData(values));
  const left = skipped.length > 0 ? `; left out (the mock writes no ${skipped.join(', ')})` : '';
  return {
    file,
    note: `a MOCK of ${address}'s schema (${schema.map((entry) => `${entry.path}: ${entry.type}`).join(', ')}) with placeholder values: the real data stays encrypted in iExec's SMS${left}; ${own}`,
  };
}

export interface DatasetOptions {
  local: boolean;
  tee: boolean;
  dir: string;
  /** --protected-data. */
  given?: string | undefined;
  /** Where to read schemas, by chain id (tests give their own). */
  subgraphs?: Readonly<Record<number, string>>;
}

export async function replayDataset(reads: ChainReads, deal: OnChainDeal, options: DatasetOptions): Promise<ReplayDataset> {
  const address = deal.dataset.pointer;
  if (address === ZeroAddress) return { note: 'none in the deal' };
  if (options.given)
    return { file: path.resolve(options.given), note: `${options.given} (given with --protected-data) in place of ${address}` };
  if (options.local) return localDataset(reads, address, options.tee, options.dir);
  return mockDataset(reads, address, options.dir, options.subgraphs ?? DATAPROTECTOR_SUBGRAPHS);
}
