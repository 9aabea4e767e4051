// @ts-check
// Usage: npm run local -- [options]   (--help lists them)
// Runs dist/app.cjs (`npm run local` builds it first) as an iExec worker would, in fresh IEXEC_IN and
// IEXEC_OUT folders, then checks the output as the worker's post-compute and PoCo's finalize would.
// Exits 1 when the task would fail.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkOutput, readResult, runTask } from './worker.mjs';

const USAGE = `Usage: npm run local -- [options]
Runs the app as an iExec worker would, then checks its result as the post-compute would.
  --args "<args>"             the request's args, split as the worker splits them (iexec app run --args);
                              put --callback among them to have the app write callback-data:
                              --args="--callback Alice" (with = when the value starts with -)
  --input-file <path|url>     an input file, repeatable (iexec app run --input-files); a path stands for its file:// URL
  --requester-secret <n>=<v>  requester secret n, repeatable (iexec app run --secret n=<name>)
  --app-secret <value>        the app developer secret (iexec app push-secret)
  --protected-data <file>     a protected data file, made by scripts/mock-protected-data.mjs (iexec app run --dataset)
  --bulk <file>               a protected data of a bulk slice, repeatable
  --callback                  run as a deal with a callback contract (iexec app run --callback <address>)
  --bundle <file>             the built app to run (default: dist/app.cjs)
  -h, --help                  show this help`;

/**
 * @param {string} message
 * @returns {never}
 */
function usageError(message) {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(1);
}

/** @type {import('node:util').ParseArgsConfig['options']} */
const OPTIONS = {
  args: { type: 'string' },
  'input-file': { type: 'string', multiple: true },
  'requester-secret': { type: 'string', multiple: true },
  'app-secret': { type: 'string' },
  'protected-data': { type: 'string' },
  bulk: { type: 'string', multiple: true },
  callback: { type: 'boolean' },
  bundle: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** @type {Record<string, unknown>} */
let values = {};
try {
  ({ values } = parseArgs({ options: OPTIONS, allowPositionals: false, strict: true }));
} catch (error) {
  usageError(/** @type {Error} */ (error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
/** @param {string} name */
const text = (name) => /** @type {string | undefined} */ (values[name]);
/** @param {string} name */
const list = (name) => /** @type {string[] | undefined} */ (values[name]) ?? [];

/** @type {Record<string, string>} */
const requesterSecrets = {};
for (const pair of list('requester-secret')) {
  const at = pair.indexOf('=');
  if (at < 1) usageError(`--requester-secret takes <key>=<value>, e.g. --requester-secret 1=my-value`);
  requesterSecrets[pair.slice(0, at)] = pair.slice(at + 1);
}

let task;
try {
  task = await runTask({
    bundle: text('bundle') ?? fileURLToPath(new URL('../dist/app.cjs', import.meta.url)),
    args: text('args'),
    inputFiles: list('input-file'),
    requesterSecrets,
    appSecret: text('app-secret'),
    protectedData: text('protected-data'),
    bulk: list('bulk'),
    callback: values.callback === true,
  });
} catch (error) {
  console.error(`Cannot run the task: ${/** @type {Error} */ (error).message}`);
  process.exit(1);
}

console.log(`Task folders: ${task.inDir} (IEXEC_IN), ${task.outDir} (IEXEC_OUT)`);
console.log('Environment, as the worker sets it:');
const secret = /^IEXEC_(REQUESTER_SECRET_\d+|APP_DEVELOPER_SECRET(_1)?)$/;
for (const [name, value] of Object.entries(task.env)) console.log(`  ${name}=${secret.test(name) ? '<hidden>' : value}`);
console.log(`Args: ${JSON.stringify(task.argv)}`);
console.log('--- app output ---');
if (task.stdout) process.stdout.write(task.stdout);
if (task.stderr) process.stdout.write(task.stderr);
console.log('--- post-compute checks ---');
const verdict = checkOutput(task);
const MARK = { pass: '✔', warn: '!', fail: '✖' };
for (const check of verdict.checks) console.log(`${MARK[check.level]} ${check.message}`);
if (!verdict.ok) {
  console.error(`FAIL: ${verdict.reason}`);
  process.exit(1);
}
console.log(`PASS: a worker would complete this task. The result is in ${task.outDir}`);
console.log(`result.json: ${JSON.stringify(readResult(task), null, 2)}`);
