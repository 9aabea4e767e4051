import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rawCid } from '../../../src/chain/multiformats.js';
import { fetchBulkSlice, type BulkChain } from '../../../src/chain/workerpool/bulk.js';
import { ipfsLookup } from '../../../src/chain/workerpool/dataset.js';
import { checksum, encrypt, newKey } from '../../../src/data-owner/encrypt.js';

/*
 * A bulk task's slice as the SMS reads it (bulk_cid -> slice CIDs -> dataset orders) and the pre-compute
 * fetches it: each order PoCo finds compatible and of bulk volume is downloaded and decrypted; the others
 * are logged and left out.
 */
const BULK_VOLUME = String(Number.MAX_SAFE_INTEGER);
const A = '0x00000000000000000000000000000000000000A1';
const B = '0x00000000000000000000000000000000000000B2';
const C = '0x00000000000000000000000000000000000000C3';

function store(results: Map<string, Buffer>, bytes: Buffer): string {
  const cid = rawCid(bytes);
  results.set(cid, bytes);
  return cid;
}

describe('fetchBulkSlice', () => {
  it("fetches the slice of the task's index, each dataset decrypted with its key, and logs the refused ones", async () => {
    const results = new Map<string, Buffer>();
    const keys = new Map<string, string>();
    const datasets = new Map<string, { multiaddr: string; checksum: string }>();
    for (const [address, text] of [
      [A, 'Ann'],
      [B, 'Ben'],
      [C, 'Cat'],
    ] as const) {
      const key = newKey();
      const encrypted = encrypt(Buffer.from(text), key);
      keys.set(address.toLowerCase(), key);
      datasets.set(address, { multiaddr: `/ipfs/${store(results, encrypted)}`, checksum: checksum(encrypted) });
    }
    const order = (dataset: string, volume = BULK_VOLUME) => ({
      dataset,
      datasetprice: 0,
      volume,
      tag: '0x' + '0'.repeat(63) + '9',
      apprestrict: A,
      sign: '0x',
    });
    const other = store(results, Buffer.from(JSON.stringify([order(C)])));
    const mine = store(results, Buffer.from(JSON.stringify([order(A), order(B), order(C, '1')])));
    const bulk = store(results, Buffer.from(JSON.stringify([other, mine])));
    const chain: BulkChain = {
      dataset: async (address) => datasets.get(address)!,
      incompatibility: async (o) => (o.dataset === B ? 'PoCo says it does not fit the deal (iExecV5-matchOrders-0x32)' : undefined),
      key: (address) => keys.get(address.toLowerCase()),
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-bulk-'));
    const slice = await fetchBulkSlice(bulk, 1, '0x' + '1'.repeat(64), chain, {
      dir,
      sources: { fromIpfs: ipfsLookup(results), fromUrl: async () => Buffer.alloc(0) },
    });
    expect(slice.files.map((file) => [path.basename(file), fs.readFileSync(file, 'utf8')])).toEqual([[A.toLowerCase(), 'Ann']]);
    expect(slice.errors.map((error) => error.message)).toEqual([
      `the SMS gives no key for the bulk dataset ${B}: PoCo says it does not fit the deal (iExecV5-matchOrders-0x32)`,
      `the SMS gives no key for the bulk dataset ${C}: its order's volume 1 is not a bulk volume`,
    ]);
  });

  it('gives an empty slice for a bulk it cannot read, as the SMS does', async () => {
    const slice = await fetchBulkSlice(
      rawCid(Buffer.from('none')),
      0,
      '0x' + '1'.repeat(64),
      { dataset: async () => ({ multiaddr: '', checksum: '' }), incompatibility: async () => undefined, key: () => undefined },
      { dir: os.tmpdir(), sources: { fromIpfs: () => undefined, fromUrl: async () => Buffer.alloc(0) } },
    );
    expect(slice.files).toEqual([]);
    expect(slice.errors[0]!.message).toMatch(/no IPFS gateway the local network reaches has the bulk/);
  });
});
