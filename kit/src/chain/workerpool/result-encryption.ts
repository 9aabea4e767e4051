/*
 * Encrypted results, as the TEE post-compute makes them for a deal with iexec_result_encryption
 * (tee-worker-compute-rust post-compute encryption.rs encrypt_data, web2_result.rs
 * eventually_encrypt_result): a fresh AES-256 key encrypts iexec_out.zip (CBC, PKCS#7, the 16-byte IV
 * first) into iexec_out.zip.aes; the beneficiary's RSA public key encrypts the AES key (PKCS#1 v1.5) into
 * aes-key.rsa; both are zipped, and that zip is what gets uploaded. Only the beneficiary's private key
 * opens it: `iexec result decrypt`.
 */
import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import JSZip from 'jszip';

export async function encryptResult(zip: Buffer, publicKeyPem: string): Promise<Buffer> {
  if (zip.length === 0) throw new Error('the result zip is empty (POST_COMPUTE_ENCRYPTION_FAILED)');
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([iv, cipher.update(zip), cipher.final()]);
  const encryptedKey = publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_PADDING }, key);
  const out = new JSZip();
  out.file('iexec_out.zip.aes', encrypted, { createFolders: false });
  out.file('aes-key.rsa', encryptedKey, { createFolders: false });
  return out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
