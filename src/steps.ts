import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from './errors.js';
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
    await run('first commit', 'git', ['commit', '--quiet', '--no-verify', '-m', `Initial commit from create-iexec-module ${generatorVersion}`], directory);
  } catch (error) {
    // A missing user.name/email is the usual cause; the repository is still there for the user to commit.
    if (!(error instanceof StepFailed)) throw error;
    note(paint.warn(`! git commit skipped: ${error.output.trim().split('\n').pop()}`));
  }
}

export function install(directory: string, pm: PackageManager): Promise<void> {
  return run(`${pm} install`, pm, installArgs(pm), directory);
}

/** The proof a module works: it type-checks, bundles, and its own tests pass. */
export async function validate(directory: string, pm: PackageManager): Promise<void> {
  if (!existsSync(join(directory, 'node_modules'))) throw new UserError(`${directory} has no node_modules: run \`${pm} install\` there first.`);
  await run('type-check and build', pm, ['run', 'build'], directory);
  await run('module tests', pm, ['run', 'test'], directory);
}
