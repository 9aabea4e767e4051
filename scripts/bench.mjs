// `npm run bench`: create-iexec-module beside create-vite, on this machine, in one run.
//   node scripts/bench.mjs [--runs 15] [--skip-green] [--cold-green] [--before <create-iexec-module.tgz>]
// Prints a markdown table: generation time (median, ratio, where it goes, CPU time), package size
// and runtime dependencies, time from an empty npm cache to the first question, and time to green
// on a warm cache by step. --cold-green adds time to green with an EMPTY npm cache, before (a 0.1.0
// module, tooling vendored) and after (the kit), and what the iexec SDK and the kit cost alone
// (scripts/bench-green.mjs: minutes, every package from the registry). --before adds an earlier
// packed version of ours to the same alternating runs: a change measured before and after together.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { newUser, packPackage, repoRoot, startRegistry } from './local-registry.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'skip-green': { type: 'boolean', default: false },
    'cold-green': { type: 'boolean', default: false },
    before: { type: 'string' },
  },
});
const RUNS = Math.max(10, Number(values.runs));
const work = mkdtempSync(join(tmpdir(), 'cim-bench-'));
const publicRegistry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();

const log = (text) => process.stderr.write(`${text}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${Math.round(x)} ms`;
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const sec = (x) => `${(x / 1000).toFixed(1)} s`;

/** Installs a package (a name or a tarball) into a folder of its own, as `npm create` would fetch it. */
function installInto(dir, spec) {
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', dir, spec], { stdio: 'ignore' });
  const lock = JSON.parse(readFileSync(join(dir, 'node_modules/.package-lock.json'), 'utf8'));
  return Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/')).length;
}

function packInfo(spec) {
  const [p] = JSON.parse(
    execFileSync('npm', ['pack', spec, '--dry-run', '--json'], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  return { size: p.size, unpackedSize: p.unpackedSize, version: p.version };
}

function bytesOf(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((sum, entry) => sum + bytesOf(join(path, entry)), 0);
}

/*
 * Each timed node process also reports its own CPU time (user + system, all its threads) as it
 * exits: on a machine busy with other work, the wall time measures the waiting as well.
 */
const cpuReport = join(work, 'cpu-at-exit.cjs');
const cpuFile = join(work, 'cpu.txt');
writeFileSync(
  cpuReport,
  "process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(process.env.BENCH_CPU_FILE, String((u.user + u.system) / 1000)); });",
);

function timeOnce(args) {
  const cwd = mkdtempSync(join(work, 'gen-'));
  const started = process.hrtime.bigint();
  const result = spawnSync('node', ['-r', cpuReport, ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CI: '1', BENCH_CPU_FILE: cpuFile },
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
  rmSync(cwd, { recursive: true, force: true });
  return { wall, cpu: Number(readFileSync(cpuFile, 'utf8')) };
}

/**
 * `npx --yes <package>` in a pseudo-terminal (util-linux `script`) with an empty npm cache, timed
 * until the first question shows. npx then has to download the package from the registry.
 */
function timeToFirstQuestion(registry, spec, question) {
  const { env, home } = newUser({ registry, npmCache: mkdtempSync(join(work, 'empty-cache-')) });
  const cwd = mkdtempSync(join(work, 'ask-'));
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('script', ['--quiet', '--command', `npx --yes ${spec}`, '/dev/null'], {
      cwd,
      env: { ...env, TERM: 'xterm' },
      detached: true,
    });
    let screen = '';
    const timer = setTimeout(() => finish(new Error(`no question from ${spec} within 120 s:\n${screen}`)), 120_000);
    function finish(error, elapsed) {
      clearTimeout(timer);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(home, { recursive: true, force: true });
      if (error) reject(error);
      else resolve(elapsed);
    }
    child.stdout.on('data', (chunk) => {
      screen += chunk;
      // Prompt libraries move the cursor between characters: compare the bare letters.
      const letters = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\s+/g, '');
      if (letters.includes(question.replace(/\s+/g, ''))) finish(undefined, Number(process.hrtime.bigint() - started) / 1e6);
    });
    child.on('exit', (code) => finish(new Error(`${spec} exited (${code}) before asking:\n${screen}`)));
  });
}

const rows = [];

log(`packing create-iexec-module and installing create-vite@latest into ${work}…`);
const ours = packPackage(work);
const oursDeps = installInto(join(work, 'ours'), ours.tarball) - 1;
const viteDeps = installInto(join(work, 'vite'), 'create-vite@latest') - 1;
const vite = packInfo(`create-vite@${JSON.parse(readFileSync(join(work, 'vite/node_modules/create-vite/package.json'), 'utf8')).version}`);
const oursBin = join(work, 'ours/node_modules/create-iexec-module/dist/cli.js');
const viteBin = join(work, 'vite/node_modules/create-vite/index.js');
if (values.before) installInto(join(work, 'before'), values.before);
const beforeBin = join(work, 'before/node_modules/create-iexec-module/dist/cli.js');

log(`generation: ${RUNS} runs each, alternating, after one warm-up run each…`);
const oursArgs = [oursBin, 'demo', '--yes', '--no-install', '--no-git'];
const viteArgs = [viteBin, 'demo', '--template', 'vanilla-ts', '--no-interactive'];
// Where the time goes: starting the CLI alone, then rendering in memory (--dry-run writes nothing).
const commands = {
  ours: oursArgs,
  vite: viteArgs,
  node: ['-e', ''],
  oursStart: [oursBin, '--version'],
  viteStart: [viteBin, '--help'],
  oursDry: [...oursArgs, '--dry-run'],
  ...(values.before
    ? {
        before: [beforeBin, ...oursArgs.slice(1)],
        beforeStart: [beforeBin, '--version'],
        beforeDry: [beforeBin, ...oursArgs.slice(1), '--dry-run'],
      }
    : {}),
};
for (const args of Object.values(commands)) timeOnce(args);
const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, args] of Object.entries(commands)) times[name].push(timeOnce(args));
}
const m = Object.fromEntries(Object.entries(times).map(([name, runs]) => [name, median(runs.map((r) => r.wall))]));
const cpu = Object.fromEntries(Object.entries(times).map(([name, runs]) => [name, median(runs.map((r) => r.cpu))]));

