import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Answers, resolveAnswers } from './answers.js';
import { ask, askDirectory } from './ask.js';
import { templateContext } from './context.js';
import { UserError } from './errors.js';
import { kitSource } from './kit.js';
import { createManifest, MANIFEST_FILE, manifestText } from './manifest.js';
import type { Invocation } from './options.js';
import { generatorVersion } from './paths.js';
import { scriptLine } from './package-manager.js';
import { note, paint } from './progress.js';
import { TEE_PROFILES } from './profiles.js';
import { renderFiles, writeFiles } from './render.js';
import { givenAnswers, postSteps, shortPath, surroundings, writing } from './session.js';
import { initGit, install, validate } from './steps.js';
import { checkTarget, placeModule, stagingFolder } from './target.js';

/**
 * Renders in memory, writes the result into a staging folder of ours and moves it into place only
 * once every file is there: an error or Ctrl-C before that leaves the target untouched. The move
 * itself takes milliseconds and is not interrupted, so Ctrl-C never leaves half a module either.
 */
async function writeModule(answers: Answers, target: string, invocation: Invocation, kitSpec: string): Promise<string[]> {
  const rendered = renderFiles(templateContext(answers, generatorVersion, kitSpec));
  const files = { ...rendered, [MANIFEST_FILE]: manifestText(createManifest(generatorVersion, answers, rendered)) };
  const written = Object.keys(files);
  checkTarget(target, written, invocation.switches.force);
  if (invocation.switches['dry-run']) return written;

  const staging = stagingFolder();
  // Once moved into place, the staging folder is the module.
  const cleanUp = () => {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  };
  try {
    await writing(
      () => {
        cleanUp();
        return 'Cancelled: nothing was written.';
      },
      async (uncut) => {
        writeFiles(files, staging);
        await uncut(() => placeModule(staging, target, written), `Interrupted: the module is in ${target}, but nothing was installed or validated.`);
      },
    );
    return written;
  } finally {
    cleanUp();
  }
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
    `  ${run('local')}# run the bundle as a worker would, no Docker needed`,
    `  ${run('docker:build')}# build the image for linux/amd64`,
    `  ${run('docker:run', 'test')}# run the image as a worker would`,
    `  ${run('publish:image', '1.0.0')}# push it and record its checksum`,
    `  ${run('chain:local')}# iExec in a box: rehearse deploy to result on your machine`,
    '  README.md walks you from there to a result on iExec.',
  ];
  if (answers.dockerNamespace === 'your-docker-user') {
    lines.push('', paint.warn('! The image is named your-docker-user/…: run `npx create-iexec-module upgrade --docker-namespace <you>` in the module, or set DOCKER_NAMESPACE when you publish.'));
  }
  return lines.join('\n');
}

export async function create(invocation: Invocation): Promise<void> {
  const asking = invocation.switches.interactive;
  const given = givenAnswers(invocation);
  let directory = invocation.directory;
  if (directory === undefined) {
    if (!asking) throw new UserError('Missing the directory: pass it first, e.g. `create-iexec-module my-module` (or `.` for this one).');
    directory = await askDirectory();
  }
  const target = resolve(directory);
  checkTarget(target, [], invocation.switches.force);

  const answers = await resolveAnswers(given, surroundings(target), asking ? ask : undefined);
  const notice = TEE_PROFILES[answers.tee].notice;
  if (notice) note(paint.warn(`! ${notice}`));
  const kit = kitSource(generatorVersion, invocation.switches.kit);
  if (kit.note) note(paint.warn(`! ${kit.note}`));
  const files = await writeModule(answers, target, invocation, kit.spec);

  if (invocation.switches['dry-run']) {
    note(`Would write ${files.length} files into ${target}:`);
    for (const file of files) note(`  ${file}`);
    return;
  }
  note(`${paint.ok('✔')} wrote ${files.length} files into ${target}`);

  if (invocation.switches.git) await initGit(target, generatorVersion);
  const installing = invocation.switches.install;
  await postSteps(target, answers.packageManager, async () => {
    if (installing) await install(target, answers.packageManager);
    if (installing && invocation.switches.validate) await validate(target, answers.packageManager);
  });
  note(nextSteps(answers, target, installing));
}
