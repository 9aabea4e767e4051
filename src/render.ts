import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TemplateContext } from './context.js';
import { escapingHelpers, Verbatim } from './escape.js';
import { FEATURES, type Feature } from './features.js';
import { scriptLine } from './package-manager.js';
import { compileFolder, shippedTemplates, type Templates } from './templates.js';

/** A rendered module: each generated file's path (relative, `/`-separated) and text, in path order. */
export type ModuleFiles = Readonly<Record<string, string>>;

/** Files that only some modules get, by their path in the module. */
const ONLY_WHEN: Record<string, (context: TemplateContext) => boolean> = {
  'sconify.sh': (context) => context.isScone,
};

/** A feature's own code and tests are named after it, and come only with it. */
function featureOf(path: string): Feature | undefined {
  const name = path.match(/^(?:src\/iexec|tests)\/([a-z-]+?)(?:\.test)?\.ts$/)?.[1];
  return FEATURES.find((feature) => feature === name);
}

function wanted(path: string, context: TemplateContext): boolean {
  const feature = featureOf(path);
  if (feature) return context.features.includes(feature);
  return ONLY_WHEN[path]?.(context) ?? true;
}

/** The paths of the files a module with this context gets, sorted. */
export function filesFor(templates: Templates, context: TemplateContext): string[] {
  return [...templates.keys()].filter((path) => wanted(path, context)).sort();
}

/**
 * The helpers templates call (templates/README.md): the escaping ones, `eq`, and `run`, the line that
 * runs one of the module's package.json scripts with its package manager (`{{run "local"}}`, or with
 * arguments `{{#run "iexec"}}standard wallet show{{/run}}`: npm alone needs `--` before them).
 */
function helpersFor(context: TemplateContext) {
  return {
    ...escapingHelpers,
    eq: (a: unknown, b: unknown) => a === b,
    run(this: unknown, script: string, options: { fn?: (self: unknown) => string }) {
      return new Verbatim(scriptLine(context.packageManager, script, options.fn?.(this).trim() ?? ''));
    },
  };
}

/**
 * The module's files for this context, rendered in memory: nothing is written. `folder` renders a
 * folder of templates other than the shipped ones (tests render "the next version" that way).
 */
export function renderFiles(context: TemplateContext, folder?: string): ModuleFiles {
  const templates = folder === undefined ? shippedTemplates() : compileFolder(folder);
  const helpers = helpersFor(context);
  const files: Record<string, string> = {};
  for (const path of filesFor(templates, context)) {
    try {
      files[path] = templates.get(path)!(context, { helpers });
    } catch (error) {
      throw new Error(`rendering ${path} failed: ${(error as Error).message}`);
    }
  }
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
export function renderModule(context: TemplateContext, destination: string, folder?: string): string[] {
  const files = renderFiles(context, folder);
  writeFiles(files, destination);
  return Object.keys(files);
}
