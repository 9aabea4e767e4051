/*
 * Anvil and the compiled AppRegistry come from the npm registry once, into the module's
 * node_modules/.cache, then from there: the rehearsal works offline after the first start.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ANVIL = '@foundry-rs/anvil@1.7.1';
export const POCO = '@iexec/poco@6.1.0';
const APP_REGISTRY_ARTIFACT = 'package/artifacts/contracts/registries/apps/AppRegistry.sol/AppRegistry.json';

export function cacheDir(root: string): string {
  return path.join(root, 'node_modules', '.cache', 'iexec-local-chain');
}

export interface Tools {
  /** Anvil's npm launcher, run with this Node. */
  anvilBin: string;
  /** The AppRegistry's creation bytecode. */
  bytecode: string;
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
  const artifact = path.join(cache, 'poco', APP_REGISTRY_ARTIFACT);
  if (!fs.existsSync(artifact)) {
    // `npm pack`, not `npm install`: the package's own dependencies include git repositories.
    console.error(`fetching ${POCO} (the compiled AppRegistry)...`);
    const tarball = npm(['pack', POCO, '--silent', '--pack-destination', cache]).trim().split('\n').pop()!;
    fs.mkdirSync(path.join(cache, 'poco'), { recursive: true });
    execFileSync('tar', ['-xzf', path.join(cache, tarball), '-C', path.join(cache, 'poco'), APP_REGISTRY_ARTIFACT]);
    fs.rmSync(path.join(cache, tarball));
  }
  return { anvilBin, bytecode: JSON.parse(fs.readFileSync(artifact, 'utf8')).bytecode };
}
