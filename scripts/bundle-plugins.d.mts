import type { Plugin } from 'esbuild';

/** The esbuild plugin that swaps src/templates.ts (`module`) for the templates of `folder`, precompiled by path. */
export function precompiledTemplates(options: { module: string; folder: string }): Plugin;
