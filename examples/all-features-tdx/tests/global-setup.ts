// Bundles src/app.ts once for the whole run: every test file runs that same bundle, the file the image ships.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp } from '../scripts/worker.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    bundle: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'iexec-app-bundle-'));
  project.provide('bundle', buildApp(join(dir, 'app.cjs')));
  return () => rmSync(dir, { recursive: true, force: true });
}
