// iexec-module args '<iexec_args>': each argument a worker gives the app for that one string, followed
// by a NUL byte (for bash: mapfile -d '' -t argv < <(iexec-module args "$ARGS")), split by the worker's
// own rules (worker/args.ts). No --help: `--help` is an iexec_args string like any other.
import { workerArgs } from '../worker/args.js';

export async function main(argv: string[]): Promise<number> {
  if (argv.length > 1) {
    process.stderr.write(`usage: iexec-module args '<iexec_args>' (one string, quoted: got ${argv.length})\n`);
    return 2;
  }
  const { argv: words, warning } = workerArgs(argv[0] ?? '');
  // Exit 0 even then: the worker still runs the task, the app just gets no arguments.
  if (warning) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(words.map((word) => `${word}\0`).join(''));
  return 0;
}
