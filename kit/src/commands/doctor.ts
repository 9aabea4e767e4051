// iexec-module doctor [options]: every condition a run of the module on a chain needs, each ✔, ! or ✖
// with its fix, before anything is spent. Reads only, never asks anything. Exits 1 on any ✖.
import { parseArgs } from 'node:util';
import { Failure, reportFailure } from '../iexec/failure.js';
import type { ProfileName } from '../iexec/module.js';
import { doctorContext, runChecks } from '../doctor/run.js';
import { checklistJson, printChecklist } from '../doctor/report.js';
import { WALLET_OPTIONS, walletChoice, walletUsage } from './wallet-options.js';

const USAGE = `Usage: iexec-module doctor [options]   (in a module: npm run doctor -- [options])
Checks every condition a run of this module on a chain needs, before you spend anything: the chain and
the SDK's config, the workerpool and its orders, the wallet and its gas and stake, each app, its image
and its secret, the services. Reads only; asks nothing. Each line ✔, ! (look at it) or ✖ with its fix.
  --chain <name>              the chain.json chain to check (default: chain.json's "default")
  --standard, --tee           check the standard app or the TEE app only (default: both)
  --workerpool <address>      the workerpool app:run will use (default: the kit's for the chain)
  --dataset <address>         the protected data you will run with (modules with protected data)
${walletUsage('the wallet (the password checks that it opens it)')}
  --json                      one JSON object on stdout (for CI)
  -h, --help                  show this help
Exits 0 when no line is ✖, 1 otherwise, 2 on a bad option.`;

const OPTIONS = {
  chain: { type: 'string' },
  standard: { type: 'boolean' },
  tee: { type: 'boolean' },
  workerpool: { type: 'string' },
  dataset: { type: 'string' },
  ...WALLET_OPTIONS,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.dataset !== undefined && !ADDRESS.test(values.dataset)) {
    console.error(`--dataset takes an address (0x and 40 hex digits), got '${values.dataset}'`);
    return 2;
  }
  const profiles: ProfileName[] =
    values.standard && !values.tee ? ['standard'] : values.tee && !values.standard ? ['tee'] : ['standard', 'tee'];
  let ctx;
  try {
    ctx = await doctorContext(root, {
      chain: values.chain,
      profiles,
      workerpool: values.workerpool,
      dataset: values.dataset,
      ...walletChoice(values),
    });
  } catch (error) {
    if (values.json && error instanceof Failure) {
      console.log(JSON.stringify({ ok: false, error: error.message }));
      return 1;
    }
    return reportFailure(error);
  }
  try {
    const lines = await runChecks(ctx);
    if (values.json) console.log(checklistJson(ctx, lines));
    else printChecklist(ctx, lines);
    return lines.some((line) => line.level === 'fail') ? 1 : 0;
  } finally {
    ctx.close();
  }
}
