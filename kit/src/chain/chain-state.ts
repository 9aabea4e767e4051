/*
 * The chain right after its setup is the same on every start (same code, same deployer, same nonces),
 * so the first start keeps anvil's dump of it in the cache and the next ones load it: a fraction of a
 * second instead of some 60 transactions. The file's name holds what the state depends on: anvil,
 * PoCo, and this kit's deployment code, byte for byte.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { JsonRpcProvider } from 'ethers';
import { Failure } from '../iexec/failure.js';
import { ANVIL, POCO } from './tools.js';

export interface Deployed {
  hub: string;
  workerpool: string;
  callbackReceiver: string;
}

/** Compiled (.js) or run from source (.ts, in the kit's tests). */
const source = (name: string) => fs.readFileSync(new URL(`${name}${path.extname(import.meta.url)}`, import.meta.url));

async function stateKey(provider: JsonRpcProvider): Promise<string> {
  const hash = createHash('sha256').update(`${ANVIL}\0${POCO}\0${String(await provider.send('eth_chainId', []))}\0`);
  for (const file of ['./poco/deploy', './network']) hash.update(source(file));
  return hash.digest('hex').slice(0, 16);
}

export async function deployedChain(cache: string, provider: JsonRpcProvider, deploy: () => Promise<Deployed>): Promise<Deployed> {
  const file = path.join(cache, `chain-state-${await stateKey(provider)}.json`);
  if (fs.existsSync(file)) {
    try {
      const { state, ...addresses } = JSON.parse(fs.readFileSync(file, 'utf8')) as Deployed & { state: string };
      await provider.send('anvil_loadState', [state]);
      if ((await provider.getCode(addresses.hub)) !== '0x' && (await provider.getCode(addresses.workerpool)) !== '0x') return addresses;
    } catch {
      // A damaged file: deploy afresh, which replaces it.
    }
    fs.rmSync(file, { force: true });
    throw new Failure(`the cached chain ${file} did not load, so it is deleted: start again to deploy PoCo afresh`);
  }
  const addresses = await deploy();
  const state: string = await provider.send('anvil_dumpState', []);
  for (const old of fs.readdirSync(cache).filter((name) => name.startsWith('chain-state-'))) fs.rmSync(path.join(cache, old));
  // Written beside, then renamed: a start reading it meanwhile never sees half of one.
  fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify({ ...addresses, state }));
  fs.renameSync(`${file}.${process.pid}`, file);
  return addresses;
}
