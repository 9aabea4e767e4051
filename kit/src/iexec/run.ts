/*
 * `iexec-module iexec <standard|tee> ...`: the module's pinned iexec CLI on one of its two app profiles,
 * with what the bare CLI leaves to the user filled in: the owner of a new app, the workerpool and TEE
 * tag of a run, and a refusal to register an image that was never published.
 *
 * The wallet stays where iexec looks for it (~/.ethereum/keystore, or --keystoredir, --wallet-file,
 * --wallet-address, passed through). Its password goes only to iexec's own prompt: the kit never reads,
 * stores or prints it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TEE_TAGS, WORKERPOOLS } from '../platform.js';
import { fillAppOrder } from './app-order.js';
import { Failure } from './failure.js';
import { LOCAL_CHAIN, localCliOptions, recordLocalDeploy } from './local-network.js';
import { PROFILES, type ProfileName, defaultChain, readJson, teeFramework } from './module.js';
import { failedTasks, shownStatus } from './outcome.js';
import { userCwd, withUserPaths } from './paths.js';
import { TASK_ID, extractResult } from './result.js';
import { resolveIexecCli } from './sdk.js';
import { walletAddress } from './wallet.js';
import { linkWorkspace, makeWorkspace, runCli, unlinkWorkspace } from './workspace.js';

const NULL_ADDRESS = '0x0000000000000000000000000000000000000000';
/** The CLI's own `iexec result` commands and aliases (8.24.0 and 9.0.1 cli/cmd/iexec-result.js), passed through. */
const SDK_RESULT_COMMANDS = new Set([
  'generate-encryption-keypair',
  'generate-keys',
  'decrypt',
  'push-encryption-key',
  'push-secret',
  'check-encryption-key',
  'check-secret',
  '--help',
  '-h',
]);

export const USAGE = [
  'usage: iexec-module iexec <standard|tee> <iexec arguments...>',
  '       iexec-module iexec <standard|tee> result <taskid>      download a result into results/<taskid>/',
  '',
  "Runs the iexec CLI installed in this module with the profile's files in place of the three it reads:",
  '  standard  iexec.json      deployed.json      orders.json',
  '  tee       iexec.tee.json  deployed.tee.json  orders.tee.json',
  'app deploy fills app.owner from your wallet; app run adds --chain, --workerpool, --watch (and --tag for tee)',
  'unless given.',
].join('\n');

class Arguments {
  constructor(readonly list: string[]) {}

  has(name: string): boolean {
    return this.list.some((arg) => arg === name || arg.startsWith(`${name}=`));
  }

  value(name: string): string | undefined {
    const index = this.list.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
    if (index === -1) return undefined;
    const arg = this.list[index]!;
    return arg === name ? this.list[index + 1] : arg.slice(name.length + 1);
  }

  is(...words: string[]): boolean {
    return words.every((word, index) => this.list[index] === word);
  }
}

/** The owner the kit fills in for a deploy: written into the profile's file once the deploy succeeded. */
interface OwnerFill {
  file: string;
  fileName: string;
  owner: string;
  /** The file's text with the owner, which the CLI reads in the workspace. */
  text: string;
}

/**
 * A deployed app can never change its image: refuse to register the placeholders. Returns the owner
 * to fill in when app.owner is the zero address.
 */
