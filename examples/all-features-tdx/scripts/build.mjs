// Bundles src/app.ts and everything it imports into one CommonJS file, so the image needs only
// `node`: no node_modules, no package manager, no network while building the image.
// Usage: node scripts/build.mjs [OUTFILE]   (default dist/app.cjs; the tests bundle elsewhere)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

await build({
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  entryPoints: ['src/app.ts'],
  outfile: process.argv[2] ?? 'dist/app.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // The image runs node 22; node 20 syntax also lets the tests run the bundle on a Node 20 machine.
  target: 'node20',
  logLevel: 'warning',
});
