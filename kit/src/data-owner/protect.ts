/*
 * protect-data: what DataProtector's protectData does (dataprotector-sdk packages/sdk/src/lib/dataProtectorCore/
 * protectData.ts at 88cd845f), done with the module's iexec CLI: the values zipped as DataProtector zips
 * them (worker/protected-data.ts: the layout @iexec/dataprotector-deserializer reads), encrypted with a new
 * key (encrypt.ts), uploaded to IPFS and named /p2p/<cid>, registered as a dataset owned by the wallet, and
 * its key pushed to the SMS. DataProtector registers through its own contract, which also records the
 * data's schema; that contract is in no npm package, so here the dataset is registered directly with
 * `iexec dataset deploy`: the same dataset, without the schema record.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Failure } from '../iexec/failure.js';
import { walletAddress } from '../iexec/wallet.js';
import { localEntry } from '../chain/config.js';
import { mockProtectedData, type ProtectedValue } from '../worker/protected-data.js';
import { checksum, encrypt, newKey } from './encrypt.js';
import { ipfsAdd } from './ipfs.js';
import { LOCAL, walletArgs, walletLookup, type WalletValues } from './options.js';
import { SdkWorkspace } from './sdk-workspace.js';

export interface ProtectRequest {
  data: Record<string, ProtectedValue>;
  /** Dotted key -> path of a file whose bytes are the value. */
  files: Record<string, string>;
  name: string;
  chain: string;
  wallet: WalletValues;
  /** Where to upload, on a real chain (the local network's IPFS otherwise). */
  ipfsNode?: string;
  ipfsGateway?: string;
}

export interface Protected {
  address: string;
  owner: string;
  multiaddr: string;
  checksum: string;
}

function ipfsEndpoints(root: string, request: ProtectRequest): { node: string; gateway: string } {
  if (request.chain === LOCAL) {
    const gateway = localEntry(root).services.ipfsGateway?.url;
    if (!gateway) throw new Failure('chain.json "local" has no ipfsGateway: the local network uploads protected data there');
    return { node: request.ipfsNode ?? gateway, gateway: request.ipfsGateway ?? gateway };
  }
  if (!request.ipfsNode || !request.ipfsGateway)
    throw new Failure(`on ${request.chain}, give the IPFS node to upload to and its gateway: --ipfs-node URL --ipfs-gateway URL`);
  return { node: request.ipfsNode, gateway: request.ipfsGateway };
}

/** A key that could not reach the SMS, in a file only its owner reads. */
function keepKey(address: string, key: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iexec-module-key-')), `${address}.key`);
  fs.writeFileSync(file, key, { mode: 0o600 });
  return file;
}

export async function protectData(root: string, request: ProtectRequest, say: (line: string) => void): Promise<Protected> {
  const owner = walletAddress(root, walletLookup(request.wallet));
  if (!owner)
    throw new Failure(
      "no wallet found to own the protected data: create one with 'npm run iexec -- tee wallet create', or pass --keystoredir / --wallet-file / --wallet-address",
    );
  const { node, gateway } = ipfsEndpoints(root, request);
  const zip = await mockProtectedData(request.data, request.files);
  const key = newKey();
  const encrypted = encrypt(zip, key);
  const cid = await ipfsAdd(node, gateway, encrypted, 'protectedData.zip.enc');
  const data = { owner, multiaddr: `/p2p/${cid}`, checksum: checksum(encrypted) };
  say(`encrypted ${zip.length} bytes of protected data, uploaded as ${data.multiaddr}`);
  const workspace = new SdkWorkspace(root, { dataset: { name: request.name, ...data } });
  const wallet = walletArgs(root, request.wallet);
  try {
    await workspace.run('registering the dataset', ['dataset', 'deploy', '--chain', request.chain, ...wallet], request.chain);
    const deployed = workspace.read('deployed.json')?.dataset ?? {};
    const address = Object.values(deployed)[0];
    if (typeof address !== 'string') throw new Failure('iexec dataset deploy wrote no dataset address');
    const keyFile = workspace.secretFile('dataset.key', key);
    try {
      await workspace.run(
        'pushing the key to the SMS',
        ['dataset', 'push-secret', address, '--secret-path', keyFile, '--chain', request.chain, ...wallet],
        request.chain,
      );
    } catch (error) {
      // The dataset is on chain and useless without its key: keep the key where its owner can push it again.
      const kept = keepKey(address, key);
      throw new Failure(
        `${(error as Error).message}. The dataset ${address} is registered; its key is in ${kept} (readable by you only): ` +
          `npm run iexec -- tee dataset push-secret ${address} --secret-path ${kept} --chain ${request.chain}, then delete that file`,
      );
    }
    return { address, ...data };
  } finally {
    workspace.remove();
  }
}
