import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodePlopAPI } from 'node-plop';
import type { TemplateContext } from '../src/context.js';
import { FEATURES, type Feature } from '../src/features.js';
import { templateHelpers } from '../src/escape.js';

/** Template files that only some modules get, keyed by their path under templates/module. */
const ONLY_WHEN: Record<string, (context: TemplateContext) => boolean> = {
  'sconify.sh.hbs': (context) => context.isScone,
  '.github/workflows/ci.yml.hbs': (context) => context.ci,
};

/** A feature's own code and tests are named after it, and come only with it. */
function featureOf(template: string): Feature | undefined {
  const name = template.match(/^(?:src\/iexec|tests)\/([a-z-]+?)(?:\.test)?\.ts\.hbs$/)?.[1];
  return FEATURES.find((feature) => feature === name);
}

function wanted(template: string, context: TemplateContext): boolean {
  const feature = featureOf(template);
  if (feature) return context.features.includes(feature);
  return ONLY_WHEN[template]?.(context) ?? true;
}

const TEMPLATE_SUFFIX = '.hbs';

/** Template paths (relative, `/`-separated) a module with this context gets, sorted. */
export function templatesFor(templates: string, context: TemplateContext): string[] {
  return readdirSync(templates, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(templates.length + 1).replaceAll('\\', '/'))
    .filter((file) => wanted(file, context))
    .sort();
}

/** Where a template lands in the module: the same path without the `.hbs` that keeps tools off it. */
export function outputPath(template: string): string {
  if (!template.endsWith(TEMPLATE_SUFFIX)) throw new Error(`template ${template} must end in ${TEMPLATE_SUFFIX}`);
  return template.slice(0, -TEMPLATE_SUFFIX.length);
}

/**
 * The module generator: every template this context selects, rendered by node-plop with our
 * escaping helpers, as path -> text in path order. Its questions live in src/answers.ts, shared
 * with the flags and the answers file, so the generator itself asks nothing.
 */
export function generateModule(plop: NodePlopAPI, templates: string, context: TemplateContext): Record<string, string> {
  for (const [name, helper] of Object.entries(templateHelpers)) plop.setHelper(name, helper);
  const files: Record<string, string> = {};
  for (const template of templatesFor(templates, context)) {
    try {
      files[outputPath(template)] = plop.renderString(readFileSync(join(templates, template), 'utf8'), context);
    } catch (error) {
      throw new Error(`rendering ${template} failed: ${(error as Error).message}`);
    }
  }
  return files;
}
