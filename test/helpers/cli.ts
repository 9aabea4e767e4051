import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
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

/**
 * A folder of stand-ins to put first on PATH: `npm` that installs an empty node_modules and passes
 * every script (its install sleeps first if the file $HANG_INSTALL exists, its scripts if $HANG_RUN
 * does, which it then removes: a test can press Ctrl-C meanwhile), and `npx create-iexec-module`
 * running this checkout's CLI, which no registry holds yet. With them, the commands the CLI prints
 * can be run as printed.
 */
export async function standInTools(): Promise<string> {
  const dir = await tempDir('cim-tools-');
  await writeFile(
    join(dir, 'npm'),
    [
      '#!/bin/sh',
      'hang() { if [ -n "${1:-}" ] && [ -e "$1" ]; then rm -f "$1"; sleep 60; fi; }',
      'if [ "$1" = install ]; then hang "${HANG_INSTALL:-}"; mkdir -p node_modules; fi',
      'if [ "$1" = run ]; then hang "${HANG_RUN:-}"; fi',
      'exit 0',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'npx'), `#!/bin/sh\n[ "$1" = create-iexec-module ] && shift\nexec node ${cliPath} "$@"\n`);
  await chmod(join(dir, 'npm'), 0o755);
  await chmod(join(dir, 'npx'), 0o755);
  return dir;
}
