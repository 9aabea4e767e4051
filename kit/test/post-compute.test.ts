import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256 } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import type { Flow } from '../src/worker/limits.js';
import { checkOutput, readResult } from '../src/worker/post-compute.js';
import type { Task } from '../src/worker/task.js';

const work = mkdtempSync(join(tmpdir(), 'kit-post-compute-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let outputs = 0;

/** A finished task whose IEXEC_OUT holds `files` (name to content). */
function finished(files: Record<string, string>, status: number | null = 0): Task {
  const outDir = join(work, `output-${++outputs}`);
  mkdirSync(outDir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(outDir, name, '..'), { recursive: true });
    writeFileSync(join(outDir, name), content);
  }
  return {
    inDir: work,
    outDir,
    env: {},
    argv: [],
    flow: 'tee',
    appRan: true,
    preComputeErrors: [],
    status,
    timedOut: false,
    timeoutMs: 300_000,
    stdout: '',
    stderr: '',
    logs: { stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0 },
    warnings: [],
    callback: false,
  };
}
const computed = (path: string) => JSON.stringify({ 'deterministic-output-path': path });
/** A finished task the worker would accept, with `extra` fields in computed.json. */
function accepted(extra: Record<string, unknown> = {}, status: number | null = 0): Task {
  const task = finished({ 'result.json': '{"ok":true,"result":1}' }, status);
  writeFileSync(
    join(task.outDir, 'computed.json'),
    JSON.stringify({ 'deterministic-output-path': join(task.outDir, 'result.json'), ...extra }),
  );
  return task;
}
/** A task whose deterministic output is `name`, made by `make` in IEXEC_OUT. */
function outputAt(name: string, make: (path: string) => void): Task {
  const task = finished({});
  make(join(task.outDir, name));
  writeFileSync(join(task.outDir, 'computed.json'), computed(join(task.outDir, name)));
  return task;
}
const both = (task: Task) => ({ tee: checkOutput(task, { flow: 'tee' }), standard: checkOutput(task, { flow: 'standard' }) });
const levels = (task: Task, flow: Flow) => checkOutput(task, { flow }).checks.map((c) => `${c.level} ${c.message}`);

describe('the post-compute checks', () => {
  it('passes a result the worker would accept, saying what it checked in each flow, and reads result.json', () => {
    const task = accepted();
    expect(checkOutput(task)).toEqual({ ok: true, checks: expect.any(Array) });
    expect(levels(task, 'tee')).toEqual([
      'pass the app exited with status 0',
      'pass computed.json is a JSON object',
      'pass deterministic-output-path result.json exists under IEXEC_OUT',
      'pass every result file name has at most 31 bytes',
      expect.stringMatching(/^pass the result holds \d+ bytes$/),
    ]);
    expect(levels(task, 'standard')).toEqual([
      'pass the app exited with status 0',
      'pass every result file name has at most 31 characters (the standard worker counts UTF-16 units)',
      'pass computed.json is a JSON object',
      'pass deterministic-output-path result.json exists under IEXEC_OUT',
      expect.stringMatching(/^pass the result holds \d+ bytes$/),
    ]);
    expect(readResult(task)).toEqual({ ok: true, result: 1 });
  });

  it("judges by the task's own flow unless told another", () => {
    const task = outputAt('empty.txt', (path) => writeFileSync(path, ''));
    expect(checkOutput(task).ok).toBe(false);
    expect(checkOutput({ ...task, flow: 'standard' }).ok).toBe(true);
    expect(checkOutput({ ...task, flow: 'standard' }, { flow: 'tee' }).ok).toBe(false);
  });

  it('only warns on a non-zero exit, a signal or a timeout: since 9.2.0 the worker still runs the post-compute', () => {
    const verdict = checkOutput(accepted({}, 2));
    expect(verdict.ok).toBe(true);
    expect(verdict.checks[0]).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/status 2: the worker logs APP_COMPUTE_FAILED.*still runs the post-compute/),
    });
    expect(checkOutput(accepted({}, null)).checks[0]).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/killed by a signal/),
    });
    const stopped = checkOutput({ ...accepted({}, null), timedOut: true, timeoutMs: 5_000 });
    expect(stopped.ok).toBe(true);
    expect(stopped.checks[0]).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(
        /ran past its 5 s and was stopped.*APP_COMPUTE_TIMEOUT.*still runs the post-compute on what IEXEC_OUT holds/,
      ),
    });
  });

  it('warns first when the worker dropped the args, then on what the emulation left out', () => {
    const verdict = checkOutput({ ...accepted(), argsWarning: 'unbalanced quotes in "\'a"', warnings: ['no secrets'] });
    expect(verdict.ok).toBe(true);
    expect(verdict.checks.slice(0, 2)).toEqual([
      { level: 'warn', message: 'unbalanced quotes in "\'a"' },
      { level: 'warn', message: 'no secrets' },
    ]);
  });

  it('fails callback-data on a deal without a callback, as PoCo reverts its finalize, unless it holds no byte', () => {
    const task = accepted({ 'callback-data': '0x01' });
    for (const verdict of Object.values(both(task)))
      expect(verdict.reason).toMatch(/callback-data but the deal has no callback contract: PoCo reverts finalize \(IexecPoco2Facet/);
    expect(checkOutput({ ...task, callback: true })).toMatchObject({ ok: true });
    expect(checkOutput({ ...task, callback: true }).checks.at(-1)?.message).toBe('callback-data holds 1 bytes for the callback contract');
    // PoCo: `deal.callback == address(0) && resultsCallback.length == 0`: "0x" is no byte at all.
    for (const empty of ['', null, '0x'])
      expect(both(accepted({ 'callback-data': empty }))).toMatchObject({ tee: { ok: true }, standard: { ok: true } });
    expect(both(accepted({ 'callback-data': 'ab' }))).toMatchObject({ tee: { ok: false }, standard: { ok: false } });
  });

  it('takes callback-data as both post-computes decode it: with or without 0x, an odd length, none at all', () => {
    for (const [data, bytes] of [
      ['0x', 0],
      ['abcd', 2],
      ['0xabc', 2],
      ['0x' + 'ab'.repeat(32), 32],
    ] as const) {
      for (const verdict of Object.values(both({ ...accepted({ 'callback-data': data }), callback: true }))) {
        expect(verdict.ok).toBe(true);
        expect(verdict.checks).toContainEqual({ level: 'pass', message: `callback-data holds ${bytes} bytes for the callback contract` });
      }
    }
  });

  it('fails a callback deal without callback-data, saying how to ask for it; not hex fails the TEE one only', () => {
    for (const verdict of Object.values(both({ ...accepted(), callback: true })))
      expect(verdict.reason).toMatch(/callback-data is null: in a deal with a callback .*--args "--callback …"/);
    expect(both({ ...accepted({ 'callback-data': '' }), callback: true })).toMatchObject({ tee: { ok: false }, standard: { ok: false } });
    const notHex = both({ ...accepted({ 'callback-data': '0xzz' }), callback: true });
    expect(notHex.tee.reason).toMatch(/callback-data is "0xzz", not hex: the TEE post-compute panics on it/);
    expect(notHex.standard.ok).toBe(true);
    expect(notHex.standard.checks).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/turns it into other bytes without a word/),
    });
  });

  it('reads computed.json as each reads it: Java takes a number as text, Rust wants a string', () => {
    const task = { ...accepted({ 'callback-data': 12 }), callback: true };
    expect(checkOutput(task, { flow: 'standard' })).toMatchObject({ ok: true });
    expect(checkOutput(task, { flow: 'tee' }).reason).toMatch(
      /computed.json's "callback-data" is 12, not a string: the TEE post-compute cannot read it \(POST_COMPUTE_COMPUTED_FILE_NOT_FOUND\)/,
    );
    expect(both(accepted({ 'deterministic-output-path': { a: 1 } }))).toMatchObject({ tee: { ok: false }, standard: { ok: false } });
  });

  it('contributes an app-written result-digest as it is in a standard task; the TEE post-compute ignores it', () => {
    const digest = `0x${'12'.repeat(32)}`;
    // Nothing to hash: the standard worker does not need it with a digest of the app's own.
    const unhashable = finished({ 'computed.json': JSON.stringify({ 'deterministic-output-path': '/nowhere', 'result-digest': digest }) });
    const verdicts = both(unhashable);
    expect(verdicts.standard.ok).toBe(true);
    expect(verdicts.standard.checks).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/contributes it as it is, without hashing the result \(iexec-worker ResultService.getComputedFile\)/),
    });
    expect(verdicts.tee.reason).toMatch(/\/nowhere is outside IEXEC_OUT/);
    expect(verdicts.tee.checks).toContainEqual({ level: 'warn', message: expect.stringMatching(/the TEE post-compute ignores it/) });
    expect(checkOutput(accepted({ 'result-digest': '0x1234' }), { flow: 'standard' }).reason).toMatch(
      /"0x1234".*cannot reveal: it is not 32 bytes of hex/,
    );
  });

  it('holds a standard callback deal to PoCo: an app-written result-digest must be keccak256 of callback-data', () => {
    const data = '0xabcd';
    const right = { ...accepted({ 'callback-data': data, 'result-digest': keccak256(data) }), callback: true };
    expect(checkOutput(right, { flow: 'standard' }).ok).toBe(true);
    const wrong = { ...accepted({ 'callback-data': data, 'result-digest': keccak256('0xabce') }), callback: true };
    expect(checkOutput(wrong, { flow: 'standard' }).reason).toMatch(/not keccak256 of its callback-data: PoCo's finalize requires that/);
  });

  it('only warns past the 50 MiB the iApp generator keeps results under, which is not a platform limit', () => {
    const task = accepted();
    writeFileSync(join(task.outDir, 'big.bin'), Buffer.alloc(50 * 1024 * 1024 + 1));
    const verdict = checkOutput(task);
    expect(verdict.ok).toBe(true);
    expect(verdict.checks.at(-1)).toMatchObject({ level: 'warn', message: expect.stringMatching(/iApp generator.*not the platform's/) });
  });

  it('fails an app that prints the value of a secret, or puts it in a result file (our lint)', () => {
    const task = accepted();
    expect(checkOutput({ ...task, secrets: ['hunter22'], stdout: 'token=hunter22\n' }).reason).toMatch(
      /printed the value of a secret \(our lint, not a worker check\).*stdout.txt/,
    );
    expect(checkOutput({ ...task, secrets: ['hunter22'], stderr: 'hunter22' }).ok).toBe(false);
    expect(checkOutput({ ...task, secrets: ['short'], stdout: 'short\n' }).ok).toBe(true);
    expect(checkOutput({ ...task, secrets: ['hunter22'] }).checks.map((c) => c.message)).toContain(
      'no secret value in the result files (our lint)',
    );
    expect(
      checkOutput(task)
        .checks.map((c) => c.message)
        .join('\n'),
    ).not.toContain('our lint');
    mkdirSync(join(task.outDir, 'deep'));
    writeFileSync(join(task.outDir, 'deep', 'copy.json'), '{"key":"hunter22"}');
    expect(checkOutput({ ...task, secrets: ['hunter22'] }).reason).toMatch(
      /the result file deep\/copy.json holds the value of a secret \(our lint, not a worker check\): the worker uploads IEXEC_OUT/,
    );
  });

  it('finds a secret in a log file past the first chunk it reads, across the chunk border', () => {
    const task = accepted();
    const log = join(task.outDir, '..', `stdout-${outputs}.log`);
    const secret = 'secret-across-the-border';
    const before = 1024 * 1024 - 10;
    writeFileSync(log, Buffer.concat([Buffer.alloc(before, 'a'), Buffer.from(secret), Buffer.alloc(100, 'b')]));
    const logs = { ...task.logs, stdout: log };
    expect(checkOutput({ ...task, logs, secrets: [secret] }).reason).toMatch(/printed the value of a secret/);
    expect(checkOutput({ ...task, logs, secrets: ['not-in-there'] }).ok).toBe(true);
  });

  it.each([
    ['no computed.json', () => finished({ 'result.json': '{}' }), /no computed.json in IEXEC_OUT/],
    ['a computed.json that is not JSON', () => finished({ 'computed.json': '{' }), /not valid JSON/],
    ['a computed.json that is no object', () => finished({ 'computed.json': '[]' }), /not a JSON object/],
    ['no deterministic-output-path', () => finished({ 'computed.json': '{}' }), /no "deterministic-output-path"/],
    ['a path outside IEXEC_OUT', () => finished({ 'computed.json': computed('/etc/hostname') }), /\/etc\/hostname is outside IEXEC_OUT/],
    [
      'a relative path',
      () => finished({ 'computed.json': computed('result.json'), 'result.json': '{}' }),
      /result.json is outside IEXEC_OUT/,
    ],
    ['a hard-coded /iexec_out path', () => finished({ 'computed.json': computed('/iexec_out/result.json') }), /do not write \/iexec_out/],
  ])('fails %s in both flows, saying why', (_label, task, reason) => {
    for (const verdict of Object.values(both(task()))) {
      expect(verdict.ok).toBe(false);
      expect(verdict.reason).toMatch(reason);
      expect(verdict.checks.at(-1)).toEqual({ level: 'fail', message: verdict.reason });
    }
  });

  it('names the causes: the TEE read of computed.json; the standard copy of a missing one, the read of a bad one', () => {
    expect(checkOutput(finished({}), { flow: 'tee' }).reason).toMatch(
      /no computed.json in IEXEC_OUT: the TEE post-compute cannot read it \(POST_COMPUTE_COMPUTED_FILE_NOT_FOUND\), so the task never completes/,
    );
    expect(checkOutput(finished({}), { flow: 'standard' }).reason).toMatch(
      /no computed.json in IEXEC_OUT: the worker cannot contribute, so the task never completes \(POST_COMPUTE_SEND_COMPUTED_FILE_FAILED, then DETERMINISM_HASH_NOT_FOUND\)/,
    );
    expect(checkOutput(finished({ 'computed.json': '{' }), { flow: 'standard' }).reason).toMatch(
      /\(POST_COMPUTE_COMPUTED_FILE_NOT_FOUND, then DETERMINISM_HASH_NOT_FOUND\)/,
    );
  });

  it('fails an empty output file or folder in a TEE task; the standard worker hashes it and warns', () => {
    for (const task of [outputAt('r.json', (path) => writeFileSync(path, '')), outputAt('empty', (path) => mkdirSync(path))]) {
      const verdicts = both(task);
      expect(verdicts.tee.reason).toMatch(
        /is an empty (file|folder): the TEE post-compute cannot compute a digest of nothing \(POST_COMPUTE_RESULT_DIGEST_COMPUTATION_FAILED\)/,
      );
      expect(verdicts.standard.ok).toBe(true);
      expect(verdicts.standard.checks).toContainEqual({
        level: 'warn',
        message: expect.stringMatching(/is an empty (file|folder): the standard worker hashes it all the same/),
      });
    }
  });

  it('passes a folder of empty sub-folders and files in both, warning that the TEE digest is of nothing', () => {
    const task = outputAt('hollow', (path) => {
      mkdirSync(join(path, 'a', 'b'), { recursive: true });
      writeFileSync(join(path, 'empty.txt'), '');
    });
    const verdicts = both(task);
    expect(verdicts.standard.ok).toBe(true);
    expect(verdicts.tee.ok).toBe(true);
    expect(verdicts.tee.checks).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/holds only folders or empty files.*keccak256 of nothing/),
    });
  });

  it('counts name lengths as each does: UTF-8 bytes of files in TEE, UTF-16 units of files and links in standard', () => {
    const withName = (name: string) => {
      const task = accepted();
      writeFileSync(join(task.outDir, name), '1');
      return task;
    };
    // 16 characters, 32 bytes: TEE only.
    const accented = both(withName('é'.repeat(16)));
    expect(accented.tee.reason).toMatch(/over 31 bytes of UTF-8 fail the TEE post-compute \(PostComputeTooLongResultFileName\): é{16}/);
    expect(accented.standard.ok).toBe(true);
    // 16 UTF-16 units... and 32 of them: both.
    expect(both(withName('😀'.repeat(8)))).toMatchObject({ tee: { ok: false }, standard: { ok: true } });
    const long = both(withName('😀'.repeat(16)));
    expect(long.standard.reason).toMatch(
      /over 31 characters \(UTF-16 units\) fail the standard worker's post-compute \(POST_COMPUTE_TOO_LONG_RESULT_FILE_NAME/,
    );
    expect(long.tee.ok).toBe(false);
    // A callback deal uploads nothing: the TEE post-compute does not check names there, the standard one does.
    const callback = { ...accepted({ 'callback-data': '0x01' }), callback: true };
    writeFileSync(join(callback.outDir, 'x'.repeat(32)), '1');
    expect(both(callback)).toMatchObject({ tee: { ok: true }, standard: { ok: false } });
  });

  it('warns on links, which the standard worker zips empty and the TEE post-compute leaves out; their names count in standard', () => {
    const task = accepted();
    symlinkSync('result.json', join(task.outDir, 'link.json'));
    const verdicts = both(task);
    expect(verdicts.standard.checks).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(
        /link.json is a symbolic link: the standard worker zips it as an empty entry \(iexec-common FileHelper.zipFolder\)/,
      ),
    });
    expect(verdicts.tee.checks).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/link.json is a symbolic link: the TEE post-compute leaves it out of the result zip/),
    });
    symlinkSync('result.json', join(task.outDir, 'l'.repeat(32)));
    expect(both(task)).toMatchObject({ tee: { ok: true }, standard: { ok: false } });
  });

  it('takes a folder as the output, and checks file names only: the post-compute does not look at folder names', () => {
    const task = finished({ [`${'d'.repeat(40)}/r.json`]: '{}' });
    writeFileSync(join(task.outDir, 'computed.json'), computed(join(task.outDir, 'd'.repeat(40))));
    expect(both(task)).toMatchObject({ tee: { ok: true }, standard: { ok: true } });
    writeFileSync(join(task.outDir, 'computed.json'), computed(task.outDir));
    expect(checkOutput(task).checks).toContainEqual({ level: 'pass', message: 'deterministic-output-path . exists under IEXEC_OUT' });
  });

  it("judges the worker's own error result, whose path is the container's /iexec_out", () => {
    const task = {
      ...finished({ 'error.txt': '[IEXEC] Errors', 'computed.json': computed('/iexec_out/error.txt') }),
      appRan: false,
      status: null,
    };
    expect(both(task)).toMatchObject({ tee: { ok: true }, standard: { ok: true } });
    expect(checkOutput({ ...task, callback: true }).reason).toMatch(/the worker's error result has no callback-data/);
  });
});
