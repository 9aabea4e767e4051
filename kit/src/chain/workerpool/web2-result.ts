/*
 * A task's result as the worker makes it: the digest it contributes, the zip it uploads, the link it
 * records on chain.
 */
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { concat, keccak256, sha256 } from 'ethers';

/** The result link, byte for byte with its spaces (iexec-worker ResultService.buildResultLink). */
export function resultLink(storage: string, location: string): string {
  return `{ "storage": "${storage}", "location": "${location}" }`;
}

/**
 * The web2 result digest of the deterministic output: a file gives sha256(content); a folder gives
 * keccak256 of the sha256 of each direct child, sorted by path (iexec-common FileHashUtils
 * getFileTreeSha256 and HashUtils.concatenateAndHash for the standard worker; tee-worker-post-compute-rust
 * result_utils get_file_tree_sha256 for TEE tasks). A child folder cannot be read as a file and adds
 * nothing in both. They differ on empty files: Java hashes them, Rust's sha256 of a file gives "" for
 * one, so it adds nothing there either (`tee` picks the Rust rule).
 */
export function web2Digest(target: string, tee: boolean): string {
  const fileHash = (file: string): string | undefined => {
    const bytes = fs.readFileSync(file);
    return tee && bytes.length === 0 ? undefined : sha256(bytes);
  };
  if (!fs.statSync(target).isDirectory()) return fileHash(target) ?? '0x';
  const hashes = fs
    .readdirSync(target)
    .map((name) => path.join(target, name))
    .sort()
    .flatMap((child) => (fs.statSync(child).isDirectory() ? [] : (fileHash(child) ?? [])));
  return keccak256(concat(hashes));
}

/** Every file below `dir`, relative to it, '/'-separated. */
function filesBelow(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) return filesBelow(path.join(dir, entry.name), `${rel}/`);
    return [rel];
  });
}

/**
 * iexec_out.zip: the files of /iexec_out, relative to it, no folder entries, deflated (iexec-common
 * FileHelper.zipFolder; tee-worker-compute-rust post-compute web2_result.rs zip_iexec_out). A symbolic
 * link is an empty entry for the Java worker and left out by the Rust post-compute (it keeps regular
 * files only, `is_file() && !path_is_symlink()`).
 */
export async function zipResult(outDir: string, tee: boolean): Promise<Buffer> {
  const zip = new JSZip();
  for (const rel of filesBelow(outDir)) {
    const file = path.join(outDir, rel);
    const link = fs.lstatSync(file).isSymbolicLink();
    if (link && tee) continue;
    zip.file(rel, link ? Buffer.alloc(0) : fs.readFileSync(file), { createFolders: false });
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
