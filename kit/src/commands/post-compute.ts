// iexec-module post-compute <IEXEC_OUT folder> [options]: what the worker does once the app's container
// has exited, for a run made elsewhere (tests/run.sh runs the image; `local` runs the bundle itself):
// keep the app's logs in the result as the worker does, then the same checks as `local`, so the two
// ways of running a task are judged by one implementation.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FLOWS, type Flow } from '../worker/limits.js';
import { checkOutput } from '../worker/post-compute.js';
import { keepLogs, logTail, type Task } from '../worker/task.js';
import { printVerdict } from './report.js';

const USAGE = `Usage: iexec-module post-compute <IEXEC_OUT folder> [options]
Checks a finished task's output as the worker's post-compute and PoCo would; exits 1 when the task would fail.
  --exit-code <n>     the app's exit status (default 0)
  --stdout <file>     what the app printed on stdout, saved as stdout.txt after a successful run
  --stderr <file>     the same for stderr.txt
  --iexec-out <path>  IEXEC_OUT as the app saw it (default: the folder itself; /iexec_out in a container)
  --callback          the deal has a callback contract (iexec app run --callback)
  --flow <tee|standard>  which post-compute judges it (default tee: the TEE enclave's, the stricter on
                      empty outputs and file names; standard: the worker's own Java one)
  -h, --help          show this help`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'exit-code': { type: 'string', default: '0' },
        stdout: { type: 'string' },
        stderr: { type: 'string' },
        'iexec-out': { type: 'string' },
        callback: { type: 'boolean', default: false },
        flow: { type: 'string', default: 'tee' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const status = Number(values['exit-code']);
  if (positionals.length !== 1 || !Number.isInteger(status)) {
    console.error(USAGE);
    return 2;
  }
  if (!FLOWS.includes(values.flow as Flow)) {
    console.error(`--flow takes tee or standard, got ${JSON.stringify(values.flow)}`);
    return 2;
  }
  const outDir = resolve(positionals[0]!);
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) {
    console.error(`${positionals[0]} is not a folder: give the IEXEC_OUT folder the app wrote into`);
    return 2;
  }
  // A log not given is none, as for an app that printed nothing.
  const stdoutFile = values.stdout ?? '';
  const stderrFile = values.stderr ?? '';
  for (const file of [stdoutFile, stderrFile]) {
    if (file && (!existsSync(file) || !statSync(file).isFile())) {
      console.error(`${file} is not a file: --stdout and --stderr take the files the app's output went to`);
      return 2;
    }
  }
  const size = (file: string) => (file ? statSync(file).size : 0);
  const logs = keepLogs(
    outDir,
    status === 0,
    { stdout: stdoutFile, stderr: stderrFile, stdoutBytes: size(stdoutFile), stderrBytes: size(stderrFile) },
    'copy',
  );
  const task: Task = {
    inDir: '',
    outDir,
    env: { IEXEC_OUT: values['iexec-out'] ?? outDir },
    argv: [],
    flow: values.flow as Flow,
    appRan: true,
    preComputeErrors: [],
    status,
    timedOut: false,
    timeoutMs: 0,
    stdout: logTail(logs.stdout),
    stderr: logTail(logs.stderr),
    logs,
    warnings: [],
    callback: values.callback,
  };
  return printVerdict(checkOutput(task), outDir) ? 0 : 1;
}
