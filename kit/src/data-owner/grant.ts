/*
 * grant-access: the dataset order DataProtector's grantAccess publishes (dataprotector-sdk packages/sdk/src/
 * lib/dataProtectorCore/grantAccess.ts at 88cd845f), signed and published with the module's iexec CLI
 * (`order sign --dataset`, `order publish --dataset`): restricted to one app and to one requester (or any),
 * tagged `tee` (SDK 9 adds the TDX bits to every order it signs), free and for one access unless told;
 * with bulk, free and of DATASET_INFINITE_VOLUME, as bulk processing asks. Like grantAccess it refuses the
 * zero address as the app (any app) and a second grant to the same app and requester, found on the market
 * (getGrantedAccess: isAppStrict, isRequesterStrict).
 */
import { ZeroAddress, getAddress, toBeHex } from 'ethers';
import { localEntry } from '../chain/config.js';
import { DATASET_INFINITE_VOLUME } from '../chain/services/market/kinds.js';
import { Failure } from '../iexec/failure.js';
import { LOCAL, walletArgs, type WalletValues } from './options.js';
import { SdkWorkspace } from './sdk-workspace.js';

export interface GrantRequest {
  dataset: string;
  app: string;
  /** A requester address, or `any`. */
  user: string;
  price: number;
  volume: number;
  bulk: boolean;
  chain: string;
  wallet: WalletValues;
}

/** DataProtector's TEE_TAG, ['tee']. */
const TEE_TAG = toBeHex(0x1, 32);

function address(value: string, option: string): string {
  try {
    return getAddress(value.toLowerCase());
  } catch {
    throw new Failure(`${option} must be an address (0x and 40 hex digits), got '${value}'`);
  }
}

/** The grant as a dataset order template, checked as grantAccess checks its parameters. */
export function datasetOrder(request: GrantRequest) {
  const app = address(request.app, '--app');
  if (app === ZeroAddress) throw new Failure(`Forbidden to use ${ZeroAddress} as --app, this would give access to any app`);
  const requester = request.user === 'any' ? ZeroAddress : address(request.user, '--user');
  if (request.bulk && request.price !== 0) throw new Failure('--bulk requires --price 0: bulk processing takes free dataset orders only');
  if (request.bulk && request.volume !== 1 && request.volume !== DATASET_INFINITE_VOLUME)
    throw new Failure(`--bulk gives ${DATASET_INFINITE_VOLUME} accesses (bulk processing asks that volume): leave --volume out`);
  return {
    dataset: address(request.dataset, 'the protected data'),
    datasetprice: String(request.price),
    volume: String(request.bulk ? DATASET_INFINITE_VOLUME : request.volume),
    tag: TEE_TAG,
    apprestrict: app,
    workerpoolrestrict: ZeroAddress,
    requesterrestrict: requester,
  };
}

/** getGrantedAccess with isUserStrict: an open dataset order for exactly this app and requester. */
async function alreadyGranted(root: string, order: ReturnType<typeof datasetOrder>, bulk: boolean): Promise<boolean> {
  const market = localEntry(root).services.iexecGateway?.url;
  if (!market) return false;
  const query = new URLSearchParams({
    chainId: localEntry(root).id,
    dataset: order.dataset,
    app: order.apprestrict,
    isAppStrict: 'true',
    requester: order.requesterrestrict === ZeroAddress ? 'any' : order.requesterrestrict,
    isRequesterStrict: 'true',
    bulkOnly: String(bulk),
  });
  const url = new URL(`/datasetorders?${query}`, market).href;
  const reply = await fetch(url, { signal: AbortSignal.timeout(30_000) }).catch((error: Error) => {
    throw new Failure(`cannot reach the local market at ${market} (${error.message}): is npm run chain:local running?`);
  });
  const body = (await reply.json()) as { ok?: boolean; count?: number; error?: string };
  if (!body.ok) throw new Failure(`the local market refused GET ${url}: ${body.error ?? reply.status}`);
  return (body.count ?? 0) > 0;
}

export async function grantAccess(root: string, request: GrantRequest): Promise<ReturnType<typeof datasetOrder>> {
  const order = datasetOrder(request);
  if (request.chain === LOCAL && (await alreadyGranted(root, order, request.bulk))) {
    throw new Failure(
      `An access has been already granted to the user: ${request.user === 'any' ? ZeroAddress : order.requesterrestrict} with the app: ${order.apprestrict}`,
    );
  }
  const workspace = new SdkWorkspace(root, { order: { datasetorder: order } });
  const wallet = walletArgs(root, request.wallet);
  try {
    await workspace.run('signing the dataset order', ['order', 'sign', '--dataset', '--chain', request.chain, ...wallet], request.chain);
    await workspace.run(
      'publishing the dataset order',
      ['order', 'publish', '--dataset', '--chain', request.chain, '--force', ...wallet],
      request.chain,
    );
  } finally {
    workspace.remove();
  }
  return order;
}