function prepareDeploy(root: string, profileName: ProfileName, args: Arguments): OwnerFill | undefined {
  const fileName = PROFILES[profileName]['iexec.json'];
  const file = path.join(root, fileName);
  const conf = readJson(file);
  const app = conf?.app;
  if (typeof app !== 'object' || app === null) throw new Failure(`${fileName} has no "app" section`);
  const notReady =
    profileName === 'tee' && teeFramework(root) === 'scone'
      ? 'run ./sconify.sh VERSION first: it builds the TEE image and writes its multiaddr, checksum and mrenclave'
      : 'run ./publish.sh VERSION first: it pushes the image and writes its multiaddr and checksum';
  const placeholder = /^0x0{64}$/.test(app.checksum)
    ? 'checksum'
    : /^0{64}$/.test(app.mrenclave?.fingerprint ?? '')
      ? 'fingerprint'
      : undefined;
  if (placeholder !== undefined) {
    // The local network throws its chain away at every stop, and its worker runs the module's bundle
    // for an app whose image was never published: a rehearsal needs no registry.
    if ((args.value('--chain') ?? defaultChain(root)) !== LOCAL_CHAIN)
      throw new Failure(`${fileName} still has the placeholder ${placeholder}: ${notReady}`);
    console.error(
      `note: ${fileName} still has the placeholder ${placeholder}: the local network's worker will run dist/app.cjs for this app, not its image`,
    );
  }
  if (app.owner !== NULL_ADDRESS) return undefined;
  const owner = walletAddress(root, {
    keystoredir: args.value('--keystoredir'),
    walletFile: args.value('--wallet-file'),
    walletAddress: args.value('--wallet-address'),
  });
  if (!owner) {
    throw new Failure(
      `no wallet found to own the app: create one with 'npx iexec-module iexec ${profileName} wallet create' ` +
        `(or pass --keystoredir / --wallet-file / --wallet-address), or set app.owner in ${fileName}`,
    );
  }
  app.owner = owner;
  return { file, fileName, owner, text: `${JSON.stringify(conf, null, 2)}\n` };
}

