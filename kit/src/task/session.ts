/*
 * What `iexec-module task` reads with: the module's SDK on the chosen chain, unsigned for the public
 * reads, and signed with the requester's wallet for the two calls that need it (the app's logs, which
 * the workerpool API gives the deal's requester only, and the claim). The wallet opens with the password
 * given (--password, IEXEC_WALLET_PASSWORD, --password-file); a claim may also ask for it at a terminal.
 */
import { teeFramework } from '../iexec/module.js';
import type { WalletOptions } from '../iexec/wallet.js';
import { chainTarget, type ChainTarget } from '../sdk/chain.js';
import { SdkReads } from '../sdk/on-sdk.js';
import { loadSdk, type Sdk } from '../sdk/package.js';
import type { ChainReads, ComputeLogs, OnChainDeal } from '../sdk/reads.js';
import { findWallet, PASSWORD_ENV, unlockWallet, walletPassword, type FoundWallet, type PasswordOptions } from '../sdk/wallet.js';
import { canPrompt, promptHidden } from './prompt.js';

export interface TaskSession {
  root: string;
  target: ChainTarget;
  reads: ChainReads;
  wallet?: FoundWallet;
  /** The requester's signing reads; `prompt` lets a terminal be asked for the password. */
  signed(prompt: boolean): Promise<ChainReads>;
  /** The app's logs, for the view: they need the deal's requester's wallet. */
  logs(taskid: string, deal: OnChainDeal | undefined): Promise<ComputeLogs[]>;
  close(): void;
}

export interface SessionOptions {
  chain?: string | undefined;
  wallet: WalletOptions;
  password: PasswordOptions;
}

export async function taskSession(
  root: string,
  options: SessionOptions,
  given?: { reads: ChainReads; signed?: ChainReads; sdk?: Sdk },
): Promise<TaskSession> {
  const target = chainTarget(root, options.chain);
  const framework = teeFramework(root);
  const closers: Array<() => void> = [];
  const sdk = given ? undefined : await loadSdk(root);
  const open = (privateKey?: string) => {
    const reads = new SdkReads({ target, sdk: sdk!, teeFramework: framework, ...(privateKey && { privateKey }) });
    closers.push(() => reads.close());
    return reads;
  };
  const reads = given?.reads ?? open();
  const wallet = findWallet(root, options.wallet);
  const password = walletPassword(root, options.password);
  let signed: ChainReads | undefined = given?.signed;
  const session: TaskSession = {
    root,
    target,
    reads,
    ...(wallet && { wallet }),
    async signed(prompt) {
      if (signed) return signed;
      if (!wallet)
        throw new Error(
          'no wallet found where the iexec CLI looks (./wallet.json, then the keystore): pass --keystoredir, --wallet-file or --wallet-address',
        );
      let secret = password?.password;
      if (wallet.encrypted && secret === undefined) {
        if (!prompt || !canPrompt())
          throw new Error(`${wallet.file} is encrypted: give its password with ${PASSWORD_ENV}=… or --password-file <file>`);
        secret = await promptHidden(`Password of ${wallet.file}: `);
      }
      signed = open(await unlockWallet(wallet, secret));
      return signed;
    },
    async logs(taskid, deal) {
      if (!deal) throw new Error('no deal yet, so no logs');
      if (!wallet) throw new Error(`the workerpool API gives them to the requester ${deal.requester} only, and no wallet is found here`);
      if (wallet.address.toLowerCase() !== deal.requester.toLowerCase())
        throw new Error(`the workerpool API gives them to the requester ${deal.requester} only, not to your wallet ${wallet.address}`);
      return (await session.signed(false)).logs(taskid);
    },
    close: () => closers.forEach((close) => close()),
  };
  return session;
}
