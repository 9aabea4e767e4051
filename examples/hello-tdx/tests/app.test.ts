// Runs the real bundle (the file the image ships) the way a worker does: task args as argv,
// IEXEC_* in the environment, fresh IEXEC_IN / IEXEC_OUT folders.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESULT_NAME_LENGTH, readContext, writeResultFile } from '../src/iexec.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let work: string;
let bundle: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'iexec-app-test-'));
  bundle = join(work, 'app.cjs');
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), bundle], { cwd: root, stdio: 'inherit' });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;

function runTask(args: string[], outDir?: string) {
  const dir = join(work, `run-${++runs}`);
  const inDir = join(dir, 'iexec_in');
  const out = outDir ?? join(dir, 'iexec_out');
  mkdirSync(inDir, { recursive: true });
  if (!outDir) mkdirSync(out);
  // Only what a worker sets: the app must not depend on the developer's environment.
  const env = {
    IEXEC_IN: inDir,
    IEXEC_OUT: out,
    IEXEC_TASK_ID: '0x' + '1'.repeat(64),
    IEXEC_DEAL_ID: '0x' + '2'.repeat(64),
    IEXEC_TASK_INDEX: '0',
    IEXEC_BOT_SIZE: '1',
    IEXEC_BOT_FIRST_INDEX: '0',
    IEXEC_BOT_TASK_INDEX: '0',
    IEXEC_INPUT_FILES_FOLDER: inDir,
    IEXEC_INPUT_FILES_NUMBER: '0',
  };
  const proc = spawnSync(process.execPath, [bundle, ...args], { env, encoding: 'utf8' });
  return { status: proc.status, stderr: proc.stderr, out };
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Checks computed.json the way the worker does and returns the deterministic output's content. */
function deterministicOutput(out: string): unknown {
  const computed = readJson(join(out, 'computed.json')) as Record<string, unknown>;
  const path = computed['deterministic-output-path'];
  expect(path).toBe(join(out, 'result.json'));
  expect(existsSync(path as string)).toBe(true);
  return readJson(path as string);
}

describe('the built app, run like a worker', () => {
  it('greets the names given as args', () => {
    const run = runTask(['Alice', 'Bob']);
    expect(run.status).toBe(0);
    expect(deterministicOutput(run.out)).toEqual({ ok: true, result: { greeting: 'Hello, Alice and Bob!' } });
    expect(readFileSync(join(run.out, 'result.txt'), 'utf8')).toBe('Hello, Alice and Bob!\n');
  });

  it('greets the world without args', () => {
    const run = runTask([]);
    expect(run.status).toBe(0);
    expect(deterministicOutput(run.out)).toEqual({ ok: true, result: { greeting: 'Hello, world!' } });
  });

  it('records a compute error in the result and still exits 0 with computed.json', () => {
    const run = runTask(['Alice', '  ']);
    expect(run.status).toBe(0);
    expect(deterministicOutput(run.out)).toEqual({
      ok: false,
      error: expect.stringContaining('argument 2 is blank'),
    });
    expect(existsSync(join(run.out, 'result.txt'))).toBe(false);
    expect(run.stderr).toContain('compute failed');
  });

  it('fails loudly when IEXEC_OUT cannot be written', () => {
    const notADir = join(work, 'not-a-dir');
    writeFileSync(notADir, '');
    const run = runTask(['Alice'], notADir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cannot write the result into IEXEC_OUT');
  });
});

describe('src/iexec.ts', () => {
  it('defaults to the worker folders', () => {
    const ctx = readContext({}, ['node', 'app.cjs', 'a b']);
    expect(ctx).toMatchObject({ args: ['a b'], inDir: '/iexec_in', outDir: '/iexec_out', inputFilesNumber: 0 });
    expect(ctx.taskId).toBeUndefined();
  });

  it('refuses result file names the post-compute would reject', () => {
    const ctx = readContext({ IEXEC_OUT: work }, []);
    expect(() => writeResultFile(ctx, 'x'.repeat(MAX_RESULT_NAME_LENGTH + 1), '')).toThrow(/longer than 31/);
    expect(() => writeResultFile(ctx, '../escape.txt', '')).toThrow(/plain file name/);
    expect(() => writeResultFile(ctx, 'computed.json', '')).toThrow(/written by runApp/);
    expect(writeResultFile(ctx, 'x'.repeat(MAX_RESULT_NAME_LENGTH), 'ok')).toBe(join(work, 'x'.repeat(31)));
  });
});
