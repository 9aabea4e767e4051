import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

/*
 * `npm run local` in a real, installed module says what the platform would do with a task: the
 * verdicts that a module's own tests cannot catch because they come from PoCo or the TEE post-compute.
 */
describe('npm run local on a module with args and callback', () => {
  let module: string;
  const local = (args: string[]) =>
    execa('npm', ['run', '--silent', 'local', '--', ...args], { cwd: module, reject: false, all: true, env: { NO_COLOR: '1' } });

  beforeAll(async () => {
    module = join(await tempDir(), 'callback-module');
    const created = await runCli([module, '--features', 'args,callback', '--no-git', '--no-validate'], { timeout: 300_000 });
    expect(created.exitCode, created.all ?? created.stderr).toBe(0);
  }, 300_000);

  it('fails a task that writes callback-data on a deal without a callback, with the reason PoCo would give', async () => {
    const run = await local(['--args=--callback Alice']);
    expect(run.exitCode, run.all).toBe(1);
    expect(run.all).toMatch(
      /FAIL: computed.json has callback-data but the deal has no callback contract: PoCo reverts finalize \(IexecPoco2Facet/,
    );
  });

  it('passes the same task as a callback deal, and requires callback-data there', async () => {
    const asked = await local(['--callback', '--args=--callback Alice']);
    expect(asked.exitCode, asked.all).toBe(0);
    expect(asked.all).toMatch(/✔ callback-data holds 32 bytes for the callback contract/);
    const notAsked = await local(['--callback', '--args', 'Alice']);
    expect(notAsked.exitCode, notAsked.all).toBe(1);
    expect(notAsked.all).toMatch(/FAIL: callback-data is null: in a deal with a callback/);
  });

  it('passes a task without a callback that did not ask for callback-data', async () => {
    const run = await local(['--args', 'Alice']);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toMatch(/PASS: a worker would complete this task/);
  });

  it('fails an app that writes a 16-character, 32-byte result file name, as the TEE post-compute counts bytes', async () => {
    const app = join(module, 'src/app.ts');
    const original = await readFile(app, 'utf8');
    // Past writeResultFile, which would refuse the name itself: straight into IEXEC_OUT.
    await writeFile(
      app,
      `import { writeFileSync } from 'node:fs';\nimport { join } from 'node:path';\n${original.replace(
        'void runApp(',
        "writeFileSync(join(process.env.IEXEC_OUT ?? '/iexec_out', 'é'.repeat(16)), 'x');\nvoid runApp(",
      )}`,
    );
    try {
      const run = await local(['--args', 'Alice']);
      expect(run.exitCode, run.all).toBe(1);
      expect(run.all).toMatch(
        /FAIL: result file names over 31 bytes of UTF-8 fail the TEE post-compute \(PostComputeTooLongResultFileName\): é{16}/,
      );
    } finally {
      await writeFile(app, original);
    }
  });
});
