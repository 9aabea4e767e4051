import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installArgs, type PackageManager } from './package-manager.js';
import { note, paint, step } from './progress.js';

/** A command of a post-step failed: the step's title, and the end of what it printed. */
export class StepFailed extends Error {
  /** The command that retries from where this failed, when the caller knows it. */
  retry?: string;

  constructor(
    readonly title: string,
    readonly output: string,
  ) {
    super(`${title} failed`);
  }
}

const TAIL_LINES = 40;

// execa is loaded where a command runs, not with the CLI: it and its dependencies are half of the
// bundle, and `--no-install --no-git` runs no command at all.
async function run(title: string, file: string, args: string[], cwd: string): Promise<void> {
  await step(title, async () => {
    const { execa } = await import('execa');
    const result = await execa(file, args, { cwd, all: true, reject: false, stdin: 'ignore', env: { FORCE_COLOR: '0' } });
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new StepFailed(title, `${file} is not installed or not on PATH: install it, or choose another --package-manager.`);
    }
    if (result.failed) {
      const output = result.all || result.message || '';
      throw new StepFailed(title, output.split('\n').slice(-TAIL_LINES).join('\n'));
    }
  });
}

async function insideGitRepository(cwd: string): Promise<boolean | undefined> {
  const { execa } = await import('execa');
  const result = await execa('git', ['rev-parse', '--is-inside-work-tree'], { cwd, reject: false, stdin: 'ignore' });
  if ((result as { code?: string }).code === 'ENOENT') return undefined;
  return result.exitCode === 0;
}

/** `git init` and a first commit; skipped (with the reason) inside a repository or without git. */
export async function initGit(directory: string, generatorVersion: string): Promise<void> {
  const inside = await insideGitRepository(directory);
  if (inside === undefined) return note(paint.dim('- git not found: skipped git init'));
  if (inside) return note(paint.dim('- already inside a git repository: skipped git init'));
  await run('git init', 'git', ['init', '--quiet'], directory);
  try {
    await run('git add', 'git', ['add', '--all'], directory);
    await run(
      'first commit',
      'git',
      ['commit', '--quiet', '--no-verify', '-m', `Initial commit from create-iexec-module ${generatorVersion}`],
      directory,
    );
  } catch (error) {
    // A missing user.name/email is the usual cause; the repository is still there for the user to commit.
    if (!(error instanceof StepFailed)) throw error;
    note(paint.warn(`! git commit skipped: ${error.output.trim().split('\n').pop()}`));
  }
}

/** The fields of package.json an install depends on. */
export const DEPENDENCY_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
  'overrides',
  'resolutions',
  'pnpm',
];

/** What package.json asked for when this tool last installed the module (node_modules goes, and it with it). */
const INSTALLED_FOR = join('node_modules', '.create-iexec-module-installed');
/** Where each package manager records an install of its own. */
const INSTALL_RECORD: Record<PackageManager, string> = { npm: '.package-lock.json', pnpm: '.modules.yaml', yarn: '.yarn-integrity' };

/**
 * A digest of package.json's dependency fields; of its whole text when it does not parse (conflict
 * markers). node:crypto is imported here, not at the top: loading it costs `npm create` a few
 * milliseconds, for a digest only the install and the validation need.
 */
async function packageDigest(directory: string): Promise<string> {
  const text = readFileSync(join(directory, 'package.json'), 'utf8');
  let wanted: string;
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    wanted = JSON.stringify(DEPENDENCY_FIELDS.map((field) => json[field] ?? null));
  } catch {
    wanted = text;
  }
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(wanted).digest('hex');
}

export async function install(directory: string, pm: PackageManager): Promise<void> {
  await run(`${pm} install`, pm, installArgs(pm), directory);
  if (existsSync(join(directory, 'package.json')) && existsSync(join(directory, 'node_modules')))
    writeFileSync(join(directory, INSTALLED_FOR), await packageDigest(directory));
}

/**
 * Whether package.json asks for other dependencies than at the last install: an upgrade merged it,
 * or its owner resolved its conflict markers since. Without a record of ours, the package manager's
 * own is compared with package.json's time.
 */
async function installIsStale(directory: string, pm: PackageManager): Promise<boolean> {
  if (!existsSync(join(directory, 'package.json'))) return false;
  if (existsSync(join(directory, INSTALLED_FOR)))
    return readFileSync(join(directory, INSTALLED_FOR), 'utf8') !== (await packageDigest(directory));
  const record = statSync(join(directory, 'node_modules', INSTALL_RECORD[pm]), { throwIfNoEntry: false });
  return record === undefined || record.mtimeMs < statSync(join(directory, 'package.json')).mtimeMs;
}

/** The proof a module works: it type-checks, bundles, and its own tests pass; installed first if package.json changed. */
export async function validate(directory: string, pm: PackageManager): Promise<void> {
  if (await installIsStale(directory, pm)) {
    note(paint.dim(`- package.json changed since the last install: ${pm} install first`));
    await install(directory, pm);
  }
  await run('type-check and build', pm, ['run', 'build'], directory);
  await run('module tests', pm, ['run', 'test'], directory);
}
