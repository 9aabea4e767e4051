import type { Plugin } from 'esbuild';

/** The esbuild plugins build.mjs bundles the CLI with, for the package at `root`; `folder`: templates other than its own. */
export function bundlePlugins(root: string, folder?: string): Plugin[];
