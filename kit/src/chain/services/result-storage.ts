/*
 * The result storage behind chain.json's ipfsGateway: the SDK GETs <ipfsGateway><location> and saves the
 * body as a zip (iexec 9.0.1 common/execution/result.js). Nothing here is IPFS, but each stored file is
 * named by the CID of its bytes, so a location means what it would mean there.
 */
import { ipfsDigest } from '../multiformats.js';
import { json, type Service } from './http.js';

export function resultStorageService(results: Map<string, Buffer>): Service {
  return {
    name: 'ipfsGateway',
    routes: [
      {
        method: 'GET',
        path: /^\/ipfs\/([^/]+)$/,
        handle: (req, [cid]) => {
          const bytes = results.get(cid!) ?? findByDigest(results, cid!);
          if (!bytes) return json(404, { error: `no file at ${req.path} on the local storage (what it holds lives as long as the network)` });
          return { status: 200, body: bytes, type: 'application/zip' };
        },
      },
    ],
    notFound: (req) => json(404, { error: `the local storage answers GET /ipfs/<cid> only, not ${req.method} ${req.path}` }),
  };
}

/** Another name of the same bytes (a CIDv0 for a CIDv1): both stand for one sha2-256 digest. */
function findByDigest(results: Map<string, Buffer>, cid: string): Buffer | undefined {
  const digest = ipfsDigest(cid);
  if (digest === undefined) return undefined;
  for (const [name, bytes] of results) if (ipfsDigest(name) === digest) return bytes;
  return undefined;
}
