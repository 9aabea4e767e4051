import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main as iexec } from '../src/commands/iexec.js';
import { main as result } from '../src/commands/result.js';

/*
 * The wrapper against a stub `iexec` package installed in a temporary module: its bin records the cwd,
 * argv and what it sees in the cwd (links and their targets), writes the files a test asks for
 * (through the links, as the real CLI does), prints what a test asks for on stderr (as the real CLI's
 * spinner does) and exits with the status a test asks for, all in a child process as the real CLI's
 * subcommands run. No network,
 * no real SDK: the real CLI on a local chain is the toolchain suite's job.
 */
const STUB_BIN = `import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
function work() {
  const cwd = process.cwd();
  const entries = {};
  for (const name of fs.readdirSync(cwd)) {
    const entry = path.join(cwd, name);
    entries[name] = fs.lstatSync(entry).isSymbolicLink() ? fs.readlinkSync(entry) : 'not a link';
  }
  const record = process.env.STUB_IEXEC_RECORD;
  const calls = fs.existsSync(record) ? JSON.parse(fs.readFileSync(record, 'utf8')) : [];
  calls.push({ cwd, argv: process.argv.slice(2), entries });
  fs.writeFileSync(record, JSON.stringify(calls));
  for (const [name, base64] of Object.entries(JSON.parse(process.env.STUB_IEXEC_WRITE ?? '{}'))) {
    fs.writeFileSync(path.join(cwd, name), Buffer.from(base64, 'base64'));
  }
  if (process.env.STUB_IEXEC_PRINT) process.stderr.write(process.env.STUB_IEXEC_PRINT);
  process.exit(Number(process.env.STUB_IEXEC_EXIT ?? 0));
}
// As the real CLI runs \`iexec app\`, \`iexec task\`...: commander's executable subcommands, a child
// process started with the same execArgv and stdio 'inherit' (commander lib/command.js).
if (process.env.STUB_IEXEC_CHILD) work();
else {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, STUB_IEXEC_CHILD: '1' } });
  child.on('close', (code) => process.exit(code ?? 1));
}
`;

const NULL_ADDRESS = '0x0000000000000000000000000000000000000000';
const PLACEHOLDER_CHECKSUM = `0x${'0'.repeat(64)}`;
const CHECKSUM = `0x${'ab'.repeat(32)}`;
const TASK = `0x${'1f'.repeat(32)}`;
const OWNER = '0x1111111111111111111111111111111111111111';
const TDX_POOL = '0x2956f0cb779904795a5f30d3b3ea88b714c3123f';

interface Call {
  cwd: string;
  argv: string[];
  entries: Record<string, string>;
}

let base: string;
let root: string;
let home: string;
let stderr: string[];
let stdout: string[];

function writeJson(file: string, value: unknown) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const calls = (): Call[] => (fs.existsSync(path.join(base, 'record.json')) ? readJson(path.join(base, 'record.json')) : []);
const lastCall = (): Call => {
  const all = calls();
  expect(all.length).toBeGreaterThan(0);
  return all[all.length - 1]!;
};
const errors = () => stderr.join('\n');

/** The SDK's real package.json shape: `exports` without ./package.json, the bin outside them. */
function installStub(dir: string, exportsPackageJson = false) {
  const pkg = path.join(dir, 'node_modules', 'iexec');
  writeJson(path.join(pkg, 'package.json'), {
    name: 'iexec',
    version: '9.0.1',
    type: 'module',
    bin: { iexec: 'bin/iexec.js' },
    exports: { '.': { default: './index.js' }, ...(exportsPackageJson ? { './package.json': './package.json' } : {}) },
  });
  fs.writeFileSync(path.join(pkg, 'index.js'), 'export {};\n');
  fs.mkdirSync(path.join(pkg, 'bin'));
  fs.writeFileSync(path.join(pkg, 'bin', 'iexec.js'), STUB_BIN);
}

