/*
 * The module's own, pinned iexec CLI: the bin its installed `iexec` package declares in package.json.
 * Only that public file is read; the SDK's code is run as its CLI, never imported.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Failure } from './failure.js';

function findPackageJson(root: string): string | undefined {
  const require = createRequire(path.join(root, 'package.json'));
  try {
    return require.resolve('iexec/package.json');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') return undefined;
  }
  // The SDK's `exports` (8.24.0, 9.0.1) leave out ./package.json, yet Node found the package: read the
  // file in the first node_modules Node would have used.
  for (const dir of require.resolve.paths('iexec') ?? []) {
    const file = path.join(dir, 'iexec', 'package.json');
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

/** The CLI's entry script, to run with this Node. */
export function resolveIexecCli(root: string): string {
  const packageJson = findPackageJson(root);
  if (packageJson === undefined) throw new Failure(`the iexec CLI is not installed: run 'npm install' first`);
  const { bin } = JSON.parse(fs.readFileSync(packageJson, 'utf8'));
  const entry = typeof bin === 'string' ? bin : bin?.iexec;
  if (typeof entry !== 'string') throw new Failure(`${packageJson} declares no iexec command`);
  return path.resolve(path.dirname(packageJson), entry);
}
