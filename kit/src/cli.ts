#!/usr/bin/env node
// iexec-module <command>: the dev tooling of a module made by create-iexec-module, one command per job.
// Each command lives in src/commands/ and is loaded only when asked for, so `iexec-module args` (run by
// tests/run.sh for every container run) does not pay for the iexec wrapper or the local chain.
import { readFileSync } from 'node:fs';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main: (argv: string[]) => Promise<number> }> }> = {
  local: {
    summary: 'run the built app as a worker would, then check its result as the worker and PoCo would',
    load: () => import('./commands/local.js'),
  },
  'post-compute': {
    summary: "check a finished task's output as the worker and PoCo would (tests/run.sh uses it)",
    load: () => import('./commands/post-compute.js'),
  },
  args: {
    summary: 'print the args a worker gives the app for one iexec_args string (NUL-separated)',
    load: () => import('./commands/args.js'),
  },
  iexec: {
    summary: "run the module's pinned iexec CLI on its standard or TEE app: iexec <standard|tee> <iexec args>",
    load: () => import('./commands/iexec.js'),
  },
  result: {
    summary: 'download a task result and unzip it into results/<taskid>/: result <taskid> [--tee]',
    load: () => import('./commands/result.js'),
  },
  doctor: {
    summary: 'check every condition a run on a chain needs, each with its fix, before spending anything: doctor [--chain NAME]',
    load: () => import('./commands/doctor.js'),
  },
  task: {
    summary: 'one view of a task on any chain, and what to do next: task <taskid> [--watch] [--claim] [--replay]',
    load: () => import('./commands/task.js'),
  },
  chain: {
    summary: 'iExec in a box: PoCo on a local chain, its services and a worker, to rehearse deploy to result; Ctrl-C ends it',
    load: () => import('./commands/chain.js'),
  },
  'mock-protected-data': {
    summary: 'write a protected data file as DataProtector makes them, to run the app with',
    load: () => import('./commands/mock-protected-data.js'),
  },
  'protect-data': {
    summary: "protect data as DataProtector's protectData does, on the local network: protect-data '<json>' --chain local",
    load: () => import('./commands/protect-data.js'),
  },
  'grant-access': {
    summary: "publish the dataset order DataProtector's grantAccess would: grant-access <protected data> --app <address> --user <address>",
    load: () => import('./commands/grant-access.js'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'Usage: iexec-module <command> [options]   (iexec-module <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`),
  ].join('\n');
}

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h') {
  console.log(usage());
  process.exit(name === undefined ? 2 : 0);
}
if (name === '--version' || name === '-v') {
  console.log(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  process.exit(0);
}
const command = COMMANDS[name];
if (!command) {
  console.error(`iexec-module: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
  process.exit(2);
}
process.exitCode = await (await command.load()).main(rest);