function makeModule(tee: 'tdx' | 'scone') {
  writeJson(path.join(root, 'package.json'), { name: 'm', private: true, type: 'module' });
  writeJson(path.join(root, 'chain.json'), {
    default: tee === 'tdx' ? 'arbitrum-sepolia-testnet' : 'bellecour',
    chains: tee === 'tdx' ? { 'arbitrum-sepolia-testnet': {}, 'arbitrum-mainnet': {} } : { bellecour: {} },
  });
  const app = { owner: NULL_ADDRESS, name: 'm', type: 'DOCKER', multiaddr: 'user/m:1.0.0', checksum: CHECKSUM };
  writeJson(path.join(root, 'iexec.json'), { app });
  const mrenclave = {
    framework: 'SCONE',
    version: 'v5.9',
    entrypoint: 'node /app/app.cjs',
    heapSize: 1073741824,
    fingerprint: 'cd'.repeat(32),
  };
  writeJson(path.join(root, 'iexec.tee.json'), { app: { ...app, name: 'm-tee', ...(tee === 'scone' ? { mrenclave } : {}) } });
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
}

function setApp(file: string, change: Record<string, unknown>) {
  const conf = readJson(path.join(root, file));
  writeJson(path.join(root, file), { ...conf, app: { ...conf.app, ...change } });
}

function keystoreWallet(dir: string, date: string, address: string) {
  const bare = address.slice(2).toLowerCase();
  writeJson(path.join(dir, `UTC--${date}--${bare}`), { address: bare, id: 'x', version: 3, crypto: { cipher: 'aes-128-ctr' } });
}

async function zipOf(files: Record<string, string>) {
  const zip = new JSZip();
  for (const [name, text] of Object.entries(files)) zip.file(name, text);
  return zip.generateAsync({ type: 'nodebuffer' });
}

beforeEach(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kit-iexec-')));
  root = path.join(base, 'module');
  home = path.join(base, 'home');
  fs.mkdirSync(root);
  fs.mkdirSync(home);
  vi.stubEnv('HOME', home);
  vi.stubEnv('STUB_IEXEC_RECORD', path.join(base, 'record.json'));
  vi.stubEnv('STUB_IEXEC_WRITE', '{}');
  vi.stubEnv('STUB_IEXEC_EXIT', '0');
  vi.stubEnv('STUB_IEXEC_PRINT', '');
  // As `npm run` sets it: the folder the user typed the command in.
  vi.stubEnv('INIT_CWD', root);
  stderr = [];
  stdout = [];
  vi.spyOn(console, 'error').mockImplementation((...args) => void stderr.push(args.join(' ')));
  vi.spyOn(console, 'log').mockImplementation((...args) => void stdout.push(args.join(' ')));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  fs.rmSync(base, { recursive: true, force: true });
});

