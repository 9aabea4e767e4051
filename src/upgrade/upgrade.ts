import { existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type Answers, QUESTIONS, resolveAnswers } from '../answers.js';
import { ask, confirm } from '../ask.js';
import { templateContext } from '../context.js';
import { UserError } from '../errors.js';
import { fileProblem } from '../file-problems.js';
import { shellWord } from '../escape.js';
import { type KitSource, kitSource } from '../kit.js';
import { createManifest, type Manifest, readManifest } from '../manifest.js';
import type { Invocation } from '../options.js';
import type { PackageManager } from '../package-manager.js';
import { generatorVersion, packageRoot } from '../paths.js';
import { note, paint } from '../progress.js';
import { renderFiles } from '../render.js';
import { givenAnswers, postSteps, shortPath, surroundings, writing } from '../session.js';
import { DEPENDENCY_FIELDS, install, validate } from '../steps.js';
import { CONFLICT_LABEL_OURS, CONFLICT_LABEL_THEIRS_PREFIX, decideFiles, type FileDecision } from './decide.js';
import {
  checkWritable,
  clearLeftovers,
  completeJournal,
  digest,
  type Journal,
  JOURNAL_FILE,
  JOURNAL_FORMAT,
  type JournalEntry,
  pendingEntries,
  readJournal,
  startJournal,
  type WriteEntry,
  writeEntry,
} from './journal.js';
import { type Migration, MIGRATIONS, migrate } from './migrations.js';
import { reportLines } from './report.js';
import { compareVersions } from './semver.js';

/** The generator doing the upgrade. Tests swap in a changed copy of the templates as "the next version". */
export interface UpgradeSetup {
  /** A folder of templates; by default the generator's own. */
  templates?: string;
  version: string;
  migrations: readonly Migration[];
  write: WriteEntry;
  /** The kit the module is moved to; by default this generator's, or --kit. */
  kit?: KitSource;
}

export const CURRENT_GENERATOR: UpgradeSetup = { version: generatorVersion, migrations: MIGRATIONS, write: writeEntry };

/** What is left to do once the files are written: report conflicts, or install and validate. */
interface Outcome {
  conflicts: string[];
  dependenciesChanged: boolean;
  packageManager: PackageManager;
}

type UpgradeJournal = Journal & { outcome: Outcome };

const files = (n: number) => `${n} file${n === 1 ? '' : 's'}`;

function dependenciesOf(text: string | undefined): unknown {
  try {
    const json = JSON.parse(text ?? '{}') as Record<string, unknown>;
    return DEPENDENCY_FIELDS.map((field) => json[field]);
  } catch {
    return undefined;
  }
}

/**
 * The answers to render with: flags and --answers first, then what the manifest recorded. A recorded
 * answer that no longer fits (bellecour once --tee tdx is given, a value this version no longer
 * knows) is asked at a terminal, with the reason first; with nobody to ask, the upgrade stops and
 * names the flags to give: a default taken silently could drop a feature's files.
 */
async function upgradeAnswers(invocation: Invocation, target: string, recorded: Record<string, unknown>): Promise<Answers> {
  const given = givenAnswers(invocation);
  const asking = invocation.switches.interactive;
  const unfit: string[] = [];
  const answers = await resolveAnswers(given, surroundings(target), async (q, fallback, sofar) => {
    if (q.key in recorded) {
      try {
        q.parse(recorded[q.key], sofar);
        return recorded[q.key];
      } catch (error) {
        const why = `--${q.flag}: the recorded ${JSON.stringify(recorded[q.key])} no longer fits (${(error as Error).message.replace(/\.$/, '')})`;
        if (!asking) unfit.push(why);
        else note(paint.warn(`! ${why}`));
      }
    }
    return asking ? ask(q, fallback, sofar) : fallback;
  });
  if (unfit.length > 0) {
    const flags = unfit.map((why) => why.split(':')[0]).join(', ');
    throw new UserError(
      `${unfit.join('; ')}. Nobody to ask: give ${flags} (as flags or in an --answers file), or run upgrade at a terminal. Nothing was written.`,
    );
  }
  return answers;
}

