import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import nodePlop from 'node-plop';
import { generateModule } from '../generators/module.js';
import type { TemplateContext } from './context.js';
import { templatesDir } from './paths.js';

/** A rendered module: each generated file's path (relative, `/`-separated) and text, in path order. */
export type ModuleFiles = Readonly<Record<string, string>>;

/** The module's files for this context, rendered in memory: nothing is written. */
export async function renderFiles(context: TemplateContext, templates = templatesDir): Promise<ModuleFiles> {
  // node-plop reads a package.json in its destination for a `pkg` helper no template uses: point it
  // at the templates, which have none, rather than at whatever folder the user runs us from.
  const plop = await nodePlop('', { destBasePath: templates, force: false });
  return generateModule(plop, templates, context);
}

/**
 * Writes rendered files into `destination`. Shell scripts are made executable here rather than by
 * the template's file mode, which does not survive every way a package gets installed. Synchronous:
 * a few dozen small files go faster as direct calls than through libuv's thread pool, and nothing
 * else has to run meanwhile.
 */
export function writeFiles(files: ModuleFiles, destination: string): void {
  for (const folder of new Set(Object.keys(files).map((path) => dirname(join(destination, path))))) mkdirSync(folder, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    writeFileSync(join(destination, path), text);
    if (path.endsWith('.sh')) chmodSync(join(destination, path), 0o755);
  }
}

/** Renders the module into `destination` and returns the paths written, sorted. */
export async function renderModule(context: TemplateContext, destination: string, templates = templatesDir): Promise<string[]> {
  const files = await renderFiles(context, templates);
  writeFiles(files, destination);
  return Object.keys(files);
}