rows.push([
  'generate (median of ' + RUNS + ', whole process)',
  ms(m.ours),
  ms(m.vite),
  `ratio ${(m.ours / m.vite).toFixed(2)} (goal <= 1.00)`,
]);
rows.push([
  '  the same minus an empty `node -e ""` (' + ms(m.node) + ')',
  ms(m.ours - m.node),
  ms(m.vite - m.node),
  `ratio ${((m.ours - m.node) / (m.vite - m.node)).toFixed(2)}`,
]);
rows.push([
  '  of which starting the CLI (`--version`; create-vite `--help`) minus `node -e ""`',
  ms(m.oursStart - m.node),
  ms(m.viteStart - m.node),
  '',
]);
rows.push(['  of which answering and rendering in memory (`--dry-run` minus `--version`)', ms(m.oursDry - m.oursStart), '', '']);
rows.push(['  of which writing the module (generate minus `--dry-run`)', ms(m.ours - m.oursDry), '', '']);
rows.push([
  'generate, CPU time of the process (user + system, median)',
  ms(cpu.ours),
  ms(cpu.vite),
  `ratio ${(cpu.ours / cpu.vite).toFixed(2)}`,
]);
// CPU time splits the same way and waits for no other process: on a busy machine, the steadier figure.
const cpuSplit = (name) =>
  [cpu[`${name}Start`], cpu[`${name}Dry`] - cpu[`${name}Start`], cpu[name] - cpu[`${name}Dry`]].map(ms).join(' + ');
rows.push([
  '  CPU: starting the CLI + answering and rendering in memory + writing',
  cpuSplit('ours'),
  `${ms(cpu.viteStart)} (\`--help\`)`,
  '',
]);
if (values.before) {
  const before = values.before.split('/').pop();
  rows.push([
    `generate with --before (${before})`,
    ms(m.before),
    ms(m.vite),
    `ratio ${(m.before / m.vite).toFixed(2)}; CPU ${ms(cpu.before)}`,
  ]);
  rows.push([`  CPU of ${before}: starting the CLI + answering and rendering in memory + writing`, cpuSplit('before'), '', '']);
}
rows.push([
  'packed size',
  kB(ours.size),
  kB(vite.size),
  ours.size <= vite.size ? 'goal met' : `goal missed by ${kB(ours.size - vite.size)}`,
]);
rows.push(['unpacked size', kB(ours.unpackedSize), kB(vite.unpackedSize), '']);
rows.push(['runtime dependencies (installed packages)', String(oursDeps), String(viteDeps), 'goal 0']);

