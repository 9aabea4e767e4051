/**
 * Bytes for the deal's callback contract, as `0x` hex or raw bytes. In a deal made with `iexec app run
 * --callback <address>`, the result digest becomes their keccak256 (iexec-worker ResultService) and
 * PoCo's finalize calls `receiveResult(bytes32 taskId, bytes data)` on that contract with them, with
 * the hub's callback gas (m_callbackgas, 200,000 as iExec deploys it; IexecPoco2Facet.executeCallback).
 */
export type CallbackData = `0x${string}` | Uint8Array;

const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})+$/;

/** The `callback-data` of computed.json; refuses what the post-compute cannot hash (empty, odd or not hex). */
export function toCallbackData(data: CallbackData): string {
  const hex = typeof data === 'string' ? data : `0x${Buffer.from(data).toString('hex')}`;
  if (!HEX_BYTES.test(hex)) {
    const shown = hex.length > 20 ? `${hex.slice(0, 20)}…` : hex;
    throw new Error(`callback data ${JSON.stringify(shown)} is not 0x-prefixed hex of at least one whole byte`);
  }
  return hex.toLowerCase();
}
