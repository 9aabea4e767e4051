// How long `upgrade` takes on a generated module: node scripts/time-upgrade.mjs [--runs N] [--full]
// Creates a SCONE module, edits it as an owner would, and times each kind of upgrade run (median
// of N, each on a fresh copy) against `--version`, the cost of starting the CLI at all. With
// --full it also times one upgrade to TDX with the npm install and the validation.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, full: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const work = mkdtempSync(join(tmpdir(), 'cim-time-'));
const TDX = ['--tee', 'tdx', '--chain', 'arbitrum-sepolia-testnet'];
const env = { ...process.env, CI: '1', NO_COLOR: '1' };

const run = (args, cwd) => execFileSync('node', [cli, ...args], { cwd, env, stdio: 'pipe' });
/** Runs a command and returns its wall time in ms; a non-zero exit counts as a result too (--check). */
function timed(args, cwd) {
  const started = performance.now();
  try {
    run(args, cwd);
  } catch (error) {
    if (error.status === undefined) throw error;
  }
  return performance.now() - started;
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const original = join(work, 'original');
  run([original, '--tee', 'scone', '--chain', 'bellecour', '--no-install', '--no-git'], work);
  appendFileSync(join(original, 'src/app.ts'), 'console.error("owner line");\n');
  appendFileSync(join(original, 'README.md'), '\n## Owner notes\n');

  const cases = [
    ['--version (starting the CLI)', ['--version']],
    ['upgrade --check, up to date', ['upgrade', '--check']],
    ['upgrade --dry-run to TDX', ['upgrade', ...TDX, '--dry-run']],
    ['upgrade --check to TDX (behind: exit 1)', ['upgrade', ...TDX, '--check']],
    ['upgrade to TDX, --no-install --no-validate', ['upgrade', ...TDX, '--no-install', '--no-validate']],
  ];
  console.log(`median of ${runs} runs, each on a fresh copy of a generated SCONE module with owner edits`);
  for (const [label, args] of cases) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const copy = join(work, `copy-${i}`);
      cpSync(original, copy, { recursive: true });
      times.push(timed(args, copy));
      rmSync(copy, { recursive: true, force: true });
    }
    console.log(`  ${label.padEnd(48)} ${median(times).toFixed(0).padStart(6)} ms`);
  }
  if (values.full) {
    const copy = join(work, 'full');
    cpSync(original, copy, { recursive: true });
    console.log(
      `  ${'upgrade to TDX with npm install and validation'.padEnd(48)} ${timed(['upgrade', ...TDX], copy)
        .toFixed(0)
        .padStart(6)} ms`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
