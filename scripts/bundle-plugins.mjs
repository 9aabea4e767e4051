// esbuild plugins of build.mjs: the templates precompiled by path, node-plop on the Handlebars
// runtime, and what the bundle leaves out of node-plop.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

const SUFFIX = '.hbs';

/**
 * The helpers src/render.ts sets (test/bundle.test.ts keeps the two lists equal). Declared known, a call to one compiles to a plain call instead of
 * a lookup that falls back to helperMissing; with knownHelpersOnly, a template calling any other
 * with arguments fails the build (naming the helper, not the line: the parse has no locations).
 */
export const KNOWN_HELPERS = { json: true, sh: true, text: true, id: true, eq: true, run: true };

/**
 * Without source locations in its parse, Handlebars gives no helper call a `loc` object literal
 * (nothing we call reads one). Each of those literals is code V8 compiles and an object it builds
 * the first time a template runs, which is the only time in a generation.
 */
function withoutLocations(node) {
  if (Array.isArray(node)) for (const child of node) withoutLocations(child);
  else if (node && typeof node === 'object') {
    delete node.loc;
    for (const child of Object.values(node)) withoutLocations(child);
  }
  return node;
}

/**
 * A template's precompiled spec, about a tenth smaller than by default and cheaper to compile and
 * run: the templates are parsed, and parse errors reported with their line, as Handlebars.precompile
 * would; precompile then strips the whitespace of a parse given to it as it does of its own.
 */
function precompile(text) {
  const ast = withoutLocations(Handlebars.parseWithoutProcessing(text));
  return Handlebars.precompile(ast, { knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true });
}

/** Every template of `folder`, as [the path of the file it writes, Handlebars' precompiled spec (JavaScript source)], by path. */
function precompileFolder(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((file) => {
      const template = file.slice(folder.length + 1).replaceAll('\\', '/');
      if (!template.endsWith(SUFFIX)) throw new Error(`template ${template} in ${folder} must end in ${SUFFIX}`);
      try {
        return [template.slice(0, -SUFFIX.length), precompile(readFileSync(file, 'utf8'))];
      } catch (error) {
        throw new Error(`${file}: ${error.message}`);
      }
    });
}

/*
 * Compiling the templates at run time doubled a generation's time (CONTRIBUTING.md, "Speed and
 * size"), and Handlebars' compiler is the larger part of its package. So the bundle gets, in place of
 * generators/templates.ts (`module`, which compiles the templates folder with Handlebars), a module
 * built here: every template of `folder` precompiled by Handlebars, by the path of the file it writes,
 * made a template by the Handlebars runtime. Same exports, same Templates.
 */
function precompiledTemplates({ module, folder }) {
  return {
    name: 'precompiled-templates',
    setup(build) {
      build.onLoad({ filter: /[\\/]templates\.ts$/ }, ({ path }) => {
        if (path !== module) return undefined;
        const specs = precompileFolder(folder).map(([path, spec]) => `[${JSON.stringify(path)}, ${spec}]`);
        return {
          loader: 'js',
          resolveDir: join(module, '..'),
          watchFiles: readdirSync(folder, { recursive: true }).map((file) => join(folder, file)),
          contents: `import Handlebars from 'handlebars/runtime';
const SPECS = [${specs.join(',\n')}];
let shipped;
export function shippedTemplates() {
  shipped ??= new Map(SPECS.map(([path, spec]) => [path, Handlebars.template(spec)]));
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

const fromNodePlop = (importer) => /[\\/]node_modules[\\/]node-plop[\\/]/.test(importer);

/**
 * node-plop imports Handlebars for plop.renderString, which compiles template text: we render
 * precompiled templates instead, so node-plop gets the runtime, the same instance the templates use.
 * Anything else importing `handlebars` gets the whole package, and build.mjs refuses the compiler.
 */
const handlebarsRuntime = {
  name: 'handlebars-runtime',
  setup(build) {
    build.onResolve({ filter: /^handlebars$/ }, ({ importer, resolveDir, kind }) =>
      fromNodePlop(importer) ? build.resolve('handlebars/runtime', { importer, resolveDir, kind }) : undefined,
    );
  },
};

/*
 * Code node-plop reaches only through features we never use. Each becomes a module that fails
 * loudly, so a future use shows up as an error instead of a silently wrong result.
 */
const UNUSED = {
  inquirer: {
    why: "plop's prompts: questions go through src/answers.ts",
    // node-plop reads registerPrompt when it starts; runPrompts calls prompt.
    exports: 'export default { registerPrompt: refuse, prompt: refuse };',
  },
  resolve: {
    why: 'node-plop loading a plopfile or plop pack: the generator is set in code (generators/module.ts)',
    exports: 'export default { sync: refuse };',
  },
  './baked-in-helpers.js': {
    why: "plop's case helpers (camelCase…): templates get only the helpers src/render.ts sets",
    // node-plop merges these into its helpers when it starts: none, then.
    exports: 'export default {};',
  },
  './actions/index.js': {
    why: "node-plop's file actions (add, addMany, modify, append): the module generator renders into memory",
    exports: 'export const add = refuse, addMany = refuse, modify = refuse, append = refuse;',
  },
};

const unused = {
  name: 'unused',
  setup(build) {
    const escaped = Object.keys(UNUSED).map((path) => path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    build.onResolve({ filter: new RegExp(`^(${escaped.join('|')})$`) }, ({ path, importer }) =>
      fromNodePlop(importer) ? { path, namespace: 'unused' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'unused' }, ({ path }) => ({
      loader: 'js',
      contents: `const refuse = () => { throw new Error(${JSON.stringify(`create-iexec-module was bundled without ${path} (${UNUSED[path].why})`)}); };
${UNUSED[path].exports}`,
    }));
  },
};

/** The plugins build.mjs bundles the CLI with, for the package at `root` (`folder`: other templates than its own). */
export function bundlePlugins(root, folder = join(root, 'templates/module')) {
  return [precompiledTemplates({ module: join(root, 'generators/templates.ts'), folder }), handlebarsRuntime, unused];
}
