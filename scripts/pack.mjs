// The two packages of this repository, packed as `npm publish` uploads them: create-iexec-module (the
// root) and iexec-module-kit (kit/, a workspace). Shared by scripts/release.mjs and
// scripts/local-registry.mjs (the registry suite and the benchmark).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** npm settings that locate the user's credentials and cache, not what a command does. */
const LOCATIONS = /^npm_config_(userconfig|globalconfig|cache)$/i;

/**
 * `env` without the settings npm exports to the scripts it runs (npm_config_dry_run, _json,
 * _workspace, _tag…): a nested npm command would take them as its own, so `npm publish --dry-run`
 * running our prepare would make a nested `npm pack` write nothing. Where the user's credentials
 * and cache live is kept.
 */
export function ownNpmSettings(env = process.env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_config_/i.test(key) || LOCATIONS.test(key)));
}

/** `npm pack --json` in `cwd` into `destination`, and what npm says it packed. */
function npmPack(cwd, destination, extra, env) {
  const out = execFileSync('npm', ['pack', '--json', ...extra, '--pack-destination', destination], {
    cwd,
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(out);
  return {
    tarball: join(destination, packed.filename),
    name: packed.name,
    version: packed.version,
    size: packed.size,
    unpackedSize: packed.unpackedSize,
    files: packed.files.map((f) => f.path),
    integrity: packed.integrity,
  };
}

/** `npm pack` of the generator (which builds dist/ and the kit through `prepare`) into `destination`. */
export function packGenerator(destination, env = ownNpmSettings()) {
  return npmPack(repoRoot, destination, [], env);
}

/**
 * `npm pack` of kit/ into `destination`. Its prepack compiles kit/dist in place, which a test reading
 * the workspace's kit meanwhile could catch half written, so the compiled kit comes from
 * scripts/build-kit.mjs (swapped in whole) and the pack skips the script.
 */
export function packKit(destination, env = ownNpmSettings()) {
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build-kit.mjs')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return npmPack(join(repoRoot, 'kit'), destination, ['--ignore-scripts'], env);
}
