/*
 * The chain's IPFS, behind chain.json's ipfsGateway: the gateway side the SDK downloads results from (GET
 * <ipfsGateway><location>, saved as a zip: iexec 9.0.1 common/execution/result.js) and checks an upload
 * with (HEAD /ipfs/<cid>: common/utils/ipfs.js), and the node side an upload goes to: kubo's
 * POST /api/v0/add, a multipart form, answered {Name, Hash, Size} (what kubo-rpc-client's add, which the
 * SDK's bulk requests and DataProtector's protectData call, reads). Nothing here is IPFS, but each file
 * is named by a real CID of its bytes, the CIDv1 of one raw block (`ipfs add --cid-version 1
 * --raw-leaves` gives the same for a file of one block; kubo's default is a CIDv0 of a dag-pb node), so a
 * location means what it would mean there.
 */
import { ipfsDigest, rawCid } from '../multiformats.js';
import { empty, json, type Reply, type Service, type ServiceRequest } from './http.js';

/** The first file of a multipart/form-data body, as kubo takes the file to add. */
export function multipartFile(req: ServiceRequest): { name: string; bytes: Buffer } | undefined {
  const boundary = /boundary=("?)([^";]+)\1/.exec(req.headers['content-type'] ?? '')?.[2];
  const raw = req.raw ?? Buffer.from(req.body, 'utf8');
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const headersEnd = raw.indexOf('\r\n\r\n', start);
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (headersEnd === -1 || next === -1) return undefined;
    const headers = raw.subarray(start + delimiter.length, headersEnd).toString('utf8');
    if (/content-disposition:[^\r\n]*name=/i.test(headers)) {
      const name = /filename="([^"]*)"/i.exec(headers)?.[1] ?? '';
      // The part's bytes end before the CRLF that precedes the next delimiter.
      return { name: decodeURIComponent(name), bytes: raw.subarray(headersEnd + 4, next - 2) };
    }
    start = next;
  }
  return undefined;
}

function stored(results: Map<string, Buffer>, cid: string): Buffer | undefined {
  return results.get(cid) ?? findByDigest(results, cid);
}

export function resultStorageService(results: Map<string, Buffer>): Service {
  const missing = (req: ServiceRequest): Reply =>
    json(404, { error: `no file at ${req.path} on the local storage (what it holds lives as long as the network)` });
  return {
    name: 'ipfsGateway',
    routes: [
      {
        method: 'GET',
        path: /^\/ipfs\/([^/]+)$/,
        handle: (req, [cid]) => {
          const bytes = stored(results, cid!);
          return bytes ? { status: 200, body: bytes, type: 'application/zip' } : missing(req);
        },
      },
      { method: 'HEAD', path: /^\/ipfs\/([^/]+)$/, handle: (_req, [cid]) => empty(stored(results, cid!) ? 200 : 404) },
      {
        method: 'POST',
        path: /^\/api\/v0\/add$/,
        handle: (req) => {
          const file = multipartFile(req);
          // kubo answers a request without a file part with 400 and its error object.
          if (!file) return json(400, { Message: "file argument 'path' is required", Code: 1, Type: 'error' });
          const cid = rawCid(file.bytes);
          results.set(cid, Buffer.from(file.bytes));
          return json(200, { Name: file.name || cid, Hash: cid, Size: String(file.bytes.length) });
        },
      },
    ],
    notFound: (req) =>
      json(404, { error: `the local IPFS answers GET and HEAD /ipfs/<cid> and POST /api/v0/add only, not ${req.method} ${req.path}` }),
  };
}

/** Another name of the same bytes (a CIDv0 for a CIDv1): both stand for one sha2-256 digest. */
function findByDigest(results: Map<string, Buffer>, cid: string): Buffer | undefined {
  const digest = ipfsDigest(cid);
  if (digest === undefined) return undefined;
  for (const [name, bytes] of results) if (ipfsDigest(name) === digest) return bytes;
  return undefined;
}
