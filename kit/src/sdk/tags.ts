/*
 * Order tags: a bytes32 where each bit asks for a kind of worker. The bit of each name is the SDK's
 * (iexec 8.24.0 and 9.0.1 common/utils/utils.js TAG_MAP, iexec-commons-poco TeeUtils): tee 0, scone 1,
 * gramine 2, tdx 3, gpu 8.
 */
const TAG_BITS: Record<string, number> = { tee: 0, scone: 1, gramine: 2, tdx: 3, gpu: 8 };

export function encodeTag(names: readonly string[]): string {
  let bits = 0n;
  for (const name of names) {
    const bit = TAG_BITS[name];
    if (bit === undefined) throw new Error(`unknown tag ${name}`);
    bits |= 1n << BigInt(bit);
  }
  return `0x${bits.toString(16).padStart(64, '0')}`;
}

/** The names of a tag's bits, e.g. "tee,tdx"; "none" for the zero tag, a bit without a name as bitN. */
export function tagText(tag: string): string {
  const bits = BigInt(tag);
  const names: string[] = [];
  for (let bit = 0; bit < 256; bit += 1) {
    if (((bits >> BigInt(bit)) & 1n) === 0n) continue;
    names.push(Object.keys(TAG_BITS).find((name) => TAG_BITS[name] === bit) ?? `bit${bit}`);
  }
  return names.length > 0 ? names.join(',') : 'none';
}
