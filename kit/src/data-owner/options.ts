/*
 * What the data owner's commands share: the chain they act on (the local network unless told otherwise,
 * since DataProtector is how a data owner works on a real one), and the wallet options passed on to the
 * iexec CLI that signs for them.
 */
import path from 'node:path';
import { Failure, reportFailure } from '../iexec/failure.js';
import { defaultChain } from '../iexec/module.js';
import type { WalletOptions } from '../iexec/wallet.js';

export const LOCAL = 'local';
export const REAL_CHAIN_FLAG = '--without-dataprotector';

export const WALLET_OPTIONS = ['keystoredir', 'wallet-file', 'wallet-address', 'password'] as const;
export type WalletValues = Partial<Record<(typeof WALLET_OPTIONS)[number], string>>;

/** What both commands take, for node:util parseArgs: the chain, the real-chain flag, help and the wallet options. */
export const commonParseOptions = {
  chain: { type: 'string' },
  'without-dataprotector': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  keystoredir: { type: 'string' },
  'wallet-file': { type: 'string' },
  'wallet-address': { type: 'string' },
  password: { type: 'string' },
} as const;

/** The chain to act on; a real chain only with the flag, since DataProtector is the tool there. */
export function chosenChain(root: string, given: string | undefined, allowReal: boolean | undefined, command: string): string {
  const chain = given ?? defaultChain(root);
  if (chain !== LOCAL && !allowReal) {
    throw new Failure(
      `${command} rehearses DataProtector on the local network (--chain ${LOCAL}); on ${chain}, protect and share data with DataProtector ` +
        `(npm @iexec/dataprotector: protectData, grantAccess; https://docs.iex.ec), or pass ${REAL_CHAIN_FLAG} to do it with this module's iexec CLI`,
    );
  }
  return chain;
}

/** The wallet options as the iexec CLI takes them, a keystore folder made absolute (the CLI runs elsewhere). */
export function walletArgs(root: string, values: WalletValues): string[] {
  return WALLET_OPTIONS.flatMap((name) => {
    let value = values[name];
    if (value === undefined) return [];
    if (name === 'keystoredir' && value !== 'global') value = value === 'local' ? root : path.resolve(root, value);
    return [`--${name}`, value];
  });
}

export const walletLookup = (values: WalletValues): WalletOptions => ({
  keystoredir: values.keystoredir,
  walletFile: values['wallet-file'],
  walletAddress: values['wallet-address'],
});

/** A Failure as every kit command prints it; parseArgs' own refusals are the user's to fix too. */
export function reportCommandFailure(error: unknown): number {
  if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
    return reportFailure(new Failure(`${(error as Error).message}; --help shows the options`));
  return reportFailure(error);
}
