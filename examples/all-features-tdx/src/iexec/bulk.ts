import { openProtectedData, type ProtectedData } from './protected-data.js';

/**
 * The protected data of a bulk slice: IEXEC_BULK_SLICE_SIZE of them, the i-th decrypted into IEXEC_IN
 * as IEXEC_DATASET_<i>_FILENAME. Each is opened on its first value, so one bad protected data fails
 * only the values read from it.
 */
export function readBulkSlice(env: NodeJS.ProcessEnv, inDir: string): ProtectedData[] {
  const size = env.IEXEC_BULK_SLICE_SIZE || '0';
  if (!/^\d+$/.test(size)) {
    throw new Error(`IEXEC_BULK_SLICE_SIZE is ${JSON.stringify(size)}, not a number of protected data`);
  }
  return Array.from({ length: Number(size) }, (_, i) => {
    const index = i + 1;
    const fileName = env[`IEXEC_DATASET_${index}_FILENAME`];
    if (!fileName) throw new Error(`bulk protected data ${index} of ${size}: IEXEC_DATASET_${index}_FILENAME is not set`);
    return openProtectedData(inDir, fileName, `bulk protected data ${index} (${fileName})`);
  });
}
