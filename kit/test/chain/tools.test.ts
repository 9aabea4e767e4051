import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchTools } from '../../src/chain/tools.js';

/*
 * The first start's fetches under faults (issue 16): a fetch that fails or is killed half-way leaves
 * nothing a later start mistakes for a tool, and a cached anvil that does not run is fetched again.
 * `npm` is a stand-in on PATH that does what the test says.
 */
let dir: string;
let cache: string;
let savedPath: string | undefined;

const POCO_MARKER = 'package/artifacts/contracts/IexecInterfaceToken.sol/IexecInterfaceToken.json';
const LAUNCHER = 'node_modules/@foundry-rs/anvil/bin.mjs';

/** An npm whose `install --prefix DIR` writes a launcher printing `version` (or exiting 1 after a partial write). */
function fakeNpm(behaviour: 'works' | 'fails-half-way') {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const launcher = behaviour === 'works' ? "console.log('anvil Version: 1.7.1')" : 'process.exit(1)';
  fs.writeFileSync(
    path.join(bin, 'npm'),
    `#!/usr/bin/env bash
prefix=""; while [ $# -gt 0 ]; do [ "$1" = --prefix ] && prefix=$2; shift; done
mkdir -p "$prefix/node_modules/@foundry-rs/anvil"
echo "${launcher}" > "$prefix/${LAUNCHER}"
${behaviour === 'works' ? 'exit 0' : 'echo "npm error network ECONNRESET" >&2; exit 1'}
`,
    { mode: 0o755 },
  );
  process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-tools-'));
  cache = path.join(dir, 'cache');
  fs.mkdirSync(path.join(cache, 'poco', path.dirname(POCO_MARKER)), { recursive: true });
  fs.writeFileSync(path.join(cache, 'poco', POCO_MARKER), '{}');
  savedPath = process.env.PATH;
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  process.env.PATH = savedPath;
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const entries = () => fs.readdirSync(cache).sort();

describe('fetchTools', () => {
  it('says what failed and how to recover, and leaves no anvil behind when the fetch fails half-way', () => {
    fakeNpm('fails-half-way');
    expect(() => fetchTools(cache)).toThrow(
      /cannot fetch @foundry-rs\/anvil@1\.7\.1 from the npm registry \(npm error network ECONNRESET\): the first start needs it; check your network or npm's registry setting, then start again/,
    );
    expect(entries()).toEqual(['poco']);
  });

  it('clears what a killed fetch left, and installs a working anvil in place', () => {
    fs.mkdirSync(path.join(cache, '.anvil-killed', 'node_modules'), { recursive: true });
    fakeNpm('works');
    const { anvilBin } = fetchTools(cache);
    expect(anvilBin).toBe(path.join(cache, 'anvil', LAUNCHER));
    expect(entries()).toEqual(['anvil', 'poco']);
  });

  it('fetches again a cached anvil that does not run, and says why', () => {
    fs.mkdirSync(path.join(cache, 'anvil', path.dirname(LAUNCHER)), { recursive: true });
    fs.writeFileSync(path.join(cache, 'anvil', LAUNCHER), 'process.exit(3)');
    fakeNpm('works');
    fetchTools(cache);
    expect(vi.mocked(console.error).mock.calls.flat().join('\n')).toContain('the cached anvil does not run');
    expect(fs.readFileSync(path.join(cache, 'anvil', LAUNCHER), 'utf8')).toContain('1.7.1');
  });
});
