import { resolve } from 'node:path';
import { type Answers, resolveAnswers } from './answers.js';
import { ask, askDirectory } from './ask.js';
import { templateContext } from './context.js';
import { UserError } from './errors.js';
import { fileProblem } from './file-problems.js';
import { kitSource } from './kit.js';
import { createManifest, MANIFEST_FILE, manifestText } from './manifest.js';
import type { Invocation } from './options.js';
import { generatorVersion } from './paths.js';
import { type PackageManager, scriptLine } from './package-manager.js';
import { NEW_SUFFIX, OLD_SUFFIX, placement } from './place.js';
import { TEE_PROFILES } from './profiles.js';
import { note, paint } from './progress.js';
import { type ModuleFiles, renderFiles } from './render.js';
import { finishCommand, givenAnswers, postSteps, shellPath, shortPath, surroundings, writing } from './session.js';
import { initGit, install, validate } from './steps.js';
import { checkTarget } from './target.js';

/**
 * Writes the module all or nothing (src/place.ts): an error or Ctrl-C while the files are written
 * leaves the target as it was; moving them into place takes milliseconds and is not cut, so Ctrl-C
 * never leaves half a module either.
 */
async function writeModule(files: ModuleFiles, target: string, pm: PackageManager): Promise<void> {
  const place = placement(files, target);
  // The user knows their folder, not our hidden copies in it: errors name what they stand for.
  const userPath = (error: unknown) =>
    place.into ? ((error as NodeJS.ErrnoException).path ?? target).replace(new RegExp(`(${NEW_SUFFIX}|${OLD_SUFFIX})$`), '') : target;
  try {
    await writing(
      () => {
        place.discard();
        return 'Cancelled: nothing was written.';
      },
      async (uncut) => {
        place.prepare();
        await uncut(
          () => place.commit(),
          `Interrupted: the module is in ${shortPath(target)}, not yet installed and validated. Finish with:\n  ${finishCommand(target, pm)}`,
        );
      },
    );
  } catch (error) {
    place.discard();
    const problem = fileProblem(error, userPath(error));
    if (problem) throw new UserError(`Cannot write the module into ${target}: ${problem.reason}. Nothing was written: ${problem.fix}.`);
    throw error;
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
    ...(where === '.' ? [] : [`  cd ${shellPath(where)}`]),
    ...(installed ? [] : [`  ${answers.packageManager} install`]),
    `  ${run('local')}# run the bundle as a worker would, no Docker needed`,
    `  ${run('docker:build')}# build the image for linux/amd64`,
    `  ${run('docker:run', 'test')}# run the image as a worker would`,
    `  ${run('publish:image', '1.0.0')}# push it and record its checksum`,
    `  ${run('chain:local')}# iExec in a box: rehearse deploy to result on your machine`,
    '  README.md walks you from there to a result on iExec.',
  ];
  if (answers.dockerNamespace === 'your-docker-user') {
    lines.push(
      '',
      paint.warn(
        '! The image is named your-docker-user/…: run `npx create-iexec-module upgrade --docker-namespace <you>` in the module, or set DOCKER_NAMESPACE when you publish.',
      ),
    );
  }
  return lines.join('\n');
}

export async function create(invocation: Invocation): Promise<void> {
  const { switches } = invocation;
  let directory = invocation.directory;
  if (directory === undefined) {
    if (!switches.interactive)
      throw new UserError('Missing the directory: pass it first, e.g. `create-iexec-module my-module` (or `.` for this one).');
    directory = await askDirectory();
  }
  const target = resolve(directory);
  checkTarget(target, [], switches.force);

  const answers = await resolveAnswers(givenAnswers(invocation), surroundings(target), switches.interactive ? ask : undefined);
  const notice = TEE_PROFILES[answers.tee].notice;
  if (notice) note(paint.warn(`! ${notice}`));
  const kit = kitSource(generatorVersion, switches.kit);
  if (kit.note) note(paint.warn(`! ${kit.note}`));
  const rendered = await renderFiles(templateContext(answers, generatorVersion, kit.spec));
  const files = { ...rendered, [MANIFEST_FILE]: manifestText(createManifest(generatorVersion, answers, rendered)) };
  const paths = Object.keys(files);
  checkTarget(target, paths, switches.force);

  if (switches['dry-run']) {
    note(`Would write ${paths.length} files into ${target}:`);
    for (const path of paths) note(`  ${path}`);
    return;
  }
  await writeModule(files, target, answers.packageManager);
  note(`${paint.ok('✔')} wrote ${paths.length} files into ${target}`);

  await postSteps(target, answers.packageManager, async () => {
    if (switches.git) await initGit(target, generatorVersion);
    if (switches.install) await install(target, answers.packageManager);
    if (switches.install && switches.validate) await validate(target, answers.packageManager);
  });
  note(nextSteps(answers, target, switches.install));
}
