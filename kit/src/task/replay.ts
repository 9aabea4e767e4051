/*
 * `task --replay`: the task again on this machine, run by `npm run local`'s worker (worker/task.ts
 * runTask, printed as local prints it) with what the deal gave the real one: its args and input files
 * (params iexec_args, iexec_input_files), its index and ids, a callback when it has one, and for a TEE
 * task the requester secrets it names and the app secret, whose values the SMS never gives back: each is
 * read from the variable the app sees (IEXEC_REQUESTER_SECRET_<n>, IEXEC_APP_DEVELOPER_SECRET) or asked
 * at a terminal, and otherwise left out as the SMS leaves out a secret it lacks. So the verdict is
 * `npm run local`'s with the same args, which it prints too.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { printTaskRun } from '../commands/report.js';
import type { ChainReads, OnChainDeal } from '../sdk/reads.js';
import { runTask } from '../worker/task.js';
import { canPrompt, promptHidden } from './prompt.js';
import { replayDataset } from './replay-dataset.js';
import type { TaskView } from './view.js';

const BUILD_TIMEOUT_MS = 120_000;

interface DealParams {
  iexec_args?: string;
  iexec_input_files?: string[];
  iexec_secrets?: Record<string, string>;
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

async function secretValue(variable: string, label: string, env: NodeJS.ProcessEnv): Promise<{ value?: string; note: string }> {
  const fromEnv = env[variable];
  if (fromEnv !== undefined) return { value: fromEnv, note: `${label} from $${variable}` };
  if (canPrompt())
    return { value: await promptHidden(`${label} (its value, as pushed to the SMS): `), note: `${label}, typed at the terminal` };
  return { note: `${label}: left out, as the SMS leaves out a secret it lacks (set ${variable} to give it)` };
}

/** `npm run build`'s bundling step, as `npm run local` runs it first: the replay runs what src/ says now. */
function build(root: string): void {
  const script = path.join(root, 'scripts', 'build.mjs');
  if (!fs.existsSync(script)) return;
  const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  if (run.status !== 0)
    throw new Error(`node scripts/build.mjs failed${run.error ? ` (${run.error.message})` : ''}:\n${run.stdout}${run.stderr}`);
}

/** The secrets a TEE task got, by name: their values from the variables the app sees, or typed, or left out. */
async function replaySecrets(reads: ChainReads, deal: OnChainDeal, params: DealParams, tee: boolean, env: NodeJS.ProcessEnv) {
  const notes: string[] = [];
  const requesterSecrets: Record<string, string> = {};
  let appSecret: string | undefined;
  if (!tee) {
    if (params.iexec_secrets) notes.push('no secrets: the deal is not TEE, and only TEE tasks get them');
    return { requesterSecrets, appSecret, notes };
  }
  for (const [key, name] of Object.entries(params.iexec_secrets ?? {})) {
    const secret = await secretValue(`IEXEC_REQUESTER_SECRET_${key}`, `requester secret ${key} (${name})`, env);
    if (secret.value !== undefined) requesterSecrets[key] = secret.value;
    notes.push(secret.note);
  }
  if (await reads.appSecretExists(deal.app.pointer)) {
    const secret = await secretValue('IEXEC_APP_DEVELOPER_SECRET', 'the app secret', env);
    appSecret = secret.value;
    notes.push(secret.note);
  } else {
    notes.push('no app secret: the SMS holds none for this app');
  }
  return { requesterSecrets, appSecret, notes };
}

export interface ReplayOptions {
  root: string;
  local: boolean;
  protectedData?: string | undefined;
  env?: NodeJS.ProcessEnv;
  subgraphs?: Readonly<Record<number, string>>;
}

export async function replayTask(reads: ChainReads, view: TaskView, options: ReplayOptions): Promise<number> {
  const deal: OnChainDeal | undefined = view.deal;
  if (!deal || !view.task) {
    console.error(
      `error: task ${view.taskid} has no deal on chain yet (PoCo has not initialized it): nothing to replay. Follow it: npm run task -- ${view.taskid} --watch`,
    );
    return 1;
  }
  const env = options.env ?? process.env;
  const params = JSON.parse(deal.params || '{}') as DealParams;
  // Secrets reach TEE tasks only (tag bit 0): iexec-sms builds them into the TEE session.
  const tee = (BigInt(deal.tag) & 1n) === 1n;
  const { requesterSecrets, appSecret, notes } = await replaySecrets(reads, deal, params, tee, env);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iexec-replay-'));
  const dataset = await replayDataset(reads, deal, {
    local: options.local,
    tee,
    dir,
    given: options.protectedData,
    ...(options.subgraphs && { subgraphs: options.subgraphs }),
  });
  const callback = deal.callback !== '0x0000000000000000000000000000000000000000';
  const args = params.iexec_args;
  const inputFiles = params.iexec_input_files ?? [];
  const same = [
    'npm run local --',
    ...(args !== undefined ? [`--args=${quote(args)}`] : []),
    ...inputFiles.map((file) => `--input-file ${quote(file)}`),
    ...Object.keys(requesterSecrets).map((key) => `--requester-secret ${key}="$IEXEC_REQUESTER_SECRET_${key}"`),
    ...(appSecret !== undefined ? ['--app-secret "$IEXEC_APP_DEVELOPER_SECRET"'] : []),
    ...(dataset.file ? [`--protected-data ${quote(dataset.file)}`] : []),
    ...(callback ? ['--callback'] : []),
  ].join(' ');
  console.log(
    [
      `replaying task ${view.taskid} (${view.statusName} on chain) here, as npm run local runs it:`,
      `  args         ${args !== undefined ? JSON.stringify(args) : 'none'}`,
      `  input files  ${inputFiles.length > 0 ? inputFiles.join(', ') : 'none'}`,
      ...notes.map((note) => `  secret       ${note}`),
      `  dataset      ${dataset.note}`,
      ...(callback ? [`  callback     ${deal.callback}`] : []),
      `  the same as  ${same}`,
    ].join('\n'),
  );
  build(options.root);
  const task = await runTask({
    bundle: path.join(options.root, 'dist', 'app.cjs'),
    ...(args !== undefined && { args }),
    inputFiles,
    requesterSecrets,
    ...(appSecret !== undefined && { appSecret }),
    ...(dataset.file && { protectedData: dataset.file }),
    callback,
    workDir: dir,
    deal: {
      taskId: view.taskid,
      dealId: deal.dealid,
      taskIndex: view.task.idx,
      botFirstIndex: deal.botFirst,
      botSize: deal.botSize,
      datasetAddress: deal.dataset.pointer.toLowerCase(),
    },
  });
  return printTaskRun(task) ? 0 : 1;
}
