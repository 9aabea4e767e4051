import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

/*
 * The templates, compiled, by the path of the file each one writes. This module is what runs from a
 * checkout (tests, upgrade's "next version"); the bundle gets another in its place, built by
 * scripts/bundle-plugins.mjs, that holds the shipped templates precompiled by Handlebars and renders
 * them with its runtime alone. test/bundle.test.ts checks both write the same.
 */

/** A compiled template: the context and the helpers in, the file's text out. */
export type Template = (context: object, options: { helpers: Record<string, (...args: never[]) => unknown> }) => string;

/** Templates by the path of the file each writes (relative, `/`-separated, without `.hbs`). */
export type Templates = ReadonlyMap<string, Template>;

/** The generator's own templates, the tree of files a module gets. */
export const templatesDir = fileURLToPath(new URL('../templates/module', import.meta.url));

/** Every template file ends in `.hbs`, so no tool mistakes it for a file of the generator; the module's file does not. */
const TEMPLATE_SUFFIX = '.hbs';

/** Every template of `folder`, compiled by the Handlebars compiler. */
export function compileFolder(folder: string): Templates {
  const templates = new Map<string, Template>();
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const template = join(entry.parentPath, entry.name)
      .slice(folder.length + 1)
      .replaceAll('\\', '/');
    if (!template.endsWith(TEMPLATE_SUFFIX)) throw new Error(`template ${template} in ${folder} must end in ${TEMPLATE_SUFFIX}`);
    templates.set(template.slice(0, -TEMPLATE_SUFFIX.length), Handlebars.compile(readFileSync(join(folder, template), 'utf8')));
  }
  return templates;
}

let shipped: Templates | undefined;

/** The generator's own templates (templates/module). */
export function shippedTemplates(): Templates {
  shipped ??= compileFolder(templatesDir);
  return shipped;
}
