// Bundles the CLI into dist/ with every dependency inside, so `npm create iexec-module` downloads a
// single package with no dependency tree to resolve. Size counts twice: every `npm create` downloads
// the package anew, and every run parses the bundle before it can do anything.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundlePlugins } from './scripts/bundle-plugins.mjs';
import { thirdPartyLicenses } from './scripts/third-party-licenses.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
const OUT = 'dist';
const LICENSES = 'THIRD-PARTY-LICENSES.txt';

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: OUT,
  // A dynamic import() in src/ becomes a chunk loaded only when reached. Chunks sit beside cli.js
  // because src/paths.ts finds the package root one level above the running file.
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  charset: 'utf8',
  legalComments: 'none',
  metafile: true,
  alias: {
    // prompts' main picks at run time between a Babel build for Node < 8.6 and the modern one,
    // so a bundler would carry both.
    prompts: 'prompts/lib/index.js',
  },
  plugins: bundlePlugins(root),
  // Some bundled CommonJS dependencies call require() for Node built-ins, which ESM lacks.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});

// What scripts/bundle-plugins.mjs leaves out: one of them in the bundle means something new reached it.
const LEFT_OUT = [
  ['handlebars/dist/cjs/handlebars/compiler/', "Handlebars' compiler: templates ship precompiled, rendered by handlebars/runtime"],
  ['node_modules/inquirer/', "inquirer: node-plop's prompts are stubbed, questions go through prompts"],
  ['node_modules/node-plop/src/actions/', "node-plop's file actions: the module generator renders into memory"],
];
for (const [path, what] of LEFT_OUT) {
  const found = Object.keys(result.metafile.inputs).find((input) => input.includes(path));
  if (found) throw new Error(`the bundle holds ${found}, which it must leave out (${what}): see scripts/bundle-plugins.mjs`);
}

// A chunk of an earlier build would otherwise be published with this one.
const outputs = new Set(Object.keys(result.metafile.outputs).map((path) => path.slice(OUT.length + 1)));
for (const file of readdirSync(join(root, OUT))) {
  if (!outputs.has(file) && file !== LICENSES) rmSync(join(root, OUT, file), { recursive: true });
}
writeFileSync(join(root, OUT, LICENSES), thirdPartyLicenses(result.metafile, root, `${OUT}/cli.js`));