describe('iexec-module iexec: the CLI and the profiles', () => {
  it('prints its usage: on --help (status 0), without a profile or arguments (status 2)', async () => {
    expect(await iexec(['--help'], root)).toBe(0);
    expect(stdout.join('\n')).toContain('iexec-module iexec <standard|tee>');
    expect(await iexec([], root)).toBe(2);
    expect(await iexec(['standard'], root)).toBe(2);
    expect(await iexec(['production', 'app', 'show'], root)).toBe(2);
    expect(errors()).toContain('usage: iexec-module iexec <standard|tee>');
    expect(calls()).toEqual([]);
  });

  it('says to run npm install when the module has no iexec package', async () => {
    makeModule('tdx');
    expect(await iexec(['standard', 'app', 'show'], root)).toBe(1);
    expect(errors()).toBe(`error: the iexec CLI is not installed: run 'npm install' first`);
  });

  it('finds the CLI whether or not the SDK exports its package.json, and where a workspace hoisted it', async () => {
    makeModule('tdx');
    installStub(root, true);
    expect(await iexec(['standard', 'app', 'show'], root)).toBe(0);
    fs.rmSync(path.join(root, 'node_modules'), { recursive: true });
    installStub(base);
    expect(await iexec(['standard', 'app', 'show'], root)).toBe(0);
    expect(calls()).toHaveLength(2);
  });

  it('standard: runs the CLI in a temporary folder linking every module entry, the arguments untouched', async () => {
    makeModule('tdx');
    installStub(root);
    expect(await iexec(['standard', 'app', 'show', '--chain', 'arbitrum-mainnet', '--raw'], root)).toBe(0);
    const call = lastCall();
    expect(call.argv).toEqual(['app', 'show', '--chain', 'arbitrum-mainnet', '--raw']);
    expect(path.dirname(call.cwd)).toBe(fs.realpathSync(os.tmpdir()));
    expect(call.entries).toEqual({
      'chain.json': path.join(root, 'chain.json'),
      'iexec.json': path.join(root, 'iexec.json'),
      'deployed.json': path.join(root, 'deployed.json'),
      'orders.json': path.join(root, 'orders.json'),
      'iexec.tee.json': path.join(root, 'iexec.tee.json'),
      node_modules: path.join(root, 'node_modules'),
      'package.json': path.join(root, 'package.json'),
      src: path.join(root, 'src'),
    });
    expect(fs.existsSync(call.cwd), 'the temporary folder is removed').toBe(false);
  });

  it("tee: the CLI's three names are the TEE files, and what it writes lands in them", async () => {
    makeModule('tdx');
    installStub(root);
    writeJson(path.join(root, 'deployed.json'), { app: { 421614: '0xstandard' } });
    vi.stubEnv('STUB_IEXEC_WRITE', JSON.stringify({ 'deployed.json': Buffer.from('{"app":{"421614":"0xtee"}}').toString('base64') }));
    expect(await iexec(['tee', 'app', 'show'], root)).toBe(0);
    const { entries } = lastCall();
    expect(entries['iexec.json']).toBe(path.join(root, 'iexec.tee.json'));
    expect(entries['deployed.json']).toBe(path.join(root, 'deployed.tee.json'));
    expect(entries['orders.json']).toBe(path.join(root, 'orders.tee.json'));
    expect(readJson(path.join(root, 'deployed.tee.json'))).toEqual({ app: { 421614: '0xtee' } });
    expect(readJson(path.join(root, 'deployed.json')), 'the standard app is untouched').toEqual({ app: { 421614: '0xstandard' } });
  });

  it('moves what the CLI creates into the module and passes its exit status on, with a note for tee', async () => {
    makeModule('tdx');
    installStub(root);
    vi.stubEnv('STUB_IEXEC_WRITE', JSON.stringify({ 'wallet.json': Buffer.from(`{"address":"${OWNER}"}`).toString('base64') }));
    vi.stubEnv('STUB_IEXEC_EXIT', '3');
    expect(await iexec(['tee', 'wallet', 'create', '--unencrypted'], root)).toBe(3);
    expect(readJson(path.join(root, 'wallet.json'))).toEqual({ address: OWNER });
    expect(fs.lstatSync(path.join(root, 'wallet.json')).isSymbolicLink()).toBe(false);
    expect(errors()).toContain('iexec wrote wallet.json');
    expect(errors()).toContain('note: with the tee profile, the iexec.json, deployed.json and orders.json iexec names are iexec.tee.json');
  });
});

