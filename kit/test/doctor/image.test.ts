import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordLocalApp, forgetLocalApps } from '../../src/chain/local-apps.js';
import { checkImages, nextVersion } from '../../src/doctor/image.js';
import { chainData, CHECKSUM, fakeContext, fakeModule, fakeReads, STANDARD_APP, TEE_APP } from './fakes.js';
import { fakeRegistry, type FakeRegistry } from './registry-server.js';

/*
 * Each app's image as a worker will pull it, read from a registry on loopback: pushed, linux/amd64,
 * the registry digest = the file's checksum = the deployed app's, its size next to the TEE's memory;
 * the placeholder checksum of an image never published.
 */
let registry: FakeRegistry;
beforeAll(async () => (registry = await fakeRegistry()));
afterAll(() => registry.close());

/** A module whose iexec.json records `image` with the checksum of what is pushed under it, both apps deployed with it. */
function publishedModule(tag: string, platforms: Array<{ architecture: string; bytes?: number }>, framework: 'tdx' | 'scone' = 'tdx') {
  const image = `${registry.host}/alice/${tag.replace(/[^a-z0-9]/g, '')}:1.0.0`;
  const module = fakeModule({ framework, image });
  const digest = registry.push(`alice/${tag.replace(/[^a-z0-9]/g, '')}`, '1.0.0', platforms);
  const checksum = `0x${digest.slice('sha256:'.length)}`;
  for (const file of ['iexec.json', 'iexec.tee.json']) {
    const conf = JSON.parse(fs.readFileSync(path.join(module.root, file), 'utf8'));
    conf.app.checksum = checksum;
    fs.writeFileSync(path.join(module.root, file), JSON.stringify(conf));
  }
  const data = chainData(module, framework, image);
  for (const app of Object.values(data.apps)) app.checksum = checksum;
  const ctx = fakeContext(module, fakeReads(data), { framework });
  ctx.deployed.set('standard', { address: STANDARD_APP, app: data.apps[STANDARD_APP]! });
  ctx.deployed.set('tee', { address: TEE_APP, app: data.apps[TEE_APP]! });
  return { module, ctx, data, image, checksum };
}

const marks = (lines: Array<{ id: string; level: string }>) => lines.map((line) => `${line.level} ${line.id}`);

