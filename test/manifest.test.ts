import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, manifestText, readManifest } from '../src/manifest.js';
import { runCli, tempDir } from './helpers/cli.js';
import { generate, render, tree } from './helpers/module.js';

/* The manifest: plain answers, compressed pristine copies, and the plain format older generators wrote. */
let work: string;
beforeAll(async () => {
  work = await tempDir();
});

const stored = async (dir: string) => JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));

describe('the manifest of a new module', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(work, 'new');
    await generate(dir, ['--name', 'm', '--tee', 'scone']);
  });

  it('keeps the answers and the generator in plain JSON, and the pristine copies packed on one line', async () => {
    const json = await stored(dir);
    expect(Object.keys(json)).toEqual(['format', 'generator', 'answers', 'pristine']);
    expect(json.format).toBe(2);
    expect(json.answers).toMatchObject({ name: 'm', tee: 'scone', chain: 'bellecour' });
    expect(json.pristine).toMatch(/^brotli\+base64:[A-Za-z0-9+/]+=*$/);
  });

  it('gives back every generated file exactly', async () => {
    const { files } = readManifest(dir);
    expect(files).toEqual(await render({ name: 'm', tee: 'scone', chain: 'bellecour' }));
    const { [MANIFEST_FILE]: _, ...written } = await tree(dir);
    expect(files).toEqual(written);
  });

  it("is marked generated and kept out of text diffs by the module's .gitattributes, as git reads it", async () => {
    await execa('git', ['init', '--quiet'], { cwd: dir });
    const { stdout } = await execa('git', ['check-attr', 'linguist-generated', 'diff', '--', MANIFEST_FILE], { cwd: dir });
    expect(stdout.split('\n')).toEqual([`${MANIFEST_FILE}: linguist-generated: true`, `${MANIFEST_FILE}: diff: unset`]);
  });

  it('names a damaged pristine line in one sentence', async () => {
    const broken = join(work, 'broken');
    await generate(broken, ['--name', 'm']);
    const json = await stored(broken);
    await writeFile(join(broken, MANIFEST_FILE), JSON.stringify({ ...json, pristine: `${json.pristine.slice(0, 200)}` }));
    const { exitCode, stderr } = await runCli(['upgrade', broken, '--check']);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/lacks the generator version, the answers or the pristine copies it records: restore it from git\.$/m);
  });
});

describe('a module whose manifest an older generator wrote (format 1: plain copies under "files")', () => {
  it('upgrades, and records the new answers in the compressed format', async () => {
    const dir = join(work, 'plain');
    await generate(dir, ['--name', 'm', '--tee', 'scone']);
    const manifest = readManifest(dir);
    await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify({ ...manifest, format: 1 }, null, 2)}\n`);
    expect((await runCli(['upgrade', dir, '--check'])).exitCode).toBe(0);
    const result = await runCli(['upgrade', dir, '--tee', 'tdx', '--chain', 'arbitrum-sepolia-testnet', '--no-install', '--no-validate']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await stored(dir)).format).toBe(2);
    expect(readManifest(dir).files).toEqual(await render({ name: 'm', tee: 'tdx', chain: 'arbitrum-sepolia-testnet' }));
    expect(manifestText(readManifest(dir))).toBe(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  });
});
