/*
 * Where a task's result goes and the link PoCo records for it (iexec-worker ResultService.buildResultLink;
 * tee-worker-compute-rust web2_result.rs upload_result). The result storage here is the network's own,
 * behind chain.json's ipfsGateway, under the CID of the bytes. A Dropbox result is stored here too, but
 * its link is the one the post-compute makes (`/results/<taskid>.zip` on the requester's Dropbox), which
 * `task show --download` refuses as it does on iExec.
 */
import { rawCid } from '../multiformats.js';
import { encryptResult } from './result-encryption.js';
import { resultLink, zipResult } from './web2-result.js';

export interface UploadOptions {
  taskid: string;
  outDir: string;
  tee: boolean;
  storageProvider?: string;
  /** The beneficiary's public key (PEM) when the deal asks for encrypted results. */
  encryptionKey?: string;
}

export async function uploadResult(results: Map<string, Buffer>, options: UploadOptions): Promise<string> {
  const zip = await zipResult(options.outDir, options.tee);
  const uploaded = options.encryptionKey ? await encryptResult(zip, options.encryptionKey) : zip;
  const cid = rawCid(uploaded);
  results.set(cid, uploaded);
  if (options.storageProvider === 'dropbox') return resultLink('dropbox', `/results/${options.taskid}.zip`);
  return resultLink('ipfs', `/ipfs/${cid}`);
}
