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
  // node-plop's generator runner and its file actions (add, addMany, modify, append, with
  // isbinaryfile and tinyglobby): templates are rendered with plop.renderString, written by us.
  './generator-runner.js': "node-plop's generator actions",
};

const refusing = (path) =>
  `const refuse = () => { throw new Error(${JSON.stringify(`create-iexec-module was bundled without ${path} (${UNUSED[path]})`)}); };`;

export const unused = {
  name: 'unused',
  setup(build) {
    const escaped = Object.keys(UNUSED).map((path) => path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    const filter = new RegExp(`^(${escaped.join('|')}|source-map)$`);
    build.onResolve({ filter }, ({ path, importer }) =>
      path.startsWith('./') && !importer.includes('node-plop') ? undefined : { path, namespace: 'unused' },
    );
    build.onLoad({ filter: /.*/, namespace: 'unused' }, ({ path }) => ({
      loader: 'js',
      contents:
        // handlebars asks for source-map inside a try and falls back to its own small SourceNode:
        // nobody asks for template source maps here.
        path === 'source-map'
          ? 'module.exports = {};'
          : // node-plop makes its runner when it starts: the runner's methods are what refuses.
            path === './generator-runner.js'
            ? `${refusing(path)} module.exports = () => new Proxy({}, { get: () => refuse });`
            : `${refusing(path)} module.exports = new Proxy(refuse, { get: () => refuse });`,
    }));
  },
};

/**
 * The key a template is found by in a checkout of this repository, where templates may have been
 * edited since the build: the text node-plop was given, as its length and a 64-bit hash
 * (cyrb53-style). Plain JavaScript, because loading node:crypto for it would cost the run more
 * than the hashing does.
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
 * The key the published package finds a template by: its length and its first and last characters.
 * The package ships exactly the templates it was built with, so the key only has to tell those
 * apart (the build checks that it does). Hashing every template whole took a quarter of a
 * generation's own time: JavaScript that runs once runs in V8's interpreter.
 */
const SAMPLE = 32;
const sampleKeyOf = (text) => `${text.length}:${text.slice(0, SAMPLE)}${text.slice(-SAMPLE)}`;

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
 * Compiling the templates at run time doubles a generation's time (CONTRIBUTING.md, "Speed and
 * size"), and Handlebars' parser is the largest part of its package. Every shipped template is
 * therefore compiled here; the bundle holds the Handlebars runtime, whose compile() hands back the compiled
 * template for a known text. A text without mustaches renders as itself. In a checkout of this
 * repository (build.mjs beside dist/) templates are found by a hash of their whole text, and one
 * edited since the build is compiled by the checkout's own Handlebars; the published package finds
 * them by length and ends, and refuses a text it was not built with.
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
        const samples = new Map();
        const factories = files.map((file) => {
          const text = readFileSync(file, 'utf8');
          const sample = sampleKeyOf(text);
          if (samples.has(sample)) throw new Error(`${file} and ${samples.get(sample)} have the same length and ends: make SAMPLE in ${import.meta.url} longer`);
          samples.set(sample, file);
          return `[${JSON.stringify(keyOf(text))}, ${JSON.stringify(sample)}, ${compileToFactory(text, file)}]`;
        });
        return {
          loader: 'js',
          resolveDir: build.initialOptions.absWorkingDir ?? process.cwd(),
          watchFiles: files,
          contents: `import Handlebars from 'handlebars/dist/cjs/handlebars.runtime.js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
const SAMPLE = ${SAMPLE};
const keyOf = ${keyOf};
const sampleKeyOf = ${sampleKeyOf};
const checkout = existsSync(new URL('../build.mjs', import.meta.url));
const key = checkout ? keyOf : sampleKeyOf;
const factories = new Map([${factories.join(',\n')}].map(([whole, sample, factory]) => [checkout ? whole : sample, factory]));
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
  const found = key(text);
  if (!factories.has(found)) factories.set(found, compileHere(text));
  return Handlebars.template(factories.get(found)(text));
};
export default Handlebars;`,
        };
      });
    },
  };
}
