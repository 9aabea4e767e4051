/*
 * An upload to an IPFS node as kubo-rpc-client's add sends it (POST <node>/api/v0/add, the file in a
 * multipart form; the answer's Hash is the CID), then the check DataProtector's and the SDK's add make:
 * the gateway must serve <gateway>/ipfs/<cid> before the CID is used (iexec common/utils/ipfs.js).
 */
const TIMEOUT_MS = 60_000;

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const cause =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : String((error as { cause?: Error }).cause?.message ?? (error as Error).message);
    throw new Error(`${init.method ?? 'GET'} ${url}: ${cause}`);
  }
}

export async function ipfsAdd(node: string, gateway: string, bytes: Uint8Array, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const url = new URL('/api/v0/add', node).href;
  const added = await call(url, { method: 'POST', body: form });
  if (!added.ok) throw new Error(`POST ${url}: HTTP ${added.status} ${await added.text()}`);
  // kubo answers one JSON object per line; the last names the whole upload.
  const lines = (await added.text()).trim().split('\n');
  const cid = JSON.parse(lines.at(-1) ?? '{}').Hash;
  if (typeof cid !== 'string' || cid === '') throw new Error(`POST ${url}: the answer names no CID`);
  const check = new URL(`/ipfs/${cid}`, gateway).href;
  const served = await call(check, { method: 'HEAD' });
  if (!served.ok) throw new Error(`the IPFS gateway does not serve the upload: HEAD ${check} answered HTTP ${served.status}`);
  return cid;
}
