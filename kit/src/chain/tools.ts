/*
 * Anvil and PoCo's compiled contracts come from the npm registry once, into the module's
 * node_modules/.cache, then from there: the local network works offline after its first start.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ANVIL = '@foundry-rs/anvil@1.7.1';
/** The newest PoCo on npm; the live chains run 6.2.0, which npm does not have (docs/local-network.md). */
export const POCO = '@iexec/poco@6.1.0';
/** Present once the whole tarball is unpacked (an older kit unpacked the AppRegistry only). */
const POCO_MARKER = 'package/artifacts/contracts/IexecInterfaceToken.sol/IexecInterfaceToken.json';

export function cacheDir(root: string): string {
  return path.join(root, 'node_modules', '.cache', 'iexec-local-chain');
}

export interface Tools {
  /** Anvil's npm launcher, run with this Node. */
  anvilBin: string;
  /** The unpacked @iexec/poco package (its `package/` folder). */
  pocoDir: string;
}

export function fetchTools(cache: string): Tools {
  const npm = (args: string[]) =>
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: cache, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  fs.mkdirSync(cache, { recursive: true });
  const anvilBin = path.join(cache, 'node_modules', '@foundry-rs', 'anvil', 'bin.mjs');
  if (!fs.existsSync(anvilBin)) {
    console.error(`fetching ${ANVIL} (the anvil binary ships inside its npm package)...`);
    // No postinstall: the platform package already holds the binary.
    npm(['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', cache, ANVIL]);
  }
  const poco = path.join(cache, 'poco');
  if (!fs.existsSync(path.join(poco, POCO_MARKER))) {
    // `npm pack`, not `npm install`: the package's own dependencies include git repositories.
    console.error(`fetching ${POCO} (PoCo's compiled contracts)...`);
    const tarball = npm(['pack', POCO, '--silent', '--pack-destination', cache]).trim().split('\n').pop()!;
    fs.rmSync(poco, { recursive: true, force: true });
    fs.mkdirSync(poco, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(cache, tarball), '-C', poco]);
    fs.rmSync(path.join(cache, tarball));
  }
  return { anvilBin, pocoDir: path.join(poco, 'package') };
}
