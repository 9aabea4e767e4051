import { sha256, toUtf8Bytes } from 'ethers';
import { describe, expect, it } from 'vitest';
import { ipfsDigest, multiaddrText, rawCid } from '../../src/chain/multiformats.js';

/*
 * Reference values come from elsewhere: the CIDs and multiaddr bytes from the multiformats and
 * @multiformats/multiaddr packages the iexec SDK uses (computed once, outside this repository).
 */
describe('IPFS names', () => {
  it('names bytes by their raw CIDv1 and reads both CID forms back to the digest', () => {
    const cid = rawCid(Buffer.from('hello world'));
    expect(cid).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e');
    const digest = sha256(toUtf8Bytes('hello world')).slice(2);
    expect(ipfsDigest(cid)).toBe(digest);
    expect(ipfsDigest('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o')).toBe(
      '46d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e',
    );
    expect(ipfsDigest('not-a-cid')).toBeUndefined();
  });

  it('reads a multiaddr as stored on chain: binary for /ipfs/, UTF-8 for an image or a URL', () => {
    expect(multiaddrText('0xa50322122046d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e')).toBe(
      '/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o',
    );
    expect(multiaddrText(`0x${Buffer.from('registry.example/me/app:1.0.0').toString('hex')}`)).toBe('registry.example/me/app:1.0.0');
    expect(multiaddrText(`0x${Buffer.from('https://example.com/data.bin').toString('hex')}`)).toBe('https://example.com/data.bin');
  });
});
