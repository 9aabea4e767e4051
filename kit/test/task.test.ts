import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutput, datasetAddress, inputFileName, mockProtectedData, readResult, runTask, taskRunner, type Task } from '../src/index.js';
import { alive, moduleDir, type Reported } from './helpers.js';

const { dir: work, bundle } = moduleDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const reported = (task: Task) => (readResult(task) as Reported).result;
function file(name: string, content: string | Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}
const run = taskRunner({ bundle, workDir: work });

describe('runTask: the task as the worker sets it up', () => {
  it('gives a task without inputs only the variables the worker sets, in fresh folders of its own', async () => {
    const { task, verdict } = await run();
    expect(task.env).toEqual({
      IEXEC_IN: task.inDir,
      IEXEC_OUT: task.outDir,
      IEXEC_TASK_ID: `0x${'0'.repeat(63)}1`,
      IEXEC_DEAL_ID: `0x${'0'.repeat(63)}2`,
      IEXEC_TASK_INDEX: '0',
      IEXEC_BOT_SIZE: '1',
      IEXEC_BOT_FIRST_INDEX: '0',
      IEXEC_BOT_TASK_INDEX: '0',
      IEXEC_INPUT_FILES_NUMBER: '0',
      IEXEC_DATASET_ADDRESS: `0x${'0'.repeat(40)}`,
      IEXEC_DATASET_FILENAME: `0x${'0'.repeat(40)}`,
    });
    expect(reported(task).env).toEqual(task.env);
    expect(dirname(dirname(task.outDir))).toBe(work);
    expect(task).toMatchObject({ argv: [], status: 0, secrets: [], callback: false, argsWarning: undefined });
    expect(verdict.checks.filter((c) => c.level !== 'pass')).toEqual([]);
    const second = await run();
    expect(second.task.inDir).not.toBe(task.inDir);
  });

  it('splits the args as the worker does, and runs the app with none on unbalanced quotes, saying so', async () => {
    const { task } = await run({ args: `Alice "Ada Lovelace" 'Grace Hopper'` });
    expect(task.argv).toEqual(['Alice', 'Ada Lovelace', 'Grace Hopper']);
    expect(reported(task).args).toEqual(task.argv);
    const { task: dropped, verdict } = await run({ args: `Alice 'Bob` });
    expect(dropped.argv).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.checks[0]).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/unbalanced quotes.*runs the app with no args/),
    });
  });

  it('puts what the app printed into the result, as the worker saves stdout.txt and stderr.txt, after a successful run only', async () => {
    const ok = await runTask({ bundle, args: 'print', workDir: work });
    expect(readFileSync(join(ok.outDir, 'stdout.txt'), 'utf8')).toBe('to stdout\n');
    expect(readFileSync(join(ok.outDir, 'stderr.txt'), 'utf8')).toBe('to stderr\n');
    expect(ok).toMatchObject({ stdout: 'to stdout\n', stderr: 'to stderr\n' });
    const quiet = await runTask({ bundle, workDir: work });
    expect(readdirSync(quiet.outDir).sort()).toEqual(['computed.json', 'result.json']);
    const failed = await runTask({ bundle, args: 'print exit=3', workDir: work });
    expect(failed.status).toBe(3);
    expect(existsSync(join(failed.outDir, 'stdout.txt'))).toBe(false);
    expect(existsSync(join(failed.outDir, 'stderr.txt'))).toBe(false);
  });

  it('refuses a bundle that is not there, rather than a task that fails for no visible reason', async () => {
    await expect(runTask({ bundle: join(work, 'nope.cjs'), workDir: work })).rejects.toThrow(
      /the app bundle .*nope.cjs is not a file: build the app first/,
    );
  });
});