describe('iexec-module iexec: app run defaults', () => {
  it('TDX: the chain.json default chain, its workerpool, --watch, and the tee,tdx tag for tee, before the user arguments', async () => {
    makeModule('tdx');
    installStub(root);
    expect(await iexec(['standard', 'app', 'run', '--args', 'Alice Bob'], root)).toBe(0);
    expect(lastCall().argv).toEqual([
      'app',
      'run',
      '--chain',
      'arbitrum-sepolia-testnet',
      '--workerpool',
      TDX_POOL,
      '--watch',
      '--args',
      'Alice Bob',
    ]);
    expect(await iexec(['tee', 'app', 'run', '--', 'x'], root)).toBe(0);
    expect(lastCall().argv).toEqual([
      'app',
      'run',
      '--chain',
      'arbitrum-sepolia-testnet',
      '--workerpool',
      TDX_POOL,
      '--tag',
      'tee,tdx',
      '--watch',
      '--',
      'x',
    ]);
    expect(errors()).not.toContain('storage init');
  });

  it('the workerpool follows --chain, and a chain without a known workerpool needs --workerpool', async () => {
    makeModule('tdx');
    installStub(root);
    expect(await iexec(['standard', 'app', 'run', '--chain=arbitrum-mainnet'], root)).toBe(0);
    expect(lastCall().argv).toEqual([
      'app',
      'run',
      '--workerpool',
      '0x8ef2ec3ef9535d4b4349bfec7d8b31a580e60244',
      '--watch',
      '--chain=arbitrum-mainnet',
    ]);
    expect(await iexec(['standard', 'app', 'run', '--chain', 'my-own-chain'], root)).toBe(1);
    expect(errors()).toContain('error: pass --workerpool with --chain my-own-chain');
    expect(calls()).toHaveLength(1);
    expect(await iexec(['tee', 'app', 'run', '--chain', 'local', '--workerpool', '0xpool', '--tag', 'tee', '--watch'], root)).toBe(0);
    expect(lastCall().argv).toEqual(['app', 'run', '--chain', 'local', '--workerpool', '0xpool', '--tag', 'tee', '--watch']);
  });

  it('SCONE (an mrenclave with framework scone, any case): bellecour, its pool, tee,scone, and the storage note', async () => {
    makeModule('scone');
    installStub(root);
    setApp('iexec.tee.json', { mrenclave: { ...readJson(path.join(root, 'iexec.tee.json')).app.mrenclave, framework: 'Scone' } });
    expect(await iexec(['tee', 'app', 'run'], root)).toBe(0);
    expect(lastCall().argv).toEqual([
      'app',
      'run',
      '--chain',
      'bellecour',
      '--workerpool',
      'debug-v8-bellecour.main.pools.iexec.eth',
      '--tag',
      'tee,scone',
      '--watch',
    ]);
    expect(errors()).toContain('npx iexec-module iexec tee storage init --tee-framework scone --chain bellecour');
    stderr = [];
    expect(await iexec(['standard', 'app', 'run'], root)).toBe(0);
    expect(lastCall().argv).toEqual([
      'app',
      'run',
      '--chain',
      'bellecour',
      '--workerpool',
      'debug-v8-bellecour.main.pools.iexec.eth',
      '--watch',
    ]);
    expect(errors()).toBe('');
  });

  it('SCONE on an Arbitrum chain gets no TDX pool, whose orders a tee,scone request never matches', async () => {
    makeModule('scone');
    installStub(root);
    expect(await iexec(['tee', 'app', 'run', '--chain', 'arbitrum-mainnet'], root)).toBe(1);
    expect(errors()).toContain(
      'error: pass --workerpool with --chain arbitrum-mainnet: the kit knows public SCONE workerpools on bellecour only',
    );
  });

  it('says so when chain.json names no default chain', async () => {
    makeModule('tdx');
    installStub(root);
    writeJson(path.join(root, 'chain.json'), { chains: {} });
    expect(await iexec(['standard', 'app', 'run'], root)).toBe(1);
    expect(errors()).toBe('error: chain.json has no "default" chain: pass --chain NAME');
  });
});

