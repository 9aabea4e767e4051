import type { Plugin } from 'esbuild';

/** The esbuild plugins build.mjs bundles the CLI with, for the package at `root`; `folder`: templates other than its own. */
export function bundlePlugins(root: string, folder?: string): Plugin[];

/** The helpers the templates are precompiled as calling: src/render.ts's helpersFor, by name. */
export const KNOWN_HELPERS: Record<string, true>;
