/*
 * A bulk task's protected data, as the SMS and the pre-compute give them (iexec-sms e4a3fd72
 * SecretSessionBaseService.fetchDatasetOrders, getBulkDatasetTokens, getAppTokens): the deal's bulk_cid
 * names on IPFS a JSON list of slice CIDs, the task's index picks its slice, a JSON list of signed dataset
 * orders (what the SDK's prepareDatasetBulk and DataProtector's prepareBulkRequest upload). Each order must
 * fit the deal as PoCo's assertDatasetDealCompatibility says (signature, app, workerpool and requester
 * restrictions, tag) and be a bulk order (volume at least 2^53 - 2); the pre-compute then downloads,
 * checks and decrypts each with its key from the SMS (dataset.ts), named after the dataset's address.
 * A dataset the SMS refuses, or the pre-compute cannot fetch, is logged and left out; the others go on.
 * One difference: the app here gets only the files that made it (IEXEC_BULK_SLICE_SIZE counts them), where
 * a real one also gets IEXEC_DATASET_<i>_FILENAME for a dataset whose file is missing.
 */
import { fetchDataset, type DatasetSources, type StepError } from './dataset.js';
import type { DeployedDataset } from './hub-calls.js';

/** iexec-sms BULK_DATASET_VOLUME: 2^53 - 2, the SDK's DATASET_INFINITE_VOLUME less one, accepted as bulk. */
const BULK_DATASET_VOLUME = 2n ** 53n - 2n;

export interface BulkChain {
  dataset(address: string): Promise<DeployedDataset>;
  /** PoCo's assertDatasetDealCompatibility(order, dealid): why it reverts, or undefined when the order fits. */
  incompatibility(order: Record<string, unknown>, dealid: string): Promise<string | undefined>;
  /** The dataset's key in the SMS. */
  key(address: string): string | undefined;
}

export interface BulkSlice {
  files: string[];
  errors: StepError[];
}

function readJson(sources: DatasetSources, cid: string, what: string): unknown {
  const bytes = sources.fromIpfs(cid);
  if (!bytes) throw new Error(`no IPFS gateway the local network reaches has the ${what} ${cid}`);
  return JSON.parse(bytes.toString('utf8'));
}

export async function fetchBulkSlice(
  bulkCid: string,
  taskIndex: number,
  dealid: string,
  chain: BulkChain,
  options: { dir: string; sources: DatasetSources },
): Promise<BulkSlice> {
  let orders: Array<Record<string, unknown>>;
  try {
    const slices = readJson(options.sources, bulkCid, 'bulk') as string[];
    orders = readJson(options.sources, String(slices[taskIndex]), `slice ${taskIndex} of the bulk`) as Array<Record<string, unknown>>;
    if (!Array.isArray(orders)) throw new Error(`slice ${taskIndex} of the bulk ${bulkCid} is not a list of dataset orders`);
  } catch (error) {
    // The SMS answers an unreadable bulk with an empty slice (fetchDatasetOrders).
    return {
      files: [],
      errors: [
        { cause: 'PRE_COMPUTE_DATASET_DOWNLOAD_FAILED', message: `bulk ${bulkCid}: ${(error as Error).message}; the slice is empty` },
      ],
    };
  }
  const slice: BulkSlice = { files: [], errors: [] };
  for (const order of orders) {
    const address = String(order.dataset);
    const refused =
      BigInt(String(order.volume ?? 0)) < BULK_DATASET_VOLUME
        ? `its order's volume ${order.volume} is not a bulk volume`
        : await chain.incompatibility(order, dealid);
    if (refused) {
      slice.errors.push({
        cause: 'PRE_COMPUTE_DATASET_DOWNLOAD_FAILED',
        message: `the SMS gives no key for the bulk dataset ${address}: ${refused}`,
      });
      continue;
    }
    const fetched = await fetchDataset(address, await chain.dataset(address), {
      tee: true,
      key: chain.key(address),
      dir: options.dir,
      sources: options.sources,
    });
    if ('error' in fetched) slice.errors.push(fetched.error);
    else slice.files.push(fetched.file);
  }
  return slice;
}
