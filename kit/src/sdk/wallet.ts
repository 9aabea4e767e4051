/*
 * The requester's wallet, found where the module's CLI finds it (iexec/wallet.ts follows the SDK's
 * Keystore) and unlocked without a prompt. The SDK's CLI takes a wallet password from `--password` only
 * (iexec 8.24.0 and 9.0.1 cli/utils/cli-helper.js addWalletLoadOptions, computeWalletLoadOptions) and
 * otherwise asks for it; the kit adds the environment variable IEXEC_WALLET_PASSWORD and a file
 * (--password-file), which stay out of the shell history and the process list. Decryption is the
 * SDK's own call: ethers' Wallet.fromEncryptedJson on the keystore file (cli/utils/keystore.js decrypt).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Wallet } from 'ethers';
import { Failure } from '../iexec/failure.js';
import { readWalletAddress, walletFile, type WalletOptions } from '../iexec/wallet.js';

export const PASSWORD_ENV = 'IEXEC_WALLET_PASSWORD';

export interface PasswordOptions {
  password?: string | undefined;
  passwordFile?: string | undefined;
}

/** The password and where it came from, or undefined when none was given. */
export function walletPassword(
  root: string,
  options: PasswordOptions,
  env: NodeJS.ProcessEnv = process.env,
): { password: string; from: string } | undefined {
  if (options.password !== undefined) return { password: options.password, from: '--password' };
  if (options.passwordFile !== undefined) {
    const file = path.resolve(root, options.passwordFile);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new Failure(
        `--password-file ${options.passwordFile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      );
    }
    // A file written by `echo` ends with a newline that is not part of the password.
    return { password: text.replace(/\r?\n$/, ''), from: `--password-file ${options.passwordFile}` };
  }
  const fromEnv = env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { password: fromEnv, from: `$${PASSWORD_ENV}` };
  return undefined;
}

export interface FoundWallet {
  file: string;
  address: string;
  /** A keystore (v3, encrypted) file, as opposed to the CLI's unencrypted wallet.json. */
  encrypted: boolean;
}

export function findWallet(root: string, options: WalletOptions): FoundWallet | undefined {
  const file = walletFile(root, options);
  const address = readWalletAddress(file);
  if (!address) return undefined;
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { file, address, encrypted: typeof json.privateKey !== 'string' };
}

/** The wallet's private key; throws a Failure naming the file when the password does not open it. */
export async function unlockWallet(wallet: FoundWallet, password: string | undefined): Promise<string> {
  const json = fs.readFileSync(wallet.file, 'utf8');
  if (!wallet.encrypted) return new Wallet(JSON.parse(json).privateKey).privateKey;
  if (password === undefined) throw new Failure(`${wallet.file} is encrypted and no password was given`);
  try {
    return (await Wallet.fromEncryptedJson(json, password)).privateKey;
  } catch (error) {
    throw new Failure(
      `the password does not open ${wallet.file} (${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message})`,
    );
  }
}