/** The owner goes into the module's file only once the CLI has deployed the app with it (written beside, renamed). */
function fillOwner(fill: OwnerFill, status: number): void {
  if (status !== 0) {
    console.error(`${fill.fileName} unchanged: app.owner is filled in (${fill.owner}) only once the deploy succeeds`);
    return;
  }
  const partial = `${fill.file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, fill.text);
  fs.renameSync(partial, fill.file);
  console.error(`${fill.fileName}: app.owner set to ${fill.owner} (your wallet)`);
}

/** The seed's "pending for ever" came from running without a workerpool; TEE runs also need the tag. */
function withRunDefaults(root: string, profileName: ProfileName, args: Arguments): string[] {
  const chain = args.value('--chain') ?? defaultChain(root);
  const framework = teeFramework(root);
  const defaults: string[] = [];
  if (!args.has('--chain')) defaults.push('--chain', chain);
  if (!args.has('--workerpool')) {
    const pools = WORKERPOOLS[framework];
    const workerpool = Object.hasOwn(pools, chain) ? pools[chain] : undefined;
    if (workerpool === undefined) {
      throw new Failure(
        `pass --workerpool with --chain ${chain}: the kit knows public ${framework.toUpperCase()} workerpools on ${Object.keys(pools)
          .filter((name) => name !== LOCAL_CHAIN)
          .join(', ')} only`,
      );
    }
    defaults.push('--workerpool', workerpool);
  }
  if (profileName === 'tee' && !args.has('--tag')) defaults.push('--tag', TEE_TAGS[framework]);
  if (!args.has('--watch')) defaults.push('--watch');
  // The local network's worker uploads results itself: no storage token to set up there.
  if (framework === 'scone' && profileName === 'tee' && chain !== LOCAL_CHAIN) {
    console.error(
      'note: SCONE tasks upload their result with your storage token. Once per wallet, run:\n' +
        `  npx iexec-module iexec tee storage init --tee-framework scone --chain ${chain}`,
    );
  }
  // Before the user's arguments: after a `--` they would be taken as app arguments.
  return [...args.list.slice(0, 2), ...defaults, ...args.list.slice(2)];
}

/** The next step after a task that did not complete: its logs and status, on the same chain. */
function debugHint(profileName: ProfileName, taskid: string, chain: string | undefined): string {
  return `see why: npx iexec-module iexec ${profileName} task debug ${taskid} --logs${chain ? ` --chain ${chain}` : ''}`;
}

/** `app run --watch` exits 0 on tasks that did not complete: the kit exits 1, naming them. */
function runOutcome(status: number, output: string, profileName: ProfileName, chain: string): number {
  const failed = status === 0 ? failedTasks(output) : undefined;
  if (!failed?.length) return status;
  console.error(
    `error: ${failed.length === 1 ? 'a task' : `${failed.length} tasks`} of the deal did not complete (iexec app run says so above); ${debugHint(profileName, failed[0]!, chain)}`,
  );
  return 1;
}

/** results/<taskid>.zip, unzipped; exit 1 when the CLI downloaded nothing because the task is not COMPLETED. */
async function resultOutcome(
  root: string,
  workspace: string,
  taskid: string,
  run: { status: number; output: string },
  profileName: ProfileName,
  chain: string | undefined,
): Promise<number> {
  if (run.status !== 0) return run.status;
  const zip = path.join(workspace, `${taskid}.zip`);
  if (!fs.existsSync(zip)) {
    const shown = shownStatus(run.output);
    console.error(
      `error: task ${taskid} is ${shown ? `${shown}, not COMPLETED` : 'not COMPLETED'}: it has no result to download; ${debugHint(profileName, taskid, chain)}`,
    );
    return 1;
  }
  const kept = path.join(root, 'results', `${taskid}.zip`);
  fs.mkdirSync(path.dirname(kept), { recursive: true });
  fs.copyFileSync(zip, kept);
  fs.rmSync(zip);
  await extractResult(root, kept, taskid);
  return 0;
}

export async function runIexec(root: string, profileName: ProfileName, list: string[]): Promise<number> {
  const profile = PROFILES[profileName];
  const bin = resolveIexecCli(root);
  const workspace = makeWorkspace();
  let files: Record<string, string> = {};
  let status: number;
  try {
    const args = new Arguments(withUserPaths(list, userCwd(root), workspace));
    let cliArgs = args.list;
    let fill: OwnerFill | undefined;
    let taskid: string | undefined;
    if (args.is('result') && !SDK_RESULT_COMMANDS.has(args.list[1] ?? '')) {
      const [, id, ...rest] = args.list;
      if (id === undefined || !TASK_ID.test(id))
        throw new Failure(`usage: iexec-module iexec ${profileName} result <taskid> (0x and 64 hex digits)`);
      taskid = id;
      cliArgs = ['task', 'show', taskid, '--download', taskid, ...rest];
    } else if (args.is('app', 'deploy')) {
      fill = prepareDeploy(root, profileName, args);
      if (fill) files = { 'iexec.json': fill.text };
    } else if (args.is('app', 'run')) {
      cliArgs = withRunDefaults(root, profileName, args);
    } else if (args.is('order', 'sign')) {
      fillAppOrder(root, profileName, args.value('--chain') ?? defaultChain(root));
    }
    const chain = args.value('--chain') ?? defaultChain(root);
    linkWorkspace(workspace, root, profile, files);
    const run = await runCli(bin, cliArgs, workspace, await localCliOptions(root, chain));
    status = run.status;
    if (fill) fillOwner(fill, status);
    if (status === 0 && args.is('app', 'deploy')) recordLocalDeploy(root, profileName, chain);
    if (taskid !== undefined) status = await resultOutcome(root, workspace, taskid, run, profileName, args.value('--chain'));
    else if (args.is('app', 'run')) status = runOutcome(status, run.output, profileName, args.value('--chain') ?? defaultChain(root));
  } finally {
    unlinkWorkspace(root, profile, workspace, files);
  }
  if (status !== 0 && profileName === 'tee') {
    console.error(
      'note: with the tee profile, the iexec.json, deployed.json and orders.json iexec names are iexec.tee.json, deployed.tee.json and orders.tee.json',
    );
  }
  return status;
}
