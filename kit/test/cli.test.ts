import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'borsh';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKit, kit, moduleDir } from './helpers.js';

// The commands as a module runs them: kit/dist/cli.js in its own process, from the module's root.
const { dir: module, bundle } = moduleDir();
beforeAll(() => {
  buildKit();
  mkdirSync(join(module, 'dist'));
  copyFileSync(bundle, join(module, 'dist/app.cjs'));
}, 60_000);
afterAll(() => rmSync(module, { recursive: true, force: true }));

const local = (argv: string[]) => kit(['local', ...argv], module);

describe.concurrent('iexec-module local', { timeout: 20_000 }, () => {
  it('shows its options, and how a module runs it', async () => {
    const help = await local(['--help']);
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: iexec-module local \[options\] .*npm run local -- \[options\]/);
    for (const option of [
      '--args',
      '--input-file',
      '--requester-secret',
      '--app-secret',
      '--protected-data',
      '--bulk',
      '--callback',
      '--flow',
      '--timeout',
      '--bundle',
      '-h, --help',
    ]) {
      expect(help.stdout).toContain(`\n  ${option} `);
    }
  });

  it('refuses what it does not know, with its usage', async () => {
    const [unknown, secret] = await Promise.all([local(['--nope']), local(['--requester-secret', 'no-key'])]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown option '--nope'[^]*\n\nUsage: iexec-module local/);
    expect(secret.status).toBe(1);
    expect(secret.stderr).toMatch(/^--requester-secret takes <key>=<value>, e.g. --requester-secret 1=my-value\n\nUsage:/);
  });

  it('runs dist/app.cjs of the current folder with every input, hides the secrets, and passes a task the worker would complete', async () => {
    const input = join(module, 'names.txt');
    writeFileSync(input, 'Carol');
    const data = join(module, 'alice.zip');
    expect(await kit(['mock-protected-data', data, '{"name": "Alice"}'], module)).toMatchObject({
      status: 0,
      stdout: `wrote ${data}: name\n`,
    });
    const run = await local([
      '--args=--callback print "Ada Lovelace"',
      '--callback',
      '--input-file',
      input,
      '--input-file',
      'names.txt',
      '--requester-secret',
      '1=requester-one',
      '--requester-secret',
      '2=a=b',
      '--app-secret',
      'app-developer',
      '--protected-data',
      data,
      '--bulk',
      data,
      '--bulk',
      'alice.zip',
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 3).sort()).toEqual(['--- app output ---', 'to stderr', 'to stdout']);
    expect(lines[3]).toBe('--- end of app output ---');
    expect(lines[4]).toMatch(
      /^Emulated a TEE task \(the pre-compute and post-compute enclaves of tee-worker-compute-rust, secrets from the SMS\); --flow standard for a standard one; the app got 300 s\.$/,
    );
    expect(lines[5]).toMatch(/^Task folders: \S+iexec_in \(IEXEC_IN\), \S+iexec_out \(IEXEC_OUT\)$/);
    expect(lines[6]).toBe('Environment, as the worker sets it:');
    expect(lines).toEqual(
      expect.arrayContaining([
        '  IEXEC_INPUT_FILES_NUMBER=2',
        '  IEXEC_REQUESTER_SECRET_1=<hidden>',
        '  IEXEC_REQUESTER_SECRET_2=<hidden>',
        '  IEXEC_APP_DEVELOPER_SECRET=<hidden>',
        '  IEXEC_APP_DEVELOPER_SECRET_1=<hidden>',
        '  IEXEC_BULK_SLICE_SIZE=2',
        'Args: ["--callback","print","Ada Lovelace"]',
        '--- post-compute checks ---',
        '✔ the app exited with status 0',
        '✔ no secret value in the app output (our lint)',
        '✔ no secret value in the result files (our lint)',
        '✔ callback-data holds 32 bytes for the callback contract',
      ]),
    );
    expect(run.stdout).not.toMatch(/requester-one|a=b|app-developer/);
    // Then what the requester downloads, and the app's result.json, where this app writes its environment.
    expect(run.stdout).toMatch(
      /\nPASS: a worker would complete this task. The result is in \S+iexec_out\n--- the result: IEXEC_OUT, what the requester downloads \(4 entries\) ---\n/,
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}result.json \(\d+ bytes\)$/),
        '  stdout.txt (10 bytes)',
        '  stderr.txt (10 bytes)',
      ]),
    );
    const result = JSON.parse(run.stdout.slice(run.stdout.indexOf('result.json: ') + 'result.json: '.length));
    expect(result.result.env).toMatchObject({
      IEXEC_REQUESTER_SECRET_2: `sha256:${createHash('sha256').update('a=b').digest('hex')}`,
      IEXEC_DATASET_FILENAME: result.result.env.IEXEC_DATASET_1_FILENAME,
    });
    // A relative path is resolved from the current folder: the two input files are one file:// URL, one name,
    // and the three protected data one address. IEXEC_IN holds two files.
    expect(Object.keys(result.result.inputs)).toHaveLength(2);
  });

  it('exits 1 on what fails the task, with the reason, after the checks that passed', async () => {
    const run = await local(['--args=--callback Alice']);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      '✔ every result file name has at most 31 bytes\n✖ computed.json has callback-data but the deal has no callback contract',
    );
    expect(run.stderr).toMatch(
      /^FAIL: computed.json has callback-data but the deal has no callback contract: PoCo reverts finalize \(IexecPoco2Facet/,
    );
  });

  it('marks what only warns, and passes the task', async () => {
    const [dropped, exited] = await Promise.all([local(['--args', `exit=2 'unbalanced`]), local(['--args', 'exit=2'])]);
    expect(dropped.status).toBe(0);
    expect(dropped.stdout).toContain('Args: []\n');
    expect(dropped.stdout).toMatch(/\n! unbalanced quotes in .* runs the app with no args\n✔ the app exited with status 0\n/);
    expect(exited.status).toBe(0);
    expect(exited.stdout).toMatch(/\n! the app exited with status 2: the worker logs APP_COMPUTE_FAILED.*\n[^]*\nPASS: /);
  });

  it('says what it cannot run the task with', async () => {
    const [elsewhere, bundled, input] = await Promise.all([
      kit(['local'], join(module, 'dist')),
      kit(['local', '--bundle', 'app.cjs'], join(module, 'dist')),
      local(['--input-file', 'gone.txt']),
    ]);
    expect(elsewhere).toEqual({
      status: 1,
      stdout: '',
      stderr: 'Cannot run the task: the app bundle dist/app.cjs is not a file: build the app first\n',
    });
    expect(bundled.status).toBe(0);
    expect(input).toEqual({
      status: 1,
      stdout: '',
      stderr: 'Cannot run the task: input file gone.txt is not a file (give an http(s) URL to rehearse a download that fails)\n',
    });
  });
});

