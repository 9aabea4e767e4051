// What both post-computes read in IEXEC_OUT: computed.json, the deterministic output it points at,
// the callback bytes, and the folder's entries as a walk that does not follow links sees them.
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Flow } from './limits.js';
import type { Task } from './task.js';

/** The fields of iexec-common ComputedFile (Java) and tee-worker-post-compute computed_file.rs (Rust). */
const FIELDS = ['deterministic-output-path', 'callback-data', 'task-id', 'result-digest', 'enclave-signature', 'error-message'] as const;
export type ComputedFields = Partial<Record<(typeof FIELDS)[number], string>>;

/**
 * computed.json as the post-compute reads it, or why it cannot. Both ignore unknown fields. Rust's
 * serde wants each known field a string or null; Java's Jackson also turns a number or a boolean
 * into its text, but not an object or an array.
 */
export function readComputed(outDir: string, flow: Flow): { fields: ComputedFields } | { problem: string } {
  const path = join(outDir, 'computed.json');
  if (!existsSync(path)) return { problem: 'the app wrote no computed.json in IEXEC_OUT' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { problem: `computed.json is not valid JSON (${(error as Error).message})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: 'computed.json is not a JSON object' };
  const fields: ComputedFields = {};
  for (const name of FIELDS) {
    const value = (parsed as Record<string, unknown>)[name];
    if (value === undefined || value === null) continue;
    const scalar = typeof value === 'number' || typeof value === 'boolean';
    if (typeof value !== 'string' && !(flow === 'standard' && scalar)) {
      return { problem: `computed.json's "${name}" is ${JSON.stringify(value)}, not a string` };
    }
    fields[name] = String(value);
  }
  return { fields };
}

/**
 * How many bytes a hex string holds as both post-computes decode it: with or without 0x, an odd
 * length taking its first digit alone (web3j Numeric.hexStringToByteArray, Rust hash_utils.rs
 * hex_string_to_byte_array); undefined when it is not hex.
 */
export function hexBytes(text: string): number | undefined {
  const digits = text.startsWith('0x') ? text.slice(2) : text;
  return /^[0-9a-fA-F]*$/.test(digits) ? Math.ceil(digits.length / 2) : undefined;
}

/** Where deterministic-output-path lands in outDir, or why it does not. */
export function outputPath(
  task: Pick<Task, 'outDir' | 'env' | 'appRan'>,
  path: string,
): { hostPath: string; inside: string } | { problem: string } {
  // The app's path is under the IEXEC_OUT it saw (/iexec_out in a container, outDir here); the
  // worker's own error result names the container's path (ResultService.writeErrorToIexecOut).
  const appOutDir = task.appRan === false ? '/iexec_out' : (task.env.IEXEC_OUT ?? task.outDir);
  const inside = relative(appOutDir, path);
  if (!isAbsolute(path) || inside.startsWith('..') || isAbsolute(inside)) {
    const hint =
      appOutDir !== '/iexec_out' && path.startsWith('/iexec_out') ? ' (build the path from IEXEC_OUT, do not write /iexec_out)' : '';
    return { problem: `deterministic-output-path ${path} is outside IEXEC_OUT${hint}` };
  }
  const hostPath = join(task.outDir, inside);
  // Both post-computes follow links here (Java File.exists, Rust Path::exists).
  if (!existsSync(hostPath)) return { problem: `deterministic-output-path ${path} does not exist` };
  return { hostPath, inside: inside || '.' };
}

/** An entry of IEXEC_OUT, its path relative to it. */
export interface Entry {
  path: string;
  name: string;
  kind: 'file' | 'folder' | 'link' | 'other';
  size: number;
}

/** Every entry below `dir`, links not followed (Java walkFileTree and Rust WalkDir by default). */
export function entriesBelow(dir: string, base = dir): Entry[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((dirent) => {
    const full = join(dir, dirent.name);
    const entry: Entry = {
      path: relative(base, full),
      name: dirent.name,
      kind: dirent.isSymbolicLink() ? 'link' : dirent.isDirectory() ? 'folder' : dirent.isFile() ? 'file' : 'other',
      size: dirent.isFile() ? lstatSync(full).size : 0,
    };
    return entry.kind === 'folder' ? [entry, ...entriesBelow(full, base)] : [entry];
  });
}

/**
 * What the deterministic output gives to hash. Both post-computes hash a folder's direct entries only
 * (iexec-common FileHashUtils.getFileTreeSha256; tee-worker-post-compute result_utils.rs
 * get_file_tree_sha256): a sub-folder, or an entry that cannot be read, hashes to nothing, and the
 * Rust one also drops an empty file. `hollow`: a folder none of whose entries the Rust one hashes.
 */
export function outputContent(hostPath: string): 'empty file' | 'empty folder' | 'hollow folder' | 'content' {
  const stat = statSync(hostPath);
  if (!stat.isDirectory()) return stat.size === 0 ? 'empty file' : 'content';
  const names = readdirSync(hostPath);
  if (names.length === 0) return 'empty folder';
  const hashed = names.some((name) => {
    const entry = statSync(join(hostPath, name), { throwIfNoEntry: false });
    return entry !== undefined && entry.isFile() && entry.size > 0;
  });
  return hashed ? 'content' : 'hollow folder';
}
