/*
 * The deal's dataset as the app gets it. A standard worker downloads it and checks its sha256 against the
 * checksum on chain (iexec-worker DataService.downloadStandardDataset: DATASET_FILE_DOWNLOAD_FAILED,
 * DATASET_FILE_BAD_CHECKSUM); a TEE task's pre-compute also decrypts it with the key the SMS holds:
 * AES-256-CBC, the IV in the first 16 bytes, PKCS#7, the key base64 (tee-worker-compute-rust
 * pre-compute dataset.rs), each failure a PRE_COMPUTE_* cause. Either way an error is recorded, not
 * thrown: the worker goes on without the file (iexec-worker 9.2.0, TaskManagerService).
 */
import { createDecipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ipfsDigest } from '../multiformats.js';
import type { DeployedDataset } from './hub-calls.js';

export interface StepError {
  /** iexec-common ReplicateStatusCause. */
  cause: string;
  message: string;
}

export type DatasetResult = { file: string } | { error: StepError };

export interface DatasetSources {
  /** Bytes stored on the local storage under an IPFS name of theirs (the pre-compute reads IPFS through gateways). */
  fromIpfs(cid: string): Buffer | undefined;
  /** An http(s) download, bounded in time. */
  fromUrl(url: string): Promise<Buffer>;
}

const sha256 = (bytes: Buffer) => `0x${createHash('sha256').update(bytes).digest('hex')}`;

async function download(url: string, sources: DatasetSources): Promise<Buffer | string> {
  const cid = url.match(/^\/(?:ipfs|p2p)\/([^/]+)$/)?.[1];
  if (cid !== undefined) return sources.fromIpfs(cid) ?? `no IPFS gateway the local network reaches has ${cid}`;
  if (!/^https?:\/\//.test(url)) return `${url} is neither an IPFS path nor an http(s) URL`;
  return sources.fromUrl(url).catch((error: Error) => error.message);
}

export function decryptDataset(encrypted: Buffer, base64Key: string): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', Buffer.from(base64Key, 'base64'), encrypted.subarray(0, 16));
  return Buffer.concat([decipher.update(encrypted.subarray(16)), decipher.final()]);
}

/**
 * Fetches the dataset into `dir`, named after its address in lower case (the worker's
 * IEXEC_DATASET_FILENAME, iexec-commons-poco hex encoding); `key` is the SMS's, for TEE tasks.
 */
export async function fetchDataset(
  address: string,
  dataset: DeployedDataset,
  options: { tee: boolean; key?: string; dir: string; sources: DatasetSources },
): Promise<DatasetResult> {
  const { tee } = options;
  const bytes = await download(dataset.multiaddr, options.sources);
  if (typeof bytes === 'string') {
    return {
      error: {
        cause: tee ? 'PRE_COMPUTE_DATASET_DOWNLOAD_FAILED' : 'DATASET_FILE_DOWNLOAD_FAILED',
        message: `cannot download the dataset ${address} from ${dataset.multiaddr}: ${bytes}`,
      },
    };
  }
  if (sha256(bytes) !== dataset.checksum.toLowerCase()) {
    const message = `the dataset ${address} downloaded from ${dataset.multiaddr} has sha256 ${sha256(bytes)}, its checksum on chain is ${dataset.checksum}`;
    return { error: { cause: tee ? 'PRE_COMPUTE_INVALID_DATASET_CHECKSUM' : 'DATASET_FILE_BAD_CHECKSUM', message } };
  }
  let plain = bytes;
  if (tee) {
    try {
      plain = decryptDataset(bytes, options.key ?? '');
    } catch (error) {
      return {
        error: {
          cause: 'PRE_COMPUTE_DATASET_DECRYPTION_FAILED',
          message: `cannot decrypt the dataset ${address} with its key from the SMS: ${(error as Error).message}`,
        },
      };
    }
  }
  const file = path.join(options.dir, address.toLowerCase());
  fs.writeFileSync(file, plain);
  return { file };
}

/** The local storage, by IPFS name: what `protect-data` and the results were stored under. */
export function ipfsLookup(stored: Map<string, Buffer>): DatasetSources['fromIpfs'] {
  return (cid) => {
    const digest = ipfsDigest(cid);
    if (digest === undefined) return undefined;
    for (const bytes of stored.values()) if (createHash('sha256').update(bytes).digest('hex') === digest) return bytes;
    return undefined;
  };
}
