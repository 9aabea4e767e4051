import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hubCode } from '../src/chain/hub.js';
import { cacheDir } from '../src/chain/tools.js';
import { main as chain } from '../src/commands/chain.js';

/*
 * `iexec-module chain` against a stub anvil and a stub AppRegistry artifact already in the module's
 * cache (so nothing is fetched): the stub answers the JSON-RPC calls the command makes, with the
 * contract addresses a fresh anvil gives its first account's first two creations, and records them.
 * Real anvil and the real CLI on it are the toolchain suite's job.
 */
const STUB_ANVIL = `import fs from 'node:fs';
import http from 'node:http';
const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const record = (entry) => fs.appendFileSync(process.env.STUB_ANVIL_RECORD, JSON.stringify(entry) + '\\n');
record({ argv: process.argv.slice(2), pid: process.pid });
if (process.env.STUB_ANVIL_EXIT) process.exit(Number(process.env.STUB_ANVIL_EXIT));
const chainId = process.env.STUB_ANVIL_CHAIN_ID ?? arg('--chain-id');
const created = ['0x5FbDB2315678afecb367f032d93F642f64180aa3', '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'];
let sent = 0;
http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const { id, method, params } = JSON.parse(body);
    record({ method, params });
    const results = {
      eth_chainId: () => '0x' + Number(chainId).toString(16),
      eth_accounts: () => ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'],
      eth_sendTransaction: () => '0x' + String((sent += 1)).padStart(64, '0'),
      eth_getTransactionReceipt: () => ({ status: '0x1', contractAddress: created[Number(params[0]) - 1] }),
      anvil_setBalance: () => null,
    };
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ jsonrpc: '2.0', id, result: results[method]() }));
  });
}).listen(Number(arg('--port')), arg('--host'));
process.on('SIGTERM', () => {
  record({ stopped: true });
  process.exit(0);
});
`;
const BYTECODE = '0x6080604052';
const HUB = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const REGISTRY = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const WALLET = '0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1';
const FUND = '0x1111111111111111111111111111111111111111';

let base: string;
let root: string;
let port: number;
let stdout: string[];
let stderr: string[];

function writeJson(file: string, value: unknown) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function anvilRecord(): Array<{ argv?: string[]; pid?: number; method?: string; params?: unknown[]; stopped?: true }> {
  const file = path.join(base, 'anvil.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}
const calls = (method: string) => anvilRecord().filter((entry) => entry.method === method);

function localChain(change: Record<string, unknown> = {}) {
  writeJson(path.join(root, 'chain.json'), {
    default: 'arbitrum-sepolia-testnet',
    chains: { 'arbitrum-sepolia-testnet': {}, local: { id: '31337', host: `http://127.0.0.1:${port}`, hub: HUB, ...change } },
  });
}

/** Starts the command; once the chain says it is ready (or the command ended), gives its status promise. */
async function startChain(argv: string[] = []): Promise<{ status: Promise<number> }> {
  const status = chain(argv, root);
  for (let i = 0; i < 200 && !stdout.some((line) => line.includes('100 ETH for gas given to')); i += 1) {
    if (await Promise.race([status.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 25))])) break;
  }
  return { status };
}

beforeEach(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-chain-'));
  root = path.join(base, 'module');
  const cache = cacheDir(root);
  fs.mkdirSync(path.join(cache, 'node_modules', '@foundry-rs', 'anvil'), { recursive: true });
  fs.writeFileSync(path.join(cache, 'node_modules', '@foundry-rs', 'anvil', 'bin.mjs'), STUB_ANVIL);
  writeJson(path.join(cache, 'poco', 'package/artifacts/contracts/registries/apps/AppRegistry.sol/AppRegistry.json'), { bytecode: BYTECODE });
  port = await freePort();
  localChain();
  vi.stubEnv('HOME', path.join(base, 'home'));
  vi.stubEnv('STUB_ANVIL_RECORD', path.join(base, 'anvil.jsonl'));
  stdout = [];
  stderr = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void stdout.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => void stderr.push(args.join(' ')));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  for (const { pid } of anvilRecord()) {
    try {
      if (pid) process.kill(pid);
    } catch {
      // Already gone, as it should be.
    }
  }
  fs.rmSync(base, { recursive: true, force: true });
});

