/*
 * What a container registry says about an image, read as a worker's anonymous pull reads it (Docker
 * Registry HTTP API v2 and OCI distribution: GET/HEAD /v2/<repository>/manifests/<reference>, GET
 * /v2/<repository>/blobs/<digest>, the Bearer token dance of a public image). The local worker checks a
 * pulled image's digest with it; `doctor` checks that an app's image is pushed, for linux/amd64, and
 * that its digest is the checksum the app records.
 */

/** An image reference's registry, repository and tag (or digest), with Docker's defaults (docker.io, library/, latest). */
export function parseImage(image: string): { registry: string; repository: string; reference: string } {
  const at = image.indexOf('@');
  const name = at === -1 ? image : image.slice(0, at);
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const explicit = first.includes('.') || first.includes(':') || first === 'localhost';
  let rest = explicit ? name.slice(slash + 1) : name;
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : 'latest';
  if (colon > rest.lastIndexOf('/')) rest = rest.slice(0, colon);
  const registry = explicit ? first : 'registry-1.docker.io';
  const repository = !explicit && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, repository, reference: at === -1 ? tag : image.slice(at + 1) };
}

/** Loopback registries (a test's, a laptop's) speak plain HTTP, as docker and podman allow for them. */
export const isLoopbackRegistry = (image: string) => /^(127\.\d+\.\d+\.\d+|localhost)(:\d+)?\//.test(image);

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = [
  ...INDEX_TYPES,
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const TIMEOUT_MS = 15_000;

/** A registry's answer that is not the image: `status` 404 is a tag never pushed, 401/403 a private image. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Requests on one repository, with the anonymous pull token its registry hands out when it asks for one. */
class Repository {
  private authorization: string | undefined;
  readonly base: string;

  constructor(readonly image: string) {
    const { registry, repository } = parseImage(image);
    this.base = `${isLoopbackRegistry(`${registry}/`) ? 'http' : 'https'}://${registry}/v2/${repository}`;
  }

  async request(method: 'GET' | 'HEAD', path: string): Promise<Response> {
    const url = `${this.base}${path}`;
    const send = () =>
      fetch(url, {
        method,
        headers: { accept: MANIFEST_TYPES, ...(this.authorization && { authorization: this.authorization }) },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      }).catch((error: Error) => {
        throw new RegistryError(`${method} ${url}: ${(error as { cause?: Error }).cause?.message ?? error.message}`);
      });
    let response = await send();
    const challenge = response.headers.get('www-authenticate');
    if (response.status === 401 && challenge?.startsWith('Bearer ') && this.authorization === undefined) {
      this.authorization = await this.token(challenge);
      response = await send();
    }
    if (!response.ok) throw new RegistryError(`HTTP ${response.status} for ${method} ${url}`, response.status);
    return response;
  }

  /** Docker Registry token authentication, anonymously: what a public image's pull gets. */
  private async token(challenge: string): Promise<string> {
    const fields = Object.fromEntries([...challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]));
    const tokenUrl = new URL(fields.realm ?? '');
    if (fields.service) tokenUrl.searchParams.set('service', fields.service);
    tokenUrl.searchParams.set('scope', fields.scope ?? `repository:${parseImage(this.image).repository}:pull`);
    const answer = await fetch(tokenUrl, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch((error: Error) => {
      throw new RegistryError(`GET ${tokenUrl.origin}${tokenUrl.pathname}: ${error.message}`);
    });
    const token = (await answer.json().catch(() => ({}))) as { token?: string; access_token?: string };
    return `Bearer ${token.token ?? token.access_token ?? ''}`;
  }

  async json(path: string): Promise<{ body: any; digest: string | null }> {
    const response = await this.request('GET', path);
    return { body: await response.json(), digest: response.headers.get('docker-content-digest') };
  }
}

/**
 * The digest a registry serves for an image's tag (HEAD, header Docker-Content-Digest), anonymously as
 * a public pull is: what publish.sh records as the app checksum.
 */
export async function registryDigest(image: string): Promise<string> {
  const repository = new Repository(image);
  const response = await repository.request('HEAD', `/manifests/${parseImage(image).reference}`);
  const digest = response.headers.get('docker-content-digest');
  if (!digest) throw new RegistryError(`${image}: the registry sent no Docker-Content-Digest header`);
  return digest;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImageFacts {
  /** The tag's digest: the index's for a multi-platform image. */
  digest: string;
  platforms: Platform[];
  /** The linux/amd64 image's compressed size (config and layers, as the manifest lists them), when it has one. */
  amd64Bytes?: number;
}

const sizeOf = (manifest: any) =>
  [manifest.config, ...(manifest.layers ?? [])].reduce((sum: number, blob: any) => sum + Number(blob?.size ?? 0), 0);
const isAmd64 = (platform: Platform | undefined) => platform?.os === 'linux' && platform.architecture === 'amd64';

/** The image's digest, the platforms it is built for, and the size of its linux/amd64 variant. */
export async function imageFacts(image: string): Promise<ImageFacts> {
  const repository = new Repository(image);
  const tagged = await repository.json(`/manifests/${parseImage(image).reference}`);
  const digest = tagged.digest ?? (await registryDigest(image));
  if (INDEX_TYPES.includes(tagged.body.mediaType) || Array.isArray(tagged.body.manifests)) {
    const entries = (tagged.body.manifests ?? []) as Array<{ digest: string; platform?: Platform }>;
    // buildx adds attestation manifests with platform unknown/unknown: not an image a worker could pull.
    const platforms = entries
      .map((entry) => entry.platform)
      .filter((platform): platform is Platform => !!platform && platform.os !== 'unknown');
    const amd64 = entries.find((entry) => isAmd64(entry.platform));
    return { digest, platforms, ...(amd64 && { amd64Bytes: sizeOf((await repository.json(`/manifests/${amd64.digest}`)).body) }) };
  }
  // A single-platform manifest: its config blob names the platform (OCI image config, docker image JSON).
  const config = (await repository.json(`/blobs/${tagged.body.config?.digest}`)).body as Platform;
  const platform = { os: config.os, architecture: config.architecture, ...(config.variant && { variant: config.variant }) };
  return { digest, platforms: [platform], ...(isAmd64(platform) && { amd64Bytes: sizeOf(tagged.body) }) };
}
