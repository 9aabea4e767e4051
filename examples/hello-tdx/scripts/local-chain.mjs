// A throwaway local chain for a dry rehearsal of `app deploy` and `app show`, nothing spent:
//
//   npm run chain:local [-- --fund ADDRESS ...]       (Ctrl-C stops it; nothing is kept)
//   node scripts/iexec.mjs standard app deploy --chain local     (in another terminal)
//   node scripts/iexec.mjs standard app show --chain local
//
// It starts anvil (Foundry's local EVM, from npm) where chain.json's "local" entry says, deploys the
// real iExec AppRegistry (compiled, from the @iexec/poco npm package) and a minimal hub that answers
// the one question `iexec app deploy` and `app show` ask the hub: where the AppRegistry is. The
// addresses are the same on every start (fresh chain, same deployer), so chain.json keeps them.
// It gives 100 ETH of gas money to the wallets the CLI would use (./wallet.json, the default keystore)
// and to each --fund ADDRESS.
//
// What it cannot rehearse: `app run` and everything after it (orders, workerpools, RLC, the SMS,
// workers, results) need the real iExec contracts and services of a public chain.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ANVIL = '@foundry-rs/anvil@1.7.1';
const POCO = '@iexec/poco@6.1.0';
const APP_REGISTRY_ARTIFACT = 'package/artifacts/contracts/registries/apps/AppRegistry.sol/AppRegistry.json';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'iexec-local-chain');
const FUNDS = '0x56bc75e2d63100000'; // 100 ETH in wei

let anvil;
const fail = (message) => {
  console.error(`error: ${message}`);
  // Never leave the node running behind an error.
  anvil?.kill('SIGTERM');
  process.exit(1);
};

function parseArgs(argv) {
  const fund = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] !== '--fund') fail(`unexpected argument ${argv[i]}: usage: node scripts/local-chain.mjs [--fund 0xADDRESS ...]`);
    const address = argv[(i += 1)] ?? '';
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) fail(`--fund needs an address (0x and 40 hex digits), got '${address}'`);
    fund.push(address);
  }
  return fund;
}

function localEntry() {
  const chains = JSON.parse(fs.readFileSync(path.join(ROOT, 'chain.json'), 'utf8')).chains ?? {};
  const entry = chains.local;
  const example = '"local": { "id": "31337", "host": "http://127.0.0.1:8545", "hub": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" }';
  if (!entry?.host || !entry.id || !entry.hub) fail(`chain.json has no complete "local" chain: add ${example}`);
  const url = new URL(entry.host);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname) || url.protocol !== 'http:') {
    fail(`chain.json "local" host must be http://127.0.0.1:PORT, got ${entry.host}`);
  }
  return { ...entry, port: url.port || '80' };
}

const npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npm = (args) => execFileSync(npmCommand, args, { cwd: CACHE, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

// Both come from the npm registry once, then from the cache (the rehearsal works offline after that).
function fetchTools() {
  fs.mkdirSync(CACHE, { recursive: true });
  const anvilBin = path.join(CACHE, 'node_modules', '@foundry-rs', 'anvil', 'bin.mjs');
  if (!fs.existsSync(anvilBin)) {
    console.error(`fetching ${ANVIL} (the anvil binary ships inside its npm package)...`);
    // No postinstall: the platform package already holds the binary.
    npm(['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', CACHE, ANVIL]);
  }
  const artifact = path.join(CACHE, 'poco', APP_REGISTRY_ARTIFACT);
  if (!fs.existsSync(artifact)) {
    // `npm pack`, not `npm install`: the package's own dependencies include git repositories.
    console.error(`fetching ${POCO} (the compiled AppRegistry)...`);
    const tarball = npm(['pack', POCO, '--silent', '--pack-destination', CACHE]).trim().split('\n').pop();
    fs.mkdirSync(path.join(CACHE, 'poco'), { recursive: true });
    execFileSync('tar', ['-xzf', path.join(CACHE, tarball), '-C', path.join(CACHE, 'poco'), APP_REGISTRY_ARTIFACT]);
    fs.rmSync(path.join(CACHE, tarball));
  }
  return { anvilBin, bytecode: JSON.parse(fs.readFileSync(artifact, 'utf8')).bytecode };
}

let rpcId = 0;
async function rpc(url, method, params = []) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: (rpcId += 1), method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

async function waitForNode(url, anvil) {
  for (let i = 0; i < 150; i += 1) {
    if (anvil.exitCode !== null) fail(`anvil exited (status ${anvil.exitCode}): is ${url} already taken?`);
    try {
      return await rpc(url, 'eth_chainId');
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return fail(`anvil did not answer on ${url} within 30 s`);
}

// Anvil's first account is unlocked: it signs, so this script needs no key and no library.
async function deploy(url, from, data) {
  const hash = await rpc(url, 'eth_sendTransaction', [{ from, data }]);
  for (let i = 0; i < 100; i += 1) {
    const receipt = await rpc(url, 'eth_getTransactionReceipt', [hash]);
    if (receipt) {
      if (receipt.status !== '0x1') fail(`deploying a contract failed (transaction ${hash})`);
      return receipt.contractAddress;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return fail(`transaction ${hash} was not mined`);
}

// The hub, hand-assembled: `appregistry()` (selector 0x45b637a9) returns the registry address, any
// other call reverts, so a CLI command that needs more of the hub fails loudly instead of reading zeros.
function hubCode(registry) {
  const runtime = [
    '60003560e01c', // PUSH1 0 CALLDATALOAD PUSH1 0xe0 SHR: the call's selector
    '6345b637a9', // PUSH4 appregistry()
    '14601357', // EQ PUSH1 0x13 JUMPI
    '600080fd', // PUSH1 0 DUP1 REVERT
    `5b73${registry.slice(2)}`, // 0x13: JUMPDEST PUSH20 registry
    '60005260206000f3', // PUSH1 0 MSTORE PUSH1 0x20 PUSH1 0 RETURN
  ].join('');
  const size = (runtime.length / 2).toString(16).padStart(2, '0');
  // Constructor: CODECOPY the runtime that follows these 11 bytes into memory and return it.
  return `0x60${size}80600b6000396000f3${runtime}`;
}

const KEYSTORE_DIRS = { darwin: 'Library/Ethereum/keystore', win32: 'AppData/Roaming/Ethereum/keystore' };

// The addresses of the wallets the CLI finds by default. Reads only the public address field.
function walletAddresses() {
  const files = [path.join(ROOT, 'wallet.json')];
  const keystore = path.join(os.homedir(), KEYSTORE_DIRS[process.platform] ?? '.ethereum/keystore');
  if (fs.existsSync(keystore)) files.push(...fs.readdirSync(keystore).map((name) => path.join(keystore, name)));
  return files.flatMap((file) => {
    try {
      const { address } = JSON.parse(fs.readFileSync(file, 'utf8'));
      return /^(0x)?[0-9a-fA-F]{40}$/.test(address) ? [address.startsWith('0x') ? address : `0x${address}`] : [];
    } catch {
      return [];
    }
  });
}

const fund = parseArgs(process.argv.slice(2));
const entry = localEntry();
const { anvilBin, bytecode } = fetchTools();
const url = `http://127.0.0.1:${entry.port}`;
anvil = spawn(process.execPath, [anvilBin, '--host', '127.0.0.1', '--port', entry.port, '--chain-id', String(Number(entry.id)), '--silent'], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
let stopping = false;
const stop = () => {
  stopping = true;
  anvil.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
anvil.on('exit', (code) => {
  if (!stopping) console.error(`error: anvil stopped by itself (status ${code})`);
  process.exit(stopping ? 0 : 1);
});

try {
  const chainId = await waitForNode(url, anvil);
  if (Number(chainId) !== Number(entry.id)) fail(`the node at ${url} has chain id ${Number(chainId)}, chain.json says ${entry.id}`);
  const [deployer] = await rpc(url, 'eth_accounts');
  const registry = await deploy(url, deployer, bytecode);
  const hub = await deploy(url, deployer, hubCode(registry));
  if (hub.toLowerCase() !== entry.hub.toLowerCase()) {
    fail(`the hub landed at ${hub}, chain.json "local" says ${entry.hub}: set "hub" to ${hub} (the address is the same on every start)`);
  }
  const funded = [...new Set([...fund, ...walletAddresses()].map((address) => address.toLowerCase()))];
  for (const address of funded) await rpc(url, 'anvil_setBalance', [address, FUNDS]);

  console.log(`local chain ready: chain.json "local" ${JSON.stringify({ id: entry.id, host: entry.host, hub: entry.hub })}`);
  console.log(`  AppRegistry ${registry} (${POCO}), anvil ${ANVIL.split('@').pop()}`);
  console.log(`  100 ETH for gas given to: ${funded.length > 0 ? funded.join(', ') : 'no wallet found (use --fund ADDRESS)'}`);
  console.log('  try: node scripts/iexec.mjs standard app deploy --chain local');
  console.log('       node scripts/iexec.mjs standard app show --chain local');
  console.log('  Ctrl-C stops the chain; it keeps nothing, so deployed.json entries for chain 31337 go stale.');
} catch (error) {
  fail(error.message);
}
