import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKit, cliPath, runNode } from '../helpers.js';
import { installSdk } from './helpers.js';

/*
 * The wrapper with the real iexec CLIs, 8.24.0 and 9.0.1 (installed from npm into node_modules/.cache
 * on the first run, as the localnet suites do; `npm run test:localnet`): every path the user gives
 * lands where it would in their shell, not in the wrapper's temporary workspace. No chain is needed:
 * the commands here only write files.
 */
describe.each(['8.24.0', '9.0.1'])("iexec %s through the wrapper: paths from the user's folder", (version) => {
  let base: string;
  let root: string;

  /** `iexec-module iexec standard <args>` typed in `from` (npm's INIT_CWD), --raw answer parsed. */
  async function iexec(args: string[], from = root): Promise<{ status: number | null; json: any; stderr: string }> {
    const { status, stdout, stderr } = await runNode(cliPath, ['iexec', 'standard', ...args, '--raw'], root, {
      INIT_CWD: from,
      HOME: base,
    });
    const line = `${stdout}\n${stderr}`.split('\n').find((text) => text.startsWith('{"ok"'));
    return { status, json: line ? JSON.parse(line) : undefined, stderr };
  }
  const wallet = ['--keystoredir', '../wallets', '--password', 'pw'];

  beforeAll(() => {
    buildKit();
    const { bin } = installSdk(version);
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kit-paths-')));
    root = path.join(base, 'module');
    fs.mkdirSync(path.join(root, 'src'), { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), '{"name":"m","private":true}');
    fs.writeFileSync(path.join(root, 'chain.json'), '{"default":"bellecour","chains":{}}');
    fs.writeFileSync(path.join(root, 'iexec.json'), '{}');
    fs.mkdirSync(path.join(root, 'node_modules'));
    // The package folder above the CLI's bin (dist/esm/cli/cmd/iexec.js).
    fs.symlinkSync(path.resolve(bin, '../../../../..'), path.join(root, 'node_modules', 'iexec'));
  }, 300_000);
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('wallet create --keystoredir ../wallets writes the key beside the module; local is the folder typed in', async () => {
    const created = await iexec(['wallet', 'create', ...wallet]);
    expect(created.status, created.stderr).toBe(0);
    expect(path.dirname(created.json.fileName)).toBe(path.join(base, 'wallets'));
    expect(fs.readdirSync(path.join(base, 'wallets'))).toHaveLength(1);
    const local = await iexec(['wallet', 'create', '--keystoredir', 'local', '--password', 'pw'], path.join(root, 'src'));
    expect(local.status, local.stderr).toBe(0);
    expect(path.dirname(local.json.fileName)).toBe(path.join(root, 'src'));
  });

  it('dataset init --encrypted makes its three folders where the options say', async () => {
    const init = await iexec(
      [
        'dataset',
        'init',
        '--encrypted',
        '--dataset-keystoredir',
        '../dk',
        '--original-dataset-dir',
        '../orig',
        '--encrypted-dataset-dir',
        'enc',
        '--keystoredir',
        path.join(base, 'wallets'),
        '--password',
        'pw',
      ],
      path.join(root, 'src'),
    );
    expect(init.status, init.stderr).toBe(0);
    for (const folder of [path.join(root, 'dk'), path.join(root, 'orig'), path.join(root, 'src', 'enc')])
      expect(fs.statSync(folder).isDirectory()).toBe(true);
  });

  it('result generate-encryption-keypair and decrypt read and write from the folder typed in', async () => {
    const keys = await iexec(['result', 'generate-encryption-keypair', '--beneficiary-keystoredir', '../keys', ...wallet]);
    expect(keys.status, keys.stderr).toBe(0);
    expect(keys.json.secretPath).toBe(path.join(base, 'keys'));
    const decrypt = await iexec(['result', 'decrypt', '../missing.zip', '--beneficiary-keystoredir', '../keys', ...wallet]);
    expect(decrypt.status).toBe(1);
    expect(decrypt.json.error.message).toContain(path.join(base, 'missing.zip'));
  });
});