async function readModule(target: string, paths: Iterable<string>): Promise<Map<string, string>> {
  const disk = new Map<string, string>();
  for (const path of paths) {
    try {
      disk.set(path, await readFile(join(target, path), 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EISDIR')
        throw new UserError(`${join(target, path)} is a folder where the generator keeps a file: move it away and retry.`);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
  }
  return disk;
}

function answerChanges(recorded: Record<string, unknown>, answers: Answers): string[] {
  return QUESTIONS.filter((q) => !isDeepStrictEqual(recorded[q.key], answers[q.key])).map(
    (q) => `--${q.flag}: ${JSON.stringify(recorded[q.key] ?? null)} -> ${JSON.stringify(answers[q.key])}`,
  );
}

/** What `--check` compares: the manifest without the version stamp, which alone changes nothing. */
const recordedState = (manifest: Manifest) => ({ answers: manifest.answers, files: manifest.files });

async function hasNodeModules(target: string): Promise<boolean> {
  return access(join(target, 'node_modules')).then(
    () => true,
    () => false,
  );
}

/** The command that goes on from here, run in the module (its path quoted for the shell when it needs it). */
function inModule(target: string, command: string): string {
  const where = shortPath(target);
  if (where === '.') return command;
  return `cd ${/^[\w./@+-]+$/.test(where) ? where : shellWord(where)} && ${command}`;
}

/**
 * After the files: install if the dependencies changed and validate; with conflicts, install all the
 * same when package.json merged cleanly (the module then waits on the markers alone), and fail
 * naming the files and the command that finishes: `validate`, which installs first whenever
 * package.json changed since the last install (after its own markers are resolved, say).
 */
async function finish(target: string, outcome: Outcome, invocation: Invocation): Promise<void> {
  const pm = outcome.packageManager;
  const installing = outcome.dependenciesChanged && invocation.switches.install;
  if (outcome.conflicts.length > 0) {
    if (installing && !outcome.conflicts.includes('package.json')) {
      note(paint.dim(`- package.json merged cleanly: installing what it names while the conflicts wait for you`));
      await postSteps(target, pm, () => install(target, pm));
    }
    throw new UserError(
      `Upgraded with conflicts in ${files(outcome.conflicts.length)}: ${outcome.conflicts.join(', ')}. ` +
        `Resolve each block from <<<<<<< ${CONFLICT_LABEL_OURS} to >>>>>>> ${CONFLICT_LABEL_THEIRS_PREFIX.trim()} (keep what you need of both sides, drop the markers), ` +
        `then run \`${inModule(target, 'npx create-iexec-module validate')}\` (it installs first if package.json changed).`,
    );
  }
  await postSteps(target, pm, async () => {
    if (installing) await install(target, pm);
    else if (outcome.dependenciesChanged) note(paint.warn(`! dependencies changed: run \`${pm} install\` in ${shortPath(target)}`));
    if (invocation.switches.validate) {
      if (await hasNodeModules(target)) await validate(target, pm);
      else note(paint.dim(`- no node_modules: skipped validation (run \`${pm} install\`, then \`npx create-iexec-module validate\`)`));
    }
  });
  note(`${paint.ok('Upgraded.')} Review the changes with \`git diff\` before committing.`);
}

/**
 * A write the disk refuses (full, read-only, not the user's), told in the user's words with what is on
 * disk: nothing before the journal is, an upgrade to finish after.
 */
async function inWords<T>(write: () => Promise<T>, target: string, state: () => string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    // The file the user knows, not the copy written beside it (journal.ts replaceFile).
    const path = (error as NodeJS.ErrnoException).path?.replace(/\/\.([^/]+)\.upgrading$/, '/$1');
    const problem = fileProblem(error, path);
    if (!problem) throw error;
    if (!existsSync(join(target, JOURNAL_FILE))) await clearLeftovers(target, []);
    throw new UserError(`Cannot upgrade ${shortPath(target)}: ${problem.reason}: ${problem.fix}. ${state()}`);
  }
}

/**
 * Writes the journal (unless it is there already), then the files, then the manifest. Ctrl-C before the
 * journal is whole on disk changes nothing; after, the journal lets the next run finish.
 */
function applyJournal(target: string, journal: UpgradeJournal, setup: UpgradeSetup, start = false): Promise<number> {
  return writing(
    async () => {
      if (existsSync(join(target, JOURNAL_FILE))) return 'Interrupted: run `npx create-iexec-module upgrade` again to finish this upgrade.';
      await clearLeftovers(target, []);
      return 'Cancelled: nothing was written.';
    },
    async () => {
      if (start) await startJournal(target, journal);
      return completeJournal(target, journal, setup.write);
    },
  );
}

/** An earlier upgrade stopped half-way: show it (--dry-run, --check) or complete it. */
async function resume(target: string, journal: UpgradeJournal, invocation: Invocation, setup: UpgradeSetup): Promise<void> {
  const pending = await pendingEntries(target, journal);
  const version = journal.manifest.generator.version;
  note(`An interrupted upgrade to create-iexec-module ${version} is pending in ${target}: ${files(pending.length)} left to write.`);
  for (const entry of pending) note(`  ${entry.after === null ? 'delete' : 'write'.padEnd(6)} ${entry.path}`);
  if (invocation.switches.check)
    throw new UserError('The module is half-way through an upgrade: run `npx create-iexec-module upgrade` to finish it.');
  if (invocation.switches['dry-run']) return note('Dry run: nothing written. Run upgrade without --dry-run to finish it.');
  if (Object.keys(invocation.given).length > 0)
    note(paint.warn('! answer flags apply to the next upgrade: this run only finishes the interrupted one.'));
  await applyJournal(target, journal, setup);
  note(`${paint.ok('✔')} finished the interrupted upgrade`);
  await finish(target, journal.outcome, invocation);
}

/** Everything an upgrade would do, decided in memory before anything is written. */
interface Proposal {
  from: string;
  answers: Answers;
  decisions: FileDecision[];
  entries: JournalEntry[];
  /** The manifest the upgrade ends with. */
  next: Manifest;
  /** Anything to change: a file, or the answers and pristine copies the manifest records. */
  behind: boolean;
}

/** Decides and prints what the upgrade would do; nothing in the module is written. */
async function propose(invocation: Invocation, target: string, setup: UpgradeSetup): Promise<Proposal> {
  const manifest = readManifest(target);
  const from = manifest.generator.version;
  if (compareVersions(from, setup.version) > 0) {
    throw new UserError(
      `${target} was generated by create-iexec-module ${from}, newer than this one (${setup.version}): run \`npx create-iexec-module@latest upgrade\`.`,
    );
  }
  const migrated = migrate(manifest, setup.version, setup.migrations);
  const answers = await upgradeAnswers(invocation, target, migrated.answers);
  const kit = setup.kit ?? kitSource(setup.version, invocation.switches.kit);
  if (kit.note) note(paint.warn(`! ${kit.note}`));
  const theirs = await renderFiles(templateContext(answers, setup.version, kit.spec), setup.templates);
  const disk = await readModule(
    target,
    new Set([...Object.keys(migrated.files), ...Object.keys(theirs), ...Object.values(migrated.moves)]),
  );
  const decisions = decideFiles({
    base: migrated.files,
    theirs,
    disk: (path) => disk.get(path),
    moves: migrated.moves,
    replaced: migrated.replaced,
    labels: { ours: CONFLICT_LABEL_OURS, theirs: `${CONFLICT_LABEL_THEIRS_PREFIX}${setup.version}` },
  });
  const next = createManifest(setup.version, answers, theirs);
  const entries = decisions
    .filter((d) => d.before !== d.after)
    .map((d) => ({ path: d.path, before: digest(d.before), after: d.after ?? null }));

  note(`Upgrade of ${target}: create-iexec-module ${from === setup.version ? `${from} (same version)` : `${from} -> ${setup.version}`}`);
  if (from !== setup.version) note(`What it changes in a module, and each migration: ${packageRoot}CHANGELOG.md`);
  for (const line of answerChanges(migrated.answers, answers)) note(`  ${line}`);
  for (const migration of migrated.applied) note(`  migration ${migration.version}: ${migration.description}`);
  for (const line of reportLines(decisions, { replaced: migrated.replaced, packageManager: answers.packageManager })) note(line);

  const unresolved = decisions.filter((d) => d.action === 'unresolved').map((d) => d.path);
  if (unresolved.length > 0) {
    throw new UserError(
      `Resolve the conflict markers left by the last upgrade in ${unresolved.join(', ')} first, then run upgrade again. Nothing was written.`,
    );
  }
  const behind = entries.length > 0 || !isDeepStrictEqual(recordedState(next), recordedState(manifest));
  return { from, answers, decisions, entries, next, behind };
}

export async function upgrade(invocation: Invocation, setup: UpgradeSetup = CURRENT_GENERATOR): Promise<void> {
  const target = resolve(invocation.directory ?? '.');
  const pendingJournal = await readJournal(target);
  if (pendingJournal) return resume(target, pendingJournal as UpgradeJournal, invocation, setup);
  // A run killed before its journal was whole left at most the journal's copy beside it.
  if (!invocation.switches['dry-run'] && !invocation.switches.check) await clearLeftovers(target, []);

  const { from, answers, decisions, entries, next, behind } = await propose(invocation, target, setup);
  if (invocation.switches.check) {
    if (!behind) return note(paint.ok('The module is up to date.'));
    const what = entries.length > 0 ? files(entries.length) : 'the answers and pristine copies its manifest records';
    throw new UserError(`The module is behind: \`npx create-iexec-module upgrade\` would change ${what}.`);
  }
  if (invocation.switches['dry-run']) return note('Dry run: nothing written.');
  if (!behind && from === setup.version) return note(paint.ok('Already up to date: nothing to do.'));
  if (entries.length === 0) {
    await completeJournal(target, { format: JOURNAL_FORMAT, manifest: next, entries });
    return note(paint.ok(`Up to date: no file changes; the manifest now records ${setup.version}.`));
  }
  if (invocation.switches.interactive && !(await confirm(`Apply these changes to ${files(entries.length)}?`)))
    return note('Nothing written.');

  await checkWritable(target, entries);
  const packageJson = decisions.find((d) => d.path === 'package.json');
  const journal: UpgradeJournal = {
    format: JOURNAL_FORMAT,
    manifest: next,
    entries,
    outcome: {
      conflicts: decisions.filter((d) => d.action === 'conflict').map((d) => d.path),
      dependenciesChanged:
        packageJson !== undefined && !isDeepStrictEqual(dependenciesOf(packageJson.before), dependenciesOf(packageJson.after)),
      packageManager: answers.packageManager,
    },
  };
  await inWords(
    () => applyJournal(target, journal, setup, true),
    target,
    () =>
      existsSync(join(target, JOURNAL_FILE))
        ? 'The upgrade is half-way: once fixed, run `npx create-iexec-module upgrade` again to finish it.'
        : 'Nothing was written.',
  );
  note(`${paint.ok('✔')} wrote ${files(entries.length)}, then the manifest`);
  await finish(target, journal.outcome, invocation);
}
