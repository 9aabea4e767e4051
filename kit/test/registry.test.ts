import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFacts, parseImage, registryDigest, RegistryError } from '../src/registry.js';
import { fakeRegistry, type FakeRegistry } from './doctor/registry-server.js';

/*
 * What a registry says about an image, read anonymously as a worker's pull reads it: the tag's digest,
 * its platforms (a single manifest's config blob, or an index's entries) and the linux/amd64 image's
 * size; a public registry's Bearer token dance; a tag that is not there.
 */
let registry: FakeRegistry;
let guarded: FakeRegistry;

beforeAll(async () => {
  registry = await fakeRegistry();
  guarded = await fakeRegistry({ token: true });
});
afterAll(async () => {
  await registry.close();
  await guarded.close();
});

describe('parseImage', () => {
  it("applies Docker's defaults: docker.io, library/, latest", () => {
    expect(parseImage('node')).toEqual({ registry: 'registry-1.docker.io', repository: 'library/node', reference: 'latest' });
    expect(parseImage('alice/hello:1.0.0')).toEqual({ registry: 'registry-1.docker.io', repository: 'alice/hello', reference: '1.0.0' });
    expect(parseImage('127.0.0.1:5000/cim/app:2')).toEqual({ registry: '127.0.0.1:5000', repository: 'cim/app', reference: '2' });
    expect(parseImage(`ghcr.io/a/b@sha256:${'0'.repeat(64)}`).reference).toBe(`sha256:${'0'.repeat(64)}`);
  });
});

describe('imageFacts', () => {
  it('reads a single-platform image: its digest (as HEAD gives it), its platform from the config blob, its size', async () => {
    const digest = registry.push('alice/hello', '1.0.0', [{ architecture: 'amd64', bytes: 42_000_000 }]);
    const facts = await imageFacts(`${registry.host}/alice/hello:1.0.0`);
    expect(facts).toEqual({ digest, platforms: [{ os: 'linux', architecture: 'amd64' }], amd64Bytes: expect.any(Number) });
    expect(facts.amd64Bytes).toBeGreaterThan(42_000_000);
    expect(await registryDigest(`${registry.host}/alice/hello:1.0.0`)).toBe(digest);
  });

  it('reads an index: every platform, and the amd64 image size; an arm64-only image has no amd64 size', async () => {
    registry.push('alice/multi', '1.0.0', [{ architecture: 'arm64' }, { architecture: 'amd64', bytes: 10 }]);
    const multi = await imageFacts(`${registry.host}/alice/multi:1.0.0`);
    expect(multi.platforms.map((platform) => platform.architecture)).toEqual(['arm64', 'amd64']);
    expect(multi.amd64Bytes).toBeLessThan(1000);
    registry.push('alice/arm', '1.0.0', [{ architecture: 'arm64' }]);
    const arm = await imageFacts(`${registry.host}/alice/arm:1.0.0`);
    expect(arm.platforms).toEqual([{ os: 'linux', architecture: 'arm64' }]);
    expect(arm.amd64Bytes).toBeUndefined();
  });

  it('gets the anonymous token a public registry asks for', async () => {
    const digest = guarded.push('alice/hello', '1.0.0', [{ architecture: 'amd64' }]);
    expect((await imageFacts(`${guarded.host}/alice/hello:1.0.0`)).digest).toBe(digest);
  });

  it('says 404 for a tag never pushed, with the status a caller can tell apart', async () => {
    const error = await imageFacts(`${registry.host}/alice/hello:9.9.9`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ status: 404 });
  });
});
