import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from './errors.js';
import { packageRoot } from './paths.js';

export const KIT_PACKAGE = 'iexec-module-kit';

/** What the module's package.json names the kit with, and a line to show when that is not the registry. */
export interface KitSource {
  spec: string;
  note?: string;
}

const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/**
 * The kit a new or upgraded module depends on, the way create-react-app names `react-scripts`: by
 * default the version of this generator, since both are released together. A clone of the repository
 * has the kit next to it and nothing published yet, so it points the module at the tarball
 * `npm run build` packs (kit/pack), and says so. `--kit` takes a version, or a kit tarball or folder.
 */
export function kitSource(version: string, given?: string): KitSource {
  if (given !== undefined) {
    if (VERSION.test(given)) return { spec: given };
    const path = resolve(given);
    const asked = `give a version of ${KIT_PACKAGE} (e.g. ${version}), or the path of a kit tarball (.tgz) or folder`;
    if (!existsSync(path)) {
      // A path-like value is a path the user meant, not a version they mistyped.
      if (/[/\\]|\.tgz$|^\./.test(given)) throw new UserError(`--kit ${given}: there is no ${path}. Check the path, or ${asked}.`);
      throw new UserError(`--kit ${given} is neither a version nor an existing path: ${asked}.`);
    }
    if (!(statSync(path).isDirectory() || path.endsWith('.tgz')))
      throw new UserError(`--kit ${given}: ${path} is neither a kit tarball (.tgz) nor a folder: ${asked}.`);
    return { spec: `file:${path}`, note: `${KIT_PACKAGE} comes from ${path} (--kit).` };
  }
  if (!existsSync(resolve(packageRoot, 'kit', 'package.json'))) return { spec: version };
  const tarball = resolve(packageRoot, 'kit', 'pack', `${KIT_PACKAGE}-${version}.tgz`);
  if (!existsSync(tarball)) {
    throw new UserError(
      `This checkout has not packed ${KIT_PACKAGE} yet: run \`npm run build\` in ${packageRoot}, or pass --kit <version> for a published one.`,
    );
  }
  return {
    spec: `file:${tarball}`,
    note: `${KIT_PACKAGE} ${version} is not on a registry yet: this module installs it from this checkout (${tarball}). A module made by the published create-iexec-module names it by version.`,
  };
}
