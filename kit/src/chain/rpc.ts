/* Plain JSON-RPC over fetch: enough to wait for the node, before any library is involved. */
import { Failure } from '../iexec/failure.js';

let rpcId = 0;

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: (rpcId += 1), method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Failure(`${method}: ${body.error.message}`);
  return body.result;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The node's chain id once it answers; `exitCode` tells whether the node died meanwhile. */
export async function waitForNode(url: string, exitCode: () => number | null): Promise<string> {
  for (let i = 0; i < 150; i += 1) {
    const code = exitCode();
    if (code !== null) throw new Failure(`anvil exited (status ${code}) before answering on ${url}: its own message is above`);
    try {
      return await rpc(url, 'eth_chainId');
    } catch {
      await sleep(200);
    }
  }
  throw new Failure(`anvil did not answer on ${url} within 30 s`);
}