describe('runTask: input files', () => {
  let server: Server;
  let base: string;
  /** URLs asked for, in order. */
  const asked: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      asked.push(request.url ?? '');
      if (request.url === '/names.txt') response.end('Frank');
      // Accepts and never answers, as the issue's hostile server.
      else if (request.url === '/hang') response.flushHeaders();
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('names each file in IEXEC_IN as the worker names a download: the SHA-256 of its URL, a path standing for its file:// URL', async () => {
    const first = file('first.txt', 'Carol\nDave');
    const { task, verdict } = await run({ inputFiles: [first, `${base}/names.txt`] });
    expect(verdict.ok).toBe(true);
    const names = [`0x${sha256(pathToFileURL(first).href)}`, `0x${sha256(`${base}/names.txt`)}`];
    expect(names).toEqual([inputFileName(pathToFileURL(first).href), inputFileName(`${base}/names.txt`)]);
    expect(task.env).toMatchObject({
      IEXEC_INPUT_FILES_FOLDER: task.inDir,
      IEXEC_INPUT_FILES_NUMBER: '2',
      IEXEC_INPUT_FILE_NAME_1: names[0],
      IEXEC_INPUT_FILE_NAME_2: names[1],
    });
    expect(reported(task).inputs).toEqual({ [names[0]!]: sha256('Carol\nDave'), [names[1]!]: sha256('Frank') });
  });

  it('TEE: logs each download the pre-compute cannot make, with its URL and why, and runs the app without the file', async () => {
    const started = Date.now();
    const { task, verdict } = await run({ inputFiles: [`${base}/hang`, `${base}/gone.txt`, `${base}/names.txt`], downloadTimeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(task.preComputeErrors).toEqual([
      {
        cause: 'PRE_COMPUTE_INPUT_FILE_DOWNLOAD_FAILED',
        message: `Input file download failed for input ${base}/hang: no complete answer within 0.5 s`,
      },
      {
        cause: 'PRE_COMPUTE_INPUT_FILE_DOWNLOAD_FAILED',
        message: `Input file download failed for input ${base}/gone.txt: HTTP 404 Not Found`,
      },
    ]);
    expect(task.appRan).toBe(true);
    // The environment still names all three; only the one downloaded is there.
    expect(task.env.IEXEC_INPUT_FILES_NUMBER).toBe('3');
    expect(Object.keys(reported(task).inputs)).toEqual([inputFileName(`${base}/names.txt`)]);
    expect(readdirSync(task.inDir)).toEqual([inputFileName(`${base}/names.txt`)]);
    expect(verdict.ok).toBe(true);
    expect(verdict.checks.filter((c) => c.level === 'warn').map((c) => c.message)).toEqual([
      expect.stringMatching(
        /hang: no complete answer within 0.5 s \(PRE_COMPUTE_INPUT_FILE_DOWNLOAD_FAILED\): the worker logs it and runs the app all the same/,
      ),
      expect.stringMatching(/gone.txt: HTTP 404 Not Found/),
    ]);
  });

  it('standard: stops at the first failed download, writes error.txt as the worker does, and does not run the app', async () => {
    asked.length = 0;
    const { task, verdict } = await run({ flow: 'standard', inputFiles: [`${base}/gone.txt`, `${base}/names.txt`] });
    expect(asked).toEqual(['/gone.txt']);
    expect(task).toMatchObject({
      appRan: false,
      status: null,
      preComputeErrors: [
        { cause: 'INPUT_FILES_DOWNLOAD_FAILED', message: `cannot download input file ${base}/gone.txt: HTTP 404 Not Found` },
      ],
    });
    expect(readdirSync(task.outDir).sort()).toEqual(['computed.json', 'error.txt']);
    expect(readFileSync(join(task.outDir, 'error.txt'), 'utf8')).toBe(
      '[IEXEC] Errors occurred while computing the task [error:DATA_DOWNLOAD_FAILED, causes:[WorkflowError[cause=INPUT_FILES_DOWNLOAD_FAILED, message=]]]',
    );
    expect(JSON.parse(readFileSync(join(task.outDir, 'computed.json'), 'utf8'))).toEqual({
      'deterministic-output-path': '/iexec_out/error.txt',
      'callback-data': null,
      'task-id': null,
      'result-digest': null,
      'enclave-signature': null,
      'error-message': null,
    });
    // The task completes, with error.txt as its result.
    expect(verdict.ok).toBe(true);
    expect(verdict.checks).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/the worker did not run the app, it wrote error.txt/),
    });
    const hung = await run({ flow: 'standard', inputFiles: [`${base}/hang`], downloadTimeoutMs: 500 });
    expect(hung.task.preComputeErrors[0]?.message).toBe(
      `cannot download input file ${base}/hang: no complete answer within 0.5 s (the kit gives up there; a standard worker sets no timeout and waits until the task's deadlines)`,
    );
  });

  it('names the cause of a connection that fails, and refuses what is no URL when local paths are off, as a worker does', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const refused = await run({ inputFiles: [`http://127.0.0.1:${closed}/x`, '/etc/hostname'], localInputFiles: false });
    expect(refused.task.preComputeErrors.map((e) => e.message)).toEqual([
      `Input file download failed for input http://127.0.0.1:${closed}/x: connect ECONNREFUSED 127.0.0.1:${closed}`,
      'Input file download failed for input /etc/hostname: not an http(s) URL',
    ]);
  });

  it("refuses a local input that is not a file: the user's mistake, not a download", async () => {
    await expect(run({ inputFiles: [join(work, 'gone.txt')] })).rejects.toThrow(
      /input file .*gone.txt is not a file \(give an http\(s\) URL to rehearse a download that fails\)/,
    );
    await expect(run({ inputFiles: [work] })).rejects.toThrow(/is not a file/);
  });
});

