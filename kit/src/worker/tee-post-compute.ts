// The TEE post-compute enclave, tee-worker-compute-rust post-compute 0.3.0 (cc401b8):
// app_runner.rs run_post_compute reads computed.json, builds the result digest, signs it, then, in a
// deal without callback, checks the result file names and zips and uploads IEXEC_OUT
// (web2_result.rs encrypt_and_upload_result). Any error there leaves the worker without a computed
// file to contribute, so the task never completes.
import { MAX_RESULT_NAME } from './limits.js';
import { entriesBelow, hexBytes, outputContent, outputPath, readComputed } from './result-files.js';
import { POCO_NO_CALLBACK } from './standard-post-compute.js';
import type { Task } from './task.js';
import type { Checks, Verdict } from './verdict.js';

const NEVER = 'so the task never completes';

/** The web3 digest: keccak256 of callback-data, which must be non-empty hex (result_utils.rs compute_web3_result_digest). */
function web3Digest(task: Task, data: string | undefined, checks: Checks): Verdict | undefined {
  if (data === undefined || data === '') {
    if (!task.appRan)
      return checks.fail(
        `the worker's error result has no callback-data: in a callback deal the post-compute cannot compute a digest (POST_COMPUTE_RESULT_DIGEST_COMPUTATION_FAILED), ${NEVER}`,
      );
    return checks.fail(
      `callback-data is ${JSON.stringify(data ?? null)}: in a deal with a callback the worker cannot compute the result digest without hex bytes (POST_COMPUTE_RESULT_DIGEST_COMPUTATION_FAILED). The app writes them only when the task args hold --callback: pass --args "--callback …" with --callback <contract>`,
    );
  }
  const bytes = hexBytes(data);
  // hash_utils.rs hex_string_to_byte_array panics on a digit that is not hex: the enclave dies.
  if (bytes === undefined)
    return checks.fail(
      `callback-data is ${JSON.stringify(data)}, not hex: the TEE post-compute panics on it (hash_utils.rs hex_string_to_byte_array), ${NEVER}`,
    );
  checks.pass(`callback-data holds ${bytes} bytes for the callback contract`);
  return undefined;
}

/** The web2 digest of the deterministic output (result_utils.rs compute_web2_result_digest, get_file_tree_sha256). */
function web2Digest(task: Task, path: string | undefined, checks: Checks): Verdict | undefined {
  if (!path)
    return checks.fail(
      `computed.json has no "deterministic-output-path": the post-compute has nothing to hash (POST_COMPUTE_RESULT_DIGEST_COMPUTATION_FAILED), ${NEVER}`,
    );
  const output = outputPath(task, path);
  if ('problem' in output)
    return checks.fail(`${output.problem}: the post-compute has nothing to hash (POST_COMPUTE_RESULT_DIGEST_COMPUTATION_FAILED), ${NEVER}`);
  const content = outputContent(output.hostPath);
  if (content === 'empty file' || content === 'empty folder') {
    return checks.fail(
      `deterministic-output-path ${path} is an ${content}: the TEE post-compute cannot compute a digest of nothing (POST_COMPUTE_RESULT_DIGEST_COMPUTATION_FAILED), ${NEVER}`,
    );
  }
  checks.pass(`deterministic-output-path ${output.inside} exists under IEXEC_OUT`);
  if (content === 'hollow folder') {
    checks.warn(
      `deterministic-output-path ${output.inside} holds only folders or empty files, which the TEE post-compute hashes to nothing: the digest is keccak256 of nothing, the same for every such result`,
    );
  }
  return undefined;
}

/** The TEE post-compute on task.outDir; undefined when the task completes. */
export function teePostCompute(task: Task, checks: Checks): Verdict | undefined {
  const read = readComputed(task.outDir, 'tee');
  if ('problem' in read)
    return checks.fail(`${read.problem}: the TEE post-compute cannot read it (POST_COMPUTE_COMPUTED_FILE_NOT_FOUND), ${NEVER}`);
  checks.pass('computed.json is a JSON object');
  const { fields } = read;
  // computed_file.rs build_result_digest_in_computed_file replaces whatever the app wrote.
  if (fields['result-digest'])
    checks.warn(
      'computed.json holds its own "result-digest": the TEE post-compute ignores it and hashes the result; a standard worker would contribute it as it is',
    );
  if (task.callback) return web3Digest(task, fields['callback-data'], checks);
  const failed = web2Digest(task, fields['deterministic-output-path'], checks);
  if (failed) return failed;

  // web2_result.rs check_result_files_name (Rust's str::len: bytes), then add_directory_to_zip: files
  // only, links left out, as WalkDir does not follow them.
  const entries = entriesBelow(task.outDir);
  const tooLong = entries
    .filter((entry) => entry.kind === 'file' && Buffer.byteLength(entry.name, 'utf8') > MAX_RESULT_NAME)
    .map((entry) => entry.path);
  if (tooLong.length > 0) {
    return checks.fail(
      `result file names over ${MAX_RESULT_NAME} bytes of UTF-8 fail the TEE post-compute (PostComputeTooLongResultFileName): ${tooLong.join(', ')}`,
    );
  }
  checks.pass(`every result file name has at most ${MAX_RESULT_NAME} bytes`);
  for (const link of entries.filter((entry) => entry.kind === 'link')) {
    checks.warn(
      `${link.path} is a symbolic link: the TEE post-compute leaves it out of the result zip (web2_result.rs add_directory_to_zip), so the requester does not get it`,
    );
  }
  // The worker hands callback-data on to contributeAndFinalize whatever the deal (TaskManagerService).
  const data = fields['callback-data'];
  if (data !== undefined && hexBytes(data) !== 0) return checks.fail(POCO_NO_CALLBACK);
  return undefined;
}
