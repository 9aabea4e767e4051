import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { IExecDataProtectorDeserializer } from '@iexec/dataprotector-deserializer';

/** A protected data (a dataset made with @iexec/dataprotector) that the worker decrypted into IEXEC_IN. */
export interface ProtectedData {
  /** The dataset's address: the worker names the decrypted file after it. */
  address: string;
  path: string;
  /**
   * One value, by its path in the protected object (`email`, `nested.key`) and its schema: `string`,
   * `bool`, `f64`, `i128`, or anything else (a MIME type) for raw bytes. Throws an error naming the
   * protected data when the file is missing, is not a protected data, or lacks the value.
   */
  getValue: IExecDataProtectorDeserializer['getValue'];
}

/** A task without a dataset may still carry the deal's empty dataset field: the zero address. */
const NO_DATASET = /^(0x0{40})?$/i;

export function openProtectedData(inDir: string, fileName: string, label: string): ProtectedData {
  if (basename(fileName) !== fileName) throw new Error(`${label}: ${JSON.stringify(fileName)} is not a file name`);
  const path = join(inDir, fileName);
  let deserializer: IExecDataProtectorDeserializer | undefined;
  return {
    address: fileName,
    path,
    async getValue<T extends string>(key: string, schema: T) {
      if (!statSync(path, { throwIfNoEntry: false })?.isFile()) {
        throw new Error(`${label}: no decrypted file ${fileName} in ${inDir}`);
      }
      deserializer ??= new IExecDataProtectorDeserializer({ protectedDataPath: path });
      try {
        return await deserializer.getValue(key, schema);
      } catch (error) {
        // The deserializer's messages never hold the data itself, so they can go in the result.
        throw new Error(`${label}: ${(error as Error).message}`);
      }
    },
  };
}

/** The task's protected data (IEXEC_DATASET_FILENAME), or undefined when the request names none. */
export function readProtectedData(env: NodeJS.ProcessEnv, inDir: string): ProtectedData | undefined {
  const fileName = env.IEXEC_DATASET_FILENAME ?? '';
  return NO_DATASET.test(fileName) ? undefined : openProtectedData(inDir, fileName, `protected data ${fileName}`);
}