describe('runTask: pre-compute errors given by the caller (a dataset the chain could not get)', () => {
  it('standard: no app run after a dataset error, error.txt names it, and no input file is downloaded', async () => {
    const { task } = await run({
      flow: 'standard',
      preComputeErrors: [{ cause: 'DATASET_FILE_BAD_CHECKSUM', message: 'the dataset has sha256 0x12' }],
      inputFiles: ['http://127.0.0.1:9/never'],
      localInputFiles: false,
    });
    expect(task.appRan).toBe(false);
    expect(task.preComputeErrors).toHaveLength(1);
    expect(readFileSync(join(task.outDir, 'error.txt'), 'utf8')).toContain(
      '[error:DATA_DOWNLOAD_FAILED, causes:[WorkflowError[cause=DATASET_FILE_BAD_CHECKSUM, message=]]]',
    );
  });

  it('TEE: the app runs after a dataset error, not after an app image that cannot be pulled', async () => {
    const dataset = await run({
      preComputeErrors: [{ cause: 'PRE_COMPUTE_DATASET_DECRYPTION_FAILED', message: 'Failed to decrypt dataset 0xab' }],
    });
    expect(dataset.task.appRan).toBe(true);
    expect(dataset.verdict.ok).toBe(true);
    const image = await run({ preComputeErrors: [{ cause: 'APP_IMAGE_DOWNLOAD_FAILED', message: 'cannot pull app:1' }] });
    expect(image.task.appRan).toBe(false);
    expect(readFileSync(join(image.task.outDir, 'error.txt'), 'utf8')).toContain(
      '[error:APP_DOWNLOAD_FAILED, causes:[WorkflowError[cause=APP_IMAGE_DOWNLOAD_FAILED, message=]]]',
    );
  });
});

describe('runTask: the worker limits', () => {
  it('stops an app at its time limit with everything it started, then runs the post-compute on what it wrote', async () => {
    const started = Date.now();
    const { task, verdict } = await run({ args: 'child hang', timeoutMs: 1_500 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(task).toMatchObject({ timedOut: true, status: null, appRan: true, timeoutMs: 1_500 });
    const child = Number(readFileSync(join(task.outDir, 'child.pid'), 'utf8'));
    await expect.poll(() => alive(child), { timeout: 2_000 }).toBe(false);
    expect(verdict.ok).toBe(true);
    expect(verdict.checks[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/ran past its 1.5 s and was stopped/) });
    expect(existsSync(join(task.outDir, 'stdout.txt'))).toBe(false);
  });

  it('keeps an output of several MiB whole in stdout.txt, and its last 100,000 characters for the logs', async () => {
    const { task, verdict } = await run({ args: 'flood=3000000' });
    expect(verdict.ok).toBe(true);
    expect(statSync(join(task.outDir, 'stdout.txt')).size).toBe(3_000_000);
    expect(task.logs).toMatchObject({ stdout: join(task.outDir, 'stdout.txt'), stdoutBytes: 3_000_000 });
    expect(task.stdout).toBe('x'.repeat(100_000));
  });

  it('standard: gives the app no secret, saying so', async () => {
    const { task, verdict } = await run({ flow: 'standard', appSecret: 'app-developer', requesterSecrets: { 1: 'requester-one' } });
    expect(Object.keys(task.env).filter((name) => name.includes('SECRET'))).toEqual([]);
    expect(task.secrets).toEqual([]);
    expect(verdict.checks[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/a standard task has no SMS session/) });
  });
});

