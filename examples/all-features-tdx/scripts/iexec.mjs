// Runs this module's own (pinned) iexec CLI against one of its two app profiles:
//
//   node scripts/iexec.mjs <standard|tee> <iexec arguments...>
//   node scripts/iexec.mjs <standard|tee> result <taskid>      download a result into results/<taskid>/
//
// The CLI only reads ./iexec.json, ./deployed.json and ./orders.json. It runs in a temporary folder
// whose entries link to this module's, those three names linking to the profile's own files:
//   standard  iexec.json      deployed.json      orders.json
//   tee       iexec.tee.json  deployed.tee.json  orders.tee.json
// so both apps live side by side, nothing is renamed in place (an interrupted run leaves no swapped
// file behind), and what the CLI writes lands in the profile's file. Files the CLI creates (a result
// zip, a wallet made with --keystoredir local) are moved into the module. Relative paths in the
// arguments are relative to the module root.
//
// The wallet stays where iexec looks for it (~/.ethereum/keystore, or --keystoredir, --wallet-file,
// --wallet-address, passed through). Its password goes only to iexec's own prompt: this script never
// reads, stores or prints it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHAIN = "arbitrum-sepolia-testnet";
const WORKERPOOL = "0x2956f0cb779904795a5f30d3b3ea88b714c3123f";
const TEE_TAG = "tee,tdx";
const IS_SCONE = false;
const NULL_ADDRESS = '0x0000000000000000000000000000000000000000';

const PROFILES = {
  standard: { 'iexec.json': 'iexec.json', 'deployed.json': 'deployed.json', 'orders.json': 'orders.json' },
  tee: { 'iexec.json': 'iexec.tee.json', 'deployed.json': 'deployed.tee.json', 'orders.json': 'orders.tee.json' },
};

const fail = (message) => {
  console.error(`error: ${message}`);
  process.exit(1);
};

const [profileName, ...args] = process.argv.slice(2);
const profile = PROFILES[profileName];
if (!profile || args.length === 0) {
  console.error('usage: node scripts/iexec.mjs <standard|tee> <iexec arguments...>');
  console.error('       node scripts/iexec.mjs <standard|tee> result <taskid>');
  process.exit(2);
}
process.chdir(ROOT);

const cliPackage = path.join(ROOT, 'node_modules', 'iexec', 'package.json');
if (!fs.existsSync(cliPackage)) fail(`the iexec CLI is not installed: run 'npm install' first`);
const cliDir = path.dirname(cliPackage);
const cliBin = path.join(cliDir, JSON.parse(fs.readFileSync(cliPackage, 'utf8')).bin.iexec);

const hasOption = (name) => args.some((arg) => arg === name || arg.startsWith(`${name}=`));
const optionValue = (name) => {
  const index = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index === -1) return undefined;
  return args[index] === name ? args[index + 1] : args[index].slice(name.length + 1);
};
const isCommand = (...words) => words.every((word, index) => args[index] === word);

const profileFile = path.join(ROOT, profile['iexec.json']);
const readProfile = () => JSON.parse(fs.readFileSync(profileFile, 'utf8'));

// Resolves the owner the same way the CLI resolves its signer, without unlocking the wallet.
async function walletAddress() {
  const load = (file) => import(pathToFileURL(path.join(cliDir, 'dist', 'esm', 'cli', 'utils', file)).href);
  let Keystore;
  let computeWalletLoadOptions;
  try {
    ({ Keystore } = await load('keystore.js'));
    ({ computeWalletLoadOptions } = await load('cli-helper.js'));
  } catch {
    fail(`this iexec version hides its wallet lookup: set app.owner in ${profile['iexec.json']} to your address`);
  }
  const { walletOptions } = computeWalletLoadOptions({
    keystoredir: optionValue('--keystoredir'),
    walletFile: optionValue('--wallet-file'),
    walletAddress: optionValue('--wallet-address'),
  });
  const [address] = await Keystore({ walletOptions, isSigner: false }).accounts();
  return address && address !== NULL_ADDRESS ? address : undefined;
}

// A deployed app can never change its image: refuse to register the placeholders.
async function prepareDeploy() {
  const conf = readProfile();
  const app = conf.app ?? fail(`${profile['iexec.json']} has no "app" section`);
  const notReady = IS_SCONE && profileName === 'tee'
    ? 'run ./sconify.sh VERSION first: it builds the TEE image and writes its multiaddr, checksum and mrenclave'
    : 'run ./publish.sh VERSION first: it pushes the image and writes its multiaddr and checksum';
  if (/^0x0{64}$/.test(app.checksum)) fail(`${profile['iexec.json']} still has the placeholder checksum: ${notReady}`);
  if (/^0{64}$/.test(app.mrenclave?.fingerprint ?? '')) fail(`${profile['iexec.json']} still has the placeholder fingerprint: ${notReady}`);
  if (app.owner !== NULL_ADDRESS) return;
  const owner = await walletAddress();
  if (!owner) {
    fail(
      `no wallet found to own the app: create one with 'node scripts/iexec.mjs ${profileName} wallet create' ` +
        `(or pass --keystoredir / --wallet-file / --wallet-address), or set app.owner in ${profile['iexec.json']}`,
    );
  }
  app.owner = owner;
  fs.writeFileSync(profileFile, `${JSON.stringify(conf, null, 2)}\n`);
  console.error(`${profile['iexec.json']}: app.owner set to ${owner} (your wallet)`);
}

