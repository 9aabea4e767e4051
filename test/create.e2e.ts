import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EVIL_DESCRIPTION, runCli, tempDir } from './helpers/cli.js';
import { runLikeWorker } from './helpers/module.js';

/*
 * The real thing, as the acceptance asks: create with install, let the CLI type-check, build and run
 * the module's own tests, then run the bundle it built the way a worker would, and the module's own
 * worker emulation (`npm run local`) with its post-compute checks.
 */
const CASES = [
  { label: 'the defaults (TDX, Arbitrum Sepolia), with a hostile description', args: ['--yes', '--description', EVIL_DESCRIPTION] },
  { label: 'SCONE on bellecour', args: ['--tee', 'scone', '--chain', 'bellecour'] },
  { label: 'TDX on Arbitrum mainnet', args: ['--tee', 'tdx', '--chain', 'arbitrum-mainnet'] },
];

describe.each(CASES)('a module from $label', ({ args }) => {
  it('installs, builds and passes its own tests, then runs like a worker', { timeout: 600_000 }, async () => {
    const target = join(await tempDir(), 'm');
    const result = await runCli([target, ...args, '--no-git'], { timeout: 600_000 });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/✔ npm install/);
    expect(result.stdout).toMatch(/✔ type-check and build/);
    expect(result.stdout).toMatch(/✔ module tests/);

    const task = await runLikeWorker(target, ['Alice', 'Bob']);
    expect(task.exitCode, task.stderr).toBe(0);
    expect(task.result).toEqual({ ok: true, result: { greeting: 'Hello, Alice and Bob!' } });
    const resultPath = String(task.computed['deterministic-output-path']);
    expect(resultPath.startsWith(task.out)).toBe(true);
    expect(existsSync(resultPath)).toBe(true);

    // The post-compute checks a worker makes, through the module's own emulation of it.
    const local = await execa('npm', ['run', 'local', '--', '--args', 'Alice Bob'], {
      cwd: target,
      all: true,
      reject: false,
      env: { NO_COLOR: '1' },
    });
    expect(local.exitCode, local.all).toBe(0);
    expect(local.all).toMatch(/PASS: a worker would complete this task/);
    expect(local.all).toContain('"greeting": "Hello, Alice and Bob!"');
  });
});

it('validate reports a broken module, keeps it, and says how to retry', { timeout: 600_000 }, async () => {
  const target = join(await tempDir(), 'broken');
  const created = await runCli([target, '--yes', '--no-git', '--no-validate'], { timeout: 600_000 });
  expect(created.exitCode, created.stderr).toBe(0);
  await writeFile(
    join(target, 'src/app.ts'),
    `${await readFile(join(target, 'src/app.ts'), 'utf8')}\nconst broken: number = 'not a number';\n`,
  );
  const { exitCode, stderr } = await runCli(['validate', target]);
  expect(exitCode).toBe(1);
  expect(stderr).toMatch(/✖ type-check and build failed/);
  expect(stderr).toMatch(/TS2322/);
  expect(stderr).toMatch(/retry with:\n\s+npx create-iexec-module validate/);
  expect(existsSync(join(target, 'src/app.ts'))).toBe(true);
});