describe('iexec-module iexec: app deploy', () => {
  it('refuses the placeholder checksum, naming publish.sh (TDX) or sconify.sh (SCONE tee), before running the CLI', async () => {
    makeModule('tdx');
    installStub(root);
    setApp('iexec.json', { checksum: PLACEHOLDER_CHECKSUM });
    expect(await iexec(['standard', 'app', 'deploy'], root)).toBe(1);
    expect(errors()).toBe(
      'error: iexec.json still has the placeholder checksum: run ./publish.sh VERSION first: it pushes the image and writes its multiaddr and checksum',
    );

    makeModule('scone');
    setApp('iexec.tee.json', { checksum: PLACEHOLDER_CHECKSUM });
    stderr = [];
    expect(await iexec(['tee', 'app', 'deploy'], root)).toBe(1);
    expect(errors()).toBe(
      'error: iexec.tee.json still has the placeholder checksum: run ./sconify.sh VERSION first: it builds the TEE image and writes its multiaddr, checksum and mrenclave',
    );
    expect(calls()).toEqual([]);
  });

  it('refuses the placeholder fingerprint', async () => {
    makeModule('scone');
    installStub(root);
    const { mrenclave } = readJson(path.join(root, 'iexec.tee.json')).app;
    setApp('iexec.tee.json', { mrenclave: { ...mrenclave, fingerprint: '0'.repeat(64) } });
    expect(await iexec(['tee', 'app', 'deploy'], root)).toBe(1);
    expect(errors()).toContain('error: iexec.tee.json still has the placeholder fingerprint: run ./sconify.sh VERSION first');
    expect(calls()).toEqual([]);
  });

  it('fills app.owner from the newest wallet of the default keystore, then runs the CLI', async () => {
    makeModule('tdx');
    installStub(root);
    const keystore = path.join(home, '.ethereum', 'keystore');
    keystoreWallet(keystore, '2026-01-01T00-00-00.000000000Z', '0x2222222222222222222222222222222222222222');
    keystoreWallet(keystore, '2026-03-01T00-00-00.000000000Z', OWNER);
    expect(await iexec(['standard', 'app', 'deploy'], root)).toBe(0);
    expect(readJson(path.join(root, 'iexec.json')).app.owner).toBe(OWNER);
    expect(readJson(path.join(root, 'iexec.tee.json')).app.owner, 'the other profile is untouched').toBe(NULL_ADDRESS);
    expect(errors()).toContain(`iexec.json: app.owner set to ${OWNER} (your wallet)`);
    expect(lastCall().argv).toEqual(['app', 'deploy']);
  });

  it('reads the wallet the passed options select: --wallet-address, --keystoredir local, --wallet-file', async () => {
    makeModule('tdx');
    installStub(root);
    const keystore = path.join(home, '.ethereum', 'keystore');
    keystoreWallet(keystore, '2026-01-01T00-00-00.000000000Z', '0x2222222222222222222222222222222222222222');
    keystoreWallet(keystore, '2026-03-01T00-00-00.000000000Z', OWNER);
    expect(await iexec(['tee', 'app', 'deploy', '--wallet-address', '0x2222222222222222222222222222222222222222'], root)).toBe(0);
    expect(readJson(path.join(root, 'iexec.tee.json')).app.owner).toBe('0x2222222222222222222222222222222222222222');

    keystoreWallet(root, '2026-02-01T00-00-00.000000000Z', '0x3333333333333333333333333333333333333333');
    expect(await iexec(['standard', 'app', 'deploy', '--keystoredir=local'], root)).toBe(0);
    expect(readJson(path.join(root, 'iexec.json')).app.owner).toBe('0x3333333333333333333333333333333333333333');

    setApp('iexec.json', { owner: NULL_ADDRESS });
    writeJson(path.join(keystore, 'mine.json'), { address: '4444444444444444444444444444444444444444' });
    expect(await iexec(['standard', 'app', 'deploy', '--wallet-file', 'mine.json'], root)).toBe(0);
    expect(readJson(path.join(root, 'iexec.json')).app.owner).toBe('0x4444444444444444444444444444444444444444');
    expect(lastCall().argv).toEqual(['app', 'deploy', '--wallet-file', 'mine.json']);
  });

  it('keeps an owner already set, and without any wallet says how to make one', async () => {
    makeModule('tdx');
    installStub(root);
    setApp('iexec.json', { owner: OWNER });
    expect(await iexec(['standard', 'app', 'deploy'], root)).toBe(0);
    expect(readJson(path.join(root, 'iexec.json')).app.owner).toBe(OWNER);

    expect(await iexec(['tee', 'app', 'deploy'], root)).toBe(1);
    expect(errors()).toContain(
      "error: no wallet found to own the app: create one with 'npx iexec-module iexec tee wallet create' (or pass --keystoredir / --wallet-file / --wallet-address), or set app.owner in iexec.tee.json",
    );
    expect(calls()).toHaveLength(1);
  });

  it('refuses a profile file without an app section', async () => {
    makeModule('tdx');
    installStub(root);
    writeJson(path.join(root, 'iexec.json'), { description: 'x' });
    expect(await iexec(['standard', 'app', 'deploy'], root)).toBe(1);
    expect(errors()).toBe('error: iexec.json has no "app" section');
  });
});