describe('runTask: secrets', () => {
  it('sets each requester secret and the app secret under the worker names, and fails an app that prints one', async () => {
    const inputs = { requesterSecrets: { 1: 'requester-one', 3: 'requester-three' }, appSecret: 'app-developer' };
    const { task, verdict } = await run(inputs);
    expect(task.env).toMatchObject({
      IEXEC_REQUESTER_SECRET_1: 'requester-one',
      IEXEC_REQUESTER_SECRET_3: 'requester-three',
      IEXEC_APP_DEVELOPER_SECRET: 'app-developer',
      IEXEC_APP_DEVELOPER_SECRET_1: 'app-developer',
    });
    expect(task.secrets).toEqual(['requester-one', 'requester-three', 'app-developer']);
    expect(verdict.checks.map((c) => c.message)).toEqual(
      expect.arrayContaining(['no secret value in the app output (our lint)', 'no secret value in the result files (our lint)']),
    );
    const leaked = await run({ ...inputs, args: 'leak' });
    expect(leaked.verdict.reason).toMatch(/printed the value of a secret/);
    const kept = await run({ ...inputs, args: 'keep-secrets' });
    expect(kept.verdict.reason).toMatch(/the result file result.json holds the value of a secret \(our lint, not a worker check\)/);
  });

  it('refuses a requester secret key that is not a positive integer', async () => {
    for (const key of ['0', 'a', '01']) {
      await expect(run({ requesterSecrets: { [key]: 'x' } })).rejects.toThrow(
        `requester secret key "${key}" must be a positive integer, as in --secret 1=<name>`,
      );
    }
  });
});

describe('runTask: protected data', () => {
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    alice = file('alice.zip', await mockProtectedData({ name: 'Alice' }));
    bob = file('bob.zip', await mockProtectedData({ name: 'Bob' }));
  });

  it('puts the protected data in IEXEC_IN under its address, as the worker decrypts it', async () => {
    const { task } = await run({ protectedData: alice });
    const address = datasetAddress(alice);
    expect(address).toMatch(/^0x[0-9a-f]{40}$/);
    expect(task.env).toMatchObject({ IEXEC_DATASET_ADDRESS: address, IEXEC_DATASET_FILENAME: address });
    expect(task.env).not.toHaveProperty('IEXEC_BULK_SLICE_SIZE');
    expect(reported(task).inputs).toEqual({ [address]: sha256(readFileSync(alice)) });
  });

  it('puts each protected data of a bulk slice next to the others, numbered from 1', async () => {
    const { task } = await run({ bulk: [alice, bob] });
    expect(task.env).toMatchObject({
      IEXEC_BULK_SLICE_SIZE: '2',
      IEXEC_DATASET_1_FILENAME: datasetAddress(alice),
      IEXEC_DATASET_2_FILENAME: datasetAddress(bob),
      IEXEC_DATASET_FILENAME: `0x${'0'.repeat(40)}`,
    });
    expect(Object.keys(reported(task).inputs).sort()).toEqual([datasetAddress(alice), datasetAddress(bob)].sort());
  });

  it('refuses a protected data that is not a file', async () => {
    await expect(run({ protectedData: join(work, 'gone.zip') })).rejects.toThrow(/protected data .*gone.zip is not a file/);
    await expect(run({ bulk: [alice, work] })).rejects.toThrow(/protected data .* is not a file/);
  });
});

describe('runTask: callback', () => {
  it('runs as a callback deal when asked, which then needs callback-data', async () => {
    const asked = await run({ callback: true, args: '--callback' });
    expect(asked.task.callback).toBe(true);
    expect(asked.verdict.checks.filter((c) => c.level !== 'pass')).toEqual([]);
    expect((await run({ callback: true })).verdict.reason).toMatch(/callback-data is null: in a deal with a callback/);
    expect((await run({ args: '--callback' })).verdict.reason).toMatch(/callback-data but the deal has no callback contract/);
  });
});

describe('taskRunner', () => {
  it('runs every task with its defaults unless a call overrides them, undefined leaving one out', async () => {
    const withSecret = taskRunner({ bundle, workDir: work, defaults: { appSecret: 'app-developer', args: 'a' } });
    const { task, verdict, result } = await withSecret({ args: 'b' });
    expect(task.env.IEXEC_APP_DEVELOPER_SECRET_1).toBe('app-developer');
    expect(task.argv).toEqual(['b']);
    expect(verdict).toEqual(checkOutput(task));
    expect(result()).toEqual(readResult(task));
    const without = await withSecret({ appSecret: undefined });
    expect(without.task.env).not.toHaveProperty('IEXEC_APP_DEVELOPER_SECRET_1');
    expect(without.task.argv).toEqual(['a']);
  });

  it('makes the task folders in a temporary folder without a workDir', async () => {
    const { task } = await taskRunner({ bundle })();
    try {
      expect(dirname(dirname(task.outDir))).not.toBe(work);
      expect(existsSync(task.outDir)).toBe(true);
    } finally {
      rmSync(dirname(task.outDir), { recursive: true, force: true });
    }
  });
});
