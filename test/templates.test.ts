import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import Handlebars from 'handlebars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesFor } from '../generators/module.js';
import { shippedTemplates, templatesDir } from '../generators/templates.js';
import { type Answers, resolveAnswers } from '../src/answers.js';
import { templateContext } from '../src/context.js';
import { escapingHelpers } from '../src/escape.js';
import { FEATURES } from '../src/features.js';
import { renderFiles, renderModule } from '../src/render.js';
import { EVIL_DESCRIPTION, tempDir } from './helpers/cli.js';
import { tree } from './helpers/module.js';

const read = (path: string) => readFileSync(path, 'utf8');
const ESCAPING_HELPERS = Object.keys(escapingHelpers);

/** `run` prints a script's name, which must then be one the template spells out. */
const namesOneScript = (params: hbs.AST.Expression[]) => params.length === 1 && params[0]!.type === 'StringLiteral';

/** Every `{{…}}` that prints something (and every `{{#run}}`), with its line, in one template. */
function printedExpressions(source: string): { text: string; line: number; ok: boolean }[] {
  const found: { text: string; line: number; ok: boolean }[] = [];
  const visit = (node: hbs.AST.Node): void => {
    if (node.type === 'MustacheStatement' || node.type === 'BlockStatement') {
      const m = node as hbs.AST.MustacheStatement | hbs.AST.BlockStatement;
      const helper = m.path.type === 'PathExpression' ? (m.path as hbs.AST.PathExpression).original : '';
      const escaped = node.type === 'BlockStatement' || (m as hbs.AST.MustacheStatement).escaped;
      if (node.type === 'MustacheStatement' || helper === 'run') {
        found.push({
          text: source.split('\n')[m.loc.start.line - 1]!.trim(),
          line: m.loc.start.line,
          ok:
            escaped &&
            (helper === 'run'
              ? namesOneScript(m.params)
              : node.type === 'MustacheStatement' && ESCAPING_HELPERS.includes(helper) && m.params.length === 1),
        });
      }
    }
    for (const child of Object.values(node)) {
      if (Array.isArray(child)) child.forEach((c) => c && typeof c === 'object' && 'type' in c && visit(c));
      else if (child && typeof child === 'object' && 'type' in child) visit(child as hbs.AST.Node);
    }
  };
  visit(Handlebars.parse(source));
  return found;
}

async function allTemplates(): Promise<string[]> {
  const entries = await readdir(templatesDir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('templates', () => {
  it('all end in .hbs, so no tool mistakes a template for a file of the generator', async () => {
    for (const file of await allTemplates()) expect(file).toMatch(/\.hbs$/);
  });

  it('interpolate only through an escaping helper (never a bare or triple {{x}})', async () => {
    const offenders: string[] = [];
    for (const file of await allTemplates()) {
      for (const e of printedExpressions(await readFile(file, 'utf8'))) {
        if (!e.ok) offenders.push(`${file.slice(templatesDir.length + 1)}:${e.line}: ${e.text}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('number the README steps in plain text: no heading is built by a condition', async () => {
    const headings = (await readFile(join(templatesDir, 'README.md.hbs'), 'utf8')).split('\n').filter((line) => line.startsWith('#'));
    expect(headings.filter((line) => line.includes('{{#'))).toEqual([]);
  });

  it('the lint itself catches a bare and a triple-stash interpolation', () => {
    expect(printedExpressions('a {{name}} b').map((e) => e.ok)).toEqual([false]);
    expect(printedExpressions('{{{name}}}').map((e) => e.ok)).toEqual([false]);
    expect(printedExpressions('{{sh name}} {{#if (eq tee "scone")}}x{{/if}}').map((e) => e.ok)).toEqual([true]);
    expect(printedExpressions('{{run "local"}} {{#run "iexec"}}wallet show {{sh name}}{{/run}}').map((e) => e.ok)).toEqual([
      true,
      true,
      true,
    ]);
    expect(printedExpressions('{{run name}} {{#run description}}x{{/run}} {{run "a" "b"}}').map((e) => e.ok)).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe('the module generator (generators/module.ts, driven by src/render.ts)', () => {
  it('fails on a template that does not render, naming the file and why', async () => {
    const folder = await tempDir();
    await writeFile(join(folder, 'a.md.hbs'), 'fine\n');
    await writeFile(join(folder, 'b.json.hbs'), '{{json misspelt}}\n');
    await writeFile(join(folder, 'c.md.hbs'), 'after\n');
    const context = templateContext(await resolveAnswers({ name: 'm' }, { directory: folder }), '0.0.0-test');
    await expect(renderFiles(context, folder)).rejects.toThrow(
      'rendering b.json failed: template helper "json" got an undefined value (misspelt variable?)',
    );
    await rm(folder, { recursive: true, force: true });
  });
});

const PROFILES: Partial<Answers>[] = [
  { tee: 'tdx', chain: 'arbitrum-sepolia-testnet' },
  { tee: 'tdx', chain: 'arbitrum-mainnet' },
  { tee: 'scone', chain: 'bellecour' },
];

describe.each(PROFILES)('a module rendered for $tee on $chain with a hostile description', (profile) => {
  let dir: string;
  let files: string[];
  let context: ReturnType<typeof templateContext>;

  beforeAll(async () => {
    await rm('/tmp/cim-pwned', { force: true });
    dir = await tempDir();
    const answers = await resolveAnswers(
      { ...profile, name: '@alice/evil-module', dockerNamespace: 'alice', description: EVIL_DESCRIPTION },
      { directory: dir },
    );
    context = templateContext(answers, '0.0.0-test');
    files = await renderModule(context, dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes exactly the files the templates list, sconify.sh only for SCONE, scripts executable', async () => {
    const written = Object.keys(await tree(dir, { executables: true })).sort();
    const listed = filesFor(shippedTemplates(), context, FEATURES);
    expect(written).toEqual(listed.map((f) => (f.endsWith('.sh') ? `${f} (executable)` : f)).sort());
    expect(files).toEqual(listed);
    expect(listed.includes('sconify.sh')).toBe(profile.tee === 'scone');
  });

  it('gives JSON that parses and keeps the description exactly', async () => {
    for (const file of files.filter((f) => f.endsWith('.json'))) {
      expect(() => JSON.parse(read(join(dir, file))), file).not.toThrow();
    }
    expect(JSON.parse(read(join(dir, 'package.json'))).description).toBe(EVIL_DESCRIPTION);
  });

  it('gives shell scripts that parse and pass shellcheck', async () => {
    const scripts = files.filter((f) => f.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThan(2);
    for (const script of scripts) {
      await execa('bash', ['-n', script], { cwd: dir });
      const lint = await execa('shellcheck', ['-x', script], { cwd: dir, reject: false });
      expect(lint.stdout, script).toBe('');
      expect(lint.exitCode, script).toBe(0);
    }
    expect(existsSync('/tmp/cim-pwned')).toBe(false);
  });

  it("numbers the README's steps 1, 2, 3… with no gap", () => {
    const steps = [...read(join(dir, 'README.md')).matchAll(/^## (\d+)\. /gm)].map((m) => Number(m[1]));
    expect(steps.length).toBeGreaterThan(5);
    expect(steps).toEqual(steps.map((_, i) => i + 1));
  });

  it('holds no HTML escaping anywhere', async () => {
    for (const file of files) expect(read(join(dir, file)), file).not.toMatch(/&(amp|quot|#x27|#x60|#x3D|lt|gt);/);
  });
});
