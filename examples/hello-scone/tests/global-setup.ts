// Bundles src/app.ts once for the whole run, with the module's own build script: every test file runs
// that same bundle, the file the image ships.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    bundle: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'iexec-app-bundle-'));
  const bundle = join(dir, 'app.cjs');
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), bundle], { stdio: 'inherit' });
  project.provide('bundle', bundle);
  return () => rmSync(dir, { recursive: true, force: true });
}