// The seed's "pending for ever" came from running without a workerpool; TEE runs also need the tag.
function withRunDefaults() {
  const chain = optionValue('--chain') ?? CHAIN;
  if (chain !== CHAIN && !hasOption('--workerpool')) {
    fail(`pass --workerpool with --chain ${chain}: the default workerpool ${WORKERPOOL} is on ${CHAIN}`);
  }
  const defaults = [];
  if (!hasOption('--chain')) defaults.push('--chain', CHAIN);
  if (!hasOption('--workerpool')) defaults.push('--workerpool', WORKERPOOL);
  if (profileName === 'tee' && !hasOption('--tag')) defaults.push('--tag', TEE_TAG);
  if (!hasOption('--watch')) defaults.push('--watch');
  if (IS_SCONE && profileName === 'tee') {
    console.error(
      'note: SCONE tasks upload their result with your storage token. Once per wallet, run:\n' +
        `  node scripts/iexec.mjs tee storage init --tee-framework scone --chain ${chain}`,
    );
  }
  // Before the user's arguments: after a `--` they would be taken as app arguments.
  return [...args.slice(0, 2), ...defaults, ...args.slice(2)];
}

function cliArguments() {
  if (isCommand('result')) {
    const [, taskid, ...rest] = args;
    if (!/^0x[0-9a-fA-F]{64}$/.test(taskid ?? '')) fail('usage: node scripts/iexec.mjs <standard|tee> result <taskid>');
    return ['task', 'show', taskid, '--download', taskid, ...rest];
  }
  if (isCommand('app', 'run')) return withRunDefaults();
  return args;
}

function linkWorkspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iexec-module-'));
  for (const name of fs.readdirSync(ROOT)) {
    if (!(name in profile)) fs.symlinkSync(path.join(ROOT, name), path.join(dir, name));
  }
  for (const [cliName, fileName] of Object.entries(profile)) {
    fs.symlinkSync(path.join(ROOT, fileName), path.join(dir, cliName));
  }
  return dir;
}

// Removes the links (never what they point to) and moves what the CLI created into the module.
function unlinkWorkspace(dir) {
  for (const name of fs.readdirSync(dir)) {
    const entry = path.join(dir, name);
    if (fs.lstatSync(entry).isSymbolicLink()) {
      fs.unlinkSync(entry);
      continue;
    }
    // Copy, not rename: the temporary folder is often on another file system.
    fs.cpSync(entry, path.join(ROOT, name), { recursive: true });
    fs.rmSync(entry, { recursive: true });
    console.error(`iexec wrote ${name}`);
  }
  fs.rmdirSync(dir);
}

function runCli(cliArgs, cwd) {
  // Ctrl-C reaches the CLI too (same process group): wait for it to exit, then clean up.
  const ignoreInterrupt = () => {};
  process.on('SIGINT', ignoreInterrupt);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBin, ...cliArgs], { cwd, stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(`error: cannot start the iexec CLI: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignoreInterrupt);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

// A result is a zip; unzip it with the CLI's own zip library (no system unzip needed).
async function extractResult(zipPath, taskid) {
  const JSZip = createRequire(cliPackage)('jszip');
  const target = path.join(ROOT, 'results', taskid);
  const zip = await JSZip.loadAsync(fs.readFileSync(zipPath));
  const files = Object.values(zip.files).filter((entry) => !entry.dir);
  for (const entry of files) {
    const dest = path.resolve(target, entry.name);
    if (!dest.startsWith(`${target}${path.sep}`)) throw new Error(`refusing the zip entry ${entry.name}: it points outside ${target}`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, await entry.async('nodebuffer'));
  }
  console.error(`result: ${path.relative(ROOT, target)}/ (${files.map((entry) => entry.name).join(', ')})`);
  const computed = path.join(target, 'computed.json');
  if (fs.existsSync(computed)) console.error(`computed.json: ${fs.readFileSync(computed, 'utf8').trim()}`);
}

if (isCommand('app', 'deploy')) await prepareDeploy();
const cliArgs = cliArguments();
const workspace = linkWorkspace();
let status;
try {
  status = await runCli(cliArgs, workspace);
  if (status === 0 && isCommand('result')) {
    const taskid = args[1];
    const zip = path.join(workspace, `${taskid}.zip`);
    if (fs.existsSync(zip)) {
      fs.mkdirSync(path.join(ROOT, 'results'), { recursive: true });
      const kept = path.join(ROOT, 'results', `${taskid}.zip`);
      fs.copyFileSync(zip, kept);
      fs.rmSync(zip);
      await extractResult(kept, taskid).catch((error) => {
        console.error(`error: ${error.message}`);
        status = 1;
      });
    }
  }
} finally {
  unlinkWorkspace(workspace);
}
if (status !== 0 && profileName === 'tee') {
  console.error('note: with the tee profile, the iexec.json, deployed.json and orders.json iexec names are iexec.tee.json, deployed.tee.json and orders.tee.json');
}
process.exit(status);
