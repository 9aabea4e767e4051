// What the localnet suites share: the real iexec CLIs, a module folder with the stand-in app, the
// network started in this process, and the CLI run against it from a requester's folder.
import { execFileSync, spawn } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Wallet } from 'ethers';
import { defaultLocalEntry } from '../../src/chain/config.js';
import { sdkClockImport } from '../../src/chain/clock.js';
import { recordLocalApp } from '../../src/chain/local-apps.js';
import { startNetwork, type Network } from '../../src/chain/network.js';
import { rpc } from '../../src/chain/rpc.js';
import { resolveIexecCli } from '../../src/iexec/sdk.js';
import { kitRoot, moduleDir } from '../helpers.js';

/** Set by the localnet project of vitest.config.ts: these suites start anvil and install the iexec CLI from npm. */
export const LOCALNET = process.env.IEXEC_LOCALNET_TESTS === '1';

/** Kept between runs: the CLIs, and per suite anvil, PoCo and the deployed chain's state. */
export const CACHE = path.join(kitRoot, '..', 'node_modules', '.cache', 'iexec-module-kit-localnet');

/** The real CLI, installed once from npm into the cache; returns its entry script and the install time. */
export function installSdk(version: string): { bin: string; installMs: number } {
  const prefix = path.join(CACHE, `iexec-${version}`);
  const started = performance.now();
  if (!fs.existsSync(path.join(prefix, 'node_modules', 'iexec', 'package.json'))) {
    fs.mkdirSync(prefix, { recursive: true });
    fs.writeFileSync(path.join(prefix, 'package.json'), '{"private":true}');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', `iexec@${version}`], {
      cwd: prefix,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return { bin: resolveIexecCli(prefix), installMs: Math.round(performance.now() - started) };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface CliRun {
  status: number | null;
  /** The --raw answer. */
  json: any;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Localnet {
  network: Network;
  /** The module that started the network (dist/app.cjs is the stand-in app). */
  root: string;
  /** The requester's folder: chain.json, iexec.json, wallet.json. */
  work: string;
  requester: Wallet;
  /** What the network printed. */
  logs: string[];
  startMs: number;
  /** The CLI with `--raw`, run from the requester's folder or `cwd` (another wallet's). */
  cli(args: string[], cwd?: string): Promise<CliRun>;
  /** The first line of the network's output matching `pattern`, waited for. */
  waitForLog(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** What `npm run deploy -- --chain local` records in a module: the app's code is this module's bundle. */
  registerApp(address: string): void;
  writeIexecJson(content: unknown): void;
  stop(): Promise<void>;
}

/** Starts the network for one SDK major, on free ports, with the stand-in app as the module's bundle. */
export async function startLocalnet(sdk: 8 | 9, bin: string, name: string): Promise<Localnet> {
  const { dir: root, bundle } = moduleDir();
  fs.mkdirSync(path.join(root, 'dist'));
  fs.renameSync(bundle, path.join(root, 'dist', 'app.cjs'));
  // anvil, PoCo and the chain state stay in the cache between runs, one folder per suite (each start
  // empties its tasks folder).
  const cache = path.join(CACHE, `chain-${name}`);
  fs.mkdirSync(cache, { recursive: true });
  fs.mkdirSync(path.join(root, 'node_modules', '.cache'), { recursive: true });
  fs.symlinkSync(cache, path.join(root, 'node_modules', '.cache', 'iexec-local-chain'));

  const local = defaultLocalEntry(sdk);
  for (const key of Object.keys(local)) if (local[key]!.startsWith('http://')) local[key] = `http://127.0.0.1:${await freePort()}`;
  const chainJson = JSON.stringify({ default: 'local', chains: { local } }, null, 2);
  fs.writeFileSync(path.join(root, 'chain.json'), chainJson);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), `kit-localnet-${name}-`));
  fs.writeFileSync(path.join(work, 'chain.json'), chainJson);
  const requester = new Wallet(Wallet.createRandom().privateKey);
  fs.writeFileSync(path.join(work, 'wallet.json'), JSON.stringify({ privateKey: requester.privateKey, address: requester.address }));

  const logs: string[] = [];
  const started = performance.now();
  const network = await startNetwork(root, { fund: [requester.address], log: (line) => logs.push(line) });
  const startMs = Math.round(performance.now() - started);
  return {
    network,
    root,
    work,
    requester,
    logs,
    startMs,
    registerApp: (address) => recordLocalApp(network.entry.port, address, path.join(root, 'dist', 'app.cjs')),
    writeIexecJson: (content) => fs.writeFileSync(path.join(work, 'iexec.json'), JSON.stringify(content, null, 2)),
    async waitForLog(pattern, ms = 120_000) {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 100))) {
        for (const line of logs) {
          const match = line.match(pattern);
          if (match) return match;
        }
      }
      throw new Error(`the network printed nothing matching ${pattern} within ${ms} ms:\n${logs.join('\n')}`);
    },
    cli: async (args, cwd = work) => {
      // As the kit's iexec wrapper runs it on the local network: with the chain's clock.
      const offset = Number(await rpc(network.entry.host, 'evm_increaseTime', [0]));
      return new Promise((resolve, reject) => {
        const begun = performance.now();
        const child = spawn(process.execPath, [sdkClockImport(network.entry.host, offset), bin, ...args, '--raw'], {
          cwd,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, HOME: cwd },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (status) => {
          let json: any;
          try {
            json = JSON.parse((stdout.trim() || stderr.trim()).split('\n').pop()!);
          } catch {
            json = undefined;
          }
          resolve({ status, json, stdout, stderr, ms: Math.round(performance.now() - begun) });
        });
      });
    },
    async stop() {
      await network.stop();
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * A dataset as `iexec dataset encrypt` makes one, served over HTTP on loopback: AES-256-CBC with the IV
 * first and a base64 key (tee-worker-pre-compute-rust decrypts it so).
 */
export async function serveDataset(plain: string): Promise<{ url: string; checksum: string; key: string; close(): Promise<void> }> {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([iv, cipher.update(plain), cipher.final()]);
  const server = http.createServer((_req, res) => res.end(encrypted));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dataset.bin`,
    checksum: `0x${createHash('sha256').update(encrypted).digest('hex')}`,
    key: key.toString('base64'),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An app as publish.sh leaves iexec.json before any image is pushed: the worker runs the bundle. */
export function unpublishedApp(owner: string, extra: Record<string, unknown> = {}) {
  return {
    owner,
    name: 'probe',
    type: 'DOCKER',
    multiaddr: 'registry.example/me/probe:unpublished',
    checksum: `0x${'0'.repeat(64)}`,
    ...extra,
  };
}
