/*
 * What the SMS puts in a TEE task's session (iexec-sms SecretSessionBaseService, e4a3fd72): the requester
 * secrets the deal maps (one the SMS lacks is left out, not an error: getApplicationComputeSecrets), the
 * app developer secret, the dataset key (missing: the session fails, PRE_COMPUTE_GET_DATASET_SECRET_FAILED)
 * and, when the deal asks for encrypted results, the beneficiary's public key (missing: the session fails,
 * POST_COMPUTE_GET_ENCRYPTION_TOKENS_FAILED_EMPTY_BENEFICIARY_KEY). The worker reports a failed session as
 * START_FAILED with TEE_SESSION_GENERATION_<error> (iexec-worker TaskManagerService.start).
 */
import { ZeroAddress } from 'ethers';
import { WEB2_SECRET, requesterKey, web2Key, type Secrets } from '../state.js';
import type { StepError } from './dataset.js';
import type { Deal } from './hub-calls.js';

export interface TeeSession {
  requesterSecrets: Record<string, string>;
  appSecret?: string;
  datasetKey?: string;
  /** The beneficiary's RSA public key, PEM, when the deal asks for encrypted results. */
  resultEncryptionKey?: string;
  /** Requester secrets the deal names that the SMS does not have: the app just lacks their variables. */
  missingSecrets: string[];
}

export interface DealParams {
  iexec_args?: string;
  iexec_input_files?: string[];
  iexec_secrets?: Record<string, string>;
  iexec_result_encryption?: boolean;
  iexec_result_storage_provider?: string;
  bulk_cid?: string;
}

export function teeSession(deal: Deal, params: DealParams, secrets: Secrets): { session: TeeSession } | { error: StepError } {
  const requesterSecrets: Record<string, string> = {};
  const missingSecrets: string[] = [];
  for (const [index, name] of Object.entries(params.iexec_secrets ?? {})) {
    const value = secrets.requester.get(requesterKey(deal.requester, name));
    if (value === undefined) missingSecrets.push(`${index}=${name}`);
    else requesterSecrets[index] = value;
  }
  let datasetKey: string | undefined;
  if (deal.dataset !== ZeroAddress) {
    datasetKey = secrets.web3.get(deal.dataset.toLowerCase());
    if (datasetKey === undefined) {
      return {
        error: {
          cause: 'TEE_SESSION_GENERATION_PRE_COMPUTE_GET_DATASET_SECRET_FAILED',
          message: `the SMS has no key for the dataset ${deal.dataset}: its owner pushes it with iexec dataset push-secret`,
        },
      };
    }
  }
  let resultEncryptionKey: string | undefined;
  if (params.iexec_result_encryption === true) {
    // The SDK pushes the PEM base64-encoded, and the post-compute decodes it (web2_result.rs).
    const pushed = secrets.web2.get(web2Key(deal.beneficiary, WEB2_SECRET.resultEncryptionKey));
    if (!pushed) {
      return {
        error: {
          cause: 'TEE_SESSION_GENERATION_POST_COMPUTE_GET_ENCRYPTION_TOKENS_FAILED_EMPTY_BENEFICIARY_KEY',
          message: `the deal asks for encrypted results and the SMS has no encryption key of the beneficiary ${deal.beneficiary}: iexec result push-encryption-key`,
        },
      };
    }
    resultEncryptionKey = Buffer.from(pushed, 'base64').toString('utf8');
  }
  const appSecret = secrets.app.get(deal.app.toLowerCase());
  return { session: { requesterSecrets, ...(appSecret !== undefined && { appSecret }), datasetKey, resultEncryptionKey, missingSecrets } };
}
