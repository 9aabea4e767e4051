// esbuild plugins of build.mjs: what the bundle leaves out, and the templates compiled ahead of time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

/*
 * Code the bundled packages reach only through features we never use. Each becomes a module that
 * fails loudly, so a future use shows up as an error instead of a silently wrong result.
 */
const UNUSED = {
  // node-plop's loader for plopfiles and plop packs: we hand it a generator in code.
  resolve: 'node-plop loading a plopfile or plop pack',
  // node-plop's addMany action: the generator adds one template at a time.
  tinyglobby: "node-plop's addMany action",
};

export const unused = {
  name: 'unused',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(UNUSED).join('|')}|source-map)$`);
    build.onResolve({ filter }, ({ path }) => ({ path, namespace: 'unused' }));
    build.onLoad({ filter: /.*/, namespace: 'unused' }, ({ path }) => ({
      loader: 'js',
      // handlebars asks for source-map inside a try and falls back to its own small SourceNode:
      // nobody asks for template source maps here.
      contents:
        path === 'source-map'
          ? 'module.exports = {};'
          : `const refuse = () => { throw new Error(${JSON.stringify(`create-iexec-module was bundled without ${path} (${UNUSED[path]})`)}); };
             module.exports = new Proxy(refuse, { get: () => refuse });`,
    }));
  },
};

/**
 * The key a template is found by at run time: the text node-plop read from the shipped file, as
 * its length and a 64-bit hash (cyrb53-style). Plain JavaScript, because loading node:crypto for
 * it would cost the run more than the hashing does.
 */
const keyOf = (text) => {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${text.length}:${(h1 >>> 0).toString(36)}:${(h2 >>> 0).toString(36)}`;
};

/**
 * Compiles a template to the source of a function from its text to its Handlebars spec. The text
 * between mustaches is not copied into the spec: it is cut out of the template's own text at run
 * time (node-plop reads the shipped file anyway), so the bundle does not carry every template twice.
 */
function compileToFactory(text, file) {
  const marker = 'CIMPIECE';
  if (text.includes(marker)) throw new Error(`${file} contains ${marker}, which build.mjs uses to mark template text`);
  const pieces = [];
  const hb = Handlebars.create();
  const Base = hb.JavaScriptCompiler;
  function Slicing() {}
  Slicing.prototype = Object.create(Base.prototype);
  Slicing.prototype.compiler = Slicing;
  Slicing.prototype.appendContent = function appendContent(content) {
    pieces.push(content);
    Base.prototype.appendContent.call(this, `${marker}${pieces.length - 1}_`);
  };
  hb.JavaScriptCompiler = Slicing;
  // Consecutive pieces of text reach the code as one string literal of markers.
  const spec = hb
    .precompile(text)
    .replace(new RegExp(`"((?:${marker}\\d+_)+)"`, 'g'), (_, markers) =>
      `(${[...markers.matchAll(new RegExp(`${marker}(\\d+)_`, 'g'))].map((m) => `c[${m[1]}]`).join('+')})`,
    );
  // Two things the runtime never reads from our templates: source locations (only strict mode
  // reports them) and a fallback for Handlebars runtimes older than the one bundled.
  const lean = spec
    .replace(/,"loc":\{"start":\{"line":\d+,"column":\d+\},"end":\{"line":\d+,"column":\d+\}\}/g, '')
    .replace(
      /container\.lookupProperty \|\| function\(parent, propertyName\) \{\s*if \(Object\.prototype\.hasOwnProperty\.call\(parent, propertyName\)\) \{\s*return parent\[propertyName\];\s*\}\s*return undefined\s*\}/g,
      'container.lookupProperty',
    );
  if (spec.includes(marker)) throw new Error('Handlebars wrote template text where build.mjs does not expect it');
  // Where Handlebars unescaped the text (\{{), the piece is not in the template as is: keep it whole.
  const cuts = pieces.map((piece) => {
    const at = text.indexOf(piece);
    return at < 0 ? piece : [at, at + piece.length];
  });
  return `(t) => { const c = ${JSON.stringify(cuts)}.map((p) => typeof p === 'string' ? p : t.slice(p[0], p[1])); return ${lean}; }`;
}

/*
 * Handlebars spends most of a generation compiling templates, and its parser is the largest part
 * of the bundle. Every shipped template is therefore compiled here; the bundle holds the Handlebars
 * runtime, whose compile() hands back the compiled template for a known text. A text without
 * mustaches (node-plop renders every path) renders as itself. Any other text (a template edited
 * since the build, in a checkout of this repository) is compiled by the Handlebars found beside
 * the package, where there is one; the published package has none and refuses.
 */
export function precompiledHandlebars(templatesDir) {
  return {
    name: 'precompiled-handlebars',
    setup(build) {
      build.onResolve({ filter: /^handlebars$/ }, () => ({ path: 'handlebars', namespace: 'precompiled' }));
      build.onLoad({ filter: /.*/, namespace: 'precompiled' }, () => {
        const files = readdirSync(templatesDir, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => join(entry.parentPath, entry.name))
          .sort();
        const factories = files.map((file) => {
          const text = readFileSync(file, 'utf8');
          return `[${JSON.stringify(keyOf(text))}, ${compileToFactory(text, file)}]`;
        });
        return {
          loader: 'js',
          resolveDir: build.initialOptions.absWorkingDir ?? process.cwd(),
          watchFiles: files,
          contents: `import Handlebars from 'handlebars/dist/cjs/handlebars.runtime.js';
import { createRequire } from 'node:module';
const factories = new Map([${factories.join(',\n')}]);
function compileHere(text) {
  let compiler;
  try {
    compiler = createRequire(import.meta.url)('handlebars');
  } catch {
    throw new Error('create-iexec-module can only render the templates it was built with, and this one is not among them: rebuild it (node build.mjs).');
  }
  const spec = new Function(\`return \${compiler.precompile(text)}\`)();
  return () => spec;
}
Handlebars.compile = (text) => {
  if (!text.includes('{{')) return () => text;
  const key = (${keyOf})(text);
  if (!factories.has(key)) factories.set(key, compileHere(text));
  return Handlebars.template(factories.get(key)(text));
};
export default Handlebars;`,
        };
      });
    },
  };
}
