import { spawn } from 'node:child_process';

interface Exchange {
  /** Wait until the screen shows this… */
  expect: RegExp;
  /** …then type this. */
  send: string;
}

/**
 * Runs a command in a real pseudo-terminal (util-linux `script`), answering prompts as a person
 * would: it waits for each expected text before typing, since keys typed ahead would be lost.
 */
export function inTerminal(
  command: string,
  exchanges: Exchange[],
  options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {},
) {
  return new Promise<{ exitCode: number | null; screen: string }>((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      cwd: options.cwd,
      env: { ...process.env, CI: '', TERM: 'xterm', NO_COLOR: '1', npm_config_user_agent: '', ...options.env },
    });
    let screen = '';
    let next = 0;
    let seenUpTo = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`terminal session timed out waiting for ${exchanges[next]?.expect}; screen:\n${screen}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      while (next < exchanges.length && exchanges[next]!.expect.test(screen.slice(seenUpTo))) {
        seenUpTo = screen.length;
        child.stdin.write(exchanges[next++]!.send);
      }
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, screen });
    });
  });
}

export const KEY = { enter: '\r', down: '\x1b[B', backspace: '\x7f', ctrlC: '\x03' } as const;
