import { rm } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { type Answers, resolveAnswers } from './answers.js';
import { readAnswersFile } from './answers-file.js';
import { ask, askDirectory } from './ask.js';
import { templateContext } from './context.js';
import { UserError } from './errors.js';
import { createManifest, MANIFEST_FILE, manifestText } from './manifest.js';
import type { Invocation } from './options.js';
import { generatorVersion } from './paths.js';
import { scriptLine } from './package-manager.js';
import { note, paint } from './progress.js';
import { TEE_PROFILES } from './profiles.js';
import { renderFiles, writeFiles } from './render.js';
import { initGit, install, StepFailed, validate } from './steps.js';
import { checkTarget, placeModule, stagingFolder } from './target.js';

export function interactive(invocation: Invocation): boolean {
  if (invocation.switches.yes) return false;
  return (
    (invocation.switches.interactive as boolean | undefined) ??
    Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI)
  );
}

/**
 * Renders in memory, writes the result into a staging folder of ours and moves it into place only
 * once every file is there: an error or Ctrl-C before that leaves the target untouched. The move
 * itself takes milliseconds and is not interrupted, so Ctrl-C never leaves half a module either.
 */
async function writeModule(answers: Answers, target: string, invocation: Invocation): Promise<string[]> {
  const rendered = await renderFiles(templateContext(answers, generatorVersion));
  const files = { ...rendered, [MANIFEST_FILE]: manifestText(createManifest(generatorVersion, answers, rendered)) };
  const written = Object.keys(files);
  await checkTarget(target, written, Boolean(invocation.switches.force));
  if (invocation.switches['dry-run']) return written;

  const staging = await stagingFolder();
  const cleanUp = () => rm(staging, { recursive: true, force: true });
  let placing = false;
  let interruptedWhilePlacing = false;
  const onInterrupt = () => {
    if (placing) interruptedWhilePlacing = true;
    else void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onInterrupt);
  try {
    await writeFiles(files, staging);
    placing = true;
    await placeModule(staging, target, written);
    if (interruptedWhilePlacing) {
      throw new UserError(`Interrupted: the module is in ${target}, but nothing was installed or validated.`, 130);
    }
    return written;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await cleanUp();
  }
}

/** How to refer to the module from here: relative when it is below us, else its absolute path. */
export function shortPath(target: string): string {
  const path = relative(process.cwd(), target);
  return path === '' ? '.' : path.startsWith('..') ? target : path;
}

function nextSteps(answers: Answers, target: string, installed: boolean): string {
  const where = shortPath(target);
  const run = (script: string, args?: string) => scriptLine(answers.packageManager, script, args).padEnd(36);
  const lines = [
    '',
    `${paint.ok('Done.')} ${paint.bold(answers.name)}: ${answers.tee.toUpperCase()} on ${answers.chain}, in ${where}`,
    '',
    'Next:',
    ...(where === '.' ? [] : [`  cd ${where}`]),
    ...(installed ? [] : [`  ${answers.packageManager} install`]),
    `  ${run('docker:build')}# build the image for linux/amd64`,
    `  ${run('docker:run', 'test')}# run it as a worker would`,
    `  ${run('publish:image', '1.0.0')}# push it and record its checksum`,
    '  README.md walks you from there to a result on iExec.',
  ];
  if (answers.dockerNamespace === 'your-docker-user') {
    lines.push('', paint.warn('! The image is named your-docker-user/…: run `npx create-iexec-module upgrade --docker-namespace <you>` in the module, or set DOCKER_NAMESPACE when you publish.'));
  }
  return lines.join('\n');
}

export async function create(invocation: Invocation): Promise<void> {
  const asking = interactive(invocation);
  const fromFile = typeof invocation.switches.answers === 'string' ? await readAnswersFile(invocation.switches.answers) : {};
  let directory = invocation.directory;
  if (directory === undefined) {
    if (!asking) throw new UserError('Missing the directory: pass it first, e.g. `create-iexec-module my-module` (or `.` for this one).');
    directory = await askDirectory();
  }
  const target = resolve(directory);
  await checkTarget(target, [], Boolean(invocation.switches.force));

  const answers = await resolveAnswers(
    { ...fromFile, ...invocation.given },
    { directory: target, userAgent: process.env.npm_config_user_agent },
    asking ? ask : undefined,
  );
  const notice = TEE_PROFILES[answers.tee].notice;
  if (notice) note(paint.warn(`! ${notice}`));
  const files = await writeModule(answers, target, invocation);

  if (invocation.switches['dry-run']) {
    note(`Would write ${files.length} files into ${target}:`);
    for (const file of files) note(`  ${file}`);
    return;
  }
  note(`${paint.ok('✔')} wrote ${files.length} files into ${target}`);

  if (invocation.switches.git !== false) await initGit(target, generatorVersion);
  const installing = invocation.switches.install !== false;
  const where = shortPath(target);
  try {
    if (installing) await install(target, answers.packageManager);
    if (installing && invocation.switches.validate !== false) await validate(target, answers.packageManager);
  } catch (error) {
    if (error instanceof StepFailed) {
      error.retry = `cd ${where} && ${answers.packageManager} install && npx create-iexec-module validate`;
    }
    throw error;
  }
  note(nextSteps(answers, target, installing));
}
