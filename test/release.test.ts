import { appendFile, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';
import { checkoutCopy, GIT_IDENTITY } from './helpers/checkout.js';

/*
 * scripts/release.mjs refusing before it writes anything: each case runs it in a copy of this
 * checkout and checks the one-line reason, the exit code, and that the tree, HEAD and tags are as
 * they were. What it does once it goes on (the version set, the suites, packing, publishing to a
 * real registry, a partial failure and the rerun) is test/registry/release.registry.ts's, against verdaccio.
 */

let version: string;
/** A registry that answers npm ping and nothing else, on loopback. */
let pingOnly: Server;
let pingOnlyUrl: string;
/** One copy for every case: each refusal is checked to leave it as it was, and each case undoes its own setup. */
let dir: string;

beforeAll(async () => {
  version = JSON.parse(await readFile('package.json', 'utf8')).version;
  dir = join(await tempDir('cim-release-'), 'repo');
  await checkoutCopy(dir, { linkNodeModules: true });
  pingOnly = createServer((request, response) => {
    response.writeHead(request.url === '/-/ping' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => pingOnly.listen(0, '127.0.0.1', resolve));
  pingOnlyUrl = `http://127.0.0.1:${(pingOnly.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise((resolve) => pingOnly.close(resolve)));

afterEach(async () => {
  await git(dir, 'checkout', '--quiet', '--', '.');
  const tags = (await git(dir, 'tag')).stdout;
  if (tags) await git(dir, 'tag', '--delete', ...tags.split('\n'));
});

const git = (dir: string, ...args: string[]) => execa('git', args, { cwd: dir, env: GIT_IDENTITY });

async function state(dir: string) {
  return {
    status: (await git(dir, 'status', '--porcelain')).stdout,
    head: (await git(dir, 'rev-parse', 'HEAD')).stdout,
    tags: (await git(dir, 'tag')).stdout,
  };
}

/** Runs the release in `dir`; it must refuse with one line matching `reason`, changing nothing. */
async function refuses(dir: string, args: string[], reason: RegExp): Promise<void> {
  const before = await state(dir);
  const result = await execa('node', ['scripts/release.mjs', ...args], { cwd: dir, env: GIT_IDENTITY, reject: false });
  expect(result.exitCode, result.stderr).toBe(1);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(reason);
  expect(await state(dir)).toEqual(before);
}

describe('the release refuses, writing nothing', () => {
  it('without a version and a registry, showing how to call it', async () => {
    await refuses(dir, [], /^release: give one version and the registry: npm run release -- <version> --registry <url>/);
    await refuses(dir, ['1.0.0'], /give one version and the registry/);
    await refuses(dir, ['one', '--registry', pingOnlyUrl], /"one" is not a version/);
    await refuses(dir, [version, '--registry', 'nowhere'], /--registry "nowhere" is not a URL/);
    await refuses(dir, [version, '--registry', pingOnlyUrl, '--bogus'], /Unknown option '--bogus': npm run release/);
  });

  it('when the tree has uncommitted changes, naming them', async () => {
    await appendFile(join(dir, 'README.md'), '\nunfinished\n');
    await refuses(
      dir,
      [version, '--registry', pingOnlyUrl],
      /the tree has uncommitted changes \(README\.md\): commit them, or put them aside with `git stash --include-untracked`/,
    );
  });

  it('when the version is released already (its tag exists)', async () => {
    await git(dir, 'tag', '-a', `v${version}`, '-m', 'released');
    await refuses(
      dir,
      [version, '--registry', pingOnlyUrl],
      new RegExp(`tag v${version} exists: ${version} is released .*give a greater version`),
    );
  });

  it('when the version is not greater than the last release, or lower than package.json', async () => {
    await refuses(
      dir,
      ['0.0.1', '--registry', pingOnlyUrl],
      new RegExp(`0\\.0\\.1 is lower than the version package\\.json already holds, ${version}`),
    );
    await git(dir, 'tag', '-a', 'v9.1.0', '-m', 'released');
    await refuses(dir, ['9.0.0', '--registry', pingOnlyUrl], /9\.0\.0 is not greater than the last release, 9\.1\.0 \(tag v9\.1\.0\)/);
    await refuses(dir, ['9.1.0-rc.1', '--registry', pingOnlyUrl], /not greater than the last release, 9\.1\.0/);
  });

  it('when a changelog has no entry for the version', async () => {
    await refuses(
      dir,
      ['9.0.0', '--registry', pingOnlyUrl],
      /CHANGELOG\.md has no entry for 9\.0\.0: write what it changes for module owners under "## 9\.0\.0"/,
    );
  });

  it('when a suite named is not one of .ci/run', async () => {
    await refuses(
      dir,
      [version, '--registry', pingOnlyUrl, '--suites', 'test,nope'],
      /--suites test,nope: name suites of \.ci\/run, comma-separated: test, test:e2e/,
    );
  });

  it('when the registry does not answer, or does not know the maintainer', async () => {
    const closed = pingOnlyUrl.replace(/:\d+\/$/, ':9/');
    await refuses(
      dir,
      [version, '--registry', closed],
      /the registry http:\/\/127\.0\.0\.1:9\/ does not answer \(npm ping: .*ECONNREFUSED.*\): check the URL/,
    );
    await refuses(
      dir,
      [version, '--registry', pingOnlyUrl],
      new RegExp(`you are not logged in to ${pingOnlyUrl} .*run \`npm login --registry ${pingOnlyUrl}\``),
    );
  });
});
