/*
 * The wallet app:run and deploy will sign with: found where the CLI looks (iexec/wallet.ts), opened with
 * the password given (never asked: sdk/wallet.ts), and holding gas for its transactions.
 */
import { FREE_GAS_CHAIN_IDS } from '../platform.js';
import { findWallet, PASSWORD_ENV, unlockWallet } from '../sdk/wallet.js';
import { fail, pass, reason, warn, type CheckLine } from './check.js';
import { npmRun, type DoctorContext } from './context.js';
import { formatEth } from './units.js';

export async function checkWallet(ctx: DoctorContext): Promise<CheckLine[]> {
  const wallet = findWallet(ctx.root, ctx.walletOptions);
  if (!wallet) {
    return [
      fail(
        'wallet',
        'no wallet found where the iexec CLI looks (./wallet.json, then the keystore)',
        'create one: npm run iexec -- standard wallet create',
      ),
    ];
  }
  ctx.wallet = wallet;
  const lines: CheckLine[] = [];
  if (!wallet.encrypted) {
    lines.push(pass('wallet', `wallet ${wallet.address} (${wallet.file}, unencrypted: no password needed)`));
    if (!ctx.target.local)
      lines.push(
        warn(
          'wallet-unencrypted',
          `${wallet.file} holds its private key in clear: keep it out of git and backups, or use an encrypted keystore (npm run iexec -- standard wallet create)`,
        ),
      );
  } else if (!ctx.password) {
    lines.push(
      warn(
        'wallet',
        `wallet ${wallet.address} (${wallet.file}) is encrypted and no password was given: deploy and app:run will ask for it`,
        `to check that it opens: ${PASSWORD_ENV}=… ${npmRun(ctx, 'doctor')}, or --password-file <file>`,
      ),
    );
  } else {
    try {
      await unlockWallet(wallet, ctx.password.password);
      lines.push(pass('wallet', `wallet ${wallet.address} (${wallet.file}) opens with the password from ${ctx.password.from}`));
    } catch (error) {
      lines.push(
        fail(
          'wallet',
          `${reason(error)}: the password from ${ctx.password.from} is not this wallet's`,
          `give the password of ${wallet.file} (${PASSWORD_ENV}, --password-file or --password), or pick another wallet with --wallet-file / --wallet-address`,
        ),
      );
    }
  }
  lines.push(await checkGas(ctx, wallet.address));
  return lines;
}

async function checkGas(ctx: DoctorContext, address: string): Promise<CheckLine> {
  const id = 'gas';
  if (FREE_GAS_CHAIN_IDS.includes(ctx.chainId!))
    return pass(id, `transactions on ${ctx.target.name} are free: the SDK sends them at gas price 0`);
  const { wei } = await ctx.reads.balances(address);
  if (wei > 0n) return pass(id, `${formatEth(wei)} for gas on ${ctx.target.name}`);
  const fix = ctx.target.local
    ? `the local network funds a wallet when it starts: stop it (Ctrl-C in its terminal) and start it again with npm run chain:local -- --fund ${address}`
    : `send ETH for gas to ${address} on ${ctx.target.name} (a faucet, on a testnet), then ${npmRun(ctx, 'doctor')}`;
  return fail(id, `${address} has no ETH on ${ctx.target.name}: it cannot pay the gas of deploy or app:run`, fix);
}
