// iexec-module post-compute <IEXEC_OUT folder> [options]: what the worker does once the app's container
// has exited, for a run made elsewhere (tests/run.sh runs the image; `local` runs the bundle itself):
// keep the app's logs in the result as the worker does, then the same checks as `local`, so the two
// ways of running a task are judged by one implementation.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkOutput } from '../worker/post-compute.js';
import { saveLogs } from '../worker/task.js';
import { printVerdict } from './report.js';

const USAGE = `Usage: iexec-module post-compute <IEXEC_OUT folder> [options]
Checks a finished task's output as the worker's post-compute and PoCo would; exits 1 when the task would fail.
  --exit-code <n>     the app's exit status (default 0)
  --stdout <file>     what the app printed on stdout, saved as stdout.txt after a successful run
  --stderr <file>     the same for stderr.txt
  --iexec-out <path>  IEXEC_OUT as the app saw it (default: the folder itself; /iexec_out in a container)
  --callback          the deal has a callback contract (iexec app run --callback)
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
  const outDir = resolve(positionals[0]!);
  const read = (file: string | undefined) => (file ? readFileSync(file, 'utf8') : '');
  const stdout = read(values.stdout);
  const stderr = read(values.stderr);
  saveLogs(outDir, status, stdout, stderr);
  const env = { IEXEC_OUT: values['iexec-out'] ?? outDir };
  return printVerdict(checkOutput({ inDir: '', outDir, env, argv: [], status, stdout, stderr, callback: values.callback }), outDir) ? 0 : 1;
}
