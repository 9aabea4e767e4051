/*
 * A protected data's encryption, as DataProtector's protectData has the iexec SDK do it (dataset
 * generateEncryptionKey, encrypt, computeEncryptedFileChecksum) and as the worker's pre-compute undoes it
 * (tee-worker-compute-rust pre-compute dataset.rs; the kit's chain/workerpool/dataset.ts): a random
 * AES-256 key, given base64; AES-256-CBC with PKCS#7 padding, the random IV in the first 16 bytes; the
 * checksum is the sha256 of the encrypted bytes.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export const newKey = (): string => randomBytes(32).toString('base64');

export function encrypt(plain: Uint8Array, base64Key: string): Buffer {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', Buffer.from(base64Key, 'base64'), iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final()]);
}

export const checksum = (bytes: Uint8Array): string => `0x${createHash('sha256').update(bytes).digest('hex')}`;
