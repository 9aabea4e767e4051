/*
 * IPFS names and multiaddrs, as the SDK writes them on chain and the worker reads them back: CIDs (v0
 * base58btc, v1 base32), the sha2-256 digest they stand for, binary multiaddrs.
 */
import { createHash } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The CIDv1 of bytes stored as one raw block (codec raw 0x55, multihash sha2-256), multibase base32:
 * a real IPFS name for them, though nothing here is IPFS.
 */
export function rawCid(bytes: Uint8Array): string {
  const digest = createHash('sha256').update(bytes).digest();
  return `b${base32(Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), digest]))}`;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

function unbase58(text: string): Uint8Array {
  let n = 0n;
  for (const char of text) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) throw new Error(`not base58: ${text}`);
    n = n * 58n + BigInt(digit);
  }
  const hex = n.toString(16);
  const body = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  const zeros = text.length - text.replace(/^1+/, '').length;
  return Buffer.concat([Buffer.alloc(zeros), body]);
}

function unbase32(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const digit = BASE32.indexOf(char);
    if (digit < 0) throw new Error(`not base32: ${text}`);
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/**
 * The sha2-256 digest (hex) an IPFS name stands for: a CIDv0 (Qm…, a bare multihash) or a base32
 * CIDv1 (b…) of any codec. The SDK stores /ipfs/<CIDv1> as its multihash only, so both names of the
 * same bytes meet here.
 */
export function ipfsDigest(name: string): string | undefined {
  try {
    let bytes = name.startsWith('b') ? unbase32(name.slice(1)) : unbase58(name);
    if (name.startsWith('b')) {
      const [version, afterVersion] = readVarint(bytes, 0);
      if (version !== 1) return undefined;
      bytes = bytes.subarray(readVarint(bytes, afterVersion)[1]);
    }
    if (bytes[0] !== 0x12 || bytes[1] !== 0x20 || bytes.length !== 34) return undefined;
    return Buffer.from(bytes.subarray(2)).toString('hex');
  } catch {
    return undefined;
  }
}

function readVarint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < bytes.length; i += 1) {
    value += (bytes[i]! & 0x7f) * 2 ** shift;
    shift += 7;
    if ((bytes[i]! & 0x80) === 0) return [value, i + 1];
  }
  throw new Error('truncated varint');
}

/**
 * A multiaddr as stored on chain, back to text. The SDK stores /ipfs/<cid> as a binary multiaddr and
 * anything else (an image name, a URL) as UTF-8 (iexec common/utils/utils.js humanToMultiaddrBuffer);
 * the worker reads both (iexec-common MultiAddressHelper).
 */
export function multiaddrText(hex: string): string {
  const bytes = Buffer.from(hex.replace(/^0x/, ''), 'hex');
  try {
    const [code, at] = readVarint(bytes, 0);
    // 421: the ipfs (p2p) protocol, followed by the length-prefixed CID.
    if (code === 421) {
      const [length, start] = readVarint(bytes, at);
      const cid = bytes.subarray(start, start + length);
      if (start + length === bytes.length) {
        // A CIDv0 is a bare sha2-256 multihash, written in base58btc.
        return `/ipfs/${cid[0] === 0x12 && cid[1] === 0x20 ? base58(cid) : `b${base32(cid)}`}`;
      }
    }
  } catch {
    // Not a binary multiaddr.
  }
  return bytes.toString('utf8');
}
