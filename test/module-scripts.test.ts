import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAnswers } from '../src/answers.js';
import { templateContext } from '../src/context.js';
import { renderModule } from '../src/render.js';
import { repoRoot, tempDir } from './helpers/cli.js';

/*
 * The module's shell scripts (tests/run.sh, sconify.sh, publish.sh) run for real against a stub
 * `docker` on PATH: what they decide before and around the container engine, in milliseconds. The
 * engine itself (podman, a registry) is test/toolchain's job.
 *
 * The stub logs every call, answers what the scripts ask (image inspect, push digest, SCONE_HASH=1)
 * and, for the app's `run`, records the args and -e environment the container would get, then runs
 * the test's own stand-in app (a bash snippet) with IEXEC_OUT pointing at the mounted folder.
 */
const STUB = String.raw`#!/usr/bin/env node
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.STUB_LOG, JSON.stringify(args) + '\n');
const [command, ...rest] = args;
const last = rest[rest.length - 1] ?? '';
if (command === 'info') process.exit(0);
if (command === 'version') {
  console.log('amd64');
  process.exit(0);
}
if (command === 'image' && rest[0] === 'inspect') {
  if (last.includes('never-built')) process.exit(1);
  if (rest.some((a) => a.includes('Entrypoint'))) console.log(JSON.stringify(['/usr/local/bin/node', '--disable-wasm-trap-handler', '/app/app.cjs']));
  process.exit(0);
}
if (command === 'push') {
  if (rest[0] === '--help') process.exit(0);
  console.log(last + ': digest: sha256:' + 'ab'.repeat(32) + ' size: 1234');
  process.exit(0);
}
if (command !== 'run') process.exit(1);
const env = {};
const mounts = [];
let i = 0;
for (; i < rest.length; i += 1) {
  const arg = rest[i];
  if (arg === '--rm') continue;
  if (arg === '-e') env[rest[++i].split('=')[0]] = rest[i].slice(rest[i].indexOf('=') + 1);
  else if (arg === '-v') mounts.push(rest[++i]);
  else if (arg === '--platform' || arg === '--entrypoint') i += 1;
  else break;
}
const [image, ...argv] = rest.slice(i);
if (env.SCONE_HASH === '1') {
  console.log('cd'.repeat(32));
  process.exit(0);
}
fs.writeFileSync(process.env.STUB_RUN, JSON.stringify({ image, argv, env }));
const out = mounts.find((m) => m.split(':')[1] === '/iexec_out').split(':')[0];
const app = spawnSync('bash', ['-c', process.env.STUB_APP, 'app', ...argv], {
  env: { ...process.env, ...env, IEXEC_OUT: out },
  stdio: 'inherit',
});
process.exit(app.status ?? 1);
`;

/** Writes a valid result: computed.json pointing at result.txt. */
const WRITES_RESULT = `echo hello > "$IEXEC_OUT/result.txt"
echo '{"deterministic-output-path":"/iexec_out/result.txt"}' > "$IEXEC_OUT/computed.json"`;

let bin: string;
let root: string;

beforeAll(async () => {
  root = await tempDir('cim-scripts-');
  bin = join(root, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'docker'), STUB);
  await chmod(join(bin, 'docker'), 0o755);
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function render(name: string, given: Record<string, unknown>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  const answers = await resolveAnswers({ name, dockerNamespace: 'alice', ...given }, { directory: dir });
  await renderModule(templateContext(answers, '0.0.0-test'), dir);
  // The kit as an install lays it out: the package, and its bin where the scripts look for it.
  await mkdir(join(dir, 'node_modules/.bin'), { recursive: true });
  await symlink(join(repoRoot, 'kit'), join(dir, 'node_modules/iexec-module-kit'));
  await symlink(join(repoRoot, 'kit/dist/cli.js'), join(dir, 'node_modules/.bin/iexec-module'));
  return dir;
}

/** Runs a module script with the stub as the only `docker`, and what it saw. */
async function script(dir: string, args: string[], app = WRITES_RESULT) {
  const log = join(dir, 'stub.log');
  const run = join(dir, 'stub-run.json');
  await rm(log, { force: true });
  await rm(run, { force: true });
  const result = await execa('bash', args, {
    cwd: dir,
    reject: false,
    stdin: 'ignore',
    extendEnv: false,
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: root, STUB_LOG: log, STUB_RUN: run, STUB_APP: app },
  });
  const calls: string[][] = existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];
  const container = existsSync(run)
    ? (JSON.parse(readFileSync(run, 'utf8')) as { argv: string[]; env: Record<string, string> })
    : undefined;
  return { ...result, calls, container };
}

