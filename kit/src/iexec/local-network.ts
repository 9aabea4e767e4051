/*
 * What the iexec wrapper does for `--chain local`, the kit's own network (kit/src/chain): the CLI runs
 * with the network's clock, and an app deployed there is recorded with the module's bundle, which the
 * network's worker runs while the app has no published image.
 */
import path from 'node:path';
import { sdkClockImport } from '../chain/clock.js';
import { localEntry } from '../chain/config.js';
import { recordLocalApp } from '../chain/local-apps.js';
import { rpc } from '../chain/rpc.js';
import { PROFILES, type ProfileName, readJson } from './module.js';

export const LOCAL_CHAIN = 'local';

/** The Node options of a CLI run on the local network: its clock, once the network answers. */
export async function localCliOptions(root: string, chain: string | undefined): Promise<string[]> {
  const host = chain === LOCAL_CHAIN ? localHost(root) : undefined;
  if (host === undefined) return [];
  const offset = await rpc(host, 'evm_increaseTime', [0]).catch(() => undefined);
  // No network answers: the CLI says so itself when it connects.
  return offset === undefined ? [] : [sdkClockImport(host, Number(offset))];
}

/** The local network's node, if chain.json has a "local" entry it could serve (the CLI says what is wrong otherwise). */
function localHost(root: string): string | undefined {
  try {
    return localEntry(root).host;
  } catch {
    return undefined;
  }
}

/** After a deploy on the local network: the app's code is this module's bundle. */
export function recordLocalDeploy(root: string, profileName: ProfileName, chain: string | undefined): void {
  if (chain !== LOCAL_CHAIN) return;
  const entry = localEntry(root);
  const address = readJson(path.join(root, PROFILES[profileName]['deployed.json']))?.app?.[entry.id];
  if (typeof address !== 'string') return;
  recordLocalApp(entry.port, address, path.join(root, 'dist', 'app.cjs'));
}
