import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultWalletAddresses, walletAddress } from '../src/iexec/wallet.js';

/*
 * The lookup the iexec CLI does for its signer (SDK 8.24.0 and 9.0.1, `Keystore`), on wallet files made
 * here. Only the public `address` field is read, so a keystore v3 file is written with the fields a
 * real one has and a crypto section nothing decrypts.
 */
const A = '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const C = '0xcccccccccccccccccccccccccccccccccccccccc';
const CHECKSUMMED = '0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1';

let base: string;
let root: string;
let keystore: string;

function write(file: string, value: unknown) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
}

/** A keystore v3 file as the SDK's `wallet create` names and writes it: the address without 0x. */
function keystoreFile(dir: string, date: string, address: string): string {
  const bare = address.slice(2).toLowerCase();
  const file = path.join(dir, `UTC--${date}--${bare}`);
  write(file, {
    address: bare,
    id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
    version: 3,
    crypto: { cipher: 'aes-128-ctr', ciphertext: '00', cipherparams: { iv: '00' }, kdf: 'scrypt', kdfparams: {}, mac: '00' },
  });
  return file;
}

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-wallet-'));
  root = path.join(base, 'module');
  fs.mkdirSync(root);
  vi.stubEnv('HOME', path.join(base, 'home'));
  keystore = path.join(base, 'home', '.ethereum', 'keystore');
});

afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(base, { recursive: true, force: true });
});

describe('walletAddress: the wallet the iexec CLI signs with', () => {
  it('none found: no keystore, an empty one, or files that are not wallets', () => {
    expect(walletAddress(root)).toBeUndefined();
    fs.mkdirSync(keystore, { recursive: true });
    expect(walletAddress(root)).toBeUndefined();
    fs.writeFileSync(path.join(keystore, 'UTC--2026-01-01T00-00-00.0Z--broken'), '{not json');
    expect(walletAddress(root)).toBeUndefined();
  });

  it('the global keystore: the newest UTC--<date>--<address> file, 0x added', () => {
    keystoreFile(keystore, '2025-12-31T23-59-59.999000000Z', A);
    keystoreFile(keystore, '2026-02-01T10-00-00.000000000Z', B);
    keystoreFile(keystore, '2026-01-15T10-00-00.000000000Z', C);
    write(path.join(keystore, 'notes.json'), { address: C });
    expect(walletAddress(root)).toBe(B);
    expect(walletAddress(root, { keystoredir: 'global' })).toBe(B);
  });

  it('./wallet.json (unencrypted, from `wallet create --unencrypted`) wins over any keystore', () => {
    keystoreFile(keystore, '2026-02-01T10-00-00.000000000Z', B);
    write(path.join(root, 'wallet.json'), { privateKey: '0x00', publicKey: '0x04', address: CHECKSUMMED });
    expect(walletAddress(root)).toBe(CHECKSUMMED);
    keystoreFile(path.join(root, 'keys'), '2026-03-01T10-00-00.000000000Z', C);
    expect(walletAddress(root, { keystoredir: 'keys' })).toBe(CHECKSUMMED);
  });

  it('a broken ./wallet.json falls back to encrypted-wallet.json in the keystore, as the SDK does', () => {
    fs.writeFileSync(path.join(root, 'wallet.json'), '');
    keystoreFile(keystore, '2026-02-01T10-00-00.000000000Z', B);
    expect(walletAddress(root)).toBeUndefined();
    write(path.join(keystore, 'encrypted-wallet.json'), { address: C.slice(2) });
    expect(walletAddress(root)).toBe(C);
  });

  it('an empty keystore falls back to its encrypted-wallet.json', () => {
    write(path.join(keystore, 'encrypted-wallet.json'), { address: A.slice(2) });
    expect(walletAddress(root)).toBe(A);
  });

  it('--keystoredir: local is the module root, another value a folder relative to it or absolute', () => {
    keystoreFile(keystore, '2026-02-01T10-00-00.000000000Z', A);
    keystoreFile(root, '2026-01-01T10-00-00.000000000Z', B);
    keystoreFile(path.join(root, 'keys'), '2026-01-01T10-00-00.000000000Z', C);
    expect(walletAddress(root, { keystoredir: 'local' })).toBe(B);
    expect(walletAddress(root, { keystoredir: 'keys' })).toBe(C);
    expect(walletAddress(root, { keystoredir: path.join(root, 'keys') })).toBe(C);
    expect(walletAddress(root, { keystoredir: 'missing' })).toBeUndefined();
  });

  it('--wallet-address: the newest file of that address, with or without 0x, any case', () => {
    keystoreFile(keystore, '2026-03-01T10-00-00.000000000Z', A);
    const older = keystoreFile(keystore, '2026-01-01T10-00-00.000000000Z', C);
    keystoreFile(keystore, '2026-02-01T10-00-00.000000000Z', C);
    write(older, { address: B.slice(2) });
    expect(walletAddress(root, { walletAddress: C })).toBe(C);
    expect(walletAddress(root, { walletAddress: C.slice(2).toUpperCase() })).toBe(C);
    expect(walletAddress(root, { walletAddress: '0x1234567890123456789012345678901234567890' })).toBeUndefined();
  });

  it('--wallet-file: a file name in the keystore folder, which wins over --wallet-address and ./wallet.json', () => {
    write(path.join(root, 'wallet.json'), { address: A });
    write(path.join(keystore, 'mine.json'), { address: B });
    keystoreFile(keystore, '2026-03-01T10-00-00.000000000Z', C);
    expect(walletAddress(root, { walletFile: 'mine.json', walletAddress: C })).toBe(B);
    write(path.join(root, 'local.json'), { address: C });
    expect(walletAddress(root, { walletFile: 'local.json', keystoredir: 'local' })).toBe(C);
    expect(walletAddress(root, { walletFile: 'missing.json' })).toBeUndefined();
  });
});

describe('defaultWalletAddresses: every wallet a default CLI run may use, funded by the local chain', () => {
  it('./wallet.json and every wallet file of the global keystore', () => {
    expect(defaultWalletAddresses(root)).toEqual([]);
    write(path.join(root, 'wallet.json'), { address: CHECKSUMMED });
    keystoreFile(keystore, '2026-03-01T10-00-00.000000000Z', A);
    write(path.join(keystore, 'other.json'), { address: B.slice(2) });
    fs.writeFileSync(path.join(keystore, 'README'), 'not a wallet');
    expect(defaultWalletAddresses(root).sort()).toEqual([CHECKSUMMED, A, B].sort());
  });
});
