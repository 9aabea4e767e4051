// Bundles the CLI into one file with every dependency inside, so `npm create iexec-module`
// downloads a single package with no dependency tree to resolve.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'linked',
  alias: { inquirer: './src/inquirer-stub.ts' },
  // Some bundled CommonJS dependencies call require() for Node built-ins, which ESM lacks.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
