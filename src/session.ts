import { relative } from 'node:path';
import type { AnswerKey, Surroundings } from './answers.js';
import { readAnswersFile } from './answers-file.js';
import { UserError } from './errors.js';
import type { Invocation } from './options.js';
import type { PackageManager } from './package-manager.js';
import { paint } from './progress.js';
import { StepFailed } from './steps.js';

/* What `create` and `upgrade` share about a run: who answers, where, and how it stops. */

/** How to refer to the module from here: relative when it is below us, else its absolute path. */
export function shortPath(target: string): string {
  const path = relative(process.cwd(), target);
  return path === '' ? '.' : path.startsWith('..') ? target : path;
}

/** The answers the command line gives: an --answers file, with the answer flags winning over it. */
export function givenAnswers(invocation: Invocation): Partial<Record<AnswerKey, unknown>> {
  const fromFile = invocation.switches.answers === undefined ? {} : readAnswersFile(invocation.switches.answers);
  return { ...fromFile, ...invocation.given };
}

/** What the defaults of a module in `target` follow from. */
export function surroundings(target: string): Surroundings {
  return { directory: target, userAgent: process.env.npm_config_user_agent };
}

/**
 * Runs the install and validation steps; a failed one keeps the module and names the command that
 * retries from there.
 */
export async function postSteps(target: string, pm: PackageManager, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (error) {
    if (error instanceof StepFailed) error.retry = `cd ${shortPath(target)} && ${pm} install && npx create-iexec-module validate`;
    throw error;
  }
}

/** Runs `step` to its end whatever Ctrl-C says meanwhile; an interrupt then fails with `line`. */
export type Uncut = <T>(step: () => T | Promise<T>, line: string) => Promise<T>;

/** A signal that came while synchronous code ran is delivered on the event loop's next turn. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Ctrl-C while a command writes, one way for both. By default the write is cut at once: `stop`
 * removes what it can and returns one line saying what is on disk, which is printed, and the
 * process exits 130 (128 + SIGINT). A step run through `uncut` (moving a module into place) is not
 * cut: it finishes, then the run fails with its own line and exit 130. At a prompt Ctrl-C is the
 * prompt's cancel instead (CancelledError), before anything is written.
 */
export async function writing<T>(stop: () => string | Promise<string>, work: (uncut: Uncut) => Promise<T>): Promise<T> {
  let holding = false;
  let interrupted = false;
  const onInterrupt = () => {
    if (holding) {
      interrupted = true;
      return;
    }
    void Promise.resolve()
      .then(stop)
      .then((line) => {
        process.stderr.write(`\n${paint.bad('✖')} ${line}\n`);
        process.exit(130);
      });
  };
  const uncut: Uncut = async (step, line) => {
    holding = true;
    const result = await Promise.resolve()
      .then(step)
      .finally(async () => {
        await nextTurn();
        holding = false;
      });
    if (interrupted) throw new UserError(line, 130);
    return result;
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await work(uncut);
  } finally {
    await nextTurn();
    process.removeListener('SIGINT', onInterrupt);
  }
}