describe('result download', () => {
  it('iexec <profile> result <taskid>: task show --download, then results/<taskid>.zip unzipped and computed.json printed', async () => {
    makeModule('tdx');
    installStub(root);
    const computed = '{"deterministic-output-path":"/iexec_out/result.txt"}';
    const zip = await zipOf({ 'computed.json': computed, 'result.txt': 'hello', 'out/deep.txt': 'deep' });
    vi.stubEnv('STUB_IEXEC_WRITE', JSON.stringify({ [`${TASK}.zip`]: zip.toString('base64') }));
    expect(await iexec(['standard', 'result', TASK, '--chain', 'arbitrum-mainnet'], root)).toBe(0);
    expect(lastCall().argv).toEqual(['task', 'show', TASK, '--download', TASK, '--chain', 'arbitrum-mainnet']);
    expect(fs.readFileSync(path.join(root, 'results', `${TASK}.zip`))).toEqual(zip);
    expect(fs.readFileSync(path.join(root, 'results', TASK, 'result.txt'), 'utf8')).toBe('hello');
    expect(fs.readFileSync(path.join(root, 'results', TASK, 'out', 'deep.txt'), 'utf8')).toBe('deep');
    expect(fs.existsSync(path.join(root, `${TASK}.zip`)), 'the zip is not left at the module root').toBe(false);
    expect(errors()).toContain(`result: results/${TASK}/ (computed.json, result.txt, out/deep.txt)`);
    expect(errors()).toContain(`computed.json: ${computed}`);
  });

  it('iexec-module result <taskid> [--tee] [options]: the same through the chosen profile', async () => {
    makeModule('tdx');
    installStub(root);
    vi.stubEnv('STUB_IEXEC_WRITE', JSON.stringify({ [`${TASK}.zip`]: (await zipOf({ 'result.txt': 'tee' })).toString('base64') }));
    expect(await result([TASK, '--tee', '--chain', 'arbitrum-mainnet'], root)).toBe(0);
    const call = lastCall();
    expect(call.argv).toEqual(['task', 'show', TASK, '--download', TASK, '--chain', 'arbitrum-mainnet']);
    expect(call.entries['iexec.json']).toBe(path.join(root, 'iexec.tee.json'));
    expect(fs.readFileSync(path.join(root, 'results', TASK, 'result.txt'), 'utf8')).toBe('tee');
    expect(errors()).not.toContain('computed.json:');

    expect(await result([TASK], root)).toBe(0);
    expect(lastCall().entries['iexec.json']).toBe(path.join(root, 'iexec.json'));
  });

  it('refuses a task id that is not one, before running the CLI', async () => {
    makeModule('tdx');
    installStub(root);
    expect(await result(['0x1234'], root)).toBe(2);
    expect(errors()).toContain('usage: iexec-module result <taskid>');
    expect(await iexec(['standard', 'result', 'latest'], root)).toBe(1);
    expect(errors()).toContain('error: usage: iexec-module iexec standard result <taskid>');
    expect(calls()).toEqual([]);
    expect(await result(['--help'], root)).toBe(0);
  });

  it('refuses a zip entry that escapes results/<taskid>/ and writes none of the entries', async () => {
    makeModule('tdx');
    installStub(root);
    const escape = path.join(base, 'escaped.txt');
    // jszip itself drops `../` on load; an absolute name is what is left to refuse.
    const placeholder = 'Q'.repeat(escape.length);
    const zip = Buffer.from(
      (await zipOf({ 'a.txt': 'a', [placeholder]: 'x' })).toString('latin1').split(placeholder).join(escape),
      'latin1',
    );
    vi.stubEnv('STUB_IEXEC_WRITE', JSON.stringify({ [`${TASK}.zip`]: zip.toString('base64') }));
    expect(await iexec(['standard', 'result', TASK], root)).toBe(1);
    expect(errors()).toContain(`error: refusing the zip entry ${escape}: it points outside ${path.join(root, 'results', TASK)}`);
    expect(fs.existsSync(escape)).toBe(false);
    expect(fs.existsSync(path.join(root, 'results', TASK))).toBe(false);
  });

  it('leaves results/ alone when the CLI fails', async () => {
    makeModule('tdx');
    installStub(root);
    vi.stubEnv('STUB_IEXEC_EXIT', '1');
    expect(await iexec(['standard', 'result', TASK], root)).toBe(1);
    expect(fs.existsSync(path.join(root, 'results'))).toBe(false);
  });
});

