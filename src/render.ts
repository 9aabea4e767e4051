import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodePlop from 'node-plop';
import { MODULE_GENERATOR, setModuleGenerator } from '../generators/module.js';
import type { TemplateContext } from './context.js';
import { escapingHelpers, Verbatim } from './escape.js';
import { FEATURES } from './features.js';
import { scriptLine } from './package-manager.js';

/** A rendered module: each generated file's path (relative, `/`-separated) and text, in path order. */
export type ModuleFiles = Readonly<Record<string, string>>;

/**
 * The helpers templates call (templates/README.md): the escaping ones, `eq`, and `run`, the line that
 * runs one of the module's package.json scripts with its package manager (`{{run "local"}}`, or with
 * arguments `{{#run "iexec"}}standard wallet show{{/run}}`: npm alone needs `--` before them).
 * The build precompiles the templates knowing these names (KNOWN_HELPERS in scripts/bundle-plugins.mjs).
 */
export function helpersFor(context: TemplateContext) {
  return {
    ...escapingHelpers,
    eq: (a: unknown, b: unknown) => a === b,
    run(this: unknown, script: string, options: { fn?: (self: unknown) => string }) {
      return new Verbatim(scriptLine(context.packageManager, script, options.fn?.(this).trim() ?? ''));
    },
  };
}

/**
 * node-plop reads the package.json of its destination for a `pkg` helper no template uses, and
 * writes nothing here: its destination is this file's own folder, which has none, rather than
 * whatever folder the user runs us from.
 */
const PLOP_DESTINATION = fileURLToPath(new URL('.', import.meta.url));

/**
 * The module's files for this context, rendered in memory by the module generator
 * (generators/module.ts): nothing is written. `folder` renders a folder of templates other than the
 * shipped ones (tests render "the next version" that way).
 */
export async function renderFiles(context: TemplateContext, folder?: string): Promise<ModuleFiles> {
  const plop = await nodePlop('', { destBasePath: PLOP_DESTINATION, force: false });
  for (const [name, helper] of Object.entries(helpersFor(context))) plop.setHelper(name, helper);
  const files: Record<string, string> = {};
  setModuleGenerator(plop, { allFeatures: FEATURES, folder, files });
  const { failures } = await plop.getGenerator(MODULE_GENERATOR).runActions(context);
  if (failures[0]) throw new Error(failures[0].error);
  return files;
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
export async function renderModule(context: TemplateContext, destination: string, folder?: string): Promise<string[]> {
  const files = await renderFiles(context, folder);
  writeFiles(files, destination);
  return Object.keys(files);
}
