import type { NodePlopAPI } from 'node-plop';
import { compileFolder, shippedTemplates, type Template, type Templates } from './templates.js';

/*
 * The module generator, in node-plop's terms. It sits a floor below src/: it imports node-plop and
 * its own templates module only, and src/render.ts drives it (sets the helpers, runs the actions,
 * takes the files). What it needs of src/ it declares here (ModuleContext) or is given.
 */

/** The name node-plop knows the generator by. */
export const MODULE_GENERATOR = 'module';

/** The action that renders one template into memory: node-plop's own actions write files, which is create's job. */
const RENDER = 'render';

/** What the generator reads of the template context (src/context.ts makes it); the templates read the rest. */
export interface ModuleContext {
  /** The features this module's app uses. */
  readonly features: readonly string[];
  readonly isScone: boolean;
  /** Whether the module gets its CI workflow (--no-ci leaves it out). */
  readonly ci: boolean;
}

export interface ModuleGeneratorOptions {
  /** Every feature a module can have (src/features.ts): a file named after one comes only with it. */
  readonly allFeatures: readonly string[];
  /** A folder of templates to render instead of the generator's own (the upgrade tests' "next version"). */
  readonly folder?: string;
  /** Receives each rendered file's text by its path (relative, `/`-separated), in path order. */
  readonly files: Record<string, string>;
}

/** Files that only some modules get, by their path in the module. */
const ONLY_WHEN: Record<string, (context: ModuleContext) => boolean> = {
  'sconify.sh': (context) => context.isScone,
  '.github/workflows/ci.yml': (context) => context.ci,
};

/** A feature's own code and tests are named after it, and come only with it. */
function featureOf(path: string, allFeatures: readonly string[]): string | undefined {
  const name = path.match(/^(?:src\/iexec|tests)\/([a-z-]+?)(?:\.test)?\.ts$/)?.[1];
  return allFeatures.find((feature) => feature === name);
}

/** The paths of the files a module with this context gets, sorted. */
export function filesFor(templates: Templates, context: ModuleContext, allFeatures: readonly string[]): string[] {
  const wanted = (path: string) => {
    const feature = featureOf(path, allFeatures);
    return feature ? context.features.includes(feature) : (ONLY_WHEN[path]?.(context) ?? true);
  };
  return [...templates.keys()].filter(wanted).sort();
}

/** The helpers set on `plop` (src/render.ts sets them), as a template takes them. */
function helpersOf(plop: NodePlopAPI): Parameters<Template>[1]['helpers'] {
  return Object.fromEntries(plop.getHelperList().map((name) => [name, plop.getHelper(name) as (...args: never[]) => unknown]));
}

/**
 * Sets the module generator on `plop`. It asks nothing: the questions live in src/answers.ts,
 * shared with the flags and the answers file. Its actions are the files the context selects, one
 * each, in path order; each renders its template, found by the file's path, with the helpers set on
 * `plop`, into `files`. A template that fails to render fails its action, naming the file.
 */
export function setModuleGenerator(plop: NodePlopAPI, { allFeatures, folder, files }: ModuleGeneratorOptions): void {
  const templates = folder === undefined ? shippedTemplates() : compileFolder(folder);
  // node-plop turns an action's rejection into a failure that keeps only the message.
  plop.setActionType(RENDER, async (context, action) => {
    const path = action['path'] as string;
    try {
      files[path] = templates.get(path)!(context, { helpers: helpersOf(plop) });
    } catch (error) {
      throw new Error(`rendering ${path} failed: ${(error as Error).message}`);
    }
    return path;
  });
  plop.setGenerator(MODULE_GENERATOR, {
    description: 'an iExec module: the files of templates/module this context selects',
    prompts: [],
    actions: (context) => filesFor(templates, context as ModuleContext, allFeatures).map((path) => ({ type: RENDER, path })),
  });
}