describe.concurrent('iexec-module args', { timeout: 20_000 }, () => {
  it('prints each arg the worker gives the app, NUL-terminated', async () => {
    const runs = await Promise.all([`a 'b c'`, '--help', ''].map((text) => kit(['args', text])));
    expect(runs.map((run) => run.stdout)).toEqual(['a\0b c\0', '--help\0', '']);
    expect(runs.concat(await kit(['args']))).toEqual(Array(4).fill(expect.objectContaining({ status: 0, stderr: '' })));
  });

  it('prints nothing but one warning line when the worker drops the args, and still exits 0', async () => {
    const dropped = await kit(['args', `Alice "Bob`]);
    expect(dropped).toMatchObject({ status: 0, stdout: '' });
    expect(dropped.stderr).toMatch(/^warning: unbalanced quotes in .*Failed to translate string args to array.*no args\n$/);
  });

  it('takes one string only', async () => {
    expect(await kit(['args', 'Alice', 'Bob'])).toEqual({
      status: 2,
      stdout: '',
      stderr: `usage: iexec-module args '<iexec_args>' (one string, quoted: got 2)\n`,
    });
  });
});

describe.concurrent('iexec-module mock-protected-data', { timeout: 20_000 }, () => {
  it('writes the values of the JSON and of each --file into a protected data', async () => {
    const photo = join(module, 'photo.png');
    writeFileSync(photo, new Uint8Array([1, 2, 3]));
    const out = join(module, 'all.zip');
    const made = await kit(
      [
        'mock-protected-data',
        out,
        '{"name": "Bob", "nested": {"city": "Paris"}}',
        '--file',
        'photo=photo.png',
        '--file',
        'nested.photo=photo.png',
        '--file',
        'more.photo=photo.png',
      ],
      module,
    );
    expect(made).toEqual({ status: 0, stdout: `wrote ${out}: name, nested, photo, more\n`, stderr: '' });
    const zip = await JSZip.loadAsync(readFileSync(out));
    expect(deserialize('string', await zip.file('nested/city')!.async('uint8array'))).toBe('Paris');
    expect(await zip.file('more/photo')!.async('uint8array')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await kit(['mock-protected-data', join(module, 'empty.zip')])).toMatchObject({
      status: 0,
      stdout: `wrote ${join(module, 'empty.zip')}: no values\n`,
    });
  });

  it('shows its usage on --help, and with the reason on what it refuses', async () => {
    const help = await kit(['mock-protected-data', '--help']);
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: iexec-module mock-protected-data <out.zip> '<json object>' \[--file <key>=<path>\]\.\.\./);
    const refusals = [
      [['x.zip', '{}', 'extra'], 'expected an output file and at most one JSON object'],
      [['x.zip', '[1]'], '[1] is not a JSON object'],
      [['x.zip', '{}', '--file', 'photo'], '--file takes <key>=<path>, got photo'],
    ] as const;
    const runs = await Promise.all(refusals.map(([argv]) => kit(['mock-protected-data', ...argv], module)));
    for (const [i, refused] of runs.entries()) {
      expect(refused.status).toBe(1);
      expect(refused.stderr.split('\n')[0]).toMatch(refusals[i]![1]);
      expect(refused.stderr).toContain('\nUsage: iexec-module mock-protected-data');
    }
  });
});

