import { describe, expect, it } from 'vitest';
import { rawCid } from '../../../src/chain/multiformats.js';
import { dispatch, request } from '../../../src/chain/services/http.js';
import { resultStorageService } from '../../../src/chain/services/result-storage.js';

/*
 * The chain's IPFS: kubo's POST /api/v0/add (a multipart form, answered {Name, Hash, Size}, as
 * kubo-rpc-client reads it), then the gateway's HEAD and GET of what was added, byte for byte.
 */
async function multipart(bytes: Uint8Array, name: string) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const response = new Response(form);
  return { raw: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type')! };
}

describe('the local IPFS node and gateway', () => {
  it('adds the form file under the CID of its bytes, then serves it (HEAD, GET) unchanged', async () => {
    const results = new Map<string, Buffer>();
    const service = resultStorageService(results);
    // Bytes that are not UTF-8, with CRLFs inside: the part is cut on the boundary only.
    const bytes = Uint8Array.from([0xff, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xfe, ...Buffer.from('\r\n--x\r\n')]);
    const { raw, type } = await multipart(bytes, 'data.enc');
    const added = await dispatch(service, {
      ...request('POST', '/api/v0/add?cid-version=1', raw.toString('utf8'), { 'content-type': type }),
      raw,
    });
    expect(added).toEqual({ status: 200, body: { Name: 'data.enc', Hash: rawCid(bytes), Size: String(bytes.length) } });
    expect((await dispatch(service, request('HEAD', `/ipfs/${rawCid(bytes)}`))).status).toBe(200);
    const got = await dispatch(service, request('GET', `/ipfs/${rawCid(bytes)}`));
    expect(Buffer.compare(got.body as Buffer, Buffer.from(bytes))).toBe(0);
    expect((await dispatch(service, request('HEAD', `/ipfs/${rawCid(Buffer.from('other'))}`))).status).toBe(404);
  });

  it('answers a form without a file as kubo does (400)', async () => {
    const reply = await dispatch(
      resultStorageService(new Map()),
      request('POST', '/api/v0/add', 'nothing', { 'content-type': 'text/plain' }),
    );
    expect(reply.status).toBe(400);
  });
});
