// What the kit's tests share: a stand-in app that the tests steer through its args, and the built CLI.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const kitRoot = fileURLToPath(new URL('..', import.meta.url));
export const cliPath = join(kitRoot, 'dist/cli.js');

/**
 * An app as a module's bundle would be, in plain CommonJS. It reports what the worker gave it in
 * result.json (its args, its environment, the SHA-256 of each file in IEXEC_IN) and does what its args
 * ask: `print` writes to stdout and stderr, `leak` prints every secret, `keep-secrets` writes them in
 * result.json (else their SHA-256), `exit=N` exits with N,
 * `--callback` writes callback-data, `no-computed` writes no computed.json, `flood=N` prints N bytes,
 * `child` starts a child that never ends (its pid in IEXEC_OUT/child.pid, the app's in app.pid),
 * `orphan` the same but exits, `hang` never ends once the result is written, `result=image|folder|
 * link|text` makes the deterministic output something else than a JSON result.json.
 */
const APP = String.raw`
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const args = process.argv.slice(2);
const out = process.env.IEXEC_OUT;
const inputs = Object.fromEntries(readdirSync(process.env.IEXEC_IN).map((name) => [name, createHash('sha256').update(readFileSync(join(process.env.IEXEC_IN, name))).digest('hex')]));
if (args.includes('print')) { console.log('to stdout'); console.error('to stderr'); }
if (args.includes('leak')) for (const [name, value] of Object.entries(process.env)) if (name.includes('SECRET')) console.log(value);
// Secrets hashed, unless the task asks to keep them (a result that leaks them).
const hash = (value) => 'sha256:' + createHash('sha256').update(value).digest('hex');
const env = Object.fromEntries(Object.entries(process.env).map(([name, value]) => [name, name.includes('SECRET') && !args.includes('keep-secrets') ? hash(value) : value]));
writeFileSync(join(out, 'result.json'), JSON.stringify({ ok: true, result: { args, env, inputs } }));
const computed = { 'deterministic-output-path': join(out, 'result.json') };
const kind = (args.find((arg) => arg.startsWith('result=')) ?? '').slice(7);
if (kind) rmSync(join(out, 'result.json'));
if (kind === 'image') writeFileSync(computed['deterministic-output-path'] = join(out, 'result.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
if (kind === 'folder') mkdirSync(join(out, 'result.json')), writeFileSync(join(out, 'result.json', 'part.txt'), 'part');
if (kind === 'link') writeFileSync(join(out, 'data.json'), '{}'), symlinkSync('data.json', join(out, 'result.json'));
if (kind === 'text') writeFileSync(join(out, 'result.json'), 'hello, not JSON');
if (args.includes('--callback')) computed['callback-data'] = '0x' + 'ab'.repeat(32);
if (!args.includes('no-computed')) writeFileSync(join(out, 'computed.json'), JSON.stringify(computed));
const exit = args.find((arg) => arg.startsWith('exit='));
if (exit) process.exitCode = Number(exit.slice(5));
const flood = args.find((arg) => arg.startsWith('flood='));
if (flood) process.stdout.write('x'.repeat(Number(flood.slice(6))));
if (args.includes('child') || args.includes('orphan')) {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  if (args.includes('orphan')) child.unref();
  writeFileSync(join(out, 'app.pid'), String(process.pid));
  writeFileSync(join(out, 'child.pid'), String(child.pid));
}
if (args.includes('hang')) for (;;) {}
`;

/** Whether a process is running: not gone, not a zombie waiting for a parent to reap it. */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** What the stand-in app writes in result.json. */
export interface Reported {
  ok: true;
  result: { args: string[]; env: Record<string, string>; inputs: Record<string, string> };
}

/** A fresh folder with the stand-in app in it, as dist/app.cjs of a module. */
export function moduleDir(): { dir: string; bundle: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kit-test-'));
  const bundle = join(dir, 'app.cjs');
  writeFileSync(bundle, APP);
  return { dir, bundle };
}

/** Every file below `dir`. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesBelow(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * Builds kit/dist as the package ships it, which the CLI tests run, unless it is newer than every
 * source and config file: tsc writes every output on each build, so dist/cli.js is as old as the build.
 */
export function buildKit(): void {
  const sources = [...filesBelow(join(kitRoot, 'src')), join(kitRoot, 'tsconfig.json'), join(kitRoot, 'tsconfig.build.json')];
  if (existsSync(cliPath) && sources.every((source) => statSync(source).mtimeMs <= statSync(cliPath).mtimeMs)) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', join(kitRoot, 'tsconfig.build.json')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`tsc -p kit/tsconfig.build.json failed:\n${build.stdout}${build.stderr}`);
}

/** Runs a node script in its own process, its output collected; `env` adds to the environment. */
export function runNode(
  script: string,
  argv: string[],
  cwd?: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs `iexec-module <argv>` from kit/dist, in its own process. */
export function kit(argv: string[], cwd?: string) {
  return runNode(cliPath, argv, cwd);
}
