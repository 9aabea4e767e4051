import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import nodePlop from 'node-plop';
import { moduleGenerator, outputPath, templatesFor } from '../generators/module.js';
import type { TemplateContext } from './context.js';
import { templatesDir } from './paths.js';

/**
 * Renders the module into `destination`, an empty folder of ours (the staging folder), and returns
 * the paths written, relative and sorted. Shell scripts are made executable here rather than by the
 * template's file mode, which does not survive every way a package gets installed.
 */
export async function renderModule(
  context: TemplateContext,
  destination: string,
  templates = templatesDir,
): Promise<string[]> {
  const plop = await nodePlop('', { destBasePath: destination, force: false });
  moduleGenerator(plop, templates, destination);
  const { failures } = await plop.getGenerator('module').runActions(context);
  if (failures.length > 0) {
    const detail = failures.map((f) => `${f.path || f.type}: ${f.error}`).join('\n');
    throw new Error(`rendering the templates failed:\n${detail}`);
  }
  const files = templatesFor(templates, context).map(outputPath);
  await Promise.all(files.filter((f) => f.endsWith('.sh')).map((f) => chmod(join(destination, f), 0o755)));
  return files;
}