describe("iexec-module iexec: paths mean what they mean in the user's shell", () => {
  it('resolves --keystoredir from the folder npm ran in, not from the temporary workspace', async () => {
    makeModule('tdx');
    installStub(root);
    expect(await iexec(['standard', 'wallet', 'create', '--keystoredir', '../wallets'], root)).toBe(0);
    expect(lastCall().argv).toEqual(['wallet', 'create', '--keystoredir', path.join(base, 'wallets')]);
    vi.stubEnv('INIT_CWD', path.join(root, 'src'));
    expect(await iexec(['standard', 'wallet', 'create', '--keystoredir=../wallets'], root)).toBe(0);
    expect(lastCall().argv).toEqual(['wallet', 'create', `--keystoredir=${path.join(root, 'wallets')}`]);
    // `local` is the folder the command was typed in; `global` stays the CLI's own.
    expect(await iexec(['standard', 'wallet', 'show', '--keystoredir', 'local'], root)).toBe(0);
    expect(lastCall().argv).toEqual(['wallet', 'show', '--keystoredir', path.join(root, 'src')]);
    expect(await iexec(['standard', 'wallet', 'show', '--keystoredir', 'global'], root)).toBe(0);
    expect(lastCall().argv).toEqual(['wallet', 'show', '--keystoredir', 'global']);
    // An INIT_CWD outside the module is another npm's: the module's root stands for the shell.
    vi.stubEnv('INIT_CWD', os.tmpdir());
    expect(await iexec(['standard', 'wallet', 'create', '--keystoredir', 'keys'], root)).toBe(0);
    expect(lastCall().argv).toEqual(['wallet', 'create', '--keystoredir', path.join(root, 'keys')]);
  });

  it('makes every other path-taking argument of iexec 8.24 and 9.0.1 absolute, or relative to the workspace where the CLI joins it', async () => {
    makeModule('tdx');
    installStub(root);
    const dirs = ['--dataset-keystoredir', '--original-dataset-dir', '--encrypted-dataset-dir', '--beneficiary-keystoredir'];
    expect(await iexec(['standard', 'dataset', 'encrypt', ...dirs.flatMap((option, i) => [option, `d${i}`])], root)).toBe(0);
    expect(lastCall().argv).toEqual(['dataset', 'encrypt', ...dirs.flatMap((option, i) => [option, path.join(root, `d${i}`)])]);
    expect(await iexec(['standard', 'dataset', 'push-secret', '--secret-path', 'keys/k'], root)).toBe(0);
    expect(lastCall().argv).toEqual(['dataset', 'push-secret', '--secret-path', path.join(root, 'keys/k')]);
    expect(await iexec(['standard', 'result', 'decrypt', '--password', 'pw', 'r.zip', '--beneficiary-key-file', 'k.pem'], root)).toBe(0);
    expect(lastCall().argv).toEqual(['result', 'decrypt', '--password', 'pw', path.join(root, 'r.zip'), '--beneficiary-key-file', 'k.pem']);
    expect(await iexec(['standard', 'task', 'show', TASK, '--download', 'out/r', '--chain', 'local'], root)).toBe(0);
    const call = lastCall();
    expect(path.resolve(call.cwd, call.argv[4]!)).toBe(path.join(root, 'out/r'));
    expect(call.argv.filter((_, i) => i !== 4)).toEqual(['task', 'show', TASK, '--download', '--chain', 'local']);
    // Without a value, --download is left to the CLI (the zip lands in the module); app run args are not paths.
    expect(await iexec(['standard', 'task', 'show', TASK, '--download', '--raw'], root)).toBe(0);
    expect(lastCall().argv).toEqual(['task', 'show', TASK, '--download', '--raw']);
  });
});

