import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionType, NodePlopAPI } from 'node-plop';
import type { TemplateContext } from '../src/context.js';
import { FEATURES, type Feature } from '../src/features.js';
import { templateHelpers } from '../src/escape.js';

/** Template files that only some modules get, keyed by their path under templates/module. */
const ONLY_WHEN: Record<string, (context: TemplateContext) => boolean> = {
  'sconify.sh.hbs': (context) => context.isScone,
  'scripts/mock-protected-data.mjs.hbs': (context) => context.feature.protectedData,
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
 * The plop generator that writes a module: one `add` per template. Its questions live in
 * src/answers.ts, shared with the flags and the answers file, so the generator itself asks nothing.
 */
export function moduleGenerator(plop: NodePlopAPI, templates: string, destination: string): void {
  for (const [name, helper] of Object.entries(templateHelpers)) plop.setHelper(name, helper);
  plop.setGenerator('module', {
    description: 'a TypeScript iExec module',
    prompts: [],
    actions: (data): ActionType[] =>
      templatesFor(templates, data as TemplateContext).map((template) => ({
        type: 'add',
        path: join(destination, outputPath(template)),
        template: readFileSync(join(templates, template), 'utf8'),
        abortOnFail: true,
      })),
  });
}