describe('tests/run.sh', () => {
  let dir: string;
  let out: string;
  beforeAll(async () => {
    dir = await render('run-probe', { tee: 'tdx' });
    out = join(dir, 'tests/iexec_out');
  });

  it('takes the task args as one string and shows how to quote more than one', async () => {
    const result = await script(dir, ['tests/run.sh', 'Alice', 'Bob']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('ONE string');
    expect(result.stderr).toContain('npm run docker:run -- "Alice Bob"');
    expect(result.calls, 'nothing runs').toEqual([]);
  });

  it('splits the string as the worker does: Alice "Ada Lovelace" is two words', async () => {
    const result = await script(dir, ['tests/run.sh', 'Alice "Ada Lovelace"']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.container?.argv).toEqual(['Alice', 'Ada Lovelace']);
  });

  it('runs the app with no args on unbalanced quotes, as the worker does, and says so', async () => {
    const result = await script(dir, ['tests/run.sh', 'Alice "Ada']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.container?.argv).toEqual([]);
    expect(result.stderr).toMatch(/unbalanced quotes.*no args/);
  });

  it('sets the env of a task without dataset nor input files', async () => {
    const { container, exitCode, stderr } = await script(dir, ['tests/run.sh']);
    expect(exitCode, stderr).toBe(0);
    expect(container?.argv).toEqual([]);
    const zero = `0x${'0'.repeat(40)}`;
    expect(container?.env).toMatchObject({
      IEXEC_IN: '/iexec_in',
      IEXEC_OUT: '/iexec_out',
      IEXEC_INPUT_FILES_NUMBER: '0',
      IEXEC_DATASET_ADDRESS: zero,
      IEXEC_DATASET_FILENAME: zero,
    });
    expect(container?.env).not.toHaveProperty('IEXEC_INPUT_FILES_FOLDER');
  });

  it('keeps the app stdout and stderr in IEXEC_OUT as stdout.txt and stderr.txt, and shows them', async () => {
    const result = await script(dir, ['tests/run.sh'], `echo to-stdout; echo to-stderr >&2\n${WRITES_RESULT}`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(join(out, 'stdout.txt'), 'utf8')).toBe('to-stdout\n');
    expect(readFileSync(join(out, 'stderr.txt'), 'utf8')).toBe('to-stderr\n');
    expect(result.stdout).toContain('to-stdout');
    expect(result.stderr).toContain('to-stderr');
    expect(result.stdout).toMatch(/PASS: a worker would complete this task/);

    // The worker writes none when the logs are empty.
    await script(dir, ['tests/run.sh']);
    expect(existsSync(join(out, 'stdout.txt'))).toBe(false);
    expect(existsSync(join(out, 'stderr.txt'))).toBe(false);
  });

  it('warns on a non-zero exit with a computed.json, which a worker >= 9.2.0 still contributes', async () => {
    const result = await script(dir, ['tests/run.sh'], `echo failing; ${WRITES_RESULT}\nexit 3`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^! the app exited with status 3: the worker logs APP_COMPUTE_FAILED.*9\.2\.0/m);
    expect(result.stdout).toMatch(/^PASS: a worker would complete this task/m);
    // The worker keeps the logs of a successful app only.
    expect(existsSync(join(out, 'stdout.txt'))).toBe(false);
  });

  it('fails on what fails the task: no computed.json, bad JSON, no or outside output path, missing output', async () => {
    const cases: [string, RegExp][] = [
      ['exit 1', /no computed\.json/],
      [`echo '{' > "$IEXEC_OUT/computed.json"`, /not valid JSON/],
      [`echo '{}' > "$IEXEC_OUT/computed.json"`, /no "deterministic-output-path"/],
      [
        `echo '{"deterministic-output-path":"/tmp/x"}' > "$IEXEC_OUT/computed.json"`,
        /deterministic-output-path \/tmp\/x is outside IEXEC_OUT/,
      ],
      [`echo '{"deterministic-output-path":"/iexec_out/nope"}' > "$IEXEC_OUT/computed.json"`, /does not exist/],
    ];
    for (const [app, message] of cases) {
      const result = await script(dir, ['tests/run.sh'], app);
      expect(result.exitCode, app).toBe(1);
      expect(result.stderr, app).toMatch(message);
    }
  });

  it('counts result file names in UTF-8 bytes, files only', async () => {
    // 16 characters, 32 bytes: over the limit although String.length says 16.
    const tooLong = 'é'.repeat(16);
    const failed = await script(dir, ['tests/run.sh'], `${WRITES_RESULT}\ntouch "$IEXEC_OUT/${tooLong}"`);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain(`over 31 bytes of UTF-8 fail the TEE post-compute (PostComputeTooLongResultFileName): ${tooLong}`);

    // A long folder name is fine, so is a file name of exactly 31 bytes.
    const folder = 'a-folder-name-well-over-31-bytes-long';
    const passed = await script(
      dir,
      ['tests/run.sh'],
      `${WRITES_RESULT}\nmkdir "$IEXEC_OUT/${folder}"\ntouch "$IEXEC_OUT/${folder}/${'b'.repeat(31)}"`,
    );
    expect(passed.exitCode, passed.stderr).toBe(0);
  });

  it('fails callback-data as PoCo does on a deal without a callback, and requires it with CALLBACK=1', async () => {
    const app = `echo hello > "$IEXEC_OUT/result.txt"
echo '{"deterministic-output-path":"/iexec_out/result.txt","callback-data":"0x01"}' > "$IEXEC_OUT/computed.json"`;
    const result = await script(dir, ['tests/run.sh'], app);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /FAIL: computed.json has callback-data but the deal has no callback contract: PoCo reverts finalize \(IexecPoco2Facet/,
    );
    const callbackDeal = await script(dir, ['-c', 'CALLBACK=1 tests/run.sh'], app);
    expect(callbackDeal.exitCode, callbackDeal.stderr).toBe(0);
    const noData = await script(dir, ['-c', 'CALLBACK=1 tests/run.sh']);
    expect(noData.stderr).toMatch(/FAIL: callback-data is null: in a deal with a callback/);
  });
});

describe('sconify.sh', () => {
  let dir: string;
  const IMAGE = 'alice/scone-probe:1.0.0-sconify-debug';
  const profile = () => readFileSync(join(dir, 'iexec.tee.json'), 'utf8');
  const engineWork = (calls: string[][]) => calls.filter(([command]) => ['push', 'run', 'pull', 'build', 'buildx'].includes(command!));

  beforeAll(async () => {
    dir = await render('scone-probe', { tee: 'scone', chain: 'bellecour' });
  });

  it.each([
    ['5.7.5-v12', 'v5'],
    ['5.9.1-v16', 'v5.9'],
    ['5.9.0-v15', 'v5.9'],
  ])('records --sconify-image %s as mrenclave.version %s (the SMS pipeline name)', async (tag, version) => {
    const result = await script(dir, ['sconify.sh', 'record', IMAGE, '--sconify-image', tag]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(profile()).app.mrenclave).toMatchObject({
      framework: 'SCONE',
      version,
      heapSize: 1024 ** 3,
      fingerprint: 'cd'.repeat(32),
    });
  });

  it('refuses an unknown SCONE version before pushing or writing anything', async () => {
    const before = profile();
    for (const mode of [['record', IMAGE], ['1.0.0']]) {
      const result = await script(dir, ['sconify.sh', ...mode, '--sconify-image', '6.0.0-v1']);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('--sconify-image 6.0.0-v1');
      expect(result.stderr).toMatch(/5\.7\.x \(v5\) and 5\.9\.x \(v5\.9\)/);
      expect(engineWork(result.calls), 'nothing built, pulled, run or pushed').toEqual([]);
      expect(profile()).toBe(before);
    }
  });

  it("warns when --heap is over the worker's default cap of 8G, and records it anyway", async () => {
    const over = await script(dir, ['sconify.sh', 'record', IMAGE, '--heap', '9G']);
    expect(over.exitCode, over.stderr).toBe(0);
    expect(over.stderr).toMatch(/warning: --heap 9G is over 8G.*IEXEC_WORKER_TEE_COMPUTE_MAX_HEAP_SIZE_GB/);
    expect(JSON.parse(profile()).app.mrenclave.heapSize).toBe(9 * 1024 ** 3);

    const cap = await script(dir, ['sconify.sh', 'record', IMAGE, '--heap', '8G']);
    expect(cap.exitCode, cap.stderr).toBe(0);
    expect(cap.stderr).not.toContain('warning: --heap');
  });
});

describe('publish.sh', () => {
  it('refuses a recorded version, for the true reason: workers never check the deployed checksum', async () => {
    const dir = await render('publish-probe', { tee: 'tdx' });
    const file = join(dir, 'iexec.json');
    const conf = JSON.parse(readFileSync(file, 'utf8'));
    conf.app.multiaddr = 'alice/publish-probe:1.0.0';
    writeFileSync(file, `${JSON.stringify(conf, null, 2)}\n`);
    const result = await script(dir, ['publish.sh', '1.0.0']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/iexec\.json already records alice\/publish-probe:1\.0\.0: publish a new VERSION/);
    expect(result.stderr).toMatch(/workers pull by tag and never check the deployed checksum/);
    expect(result.calls.filter(([command]) => command === 'push' || command === 'build')).toEqual([]);
  });
});
