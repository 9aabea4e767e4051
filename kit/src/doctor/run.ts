/*
 * The checklist, in the order a run meets its conditions: the chain, the workerpool, the wallet, the
 * services, each app and its image, the app secret, the workerpool orders, the stake, the protected
 * data. Reads only: nothing here sends a transaction or pushes anything.
 */
import { teeFramework, type ProfileName } from '../iexec/module.js';
import type { WalletOptions } from '../iexec/wallet.js';
import { WORKERPOOLS } from '../platform.js';
import { chainTarget } from '../sdk/chain.js';
import { bounded } from '../sdk/bounded.js';
import { SdkReads } from '../sdk/on-sdk.js';
import { loadSdk } from '../sdk/package.js';
import type { ChainReads } from '../sdk/reads.js';
import { walletPassword, type PasswordOptions } from '../sdk/wallet.js';
import { checkApp } from './app.js';
import { checkAppSecrets } from './app-secret.js';
import { checkChain } from './chain.js';
import { fail, reason, skipped, type CheckLine } from './check.js';
import { appProfile, doctorAgain, readFeatures, type DoctorContext } from './context.js';
import { checkDataset } from './dataset.js';
import { checkImages } from './image.js';
import { checkServices } from './services.js';
import { checkStake } from './stake.js';
import { checkWallet } from './wallet.js';
import { checkOrders, checkWorkerpool } from './workerpool.js';

export interface DoctorOptions {
  chain?: string | undefined;
  profiles: ProfileName[];
  workerpool?: string | undefined;
  dataset?: string | undefined;
  wallet: WalletOptions;
  password: PasswordOptions;
}

/** The context for a module root; `reads` is given by tests, else the module's own SDK answers. */
export async function doctorContext(root: string, options: DoctorOptions, reads?: ChainReads): Promise<DoctorContext & { close(): void }> {
  const target = chainTarget(root, options.chain);
  const framework = teeFramework(root);
  let close = () => {};
  if (!reads) {
    const onChain = new SdkReads({ target, sdk: await loadSdk(root), teeFramework: framework });
    close = () => onChain.close();
    reads = onChain;
  }
  const pools = WORKERPOOLS[framework];
  const password = walletPassword(root, options.password);
  return {
    root,
    target,
    reads,
    framework,
    features: readFeatures(root),
    apps: options.profiles.map((profile) => appProfile(root, profile, framework)),
    walletOptions: options.wallet,
    ...(password && { password }),
    workerpool: options.workerpool ?? (Object.hasOwn(pools, target.name) ? pools[target.name] : undefined),
    ...(options.dataset && { dataset: options.dataset }),
    deployed: new Map(),
    orders: new Map(),
    close,
  };
}

/** A check that throws (a service that fails mid-way, a file the kit cannot read) gives its ✖ line, not a crash. */
async function guarded(ctx: DoctorContext, id: string, check: () => Promise<CheckLine[]>): Promise<CheckLine[]> {
  try {
    return await bounded(check(), 'the reads of this check');
  } catch (error) {
    return [fail(id, `cannot check: ${reason(error)}`, `fix what the message says, then ${doctorAgain(ctx)}`)];
  }
}

export async function runChecks(ctx: DoctorContext): Promise<CheckLine[]> {
  const lines = await guarded(ctx, 'chain', () => checkChain(ctx));
  if (ctx.chainId === undefined) return [...lines, skipped('everything else', `the chain ${ctx.target.name} does not answer`)];
  lines.push(...(await guarded(ctx, 'workerpool', () => checkWorkerpool(ctx))));
  lines.push(...(await guarded(ctx, 'wallet', () => checkWallet(ctx))));
  lines.push(...(await guarded(ctx, 'services', () => checkServices(ctx))));
  for (const app of ctx.apps) lines.push(...(await guarded(ctx, `app:${app.profile}`, () => checkApp(ctx, app))));
  lines.push(...(await guarded(ctx, 'image', () => checkImages(ctx))));
  lines.push(...(await guarded(ctx, 'app-secret', () => checkAppSecrets(ctx))));
  if (ctx.workerpoolAddress !== undefined) lines.push(...(await guarded(ctx, 'workerpool-order', () => checkOrders(ctx))));
  lines.push(...(await guarded(ctx, 'stake', () => checkStake(ctx))));
  lines.push(...(await guarded(ctx, 'dataset', () => checkDataset(ctx))));
  return lines;
}
