/*
 * The address of the wallet the iexec CLI will sign with, found without unlocking it: keystore v3 files
 * and the CLI's unencrypted wallet.json both carry a public `address` field. The lookup follows the
 * iexec SDK's own (the same in 8.24.0 and 9.0.1: `Keystore` in its CLI), so the owner written into
 * iexec.json is the account that then sends the transaction:
 *   1. --wallet-file NAME            the file NAME in the keystore directory
 *   2. --wallet-address ADDRESS      the newest UTC--<date>--<address> file of that address there
 *   3. ./wallet.json                 (the CLI's `wallet create --unencrypted`)
 *   4. the newest UTC--<date>--<address> file in the keystore directory
 *   and when 3 or 4 find nothing, <keystore directory>/encrypted-wallet.json.
 * The keystore directory: --keystoredir PATH, `local` = the module root, `global` or none = the OS's
 * Ethereum keystore (~/.ethereum/keystore on Linux).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface WalletOptions {
  keystoredir?: string | undefined;
  walletFile?: string | undefined;
  walletAddress?: string | undefined;
}

const KEYSTORE_DIRS: Partial<Record<NodeJS.Platform, string>> = {
  linux: '.ethereum/keystore',
  darwin: 'Library/Ethereum/keystore',
  win32: 'AppData/Roaming/Ethereum/keystore',
};
const UNENCRYPTED_WALLET = 'wallet.json';
const ENCRYPTED_WALLET = 'encrypted-wallet.json';

/** The SDK's global keystore; on another OS it falls back to the home folder itself. */
export function globalKeystoreDir(): string {
  return path.join(os.homedir(), KEYSTORE_DIRS[process.platform] ?? '');
}

function keystoreDir(root: string, keystoredir: string | undefined): string {
  if (!keystoredir || keystoredir === 'global') return globalKeystoreDir();
  if (keystoredir === 'local') return root;
  return path.resolve(root, keystoredir);
}

/** The address field of a wallet file, 0x-prefixed, or undefined when the file holds none. */
export function readWalletAddress(file: string): string | undefined {
  try {
    const { address } = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof address !== 'string' || !/^(0x)?[0-9a-fA-F]{40}$/.test(address)) return undefined;
    return address.startsWith('0x') ? address : `0x${address}`;
  } catch {
    return undefined;
  }
}

/** Keystore files are named UTC--<ISO date>--<address>: the newest first, as the SDK sorts them. */
function keystoreFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const date = (name: string) => name.split('--')[1] ?? '';
  return names.filter((name) => name.split('--')[2]).sort((a, b) => (date(a) < date(b) ? 1 : date(a) > date(b) ? -1 : 0));
}

/** The file the iexec CLI will load its wallet from, run from `root` with these options (it may not exist). */
export function walletFile(root: string, options: WalletOptions = {}): string {
  const dir = keystoreDir(root, options.keystoredir);
  if (options.walletFile) return path.join(dir, options.walletFile);
  if (options.walletAddress) {
    const wanted = options.walletAddress.toLowerCase().replace(/^0x/, '');
    const match = keystoreFiles(dir).find((name) => name.split('--')[2]?.toLowerCase().replace(/^0x/, '') === wanted);
    return path.join(dir, match ?? `UTC--<date>--${wanted}`);
  }
  const unencrypted = path.join(root, UNENCRYPTED_WALLET);
  const newest = fs.existsSync(unencrypted) ? undefined : keystoreFiles(dir)[0];
  if (newest === undefined && readWalletAddress(unencrypted)) return unencrypted;
  return path.join(dir, newest ?? ENCRYPTED_WALLET);
}

/** The address the iexec CLI will use, run from `root` with these options; undefined if it finds none. */
export function walletAddress(root: string, options: WalletOptions = {}): string | undefined {
  return readWalletAddress(walletFile(root, options));
}

/** Every wallet the CLI may pick with no wallet option: ./wallet.json and all of the global keystore. */
export function defaultWalletAddresses(root: string): string[] {
  const dir = globalKeystoreDir();
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    // No keystore yet: only ./wallet.json can hold a wallet.
  }
  return [path.join(root, UNENCRYPTED_WALLET), ...names.map((name) => path.join(dir, name))].flatMap(
    (file) => readWalletAddress(file) ?? [],
  );
}
