// The standard worker's post-compute and what its contribution needs, iexec-worker 9.2.0 (Java):
// PostComputeService.runStandardPostCompute checks the names, zips IEXEC_OUT and copies computed.json
// out; ComputeManagerService.runPostCompute reads computed.json; the contribution then takes the
// result digest from ResultService.getComputedFile. Since 030f21c8 a post-compute error is only
// logged: the task fails when that digest cannot be had (DETERMINISM_HASH_NOT_FOUND), or on chain.
import { createRequire } from 'node:module';
import { MAX_RESULT_NAME } from './limits.js';
import { entriesBelow, hexBytes, outputContent, outputPath, readComputed, type ComputedFields } from './result-files.js';
import type { Task } from './task.js';
import type { Checks, Verdict } from './verdict.js';

const NEVER = 'the worker cannot contribute, so the task never completes';

/** PoCo's rule on callback-data in a deal without callback, shared with the TEE flow. */
export const POCO_NO_CALLBACK =
  'computed.json has callback-data but the deal has no callback contract: PoCo reverts finalize (IexecPoco2Facet requires an empty resultsCallback when deal.callback is the zero address), so the task never completes. Write callback-data only when the requester asked for it (--callback in the task args), or run this as a callback deal (--callback)';

/** The bytes web3j's Numeric.hexStringToByteArray makes of a hex string (an odd length takes its first digit alone). */
function hexToBytes(text: string): Buffer {
  const digits = text.startsWith('0x') ? text.slice(2) : text;
  return Buffer.from(digits.length % 2 === 0 ? digits : `0${digits}`, 'hex');
}

/** keccak256, from ethers (a dependency of the kit already), loaded only for the one rule that needs it. */
function keccak256(bytes: Buffer): string {
  const { keccak256: hash } = createRequire(import.meta.url)('ethers/crypto') as { keccak256: (data: Uint8Array) => string };
  return hash(bytes);
}

/**
 * A result-digest the app wrote is contributed as it is (ResultService.getComputedFile computes one
 * only when it is empty), and revealed as a bytes32 (web3j Bytes32); in a callback deal PoCo's finalize
 * also requires it to be keccak256 of the callback bytes (IexecPoco2Facet).
 */
function appDigest(task: Task, fields: ComputedFields, digest: string, checks: Checks): Verdict | undefined {
  if (hexBytes(digest) !== 32) {
    return checks.fail(
      `computed.json holds "result-digest": ${JSON.stringify(digest)}, which the standard worker contributes as it is (iexec-worker ResultService.getComputedFile) and cannot reveal: it is not 32 bytes of hex, so the task never completes`,
    );
  }
  if (task.callback) {
    const data = fields['callback-data'] ?? '';
    const expected = hexBytes(data) === undefined ? undefined : keccak256(hexToBytes(data));
    if (expected === undefined || hexToBytes(digest).toString('hex') !== expected.slice(2)) {
      return checks.fail(
        `computed.json holds "result-digest": ${digest}, which is not keccak256 of its callback-data: PoCo's finalize requires that in a callback deal (IexecPoco2Facet), so the task never completes`,
      );
    }
  }
  checks.warn(
    'computed.json holds its own "result-digest": the standard worker contributes it as it is, without hashing the result (iexec-worker ResultService.getComputedFile); the TEE post-compute ignores it and hashes the result',
  );
  return undefined;
}

/** A callback deal's digest is web3j Hash.sha3 of callback-data (iexec-common ResultUtils.computeWeb3ResultDigest). */
function web3Digest(task: Task, data: string | undefined, checks: Checks): Verdict | undefined {
  if (data === undefined || data === '') {
    if (!task.appRan)
      return checks.fail(
        `the worker's error result has no callback-data: in a callback deal it cannot compute a digest (ResultUtils.computeWeb3ResultDigest), so ${NEVER}`,
      );
    return checks.fail(
      `callback-data is ${JSON.stringify(data ?? null)}: in a deal with a callback the worker cannot compute the result digest without hex bytes (iexec-common ResultUtils.computeWeb3ResultDigest, DETERMINISM_HASH_NOT_FOUND). The app writes them only when the task args hold --callback: pass --args "--callback …" with --callback <contract>`,
    );
  }
  const bytes = hexBytes(data);
  if (bytes === undefined) {
    checks.warn(
      `callback-data is ${JSON.stringify(data)}, not hex: the standard worker turns it into other bytes without a word (web3j Numeric.hexStringToByteArray) and the callback contract gets those; the TEE post-compute refuses it`,
    );
  } else {
    checks.pass(`callback-data holds ${bytes} bytes for the callback contract`);
  }
  return undefined;
}