log('empty npm cache to first question, through a local registry…');
const registry = await startRegistry();
try {
  registry.publish(ours.tarball);
  // Put create-vite into the registry's own cache first, so both packages come from loopback.
  execFileSync(
    'npm',
    ['cache', 'add', `create-vite@${vite.version}`, '--registry', registry.url, '--cache', mkdtempSync(join(work, 'c-'))],
    {
      stdio: 'ignore',
    },
  );
  const first = { ours: [], vite: [] };
  for (let i = 0; i < 3; i++) {
    first.ours.push(await timeToFirstQuestion(registry.url, `create-iexec-module@${ours.version}`, 'Directory to create the module in'));
    first.vite.push(await timeToFirstQuestion(registry.url, `create-vite@${vite.version}`, 'Project name'));
  }
  rows.push(['empty npm cache to first question (`npx --yes`, median of 3)', ms(median(first.ours)), ms(median(first.vite)), '']);
} finally {
  await registry.stop();
}

if (!values['skip-green']) {
  log('time to green on a warm npm cache (one warm-up run fills it)…');
  const cache = join(repoRoot, '.bench/npm-cache');
  // The kit the module depends on is not on the public registry yet: it comes from this checkout's pack.
  const kitTarball = join(repoRoot, 'kit/pack', `iexec-module-kit-${ours.version}.tgz`);
  const kit = existsSync(kitTarball) ? ['--kit', kitTarball] : [];
  const green = (dir) => {
    const cwd = mkdtempSync(join(work, 'green-'));
    const { env } = newUser({ registry: publicRegistry, npmCache: cache, home: mkdtempSync(join(work, 'home-')) });
    const started = process.hrtime.bigint();
    const result = spawnSync('node', [oursBin, dir, '--yes', ...kit], { cwd, env, encoding: 'utf8' });
    const total = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`create with install failed:\n${result.stdout}\n${result.stderr}`);
    const steps = [...result.stdout.matchAll(/^✔ (.+?) \((\d+\.\d)s\)$/gm)].map((m) => [m[1], Number(m[2]) * 1000]);
    return { total, steps, module: join(cwd, dir) };
  };
  try {
    green('warm-up');
    const run = green('demo');
    rows.push([
      'time to green, warm npm cache (create, git, npm install, build, tests)',
      sec(run.total),
      '',
      run.total < 30_000 ? 'goal < 30 s met' : 'goal < 30 s missed',
    ]);
    for (const [title, t] of run.steps) rows.push([`  ${title}`, sec(t), '', '']);
    const dockerfile = readFileSync(join(run.module, 'Dockerfile'), 'utf8');
    const copies = [...dockerfile.matchAll(/^COPY\s+(.+)$/gm)].map((m) => m[1]);
    const payload = copies
      .flatMap((args) =>
        args
          .split(/\s+/)
          .filter((a) => !a.startsWith('--'))
          .slice(0, -1),
      )
      .reduce((sum, source) => sum + bytesOf(join(run.module, source)), 0);
    rows.push(['bytes the default module copies into its image', `${payload} B`, '', copies.map((c) => `COPY ${c}`).join(', ')]);
  } catch (error) {
    // The figures above are still worth printing; the log has the whole output.
    log(error.message);
    rows.push(['time to green, warm npm cache', 'failed', '', error.message.match(/npm error .*|✖ .* failed/)?.[0] ?? 'see the log above']);
  }
}

const table = [
  `| create-iexec-module ${ours.version} vs create-vite ${vite.version} (node ${process.version}, ${new Date().toISOString().slice(0, 10)}) | create-iexec-module | create-vite | |`,
  '|---|---:|---:|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
console.log(table);
rmSync(work, { recursive: true, force: true });
if (values['cold-green']) {
  log('time to green with an empty npm cache, 0.1.0 against this version…');
  execFileSync(process.execPath, [join(repoRoot, 'scripts/bench-green.mjs')], { stdio: 'inherit' });
}