describe('iexec-module iexec: exit codes that say whether the task completed', () => {
  const failedRun = (id: string) =>
    `✖ App run failed:\n1/2 tasks completed:\n  - Task idx 0 (${TASK})\n1/2 tasks failed:\n  - Task idx 1 (${id})\n`;

  it('app run: exits 1 when iexec app run --watch reports a task that did not complete, naming it and how to see why', async () => {
    makeModule('tdx');
    installStub(root);
    const other = `0x${'2e'.repeat(32)}`;
    vi.stubEnv('STUB_IEXEC_PRINT', failedRun(other));
    expect(await iexec(['standard', 'app', 'run', '--chain', 'arbitrum-mainnet'], root)).toBe(1);
    expect(errors()).toContain(
      `error: a task of the deal did not complete (iexec app run says so above); see why: npx iexec-module iexec standard task debug ${other} --logs --chain arbitrum-mainnet`,
    );
    vi.stubEnv('STUB_IEXEC_PRINT', `${JSON.stringify({ ok: false, deals: [], failedTasks: [{ taskid: other }] })}\n`);
    expect(await iexec(['tee', 'app', 'run', '--raw'], root)).toBe(1);
    expect(errors()).toContain(`npx iexec-module iexec tee task debug ${other} --logs --chain arbitrum-sepolia-testnet`);
    vi.stubEnv('STUB_IEXEC_PRINT', `✔ App run successful:\n1/1 tasks completed:\n  - Task idx 0 (${TASK})\n`);
    expect(await iexec(['standard', 'app', 'run'], root)).toBe(0);
  });

  it('result: exits 1 when the task is not COMPLETED, which the CLI only mentions, saying its status', async () => {
    makeModule('tdx');
    installStub(root);
    vi.stubEnv('STUB_IEXEC_PRINT', 'ℹ Task status ACTIVE\nℹ Task status is not COMPLETED, option --download will be ignored\n');
    expect(await result([TASK, '--chain', 'local'], root)).toBe(1);
    expect(errors()).toContain(
      `error: task ${TASK} is ACTIVE, not COMPLETED: it has no result to download; see why: npx iexec-module iexec standard task debug ${TASK} --logs --chain local`,
    );
    expect(fs.existsSync(path.join(root, 'results'))).toBe(false);
  });

  it('deploy: writes the owner into the profile only once the CLI deployed with it', async () => {
    makeModule('tdx');
    installStub(root);
    keystoreWallet(path.join(home, '.ethereum', 'keystore'), '2026-03-01T00-00-00.000000000Z', OWNER);
    const before = fs.readFileSync(path.join(root, 'iexec.json'), 'utf8');
    vi.stubEnv('STUB_IEXEC_EXIT', '1');
    expect(await iexec(['standard', 'app', 'deploy', '--unknown-option'], root)).toBe(1);
    expect(fs.readFileSync(path.join(root, 'iexec.json'), 'utf8')).toBe(before);
    expect(errors()).toContain(`iexec.json unchanged: app.owner is filled in (${OWNER}) only once the deploy succeeds`);
    // The CLI read the owner from the kit's own copy, discarded after.
    expect(lastCall().entries['iexec.json']).toBe('not a link');
    expect(fs.readdirSync(root)).not.toContain(expect.stringMatching(/tmp/));
  });
});
