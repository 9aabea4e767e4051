import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ZeroAddress } from 'ethers';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { decryptDataset } from '../src/chain/workerpool/dataset.js';
import { DATASET_INFINITE_VOLUME } from '../src/chain/services/market/kinds.js';
import { checksum, encrypt, newKey } from '../src/data-owner/encrypt.js';
import { datasetOrder } from '../src/data-owner/grant.js';
import { chosenChain, walletArgs } from '../src/data-owner/options.js';
import { main as grantMain } from '../src/commands/grant-access.js';
import { main as protectMain } from '../src/commands/protect-data.js';
import { mockProtectedData } from '../src/worker/protected-data.js';

/*
 * The data owner's commands without a chain: the encryption the worker's pre-compute undoes, the dataset
 * order DataProtector's grantAccess makes and what it refuses, the chain they act on, and their refusals
 * before anything is sent.
 */
const APP = '0x00000000000000000000000000000000000000A1';
const USER = '0x00000000000000000000000000000000000000b2';
const DATASET = '0x00000000000000000000000000000000000000D1';

function moduleRoot(defaultChain = 'local'): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-data-owner-'));
  fs.writeFileSync(path.join(root, 'chain.json'), JSON.stringify({ default: defaultChain, chains: { local: {}, 'arbitrum-mainnet': {} } }));
  return root;
}

describe('protected data encryption', () => {
  it('is what the pre-compute decrypts: AES-256-CBC, IV first, base64 key; the checksum is the sha256 of the encrypted bytes', async () => {
    const zip = await mockProtectedData({ name: 'Alice' });
    const key = newKey();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    const encrypted = encrypt(zip, key);
    expect(Buffer.compare(decryptDataset(encrypted, key), Buffer.from(zip))).toBe(0);
    expect(checksum(encrypted)).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await JSZip.loadAsync(decryptDataset(encrypted, key))).file('name')).not.toBeNull();
    // A fresh IV each time: the same data never encrypts to the same bytes.
    expect(Buffer.compare(encrypt(zip, key), encrypted)).not.toBe(0);
  });
});

describe("grant-access's dataset order", () => {
  const base = { dataset: DATASET, app: APP, user: USER, price: 0, volume: 1, bulk: false, chain: 'local', wallet: {} };

  it("is DataProtector's grant: one app, one requester, tagged tee, checksummed addresses", () => {
    expect(datasetOrder({ ...base, app: APP.toLowerCase(), volume: 3, price: 5 })).toEqual({
      dataset: DATASET,
      datasetprice: '5',
      volume: '3',
      tag: `0x${'0'.repeat(63)}1`,
      apprestrict: APP,
      workerpoolrestrict: ZeroAddress,
      requesterrestrict: USER,
    });
    expect(datasetOrder({ ...base, user: 'any' }).requesterrestrict).toBe(ZeroAddress);
  });

  it('is free and unlimited with --bulk, and refuses what grantAccess refuses', () => {
    expect(datasetOrder({ ...base, bulk: true })).toMatchObject({ datasetprice: '0', volume: String(DATASET_INFINITE_VOLUME) });
    expect(() => datasetOrder({ ...base, bulk: true, price: 1 })).toThrow(/--bulk requires --price 0/);
    expect(() => datasetOrder({ ...base, app: ZeroAddress })).toThrow(/would give access to any app/);
    expect(() => datasetOrder({ ...base, user: 'bob' })).toThrow(/--user must be an address/);
  });
});

describe('the chain and the wallet the commands use', () => {
  it('is the local network unless the owner asks for a real chain with --without-dataprotector', () => {
    const root = moduleRoot('arbitrum-mainnet');
    expect(() => chosenChain(root, undefined, false, 'protect-data')).toThrow(
      /on arbitrum-mainnet, protect and share data with DataProtector .*--without-dataprotector/,
    );
    expect(chosenChain(root, undefined, true, 'protect-data')).toBe('arbitrum-mainnet');
    expect(chosenChain(root, 'local', false, 'protect-data')).toBe('local');
  });

  it('passes the wallet options on, a keystore folder made absolute from the module', () => {
    expect(walletArgs('/m', { keystoredir: 'keys/owner', password: 'p' })).toEqual(['--keystoredir', '/m/keys/owner', '--password', 'p']);
    expect(walletArgs('/m', { keystoredir: 'local' })).toEqual(['--keystoredir', '/m']);
  });
});

describe('the commands refuse bad input before anything is sent (exit 1, one line)', () => {
  const run = async (command: typeof protectMain, argv: string[], root = moduleRoot()) => {
    const errors: string[] = [];
    const error = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      return { status: await command(argv, root), errors };
    } finally {
      console.error = error;
    }
  };

  it('protect-data: not a JSON object, a bad --file, a real chain', async () => {
    expect(await run(protectMain, ['[1]'])).toEqual({
      status: 1,
      errors: [`error: [1] is not a JSON object: give the values as one, e.g. '{"name": "Alice"}'`],
    });
    expect((await run(protectMain, ['{"a": 1}', '--file', 'nokey'])).errors).toEqual(['error: --file takes <key>=<path>, got nokey']);
    expect((await run(protectMain, ['{"a": 1}', '--chain', 'arbitrum-mainnet'])).errors[0]).toMatch(
      /^error: protect-data rehearses DataProtector on the local network/,
    );
  });

  it('grant-access: no --app, no --user, a bad number', async () => {
    expect((await run(grantMain, [DATASET, '--user', USER])).errors).toEqual([
      'error: --app is required: the address of the (TEE) app that may read the protected data',
    ]);
    expect((await run(grantMain, [DATASET, '--app', APP])).status).toBe(1);
    expect((await run(grantMain, [DATASET, '--app', APP, '--user', USER, '--volume', '0'])).errors).toEqual([
      "error: --volume takes a whole number from 1, got '0'",
    ]);
  });
});
