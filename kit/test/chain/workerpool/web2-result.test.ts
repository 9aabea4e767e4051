import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { concat, keccak256, sha256, toUtf8Bytes } from 'ethers';
import JSZip from 'jszip';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resultLink, web2Digest, zipResult } from '../../../src/chain/workerpool/web2-result.js';

/*
 * The result as the local worker makes it. The digest rules are the worker's (docs/local-network.md):
 * iexec-common FileHashUtils for standard tasks, tee-worker-compute-rust result_utils for TEE ones.
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
    const zip = await JSZip.loadAsync(await zipResult(dir, false));
    expect(Object.keys(zip.files).sort()).toEqual(['computed.json', 'deep/x/result.txt']);
    expect(await zip.file('deep/x/result.txt')!.async('string')).toBe('hi');
  });

  it('stores a symbolic link as an empty entry for the Java worker and leaves it out for the Rust post-compute', async () => {
    write('result.json', '{}');
    fs.symlinkSync('result.json', path.join(dir, 'link.json'));
    const java = await JSZip.loadAsync(await zipResult(dir, false));
    expect(await java.file('link.json')!.async('string')).toBe('');
    const rust = await JSZip.loadAsync(await zipResult(dir, true));
    expect(Object.keys(rust.files)).toEqual(['result.json']);
  });
});
