// Time to green with an empty npm cache: install, build and the module's own tests, for a default
// TDX module as 0.1.0 wrote it (test/fixtures/0.1.0/hello-tdx, its tooling vendored) and as this
// version writes it (the tooling in iexec-module-kit), each with a cache of its own, so every package
// comes from the registry. Then what the iexec SDK and the kit cost alone, installed the same way.
// Minutes and the npm registry: `npm run bench -- --green`, not part of the tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function seconds(run) {
  const started = performance.now();
  run();
  return (performance.now() - started) / 1000;
}

/** Runs npm in `dir` with its own, empty cache; fails loudly, since a red run measures nothing. */
function npm(dir, cache, args) {
  const run = spawnSync('npm', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      npm_config_cache: cache,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    },
  });
  if (run.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${dir}:\n${run.stdout}\n${run.stderr}`);
}

function bytesBelow(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

/** install, build, test of a module folder with an empty cache. */
function green(label, dir) {
  const cache = mkdtempSync(join(tmpdir(), 'cim-green-cache-'));
  try {
    const install = seconds(() => npm(dir, cache, ['install']));
    const build = seconds(() => npm(dir, cache, ['run', 'build']));
    const test = seconds(() => npm(dir, cache, ['test']));
    const size = bytesBelow(join(dir, 'node_modules'));
    return { label, install, build, test, total: install + build + test, nodeModulesMB: size / 1e6 };
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

/** One package alone into an empty folder, empty cache. */
function alone(label, spec) {
  const dir = mkdtempSync(join(tmpdir(), 'cim-green-alone-'));
  const cache = mkdtempSync(join(tmpdir(), 'cim-green-cache-'));
  try {
    npm(dir, cache, ['init', '-y']);
    const install = seconds(() => npm(dir, cache, ['install', spec]));
    return { label, install, total: install, nodeModulesMB: bytesBelow(join(dir, 'node_modules')) / 1e6 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
}

const work = mkdtempSync(join(tmpdir(), 'cim-green-'));
try {
  const before = join(work, 'hello-tdx-0.1.0');
  cpSync(join(root, 'test/fixtures/0.1.0/hello-tdx'), before, { recursive: true });
  const after = join(work, `hello-tdx-${version}`);
  execFileSync('node', [join(root, 'dist/cli.js'), after, '--yes', '--no-install', '--no-git'], { stdio: 'ignore' });

  const rows = [
    green('0.1.0 module (vendored tooling)', before),
    green(`${version} module (iexec-module-kit)`, after),
    alone('iexec SDK 9.0.1 alone', 'iexec@9.0.1'),
    alone(`iexec-module-kit ${version} alone`, join(root, 'kit/pack', `iexec-module-kit-${version}.tgz`)),
  ];
  console.log('\nTime to green with an empty npm cache (seconds; node_modules in MB):');
  console.log(['what'.padEnd(40), 'install', '  build', '   test', '  total', '   MB'].join(' '));
  for (const row of rows) {
    const cell = (value) => (value === undefined ? '' : value.toFixed(1)).padStart(7);
    console.log(
      [row.label.padEnd(40), cell(row.install), cell(row.build), cell(row.test), cell(row.total), cell(row.nodeModulesMB)].join(' '),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
