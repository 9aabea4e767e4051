import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';

/*
 * The floors of the generator, from the bottom: generators/ (the node-plop generator and its
 * templates by path), src/ (the CLI: answers, create, and the driver of the generator, render.ts),
 * src/upgrade/ (loaded by `upgrade` alone). An import goes down a floor or stays on it, never up,
 * so there is no cycle between them.
 */

interface Import {
  file: string;
  /** From the repository's root when `local`, else a package's name. */
  path: string;
  local: boolean;
  isStatic: boolean;
}

/** Every import of every .ts file under `folder`, the file from the repository's root. */
async function imports(folder: string): Promise<Import[]> {
  const files = (await readdir(join(repoRoot, folder), { recursive: true })).filter((f) => f.endsWith('.ts')).map((f) => join(folder, f));
  const found: Import[] = [];
  for (const file of files) {
    const text = await readFile(join(repoRoot, file), 'utf8');
    for (const [statement, path] of text.matchAll(/(?:from\s+|import\s*\(\s*)'([^']+)'/g)) {
      const local = path!.startsWith('.');
      found.push({
        file,
        path: local ? relative(repoRoot, resolve(repoRoot, dirname(file), path!)) : path!,
        local,
        isStatic: statement.startsWith('from'),
      });
    }
  }
  return found;
}

describe('the floors of the generator', () => {
  it('generators/ imports nothing above it: only its own files, node-plop, Handlebars and Node', async () => {
    const found = await imports('generators');
    expect(found.length).toBeGreaterThan(0);
    const outside = found.filter(({ path, local }) =>
      local ? !path.startsWith('generators/') : !/^(node:.*|node-plop|handlebars)$/.test(path),
    );
    expect(outside.map(({ file, path }) => `${file} -> ${path}`)).toEqual([]);
  });

  it('src/ reaches outside itself only down into generators/, from render.ts, which drives the generator', async () => {
    const outside = (await imports('src')).filter(({ path, local }) => local && !path.startsWith('src/'));
    expect(outside.map(({ file, path }) => `${file} -> ${path}`)).toEqual(['src/render.ts -> generators/module.js']);
  });

  it('keeps src/upgrade/ a floor above the rest: only cli.ts reaches it, by a dynamic import', async () => {
    const intoUpgrade = (await imports('src')).filter(
      ({ file, path }) => path.startsWith('src/upgrade/') && !file.startsWith('src/upgrade/'),
    );
    expect(intoUpgrade.map(({ file, path, isStatic }) => `${file} -> ${path}${isStatic ? '' : ' (dynamic)'}`)).toEqual([
      'src/cli.ts -> src/upgrade/upgrade.js (dynamic)',
    ]);
  });
});
