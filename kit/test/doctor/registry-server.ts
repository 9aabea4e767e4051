// A container registry on loopback that serves what the doctor reads of an image (Docker Registry
// HTTP API v2: manifests by tag and digest, config blobs), with the anonymous Bearer token dance of a
// public registry when asked: images are pushed to it as data, nothing is built.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

interface Stored {
  type: string;
  body: Buffer;
}

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export interface FakeRegistry {
  /** host:port, as an image reference starts. */
  host: string;
  /** Pushes an image for these platforms (several make an index), each `bytes` big; returns the tag's digest. */
  push(repository: string, tag: string, platforms: Array<{ architecture: string; bytes?: number }>): string;
  close(): Promise<void>;
}

export async function fakeRegistry(options: { token?: boolean } = {}): Promise<FakeRegistry> {
  const manifests = new Map<string, Stored>();
  const blobs = new Map<string, Buffer>();
  const store = (repository: string, type: string, value: unknown) => {
    const body = Buffer.from(JSON.stringify(value));
    const digest = digestOf(body);
    manifests.set(`${repository}@${digest}`, { type, body });
    return { digest, body };
  };
  const imageManifest = (repository: string, architecture: string, bytes: number) => {
    const config = Buffer.from(JSON.stringify({ os: 'linux', architecture, rootfs: { type: 'layers', diff_ids: [] } }));
    blobs.set(digestOf(config), config);
    return store(repository, MANIFEST, {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'0'.repeat(64)}`, size: bytes }],
    });
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/token') return void res.end(JSON.stringify({ token: 'anonymous' }));
    if (options.token && req.headers.authorization !== 'Bearer anonymous') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="fake"` });
      return void res.end();
    }
    const manifest = url.pathname.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/);
    const blob = url.pathname.match(/^\/v2\/(.+)\/blobs\/([^/]+)$/);
    const stored = manifest
      ? manifests.get(manifest[2]!.startsWith('sha256:') ? `${manifest[1]}@${manifest[2]}` : `${manifest[1]}:${manifest[2]}`)
      : undefined;
    if (stored) {
      res.writeHead(200, {
        'content-type': stored.type,
        'docker-content-digest': digestOf(stored.body),
        'content-length': stored.body.length,
      });
      return void res.end(req.method === 'HEAD' ? undefined : stored.body);
    }
    const bytes = blob ? blobs.get(blob[2]!) : undefined;
    if (bytes) return void res.end(bytes);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    push(repository, tag, platforms) {
      const images = platforms.map(({ architecture, bytes }) => ({
        architecture,
        ...imageManifest(repository, architecture, bytes ?? 50_000_000),
      }));
      const tagged =
        images.length === 1
          ? images[0]!
          : store(repository, INDEX, {
              schemaVersion: 2,
              mediaType: INDEX,
              manifests: images.map((image) => ({
                mediaType: MANIFEST,
                digest: image.digest,
                size: image.body.length,
                platform: { os: 'linux', architecture: image.architecture },
              })),
            });
      manifests.set(`${repository}:${tag}`, { type: images.length === 1 ? MANIFEST : INDEX, body: tagged.body });
      return tagged.digest;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
