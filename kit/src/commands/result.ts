// iexec-module result <taskid> [--tee] [iexec options]: a task's result, unzipped into results/<taskid>/.
import { reportFailure } from '../iexec/failure.js';
import { TASK_ID } from '../iexec/result.js';
import { runIexec } from '../iexec/run.js';

const USAGE = [
  'usage: iexec-module result <taskid> [--tee] [iexec options, e.g. --chain NAME]',
  '',
  'Downloads the result of a COMPLETED task into results/<taskid>.zip, unzips it into results/<taskid>/',
  'and prints its computed.json. --tee runs the CLI on the TEE app profile (iexec.tee.json ...).',
].join('\n');

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const [taskid, ...options] = argv.filter((arg) => arg !== '--tee');
  if (taskid === undefined || !TASK_ID.test(taskid)) {
    console.error(USAGE);
    return 2;
  }
  try {
    return await runIexec(root, argv.includes('--tee') ? 'tee' : 'standard', ['result', taskid, ...options]);
  } catch (error) {
    return reportFailure(error);
  }
}
