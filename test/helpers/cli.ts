import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = join(repoRoot, 'dist/cli.js');

/** Runs the built CLI as a user would: its own process, no terminal, CI unset unless asked. */
export function runCli(args: string[], options: { cwd?: string; timeout?: number; env?: Record<string, string> } = {}) {
  return execa('node', [cliPath, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: 120_000,
    ...options,
    env: { CI: '', npm_config_user_agent: '', NO_COLOR: '1', ...options.env },
  });
}

export function tempDir(prefix = 'cim-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The free text the escaping must survive in every kind of file. */
export const EVIL_DESCRIPTION = `He said "hi" \\ $(touch /tmp/cim-pwned) \`touch /tmp/cim-pwned\` it's 100% <b>&</b>
line two ; rm -rf ~ # {{name}}`;