describe('iexec-module chain', () => {
  it('starts anvil on the "local" entry, deploys the registry then the hub, funds the wallets, and Ctrl-C ends it with status 0', async () => {
    const listeners = process.listenerCount('SIGINT');
    writeJson(path.join(root, 'wallet.json'), { address: WALLET });
    writeJson(path.join(base, 'home', '.ethereum', 'keystore', `UTC--2026-01-01T00-00-00.0Z--${'2'.repeat(40)}`), { address: '2'.repeat(40) });
    const { status } = await startChain(['--fund', FUND, '--fund', WALLET.toLowerCase()]);
    expect(stdout.join('\n')).toContain(`local chain ready: chain.json "local" {"id":"31337","host":"http://127.0.0.1:${port}","hub":"${HUB}"}`);
    expect(stdout).toContain(`  AppRegistry ${REGISTRY} (@iexec/poco@6.1.0), anvil 1.7.1`);
    expect(stdout).toContain(`  100 ETH for gas given to: ${FUND}, ${WALLET.toLowerCase()}, 0x${'2'.repeat(40)}`);
    expect(stdout.join('\n')).toContain('npx iexec-module iexec standard app deploy --chain local');

    expect(anvilRecord()[0]!.argv).toEqual([
      '--host', '127.0.0.1', '--port', String(port), '--chain-id', '31337', '--silent',
    ]);
    const sent = calls('eth_sendTransaction').map(({ params }) => params![0]);
    expect(sent).toEqual([
      { from: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266', data: BYTECODE },
      { from: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266', data: hubCode(REGISTRY) },
    ]);
    expect(calls('anvil_setBalance').map(({ params }) => params)).toEqual(
      [FUND, WALLET, `0x${'2'.repeat(40)}`].map((address) => [address.toLowerCase(), '0x56bc75e2d63100000']),
    );

    process.emit('SIGINT');
    expect(await status).toBe(0);
    expect(anvilRecord().some((entry) => entry.stopped)).toBe(true);
    expect(process.listenerCount('SIGINT'), 'its signal handlers are gone').toBe(listeners);
  });

  it('says so when no wallet is found', async () => {
    const { status } = await startChain();
    expect(stdout).toContain('  100 ETH for gas given to: no wallet found (use --fund ADDRESS)');
    process.emit('SIGTERM');
    expect(await status).toBe(0);
  });

  it('fails, stopping anvil, when the hub does not land where chain.json says', async () => {
    localChain({ hub: FUND });
    expect(await chain([], root)).toBe(1);
    expect(stderr).toContain(
      `error: the hub landed at ${HUB}, chain.json "local" says ${FUND}: set "hub" to ${HUB} (the address is the same on every start)`,
    );
    expect(anvilRecord().some((entry) => entry.stopped)).toBe(true);
  });

  it('fails when the node has another chain id than chain.json', async () => {
    vi.stubEnv('STUB_ANVIL_CHAIN_ID', '1');
    expect(await chain([], root)).toBe(1);
    expect(stderr).toContain(`error: the node at http://127.0.0.1:${port} has chain id 1, chain.json says 31337`);
  });

  it('fails when anvil exits before it answers, or stops by itself later', async () => {
    vi.stubEnv('STUB_ANVIL_EXIT', '7');
    expect(await chain([], root)).toBe(1);
    expect(stderr).toContain(`error: anvil exited (status 7): is http://127.0.0.1:${port} already taken?`);

    vi.stubEnv('STUB_ANVIL_EXIT', '');
    stderr = [];
    fs.rmSync(path.join(base, 'anvil.jsonl'));
    const { status } = await startChain();
    process.kill(anvilRecord()[0]!.pid!, 'SIGKILL');
    expect(await status).toBe(1);
    expect(stderr).toContain('error: anvil stopped by itself (status null)');
  });

  it('refuses a missing or non-local "local" entry and bad arguments, starting nothing', async () => {
    localChain({ host: 'https://rpc.example.com' });
    expect(await chain([], root)).toBe(1);
    expect(stderr).toContain('error: chain.json "local" host must be http://127.0.0.1:PORT, got https://rpc.example.com');
    writeJson(path.join(root, 'chain.json'), { default: 'bellecour', chains: { bellecour: {} } });
    expect(await chain([], root)).toBe(1);
    expect(stderr.at(-1)).toMatch(/^error: chain.json has no complete "local" chain: add "local": \{ "id": "31337"/);
    expect(await chain(['--fund', '0x12'], root)).toBe(1);
    expect(stderr.at(-1)).toBe("error: --fund needs an address (0x and 40 hex digits), got '0x12'");
    expect(await chain(['--port', '8545'], root)).toBe(1);
    expect(stderr.at(-1)).toBe('error: unexpected argument --port: usage: iexec-module chain [--fund 0xADDRESS ...]');
    expect(anvilRecord()).toEqual([]);
    expect(await chain(['--help'], root)).toBe(0);
  });
});

describe('the minimal hub', () => {
  it('is creation code whose runtime returns the registry for appregistry() and reverts otherwise', () => {
    const code = hubCode(REGISTRY);
    const runtime = code.slice(2 + 22);
    expect(code.slice(0, 4)).toBe('0x60');
    expect(parseInt(code.slice(4, 6), 16)).toBe(runtime.length / 2);
    expect(runtime).toContain(`6345b637a9`);
    expect(runtime).toContain(`5b73${REGISTRY.slice(2)}60005260206000f3`);
    // The JUMPI target, 0x13, is the JUMPDEST's offset in the runtime.
    expect(runtime.indexOf(`5b73${REGISTRY.slice(2)}`) / 2).toBe(0x13);
  });
});