describe('iexec-module post-compute', () => {
  it("judges a container's IEXEC_OUT with the paths the app saw, keeps its logs after a successful run, and fails callback-data without a callback deal", async () => {
    const out = join(module, 'container-out');
    mkdirSync(out);
    writeFileSync(join(out, 'result.json'), '{"ok":true}');
    writeFileSync(join(out, 'computed.json'), JSON.stringify({ 'deterministic-output-path': '/iexec_out/result.json' }));
    writeFileSync(join(module, 'app.stdout'), 'hello\n');
    const ok = await kit(['post-compute', out, '--iexec-out', '/iexec_out', '--stdout', join(module, 'app.stdout')], module);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /✔ deterministic-output-path result.json exists under IEXEC_OUT\n[^]*PASS: a worker would complete this task/,
    );
    expect(readFileSync(join(out, 'stdout.txt'), 'utf8')).toBe('hello\n');

    writeFileSync(
      join(out, 'computed.json'),
      JSON.stringify({ 'deterministic-output-path': '/iexec_out/result.json', 'callback-data': '0x01' }),
    );
    const noCallback = await kit(['post-compute', out, '--iexec-out', '/iexec_out', '--exit-code', '3'], module);
    expect(noCallback.status).toBe(1);
    expect(noCallback.stdout).toMatch(/! the app exited with status 3/);
    expect(noCallback.stderr).toMatch(/FAIL: computed.json has callback-data but the deal has no callback contract: PoCo reverts finalize/);
    const callback = await kit(['post-compute', out, '--iexec-out', '/iexec_out', '--callback'], module);
    expect(callback.status, callback.stderr).toBe(0);
  });
});
