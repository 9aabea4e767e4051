#!/usr/bin/env node
import { resolve } from 'node:path';
import { create } from './create.js';
import { UserError } from './errors.js';
import { readManifest } from './manifest.js';
import { helpText, type Invocation, parseInvocation } from './options.js';
import { generatorVersion } from './paths.js';
import { paint } from './progress.js';
import { interruptible, shellPath, shortPath } from './session.js';
import { StepFailed, validate } from './steps.js';

async function validateCommand(invocation: Invocation): Promise<void> {
  const target = resolve(invocation.directory ?? '.');
  const pm = readManifest(target).answers.packageManager ?? 'npm';
  const where = shortPath(target);
  const again = `npx create-iexec-module validate${where === '.' ? '' : ` ${shellPath(where)}`}`;
  try {
    await interruptible(`Interrupted: the validation stopped. Run it again with:\n  ${again}`, () => validate(target, pm));
  } catch (error) {
    if (error instanceof StepFailed) error.retry = again;
    throw error;
  }
  console.log(paint.ok('The module builds and its tests pass.'));
}

async function main(argv: string[]): Promise<void> {
  const invocation = parseInvocation(argv);
  if (invocation.switches.help) return console.log(helpText(generatorVersion));
  if (invocation.switches.version) return console.log(generatorVersion);
  if (invocation.command === 'validate') return validateCommand(invocation);
  // Loaded only for upgrade: the merge engine is no weight on `npm create`.
  if (invocation.command === 'upgrade') return (await import('./upgrade/upgrade.js')).upgrade(invocation);
  return create(invocation);
}

function report(error: unknown): number {
  if (error instanceof StepFailed) {
    console.error(`\n${paint.bad(`✖ ${error.title} failed:`)}\n${error.output.trim()}`);
    console.error(`\nThe module is kept. Fix the problem, then retry with:\n  ${error.retry ?? 'npx create-iexec-module validate'}`);
    return 1;
  }
  if (error instanceof UserError) {
    console.error(`${paint.bad('✖')} ${error.message}`);
    return error.exitCode;
  }
  console.error(`${paint.bad('✖')} ${(error as Error).message ?? error}`);
  if (process.env.DEBUG) console.error((error as Error).stack);
  else console.error(paint.dim('  (set DEBUG=1 to see the stack)'));
  return 1;
}

/*
 * A prompt waiting on a stdin that has ended (`--interactive </dev/null`) leaves nothing for Node to
 * wait on, and Node would exit 0 having written nothing. Node only empties its event loop with main
 * unsettled in that case, so it is reported as the error it is.
 */
process.once('beforeExit', () => {
  process.stdout.write('\n');
  process.exit(
    report(
      new UserError(
        'Input ended before every question was answered: answer at a terminal, or pass the answers as flags (--yes takes the defaults).',
      ),
    ),
  );
});

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => process.exit(report(error)),
);