describe('doctor: the image', () => {
  it('passes a pushed linux/amd64 image whose digest is the checksum recorded and deployed, once for the two apps of a TDX module', async () => {
    const { ctx, image } = publishedModule('healthy', [{ architecture: 'amd64', bytes: 80_000_000 }]);
    const lines = await checkImages(ctx);
    expect(marks(lines)).toEqual([
      'pass image:standard+tee',
      'pass image:standard+tee:digest',
      'pass image:standard:deployed',
      'pass image:tee:deployed',
      'pass image:standard:memory',
      'pass image:tee:memory',
    ]);
    expect(lines[0]!.message).toBe(`standard app and TEE app: ${image} is pushed, for linux/amd64`);
    expect(lines[4]!.message).toBe("standard app: the image is 76 MiB compressed, next to the TDX worker's 6.0 GiB");
  });

  it('fails an image never pushed, with the next version to publish and the deploys', async () => {
    const { ctx, image } = publishedModule('pushed', [{ architecture: 'amd64' }]);
    for (const app of ctx.apps) app.multiaddr = image.replace(':1.0.0', ':1.0.4');
    const lines = await checkImages(ctx);
    expect(lines).toEqual([
      {
        id: 'image:standard+tee',
        level: 'fail',
        message: `standard app and TEE app: ${image.replace(':1.0.0', ':1.0.4')} is not on its registry (HTTP 404): never pushed, or deleted`,
        fix: './publish.sh 1.0.5, then npm run deploy -- --chain arbitrum-sepolia-testnet and npm run deploy:tee -- --chain arbitrum-sepolia-testnet',
      },
    ]);
  });

  it('fails an arm64 image: workers are linux/amd64', async () => {
    const { ctx } = publishedModule('arm', [{ architecture: 'arm64' }]);
    const [platform] = await checkImages(ctx);
    expect(platform).toMatchObject({
      level: 'fail',
      message: expect.stringContaining(
        'is built for linux/arm64, not linux/amd64, the workers\' platform: its tasks fail with "exec format error"',
      ),
      fix: expect.stringContaining('./publish.sh 1.0.1'),
    });
  });

  it('fails a tag pushed again after publish.sh recorded it, and an app deployed with another checksum', async () => {
    const { ctx, data } = publishedModule('repushed', [{ architecture: 'amd64' }]);
    const again = registry.push('alice/repushed', '1.0.0', [{ architecture: 'amd64', bytes: 1234 }]);
    data.apps[TEE_APP]!.checksum = CHECKSUM;
    const lines = await checkImages(ctx);
    expect(marks(lines).slice(0, 4)).toEqual([
      'pass image:standard+tee',
      'fail image:standard+tee:digest',
      'pass image:standard:deployed',
      'fail image:tee:deployed',
    ]);
    expect(lines[1]!.message).toContain(`is ${again} on its registry, iexec.json records sha256:`);
    expect(lines[1]!.message).toContain('the tag was pushed again after publish.sh recorded it');
    expect(lines[3]).toMatchObject({
      message: expect.stringContaining(`the deployed TEE app ${TEE_APP} registers`),
      fix: 'npm run deploy:tee -- --chain arbitrum-sepolia-testnet',
    });
  });

  it("fails an image that cannot fit in the TDX worker's memory, warns past half of it; a SCONE heap over 8 GiB", async () => {
    const big = publishedModule('big', [{ architecture: 'amd64', bytes: 7 * 1024 ** 3 }]);
    expect((await checkImages(big.ctx)).filter((line) => line.id.endsWith(':memory')).map((line) => line.level)).toEqual(['fail', 'fail']);
    const half = publishedModule('half', [{ architecture: 'amd64', bytes: 4 * 1024 ** 3 }]);
    expect((await checkImages(half.ctx)).find((line) => line.id === 'image:tee:memory')).toMatchObject({
      level: 'warn',
      message: expect.stringContaining("over half of it (the kit's own threshold)"),
    });
    const scone = publishedModule('scone', [{ architecture: 'amd64' }], 'scone');
    scone.ctx.apps[1]!.mrenclave!.heapSize = 16 * 1024 ** 3;
    const lines = await checkImages(scone.ctx);
    expect(lines.filter((line) => line.id.endsWith(':memory'))).toEqual([
      expect.objectContaining({
        id: 'image:tee:memory',
        level: 'fail',
        message: expect.stringContaining('over the 8.0 GiB workers accept by default'),
      }),
    ]);
  });

  it("fails a placeholder checksum off the local network; on it, warns when the worker has the module's bundle and fails when not", async () => {
    const module = fakeModule({ image: 'alice/hello:unpublished' });
    for (const file of ['iexec.json', 'iexec.tee.json']) {
      const conf = JSON.parse(fs.readFileSync(path.join(module.root, file), 'utf8'));
      conf.app.checksum = `0x${'0'.repeat(64)}`;
      fs.writeFileSync(path.join(module.root, file), JSON.stringify(conf));
    }
    const data = chainData(module);
    const remote = fakeContext(module, fakeReads(data));
    expect(await checkImages(remote)).toEqual([
      expect.objectContaining({
        level: 'fail',
        fix: './publish.sh 1.0.0, then npm run deploy -- --chain arbitrum-sepolia-testnet and npm run deploy:tee -- --chain arbitrum-sepolia-testnet',
      }),
    ]);
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const conf = JSON.parse(fs.readFileSync(path.join(module.root, 'chain.json'), 'utf8'));
    conf.chains.local.host = `http://127.0.0.1:${port}`;
    fs.writeFileSync(path.join(module.root, 'chain.json'), JSON.stringify(conf));
    const local = fakeContext(module, fakeReads(data), { chain: 'local' });
    local.deployed.set('standard', { address: STANDARD_APP, app: data.apps[STANDARD_APP]! });
    local.deployed.set('tee', { address: TEE_APP, app: data.apps[TEE_APP]! });
    recordLocalApp(port, STANDARD_APP, path.join(module.root, 'dist', 'app.cjs'));
    try {
      const lines = await checkImages(local);
      expect(marks(lines)).toEqual(['warn image:standard', 'fail image:tee']);
      expect(lines[1]!.message).toContain(
        'no module recorded its code on the local network: its tasks fail with APP_IMAGE_DOWNLOAD_FAILED',
      );
    } finally {
      forgetLocalApps(port);
    }
  });

  it('names the next version after the tag', () => {
    expect(nextVersion('alice/hello:1.2.3')).toBe('1.2.4');
    expect(nextVersion('alice/hello:1.0.0-sconify-5.9.1-v16-debug')).toBe('1.0.1');
    expect(nextVersion('alice/hello:unpublished')).toBe('1.0.0');
  });
});
