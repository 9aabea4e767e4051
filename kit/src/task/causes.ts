/*
 * What a replicate's cause means, in words (iexec-common ReplicateStatusCause, as iexec-worker reports
 * them and the workerpool API shows them: TaskController, ReplicateStatusUpdateModel). A cause not in
 * the table is shown as it is.
 */
const CAUSES: Record<string, string> = {
  DETERMINISM_HASH_NOT_FOUND:
    'the worker had no result digest to contribute: the post-compute rejected what the app left in /iexec_out (no computed.json, or one pointing at nothing; the app logs say more)',
  APP_IMAGE_DOWNLOAD_FAILED: "the worker could not pull the app's image (never pushed, private, or a wrong multiaddr)",
  CHAIN_RECEIPT_NOT_VALID:
    "PoCo refused the worker's transaction (callback-data in a deal without a callback contract is the usual reason)",
  TASK_DESCRIPTION_INVALID: 'the worker refused the deal (encrypted results asked of a task that is not TEE, for instance)',
  DATASET_FILE_DOWNLOAD_FAILED: 'the worker could not download the dataset',
  PRE_COMPUTE_DATASET_DOWNLOAD_FAILED: 'the pre-compute could not download the dataset',
  DATASET_FILE_BAD_CHECKSUM: "the dataset's bytes are not its checksum on chain",
  PRE_COMPUTE_INVALID_DATASET_CHECKSUM: "the dataset's bytes are not its checksum on chain",
  PRE_COMPUTE_DATASET_DECRYPTION_FAILED: 'the dataset does not decrypt with the key the SMS holds for it',
  INPUT_FILES_DOWNLOAD_FAILED: 'an input file could not be downloaded',
  PRE_COMPUTE_INPUT_FILE_DOWNLOAD_FAILED: 'an input file could not be downloaded',
  APP_COMPUTE_FAILED: 'the app failed (a non-zero exit or a timeout)',
  TEE_SESSION_GENERATION_PRE_COMPUTE_GET_DATASET_SECRET_FAILED: 'the SMS has no key for the dataset, so no TEE session could start',
  TEE_SESSION_GENERATION_POST_COMPUTE_GET_ENCRYPTION_TOKENS_FAILED_EMPTY_BENEFICIARY_KEY:
    'the deal asks for encrypted results and the SMS has no public key of the beneficiary',
};

export function causeText(cause: string): string {
  const words =
    CAUSES[cause] ??
    (cause.startsWith('TEE_SESSION_GENERATION_')
      ? `the SMS could not create the TEE session (${cause.slice('TEE_SESSION_GENERATION_'.length)})`
      : undefined);
  return words ? `${cause}: ${words}` : cause;
}