/** The standard worker's post-compute on task.outDir; undefined when the task completes. */
export function standardPostCompute(task: Task, checks: Checks): Verdict | undefined {
  const entries = entriesBelow(task.outDir);
  // PostComputeService.checkResultFilesName: walkFileTree's visitFile sees files and links, and Java's
  // String.length counts UTF-16 units; the TEE post-compute counts bytes, of files only.
  const tooLong = entries.filter((entry) => entry.kind !== 'folder' && entry.name.length > MAX_RESULT_NAME).map((entry) => entry.path);
  if (tooLong.length > 0) {
    return checks.fail(
      `result file names over ${MAX_RESULT_NAME} characters (UTF-16 units) fail the standard worker's post-compute (POST_COMPUTE_TOO_LONG_RESULT_FILE_NAME, iexec-worker PostComputeService.checkResultFilesName), so ${NEVER}: ${tooLong.join(', ')}`,
    );
  }
  checks.pass(`every result file name has at most ${MAX_RESULT_NAME} characters (the standard worker counts UTF-16 units)`);
  for (const link of entries.filter((entry) => entry.kind === 'link')) {
    checks.warn(
      `${link.path} is a symbolic link: the standard worker zips it as an empty entry (iexec-common FileHelper.zipFolder), so the requester gets nothing of what it points at`,
    );
  }

  const read = readComputed(task.outDir, 'standard');
  if ('problem' in read) {
    // A missing file fails the copy out of IEXEC_OUT, an unreadable one the read after it.
    const cause = read.problem.startsWith('the app wrote no')
      ? 'POST_COMPUTE_SEND_COMPUTED_FILE_FAILED'
      : 'POST_COMPUTE_COMPUTED_FILE_NOT_FOUND';
    return checks.fail(`${read.problem}: ${NEVER} (${cause}, then DETERMINISM_HASH_NOT_FOUND)`);
  }
  checks.pass('computed.json is a JSON object');
  const { fields } = read;
  const digest = fields['result-digest'];
  if (digest) return appDigest(task, fields, digest, checks);
  if (task.callback) return web3Digest(task, fields['callback-data'], checks);

  // iexec-common ResultUtils.computeWeb2ResultDigest: the output dir plus the path, hashed by
  // FileHashUtils.getFileTreeSha256, which hashes an empty file or folder too.
  const path = fields['deterministic-output-path'];
  if (!path)
    return checks.fail(
      `computed.json has no "deterministic-output-path": the worker has nothing to hash, so ${NEVER} (DETERMINISM_HASH_NOT_FOUND)`,
    );
  const output = outputPath(task, path);
  if ('problem' in output)
    return checks.fail(`${output.problem}: the worker has nothing to hash, so ${NEVER} (DETERMINISM_HASH_NOT_FOUND)`);
  checks.pass(`deterministic-output-path ${output.inside} exists under IEXEC_OUT`);
  const content = outputContent(output.hostPath);
  if (content === 'empty file' || content === 'empty folder') {
    checks.warn(
      `deterministic-output-path ${output.inside} is an ${content}: the standard worker hashes it all the same; the TEE post-compute refuses it`,
    );
  }
  // The scheduler finalizes with the callback-data the worker reports (iexec-core TaskUpdateManager), whatever the deal.
  const data = fields['callback-data'];
  if (data !== undefined && hexBytes(data) !== 0) return checks.fail(POCO_NO_CALLBACK);
  return undefined;
}
