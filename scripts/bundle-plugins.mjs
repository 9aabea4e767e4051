// esbuild plugin of build.mjs: the templates, precompiled by path.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

const SUFFIX = '.hbs';

/** The Handlebars built-in blocks src/template-program.ts renders; any other block or print is a helper of src/render.ts. */
const BUILT_IN_BLOCKS = new Set(['if', 'each']);

/**
 * One template as a Program of src/template-program.ts: Handlebars' own parse (its whitespace
 * control applied), reduced to text, helper calls, blocks and their values. Anything else of the
 * language (partials, decorators, `@data`, `../`, hash arguments, block parameters, raw blocks) fails
 * here, naming the template and line, rather than render differently from Handlebars.
 */
function programOf(text, template) {
  const refuse = (node, what) => {
    throw new Error(`templates/module/${template}:${node.loc?.start.line}: ${what} is not supported by the bundle's renderer (src/template-program.ts)`);
  };
  const helperName = (node) => {
    if (node.path.type !== 'PathExpression' || node.path.parts.length !== 1 || node.path.data || node.path.depth) refuse(node, `{{${node.path.original}}}`);
    if (node.hash?.pairs.length) refuse(node, 'a hash argument');
    return node.path.parts[0];
  };
  const expression = (node) => {
    switch (node.type) {
      case 'PathExpression':
        if (node.data || node.depth > 0) refuse(node, node.original);
        return { path: node.parts };
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return { literal: node.value };
      case 'NullLiteral':
        return { literal: null };
      case 'SubExpression':
        return { call: helperName(node), params: node.params.map(expression) };
      default:
        return refuse(node, node.type);
    }
  };
  const program = (node) => {
    const statements = [];
    for (const statement of node.body) {
      if (statement.type === 'CommentStatement') continue;
      if (statement.type === 'ContentStatement') {
        if (statement.value === '') continue;
        // Text around a comment or a stripped block arrives in pieces: one string is faster to append.
        if (typeof statements.at(-1) === 'string') statements[statements.length - 1] += statement.value;
        else statements.push(statement.value);
      } else if (statement.type === 'MustacheStatement') {
        if (!statement.escaped) refuse(statement, 'a triple-stash {{{…}}}');
        statements.push({ print: helperName(statement), params: statement.params.map(expression) });
      } else if (statement.type === 'BlockStatement') {
        if (statement.program.blockParams?.length) refuse(statement, 'a block parameter');
        const name = helperName(statement);
        if (!BUILT_IN_BLOCKS.has(name) && statement.inverse) refuse(statement, `{{else}} in {{#${name}}}`);
        statements.push({
          block: name,
          params: statement.params.map(expression),
          fn: program(statement.program),
          ...(statement.inverse ? { inverse: program(statement.inverse) } : {}),
        });
      } else refuse(statement, statement.type);
    }
    return statements;
  };
  return program(Handlebars.parse(text));
}

/** Every template of `folder`, as [the path of the file it writes, its Program], by path. */
function precompileFolder(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((file) => {
      const template = file.slice(folder.length + 1).replaceAll('\\', '/');
      if (!template.endsWith(SUFFIX)) throw new Error(`template ${template} in ${folder} must end in ${SUFFIX}`);
      return [template.slice(0, -SUFFIX.length), programOf(readFileSync(file, 'utf8'), template)];
    });
}

/*
 * Compiling the templates at run time doubled a generation's time (CONTRIBUTING.md, "Speed and
 * size"), and Handlebars' compiler is the larger part of its package. So the bundle gets, in place of
 * src/templates.ts (which compiles the templates folder with Handlebars), a module built here: every
 * shipped template precompiled into a Program, by the path of the file it writes, rendered by
 * src/template-program.ts. Same exports, same Templates; no Handlebars at all in the bundle.
 */
export function precompiledTemplates({ module, folder }) {
  return {
    name: 'precompiled-templates',
    setup(build) {
      build.onLoad({ filter: /[\\/]templates\.ts$/ }, ({ path }) => {
        if (path !== module) return undefined;
        const programs = Object.fromEntries(precompileFolder(folder));
        return {
          loader: 'js',
          resolveDir: join(module, '..'),
          watchFiles: readdirSync(folder, { recursive: true }).map((file) => join(folder, file)),
          // JSON.parse of one string literal is the fastest way for V8 to load this much data.
          contents: `import { renderProgram } from './template-program.ts';
const PROGRAMS = JSON.parse(${JSON.stringify(JSON.stringify(programs))});
let shipped;
export function shippedTemplates() {
  shipped ??= new Map(Object.entries(PROGRAMS).map(([path, program]) => [path, (context, { helpers }) => renderProgram(program, context, helpers)]));
  return shipped;
}
export function compileFolder(folder) {
  throw new Error(\`the published create-iexec-module renders only the templates it was built with, not those of \${folder}\`);
}`,
        };
      });
    },
  };
}
