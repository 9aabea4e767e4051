// Builds the kit (kit/dist) and packs it into kit/pack/iexec-module-kit-<version>.tgz: the tarball a
// module generated from this checkout installs, since the kit is not on a registry yet. Same bytes
// as `npm publish` would upload: `npm pack` applies the package's `files` list.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownNpmSettings } from './pack.mjs';

const kit = fileURLToPath(new URL('../kit', import.meta.url));
const pack = join(kit, 'pack');
const { version } = JSON.parse(readFileSync(join(kit, 'package.json'), 'utf8'));

// Compiled beside and swapped in, so no stale file of an earlier build survives and a test running
// meanwhile (the kit is linked into node_modules) finds a whole dist/ at every moment but one rename.
const fresh = join(kit, `.dist-${process.pid}`);
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
execFileSync(process.execPath, [tsc, '-p', join(kit, 'tsconfig.build.json'), '--outDir', fresh], { stdio: 'inherit' });
const stale = join(kit, `.dist-old-${process.pid}`);
if (existsSync(join(kit, 'dist'))) renameSync(join(kit, 'dist'), stale);
// The bin, as npm makes it on install: the workspace link in node_modules/.bin points at this file.
chmodSync(join(fresh, 'cli.js'), 0o755);
renameSync(fresh, join(kit, 'dist'));
rmSync(stale, { recursive: true, force: true });
// Packed beside, then renamed over: an install reading the tarball meanwhile never sees half of one.
const staging = join(pack, `.staging-${process.pid}`);
mkdirSync(staging, { recursive: true });
try {
  // --ignore-scripts: prepack would compile what was just compiled. Run by `npm publish --dry-run`
  // (prepare), the pack would otherwise inherit its dry run and write nothing.
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', staging], {
    cwd: kit,
    env: ownNpmSettings(),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const name = `iexec-module-kit-${version}.tgz`;
  const packed = readdirSync(staging);
  if (packed.length !== 1 || packed[0] !== name)
    throw new Error(`npm pack wrote ${packed.join(', ') || 'nothing'} into ${staging}, expected ${name}`);
  renameSync(join(staging, name), join(pack, name));
  for (const old of readdirSync(pack)) if (old !== name && !old.startsWith('.staging-')) rmSync(join(pack, old));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
