import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { generate, render, runLikeWorker } from '../helpers/module.js';
import { insertLine, quietLine, SCONE, TDX } from '../helpers/upgrade.js';

/*
 * The real thing: a SCONE module its owner edited, upgraded to TDX on Arbitrum with the install and
 * the validation on (one npm install: the SDK moves from 8 to 9), must build, pass its own tests and
 * run like a worker with the owner's code in it.
 */
it('a module upgraded without conflicts installs, builds, passes its tests and keeps the owner code', { timeout: 600_000 }, async () => {
  const dir = join(await tempDir(), 'm');
  await generate(dir, ['--name', 'm', ...SCONE]);
  const marker = 'owner code survived the upgrade';
  await writeFile(join(dir, 'src/app.ts'), `${await readFile(join(dir, 'src/app.ts'), 'utf8')}console.error(${JSON.stringify(marker)});\n`);
  const scone = await render({ name: 'm', tee: 'scone', chain: 'bellecour' });
  const tdx = await render({ name: 'm', tee: 'tdx', chain: 'arbitrum-sepolia-testnet' });
  const quiet = quietLine(scone['README.md']!, tdx['README.md']!);
  expect(quiet, 'README.md has no line clear of the TEE change').toBeDefined();
  await writeFile(join(dir, 'README.md'), insertLine(await readFile(join(dir, 'README.md'), 'utf8'), quiet!, 'Owner notes.'));
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  pkg.scripts['owner:hello'] = 'node -e "console.log(42)"';
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

  const upgraded = await runCli(['upgrade', dir, ...TDX], { timeout: 600_000 });
  expect(upgraded.exitCode, `${upgraded.stdout}\n${upgraded.stderr}`).toBe(0);
  expect(upgraded.stdout).toMatch(/✔ npm install/);
  expect(upgraded.stdout).toMatch(/✔ type-check and build/);
  expect(upgraded.stdout).toMatch(/✔ module tests/);
  expect(upgraded.stdout).toMatch(/^ {2}merge +README\.md /m);
  expect(upgraded.stdout).toMatch(/^ {2}merge +package\.json /m);
  const installed = JSON.parse(await readFile(join(dir, 'node_modules/iexec/package.json'), 'utf8'));
  expect(installed.version).toMatch(/^9\./);
  expect((await execa('npm', ['run', '--silent', 'owner:hello'], { cwd: dir })).stdout).toBe('42');

  const task = await runLikeWorker(dir, ['Alice']);
  expect(task.exitCode, task.stderr).toBe(0);
  expect(task.stderr).toContain(marker);
  expect(task.result).toEqual({ ok: true, result: { greeting: 'Hello, Alice!' } });
});
