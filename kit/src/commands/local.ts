// iexec-module local [options]: runs the built app (dist/app.cjs below the current folder, the module's
// root under `npm run local`, which builds it first) as an iExec worker would, in fresh IEXEC_IN and
// IEXEC_OUT folders, then checks the output as the worker's post-compute and PoCo's finalize would.
// Exits 1 when the task would not complete.
import { parseArgs } from 'node:util';
import { CATEGORY_SECONDS, FLOWS, type Flow } from '../worker/limits.js';
import { runTask, type Task } from '../worker/task.js';
import { printTaskRun } from './report.js';

const USAGE = `Usage: iexec-module local [options]   (in a module: npm run local -- [options], which builds the app first)
Runs the app as an iExec worker would, then checks its result as the post-compute would.
  --args "<args>"             the request's args, split as the worker splits them (iexec app run --args);
                              a module made with callbacks writes callback-data when they hold --callback:
                              --args="--callback Alice" (with = when the value starts with -)
  --input-file <path|url>     an input file, repeatable (iexec app run --input-files); a path stands for its file:// URL
  --requester-secret <n>=<v>  requester secret n, repeatable (iexec app run --secret n=<name>); TEE tasks only
  --app-secret <value>        the app developer secret (iexec app push-secret); TEE tasks only
  --protected-data <file>     a protected data file, made by iexec-module mock-protected-data (iexec app run --dataset)
  --bulk <file>               a protected data of a bulk slice, repeatable
  --callback                  run as a deal with a callback contract (iexec app run --callback <address>)
  --flow <tee|standard>       the worker flow to emulate (default tee: the app:run:tee task, which gets the
                              secrets and protected data, judged by the TEE post-compute; standard: the
                              app:run task, the worker's own downloads and Java post-compute)
  --timeout <seconds>         the app's time limit (default ${CATEGORY_SECONDS.XS}, category XS; S ${CATEGORY_SECONDS.S}, M ${CATEGORY_SECONDS.M}, L ${CATEGORY_SECONDS.L}, XL ${CATEGORY_SECONDS.XL})
  --bundle <file>             the built app to run (default: dist/app.cjs)
  -h, --help                  show this help`;

const OPTIONS = {
  args: { type: 'string' },
  'input-file': { type: 'string', multiple: true },
  'requester-secret': { type: 'string', multiple: true },
  'app-secret': { type: 'string' },
  'protected-data': { type: 'string' },
  bulk: { type: 'string', multiple: true },
  callback: { type: 'boolean' },
  flow: { type: 'string', default: 'tee' },
  timeout: { type: 'string', default: String(CATEGORY_SECONDS.XS) },
  bundle: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usageError(message: string): number {
  console.error(`${message}\n\n${USAGE}`);
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const flow = values.flow as Flow;
  if (!FLOWS.includes(flow)) return usageError(`--flow takes tee or standard, got ${JSON.stringify(values.flow)}`);
  const seconds = Number(values.timeout);
  if (!(seconds > 0) || !Number.isFinite(seconds))
    return usageError(`--timeout takes a number of seconds above 0, got ${JSON.stringify(values.timeout)}`);

  const requesterSecrets: Record<string, string> = {};
  for (const pair of values['requester-secret'] ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) return usageError(`--requester-secret takes <key>=<value>, e.g. --requester-secret 1=my-value`);
    requesterSecrets[pair.slice(0, at)] = pair.slice(at + 1);
  }

  let printed = false;
  let newline = true;
  let task: Task;
  try {
    task = await runTask({
      bundle: values.bundle ?? 'dist/app.cjs',
      args: values.args,
      inputFiles: values['input-file'],
      requesterSecrets,
      appSecret: values['app-secret'],
      protectedData: values['protected-data'],
      bulk: values.bulk,
      callback: values.callback === true,
      flow,
      timeoutMs: seconds * 1000,
      // Live, as it comes: an app that runs for minutes shows where it is.
      onOutput: (chunk) => {
        if (!printed) console.log('--- app output ---');
        printed = true;
        newline = chunk.at(-1) === 0x0a;
        process.stdout.write(chunk);
      },
    });
  } catch (error) {
    console.error(`Cannot run the task: ${(error as Error).message}`);
    return 1;
  }
  if (printed) console.log(`${newline ? '' : '\n'}--- end of app output ---`);
  return printTaskRun(task, { outputShown: true }) ? 0 : 1;
}
