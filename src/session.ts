import { relative } from 'node:path';
import type { AnswerKey, Surroundings } from './answers.js';
import { readAnswersFile } from './answers-file.js';
import { UserError } from './errors.js';
import { shellWord } from './escape.js';
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

/** A path as the user types it into their shell: quoted when it holds anything but plain characters. */
export function shellPath(path: string): string {
  if (/^[\w@%+=:,./-]+$/.test(path)) return path;
  return process.platform === 'win32' ? `"${path}"` : shellWord(path);
}

/** The command that takes a module on disk to installed and validated, from where the user stands. */
export function finishCommand(target: string, pm: PackageManager): string {
  const where = shortPath(target);
  return [...(where === '.' ? [] : [`cd ${shellPath(where)}`]), `${pm} install`, 'npx create-iexec-module validate'].join(' && ');
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

function interrupted(line: string): never {
  process.stderr.write(`\n${paint.bad('✖')} ${line}\n`);
  process.exit(130);
}

/**
 * Runs steps that start processes (git, install, validation): Ctrl-C, which those processes get
 * too (execa ends them with this one if not), stops the run at once with `line`, exit 130.
 */
export async function interruptible<T>(line: string, steps: () => Promise<T>): Promise<T> {
  const onInterrupt = () => interrupted(line);
  process.on('SIGINT', onInterrupt);
  try {
    return await steps();
  } catch (error) {
    // A step's process ended by the same Ctrl-C fails first: let the interrupt speak instead.
    await signalsDelivered();
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/**
 * Runs the steps after the files (git, install, validation). A failed one keeps the module and names
 * the command that finishes from there; so does Ctrl-C.
 */
export async function postSteps(target: string, pm: PackageManager, steps: () => Promise<void>): Promise<void> {
  const finish = finishCommand(target, pm);
  try {
    await interruptible(
      `Interrupted: the module is in ${shortPath(target)}, not yet installed and validated. Finish with:\n  ${finish}`,
      steps,
    );
  } catch (error) {
    if (error instanceof StepFailed) error.retry = finish;
    throw error;
  }
}

/** Runs `step` to its end whatever Ctrl-C says meanwhile; an interrupt then fails with `line`. */
export type Uncut = <T>(step: () => T | Promise<T>, line: string) => Promise<T>;

/**
 * A signal that came while synchronous code ran reaches its JavaScript listener two turns of the
 * event loop later: libuv reads it from its signal pipe on one, and calls back on the next.
 */
const signalsDelivered = async () => {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
};

/**
 * Ctrl-C while a command writes, one way for both. By default the write is cut at once: `stop`
 * removes what it can and returns one line saying what is on disk, which is printed, and the
 * process exits 130 (128 + SIGINT). Once a step run through `uncut` (moving a module into place)
 * has begun, `stop` would no longer tell the truth: that step finishes, and an interrupt then (or
 * until the work returns) fails the run with the step's own line, exit 130. At a prompt Ctrl-C is
 * the prompt's cancel instead (CancelledError), before anything is written.
 */
export async function writing<T>(stop: () => string | Promise<string>, work: (uncut: Uncut) => Promise<T>): Promise<T> {
  let held: string | undefined;
  let interrupt = false;
  const onInterrupt = () => {
    if (held !== undefined) interrupt = true;
    else void Promise.resolve().then(stop).then(interrupted);
  };
  const uncut: Uncut = (step, line) => {
    held = line;
    return Promise.resolve().then(step);
  };
  process.on('SIGINT', onInterrupt);
  try {
    const result = await work(uncut);
    await signalsDelivered();
    if (interrupt) throw new UserError(held!, 130);
    return result;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
