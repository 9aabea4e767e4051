import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './cli.js';

/** A git identity for commits made in tests, whatever the machine's git config holds. */
export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release.test@example.com',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release.test@example.com',
};

/**
 * This checkout as it is on disk (tracked and untracked files, ignored ones left out, edits not yet
 * committed included), committed as the one commit of a new repository in `dir`: a clean clone of
 * what is under test. With `linkNodeModules`, node_modules is this checkout's, linked and excluded
 * from git.
 */
export async function checkoutCopy(dir: string, { linkNodeModules = false } = {}): Promise<void> {
  const { stdout } = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot });
  const files = [...new Set(stdout.split('\0'))].filter((file) => file && existsSync(join(repoRoot, file)));
  for (const file of files) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(join(repoRoot, file), join(dir, file));
  }
  const git = (...args: string[]) => execa('git', args, { cwd: dir, env: GIT_IDENTITY });
  await git('init', '--quiet', '--initial-branch=main');
  if (linkNodeModules) {
    await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    // .gitignore's `node_modules/` matches folders only, not a link.
    await appendFile(join(dir, '.git/info/exclude'), 'node_modules\n');
  }
  await git('add', '--all');
  await git('commit', '--quiet', '-m', 'The checkout under test');
}
