import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { concat, keccak256, sha256, toUtf8Bytes } from 'ethers';
import JSZip from 'jszip';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ipfsDigest, multiaddrText, rawCid, resultLink, web2Digest, zipResult } from '../src/chain/result.js';

/*
 * The result as the local worker makes it. Reference values come from elsewhere: the CIDs and
 * multiaddr bytes from the multiformats and @multiformats/multiaddr packages the iexec SDK uses
 * (computed once, outside this repository), the digest rules from docs/local-network.md.
 */
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-chain-result-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const write = (rel: string, content: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), content);
};

describe('the result digest', () => {
  it('is the sha256 of a file', () => {
    write('result.json', '{"ok":true}');
    expect(web2Digest(path.join(dir, 'result.json'), false)).toBe(sha256(toUtf8Bytes('{"ok":true}')));
  });

  it('is keccak256 of the sorted children sha256 for a folder; a subfolder adds nothing; an empty file counts in Java, not in Rust', () => {
    write('out/b.txt', 'b');
    write('out/a.txt', 'a');
    write('out/empty.txt', '');
    write('out/sub/c.txt', 'c');
    const [a, b, empty] = ['a', 'b', ''].map((text) => sha256(toUtf8Bytes(text)));
    expect(web2Digest(path.join(dir, 'out'), false)).toBe(keccak256(concat([a!, b!, empty!])));
    expect(web2Digest(path.join(dir, 'out'), true)).toBe(keccak256(concat([a!, b!])));
  });
});

describe('the result link and the zip', () => {
  it('writes the link with the worker spaces', () => {
    expect(resultLink('ipfs', '/ipfs/bafy')).toBe('{ "storage": "ipfs", "location": "/ipfs/bafy" }');
  });

  it('zips every file below IEXEC_OUT by its relative path, without folder entries', async () => {
    write('computed.json', '{}');
    write('deep/x/result.txt', 'hi');
    const zip = await JSZip.loadAsync(await zipResult(dir));
    expect(Object.keys(zip.files).sort()).toEqual(['computed.json', 'deep/x/result.txt']);
    expect(await zip.file('deep/x/result.txt')!.async('string')).toBe('hi');
  });
});

describe('IPFS names', () => {
  it('names bytes by their raw CIDv1 and reads both CID forms back to the digest', () => {
    const cid = rawCid(Buffer.from('hello world'));
    expect(cid).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e');
    const digest = sha256(toUtf8Bytes('hello world')).slice(2);
    expect(ipfsDigest(cid)).toBe(digest);
    expect(ipfsDigest('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o')).toBe('46d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e');
    expect(ipfsDigest('not-a-cid')).toBeUndefined();
  });

  it('reads a multiaddr as stored on chain: binary for /ipfs/, UTF-8 for an image or a URL', () => {
    expect(multiaddrText('0xa50322122046d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e')).toBe('/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o');
    expect(multiaddrText(`0x${Buffer.from('registry.example/me/app:1.0.0').toString('hex')}`)).toBe('registry.example/me/app:1.0.0');
    expect(multiaddrText(`0x${Buffer.from('https://example.com/data.bin').toString('hex')}`)).toBe('https://example.com/data.bin');
  });
});
