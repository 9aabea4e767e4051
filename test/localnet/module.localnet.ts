import { createHash, createHmac } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, JsonRpcProvider, keccak256 } from 'ethers';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { Timings } from '../helpers/timings.js';
import { type Engine, missingPrerequisites, removeSuiteImages, startEngine } from '../toolchain/engine.js';
import { groupAlive, LocalNetwork, moduleUserEnv, moveLocalPorts, nodeAnswers, plain, type Ready, readJson } from './network.js';

/*
 * iExec in a box, accepted from a module owner's seat (issue 12): two generated modules, each starting
 * its own local network with `npm run chain:local`, then only the module's own npm scripts and its
 * pinned iexec CLI: deploy, app run, task show, result, task debug --logs, the TEE app with secrets, a
 * callback deal, a failing app, the published image pulled from a loopback registry and a tag
 * re-pushed under it, and the SCONE module on SDK 8. What it proves and what it cannot: README.md here.
 */

const VERSION = '1.0.0';
const ARGS = 'Alice Bob';
const GREETING = 'Hello, Alice and Bob!';
const APP_SECRET = 'app-s3cret-value';
const REQUESTER_SECRET = 'requester-s3cret-value';
const SECRET_NAME = 'my-key';
const TASK_ID = /Task idx 0 \((0x[0-9a-f]{64})\)/i;

const timings = new Timings('localnet timings', 'localnet timing');
const timed = timings.timed.bind(timings);
const timing = timings.record.bind(timings);

const hmac = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let missing: string[] = [];
let engine: Engine | undefined;

beforeAll(async () => {
  missing = await missingPrerequisites();
  if (missing.length === 0) engine = await startEngine();
}, 60_000);

afterAll(async () => {
  await engine?.stop();
  await removeSuiteImages();
  timings.recordWholeSuite();
  timings.print(72);
}, 120_000);

it('has its prerequisites: run `bash scripts/ci-containers.sh` (root) first', () => {
  expect(missing, 'missing tools or base images').toEqual([]);
});

/** One generated module, installed, with its own HOME (wallet, keystore) and its network on free ports. */
class Module {
  dir = '';
  env: Record<string, string> = {};
  host = '';
  network!: LocalNetwork;
  ready!: Ready;
  owner = '';
  private readonly backgrounds: number[] = [];

  constructor(
    readonly name: string,
    readonly tee: 'tdx' | 'scone',
    private readonly args: string[],
  ) {}

  async create(extraEnv: Record<string, string>) {
    const parent = await mkdtemp(join(tmpdir(), 'cim-localnet-'));
    this.dir = join(parent, this.name);
    const created = await timed(`${this.tee}: create + install the module`, () =>
      runCli([this.dir, '--yes', '--tee', this.tee, ...this.args, '--no-git', '--no-validate'], { timeout: 600_000 }),
    );
    expect(created.exitCode, created.all ?? created.stderr).toBe(0);
    await mkdir(join(parent, 'home'));
    this.env = {
      ...moduleUserEnv(),
      ...extraEnv,
      HOME: join(parent, 'home'),
      // The npm cache stays the machine's: "warm npm cache", as on an owner's laptop.
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
    };
    this.network = new LocalNetwork(this.dir, this.env);
  }

  run(command: string, args: string[], timeout = 300_000) {
    return execa(command, args, { cwd: this.dir, env: this.env, extendEnv: false, reject: false, all: true, stdin: 'ignore', timeout });
  }

  /** `npm run <script> -- <args>`, as typed in terminal 2. */
  npm(script: string, args: string[] = [], timeout?: number) {
    return this.run('npm', ['run', script, ...(args.length > 0 ? ['--', ...args] : [])], timeout);
  }

  /**
   * `npm run <script> -- <args>` in a terminal of its own, left running: its own process group, so a
   * test can press Ctrl-C there (SIGINT to npm alone reaches neither the kit nor the CLI it waits on).
   */
  background(script: string, args: string[], timeout: number) {
    const child = execa('npm', ['run', script, '--', ...args], {
      cwd: this.dir,
      env: this.env,
      extendEnv: false,
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout,
      detached: true,
    });
    this.backgrounds.push(child.pid!);
    return child;
  }

  async ok(script: string, args: string[] = []) {
    const result = await this.npm(script, args);
    expect(result.exitCode, `npm run ${script} -- ${args.join(' ')}\n${plain(result.all ?? '')}\n${this.network.tail()}`).toBe(0);
    return plain(result.all ?? '');
  }

  /** app:run or app:run:tee; the CLI asks to confirm spending the (0) price: --force answers it. Returns the task id. */
  async appRun(script: 'app:run' | 'app:run:tee', args: string[], label: string) {
    const result = await timed(`${this.tee}: npm run ${script} (${label}), deal to the CLI's end`, () =>
      this.npm(script, ['--chain', 'local', ...args, '--force']),
    );
    const output = plain(result.all ?? '');
    const taskid = output.match(TASK_ID)?.[1];
    expect(taskid, `no task id printed by npm run ${script}\n${output}\n${this.network.tail()}`).toBeDefined();
    return { taskid: taskid!, output, exitCode: result.exitCode };
  }

  /** The network's own line for the task's end, and its time. */
  async workerEnd(taskid: string, label: string) {
    const [line, verdict, seconds] = await this.network.waitFor(
      new RegExp(`task ${taskid} \\([^)]*\\): (COMPLETED in ([\\d.]+) s|will not complete: .*)`),
    );
    if (seconds) timing(`${this.tee}: one task on the local worker (${label}), deal seen to COMPLETED`, Number(seconds));
    return { line, verdict };
  }

  async status(taskid: string, profile: 'standard' | 'tee' = 'standard') {
    const shown = await this.run('npm', ['run', '--silent', 'iexec', '--', profile, 'task', 'show', taskid, '--chain', 'local', '--raw']);
    expect(shown.exitCode, plain(shown.all ?? '')).toBe(0);
    return JSON.parse(shown.stdout).task as { statusName: string; results: unknown; resultsCallback: string; resultDigest: string };
  }

  /** `npm run result` (or result:tee): results/<taskid>/, as downloaded and unzipped. */
  async result(taskid: string, script: 'result' | 'result:tee' = 'result') {
    await this.ok(script, [taskid, '--chain', 'local']);
    const folder = join(this.dir, 'results', taskid);
    return { result: readJson(join(folder, 'result.json')), computed: readJson(join(folder, 'computed.json')), folder };
  }

  /** What `npm run local` produces for the same args (and secrets): its result.json. */
  async local(args: string[]) {
    const output = await this.ok('local', args);
    const out = output.match(/The result is in (\S+)/)?.[1];
    expect(out, output).toBeDefined();
    return readJson(join(out!, 'result.json'));
  }

  async wallet() {
    // The README's wallet step; unencrypted so that no command asks for a password.
    await this.ok('iexec', ['standard', 'wallet', 'create', '--unencrypted']);
    this.owner = readJson(join(this.dir, 'wallet.json')).address;
  }

  /** Generated, installed and built, with a wallet, then its network started on free ports. */
  async prepare(extraEnv: Record<string, string>) {
    await this.create(extraEnv);
    await this.ok('build');
    await this.wallet();
    this.host = await moveLocalPorts(this.dir);
    await this.start('first in this module (PoCo deployed, anvil and PoCo fetched from the npm cache)');
  }

  async dispose() {
    // What a failed test left running in its own group.
    for (const pid of this.backgrounds) if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    await this.network?.stop().catch((error: Error) => console.error(error.message));
    if (this.dir) await rm(join(this.dir, '..'), { recursive: true, force: true });
  }

  async start(label: string) {
    this.ready = await this.network.start();
    timing(`${this.tee}: network start, ${label} (as it reports: "ready in N s")`, this.ready.reportedSeconds);
    timing(`${this.tee}: network start, ${label} (npm run chain:local to its banner's end)`, this.ready.wallSeconds);
  }

  /** Ctrl-C, and nothing left: npm, the kit, anvil and the services gone, the ports free. */
  async stopAndCheck() {
    const stopped = await this.network.stop();
    // npm gets the SIGINT too (the whole foreground group does in a terminal): it ends by the signal or with 0.
    expect(stopped?.code === 0 || stopped?.signal === 'SIGINT', `npm ended ${JSON.stringify(stopped)}\n${this.network.tail()}`).toBe(true);
    expect(this.network.log, 'chain:local printed an error').not.toMatch(/^error: /m);
    expect(await nodeAnswers(this.host), `the node at ${this.host} still answers after Ctrl-C`).toBe(false);
    for (const [key, url] of Object.entries(readJson(join(this.dir, 'chain.json')).chains.local)) {
      if (key !== 'host' && typeof url === 'string' && url.startsWith('http')) {
        expect(
          await fetch(url).then(
            () => true,
            () => false,
          ),
          `${key} ${url} still answers after Ctrl-C`,
        ).toBe(false);
      }
    }
  }
}

async function checkBanner(module: Module) {
  const { banner } = module.ready;
  expect(banner).toContain('What this local network cannot prove:');
  expect(banner).toMatch(/local iExec network ready in [\d.]+ s: chain\.json "local"/);
  expect(banner).toContain(`"host":"${module.host}"`);
  expect(banner).toContain('"hub":"0x0165878A594ca255338adfa4d48449f69242Eb8F"');
  expect(banner).toMatch(/PoCo 6\.1\.0 .*callback gas 200000/);
  expect(banner.toLowerCase()).toContain(module.owner.toLowerCase());
  // Each service the module's SDK asks, where chain.json says.
  for (const [key, url] of Object.entries(readJson(join(module.dir, 'chain.json')).chains.local)) {
    if (!['id', 'host', 'hub'].includes(key)) expect(banner, key).toContain(`: ${String(url)}`);
  }
}

describe('a TDX module (SDK 9): standard and TEE app, secrets, callback, a failing app, the published image', () => {
  const module = new Module('ln-tdx', 'tdx', ['--features', 'args,input-files,requester-secrets,app-secret,callback']);
  let standardTask = '';

  // The docker client talks to Podman's API (DOCKER_HOST), as on a laptop; the network's worker pulls through it too.
  beforeAll(() => (engine ? module.prepare(engine.env) : undefined), 900_000);
  afterAll(() => module.dispose(), 60_000);

  it('npm run chain:local: ready, on chain.json\'s "local" entry, says what it cannot prove, funds the wallet', () => {
    checkBanner(module);
    expect(module.ready.callbackReceiver).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  it('1. deploy, app run with args: COMPLETED, and the downloaded result.json is what `npm run local` gives', {
    timeout: 300_000,
  }, async () => {
    // Deployed as generated: the placeholder checksum, so the worker runs dist/app.cjs and says why.
    await module.ok('deploy', ['--chain', 'local']);
    expect(readJson(join(module.dir, 'deployed.json')).app['31337']).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const { taskid, exitCode, output } = await module.appRun('app:run', ['--args', ARGS], 'bundle, args');
    expect(exitCode, output).toBe(0);
    standardTask = taskid;
    const { line } = await module.workerEnd(taskid, 'standard app, bundle');
    expect(line, module.network.tail()).toContain('COMPLETED');
    expect(module.network.log).toMatch(
      new RegExp(`task ${taskid} \\(TEE tdx[^)]*\\): running the bundle ${module.dir}/dist/app\\.cjs, which the module that deployed`),
    );
    expect(module.network.log).toMatch(
      new RegExp(
        `task ${taskid} \\(TEE tdx[^)]*\\): WARNING the app was deployed before its image was published \\(its checksum is the placeholder\\)`,
      ),
    );
    expect((await module.status(taskid)).statusName).toBe('COMPLETED');

    const downloaded = await timed('tdx: npm run result (download and unzip)', () => module.result(taskid));
    expect(existsSync(join(module.dir, 'results', `${taskid}.zip`))).toBe(true);
    // SDK 9 runs the standard app in TDX too; without --secret the example app says so in result.json, as locally.
    expect(downloaded.result).toEqual(await module.local(['--args', ARGS]));
    expect(downloaded.result).toMatchObject({ ok: false, error: expect.stringContaining('requester secret 1 is missing') });
  });

  it('2. the TEE app with a requester secret and the app secret: ok:true, both HMACs', { timeout: 300_000 }, async () => {
    await module.ok('deploy:tee', ['--chain', 'local']);
    await module.ok('iexec', ['tee', 'app', 'push-secret', '--secret-value', APP_SECRET, '--chain', 'local']);
    expect(await module.ok('iexec', ['tee', 'app', 'check-secret', '--chain', 'local'])).toMatch(/Secret found for app/);
    await module.ok('iexec', ['tee', 'requester', 'push-secret', SECRET_NAME, '--secret-value', REQUESTER_SECRET, '--chain', 'local']);
    const { taskid, exitCode, output } = await module.appRun(
      'app:run:tee',
      ['--args', ARGS, '--secret', `1=${SECRET_NAME}`],
      'TEE app, bundle, secrets',
    );
    expect(exitCode, output).toBe(0);
    const { line } = await module.workerEnd(taskid, 'TEE app, bundle');
    expect(line, module.network.tail()).toContain('COMPLETED');
    expect((await module.status(taskid, 'tee')).statusName).toBe('COMPLETED');
    const { result } = await module.result(taskid, 'result:tee');
    expect(result).toEqual({
      ok: true,
      result: { greeting: GREETING, requesterSignature: hmac(REQUESTER_SECRET, GREETING), appSignature: hmac(APP_SECRET, GREETING) },
    });
    expect(result).toEqual(await module.local(['--args', ARGS, '--requester-secret', `1=${REQUESTER_SECRET}`, '--app-secret', APP_SECRET]));
  });

  it("3. a callback deal: the receiver stores the bytes the app sends, the greeting's SHA-256", { timeout: 300_000 }, async () => {
    const receiver = module.ready.callbackReceiver;
    // The standard app runs in TDX on SDK 9: it needs its own app secret (the SMS keys it by app address).
    await module.ok('iexec', ['standard', 'app', 'push-secret', '--secret-value', APP_SECRET, '--chain', 'local']);
    const { taskid, exitCode, output } = await module.appRun(
      'app:run',
      ['--callback', receiver, '--args=--callback Alice', '--secret', `1=${SECRET_NAME}`],
      'callback',
    );
    expect(exitCode, output).toBe(0);
    const { line } = await module.workerEnd(taskid, 'callback deal');
    expect(line, module.network.tail()).toContain('COMPLETED');
    const expected = `0x${sha256('Hello, Alice!')}`;
    const task = await module.status(taskid);
    expect(task.statusName).toBe('COMPLETED');
    // The worker writes the callback address as iexec-commons-poco decodes it: in lower case.
    expect(task.results).toMatchObject({ storage: 'ethereum', location: receiver.toLowerCase() });
    expect(task.resultsCallback.toLowerCase()).toBe(expected);
    expect(task.resultDigest.toLowerCase()).toBe(keccak256(expected));
    // What the contract stored, read from the chain: PoCo's TestClient keeps store[taskid] = bytes.
    const provider = new JsonRpcProvider(module.host, 31337, { staticNetwork: true });
    try {
      const client = new Contract(receiver, ['function store(bytes32) view returns (bytes)'], provider);
      expect(String(await client.getFunction('store').staticCall(taskid)).toLowerCase()).toBe(expected);
    } finally {
      provider.destroy();
    }
  });

  it('4. a failing app (no computed.json): its TEE task stays ACTIVE and the console says why; the next task completes; advanced past its final deadline, the requester claims it: FAILED', {
    timeout: 600_000,
  }, async () => {
    const app = join(module.dir, 'src/app.ts');
    const kept = `${app}.kept`;
    copyFileSync(app, kept);
    let failing: ReturnType<Module['background']> | undefined;
    let taskid = '';
    try {
      writeFileSync(
        app,
        [
          '// Broken on purpose: it writes a result but never computed.json, and exits 0.',
          "import { writeFileSync } from 'node:fs';",
          "writeFileSync(`${process.env.IEXEC_OUT}/result.json`, '{}\\n');",
          "console.log('exiting without computed.json');",
          '',
        ].join('\n'),
      );
      await module.ok('build');
      // In the background, as a requester's terminal: `--watch` waits for the task's end, as on iExec.
      failing = module.background(
        'app:run:tee',
        ['--chain', 'local', '--args', 'Alice', '--secret', `1=${SECRET_NAME}`, '--force'],
        600_000,
      );
      const [, id, why] = await module.network.waitFor(/task (0x[0-9a-f]{64}) \(TEE tdx[^)]*\): will not complete: (.*)/, 120_000);
      taskid = id!;
      expect(why).toMatch(/no computed\.json/);
      expect(module.network.log).toMatch(/stays ACTIVE on chain; the workerpool marks it FAILED at its contribution deadline/);
    } finally {
      copyFileSync(kept, app);
      await rm(kept);
      await module.ok('build');
    }
    expect((await module.status(taskid, 'tee')).statusName).toBe('ACTIVE');
    // The workerpool API's model only: {status, date, cause} (iexec-task-api ReplicateStatusUpdateModel).
    const debug = await module.run('npm', ['run', '--silent', 'iexec', '--', 'tee', 'task', 'debug', taskid, '--chain', 'local', '--raw']);
    const offchain = JSON.parse(debug.stdout).offchainData;
    const history = offchain.replicates[0].statusHistory as Array<Record<string, unknown>>;
    for (const update of history)
      expect(
        Object.keys(update).every((key) => ['status', 'date', 'cause'].includes(key)),
        JSON.stringify(update),
      ).toBe(true);
    expect(history.map((update) => update.status).slice(-3)).toEqual([
      'COMPUTED',
      'CONTRIBUTE_AND_FINALIZE_ONGOING',
      'CONTRIBUTE_AND_FINALIZE_FAILED',
    ]);
    expect(history.at(-1)!.cause).toBe('DETERMINISM_HASH_NOT_FOUND');
    expect(offchain.task.status).toBe('RUNNING');

    const good = await module.appRun(
      'app:run:tee',
      ['--args', ARGS, '--secret', `1=${SECRET_NAME}`],
      'the next task, right after the failing one',
    );
    expect(good.exitCode, good.output).toBe(0);
    expect((await module.status(good.taskid, 'tee')).statusName).toBe('COMPLETED');

    const advanced = await module.ok('chain:local', ['advance', '--past-final-deadline', taskid]);
    expect(advanced).toContain(`task ${taskid} (ACTIVE) is past its final deadline`);
    // The watching CLI follows the network's clock: it sees TIMEOUT, and app:run says the task did not complete.
    const watched = await failing!;
    expect(watched.exitCode, plain(watched.all ?? '')).toBe(1);
    expect((await module.status(taskid, 'tee')).statusName).toBe('TIMEOUT');
    await module.ok('iexec', ['tee', 'task', 'claim', taskid, '--chain', 'local']);
    expect((await module.status(taskid, 'tee')).statusName).toBe('FAILED');
  });

  it("4b. a TEE task whose input file cannot be downloaded completes with the app's own error result", { timeout: 300_000 }, async () => {
    // Connection refused at once: the pre-compute logs it, the app runs without the file (iexec-worker 9.2.0).
    const missing = 'http://127.0.0.1:1/names.txt';
    const { taskid, exitCode, output } = await module.appRun(
      'app:run:tee',
      ['--args', ARGS, '--input-files', missing, '--secret', `1=${SECRET_NAME}`],
      'input file not downloadable',
    );
    expect(exitCode, output).toBe(0);
    expect(module.network.log).toMatch(
      new RegExp(`task ${taskid} [^\\n]*PRE_COMPUTE_INPUT_FILE_DOWNLOAD_FAILED: [^\\n]*127\\.0\\.0\\.1:1/names\\.txt`),
    );
    expect((await module.status(taskid, 'tee')).statusName).toBe('COMPLETED');
    const { result } = await module.result(taskid, 'result:tee');
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/input file 1/) });
  });

  it('4c. an encrypted result: only iexec_out.zip.aes and aes-key.rsa are uploaded, and `iexec result decrypt` gives result.json back', {
    timeout: 300_000,
  }, async () => {
    await module.ok('iexec', ['tee', 'result', 'generate-encryption-keypair']);
    await module.ok('iexec', ['tee', 'result', 'push-encryption-key', '--chain', 'local']);
    const { taskid, exitCode, output } = await module.appRun(
      'app:run:tee',
      ['--args', ARGS, '--secret', `1=${SECRET_NAME}`, '--encrypt-result'],
      'encrypted result',
    );
    expect(exitCode, output).toBe(0);
    await module.ok('result:tee', [taskid, '--chain', 'local']);
    const zip = join(module.dir, 'results', `${taskid}.zip`);
    const listed = await execa('unzip', ['-Z1', zip]);
    expect(listed.stdout.split('\n').sort()).toEqual(['aes-key.rsa', 'iexec_out.zip.aes']);
    await module.ok('iexec', ['tee', 'result', 'decrypt', `results/${taskid}.zip`, '--force']);
    const unpacked = join(module.dir, 'results', `${taskid}-decrypted`);
    await mkdir(unpacked, { recursive: true });
    await execa('unzip', ['-o', join(module.dir, 'results.zip'), '-d', unpacked]);
    expect(readJson(join(unpacked, 'result.json'))).toEqual({
      ok: true,
      result: { greeting: GREETING, requesterSignature: hmac(REQUESTER_SECRET, GREETING), appSignature: hmac(APP_SECRET, GREETING) },
    });
  });

  it('5. the published image: the local worker pulls and runs it; a tag pushed again: it says the digest no longer matches', {
    timeout: 600_000,
  }, async () => {
    const published = await timed('tdx: publish.sh (build, push to the loopback registry)', () =>
      module.run('bash', ['publish.sh', VERSION], 600_000),
    );
    expect(published.exitCode, published.all).toBe(0);
    const image = `${engine!.registry}/cim/${module.name}:${VERSION}`;
    const digest = await engine!.registryDigest(`cim/${module.name}`, VERSION);
    expect(readJson(join(module.dir, 'iexec.json')).app).toMatchObject({
      multiaddr: image,
      checksum: `0x${digest.slice('sha256:'.length)}`,
    });
    await module.ok('deploy', ['--chain', 'local']);
    // A new registration, so a new address for the SMS: its app secret again.
    await module.ok('iexec', ['standard', 'app', 'push-secret', '--secret-value', APP_SECRET, '--chain', 'local']);

    const first = await module.appRun('app:run', ['--args', ARGS, '--secret', `1=${SECRET_NAME}`], 'published image');
    expect(first.exitCode, first.output).toBe(0);
    const { line } = await module.workerEnd(first.taskid, 'published image, pulled and run');
    expect(line, module.network.tail()).toContain('COMPLETED');
    const log = () => module.network.log;
    expect(log()).toMatch(new RegExp(`task ${first.taskid} \\([^)]*\\): running the image ${image.replace(/[.]/g, '\\.')} \\(`));
    expect(log()).not.toMatch(new RegExp(`task ${first.taskid} \\([^)]*\\): running the bundle`));
    expect(log()).not.toContain('THE IMAGE IS NOT THE DEPLOYED ONE');
    const inImage = await module.result(first.taskid);
    expect(inImage.result).toEqual({
      ok: true,
      result: { greeting: GREETING, requesterSignature: hmac(REQUESTER_SECRET, GREETING), appSignature: hmac(APP_SECRET, GREETING) },
    });
    // Inside the container the app wrote to /iexec_out, as on a worker (the bundle writes to a host folder).
    expect(inImage.computed['deterministic-output-path']).toBe('/iexec_out/result.json');

    // The owner's mistake publish.sh refuses to make: another image pushed under the deployed tag.
    const app = join(module.dir, 'src/app.ts');
    const source = readFileSync(app, 'utf8');
    writeFileSync(app, source.replace('`Hello, ', '`Howdy, '));
    try {
      const built = await timed('tdx: tests/build.sh of a changed image', () => module.run('bash', ['tests/build.sh', VERSION], 600_000));
      expect(built.exitCode, built.all).toBe(0);
      expect(built.stdout.trim()).toBe(image);
      const pushed = await module.run('docker', ['push', image]);
      expect(pushed.exitCode, pushed.all).toBe(0);
    } finally {
      writeFileSync(app, source);
    }
    const repushed = await engine!.registryDigest(`cim/${module.name}`, VERSION);
    expect(repushed).not.toBe(digest);

    const second = await module.appRun(
      'app:run',
      ['--args', ARGS, '--secret', `1=${SECRET_NAME}`],
      'image re-pushed under the deployed tag',
    );
    expect(second.exitCode, second.output).toBe(0);
    await module.workerEnd(second.taskid, 'image re-pushed, pulled and run');
    const after = log().slice(log().indexOf(`task ${second.taskid}`));
    expect(after).toContain(`running the image ${image}`);
    expect(after).toContain(
      `WARNING THE IMAGE IS NOT THE DEPLOYED ONE: ${image} is ${repushed} on its registry, the app on chain says ${digest}`,
    );
    // A real worker runs it all the same, silently: the result is the new image's.
    const howdy = await module.result(second.taskid);
    expect(howdy.result).toMatchObject({ ok: true, result: { greeting: 'Howdy, Alice and Bob!' } });
  });

  it('5b. a deployed image the worker cannot pull: the TEE task does not complete (APP_IMAGE_DOWNLOAD_FAILED)', {
    timeout: 600_000,
  }, async () => {
    const file = join(module.dir, 'iexec.tee.json');
    const before = readFileSync(file, 'utf8');
    const conf = JSON.parse(before);
    // A tag nobody pushed, with a checksum that is not the placeholder: the worker must pull it.
    conf.app.multiaddr = `${engine!.registry}/cim/${module.name}:never-pushed`;
    conf.app.checksum = `0x${'ab'.repeat(32)}`;
    writeFileSync(file, JSON.stringify(conf, null, 2));
    try {
      await module.ok('deploy:tee', ['--chain', 'local']);
      await module.ok('iexec', ['tee', 'app', 'push-secret', '--secret-value', APP_SECRET, '--chain', 'local']);
      const running = module.background(
        'app:run:tee',
        ['--chain', 'local', '--args', ARGS, '--secret', `1=${SECRET_NAME}`, '--force'],
        600_000,
      );
      const [, taskid, why] = await module.network.waitFor(
        /task (0x[0-9a-f]{64}) \(TEE tdx[^)]*\): will not complete: (.*never-pushed.*)/,
        400_000,
      );
      expect(why).toMatch(/cannot pull/);
      expect((await module.status(taskid!, 'tee')).statusName).toBe('ACTIVE');
      const debug = await module.run('npm', [
        'run',
        '--silent',
        'iexec',
        '--',
        'tee',
        'task',
        'debug',
        taskid!,
        '--chain',
        'local',
        '--raw',
      ]);
      expect(JSON.parse(debug.stdout).offchainData.replicates[0].statusHistory.at(-1)).toMatchObject({
        status: 'APP_DOWNLOAD_FAILED',
        cause: 'APP_IMAGE_DOWNLOAD_FAILED',
      });
      // Ctrl-C in the requester's terminal: the watch ends, the task stays as it is.
      process.kill(-running.pid!, 'SIGINT');
      await running;
    } finally {
      writeFileSync(file, before);
    }
  });

  it('Ctrl-C stops the network: npm exits 0, no process of its group is left, nothing answers on its ports', {
    timeout: 60_000,
  }, async () => {
    expect(standardTask).not.toBe('');
    await module.stopAndCheck();
    // The worker ran its containers with --rm: none is left either.
    const containers = await execa('podman', ['ps', '--all', '--format', '{{.Image}}'], { reject: false });
    expect(containers.stdout.split('\n').filter((image) => image.includes(`/cim/${module.name}`))).toEqual([]);
  });
});

describe('a SCONE module (SDK 8.24): standard app, TEE app with storage init and secrets', () => {
  const module = new Module('ln-scone', 'scone', ['--features', 'args,requester-secrets,app-secret']);

  beforeAll(() => (engine ? module.prepare({}) : undefined), 900_000);
  afterAll(() => module.dispose(), 60_000);

  it("npm run chain:local: ready with SDK 8's result proxy, says a SCONE image cannot run here", () => {
    checkBanner(module);
    expect(readJson(join(module.dir, 'chain.json')).chains.local.resultProxy).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(module.ready.banner).toMatch(/SCONE: an mrenclave .* is registered but never measured or checked/s);
  });

  it('6a. deploy and app run, standard (untagged on SDK 8): COMPLETED, result.json as `npm run local` gives it', {
    timeout: 300_000,
  }, async () => {
    await module.ok('deploy', ['--chain', 'local']);
    const { taskid, exitCode, output } = await module.appRun('app:run', ['--args', ARGS], 'standard');
    expect(exitCode, output).toBe(0);
    const { line } = await module.workerEnd(taskid, 'standard app, bundle');
    expect(line, module.network.tail()).toContain('COMPLETED');
    // SDK 8's standard app is a plain task: no TEE tag, no secrets.
    expect(module.network.log).toMatch(new RegExp(`task ${taskid} \\(standard, `));
    expect((await module.status(taskid)).statusName).toBe('COMPLETED');
    const { result } = await module.result(taskid);
    expect(result).toEqual(await module.local(['--args', ARGS]));
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('requester secret 1 is missing') });
  });

  it('6b. the TEE app: storage init, the app and requester secrets, app:run:tee: ok:true, both HMACs (run from the bundle)', {
    timeout: 300_000,
  }, async () => {
    // Deployed with the placeholder mrenclave fingerprint: nothing here measures it.
    await module.ok('deploy:tee', ['--chain', 'local']);
    expect(await module.ok('iexec', ['tee', 'storage', 'check', '--tee-framework', 'scone', '--chain', 'local'])).toMatch(
      /Storage NOT initialized/,
    );
    await module.ok('iexec', ['tee', 'storage', 'init', '--tee-framework', 'scone', '--chain', 'local']);
    expect(await module.ok('iexec', ['tee', 'storage', 'check', '--tee-framework', 'scone', '--chain', 'local'])).toMatch(
      /Storage already initialized/,
    );
    await module.ok('iexec', ['tee', 'app', 'push-secret', '--secret-value', APP_SECRET, '--chain', 'local']);
    await module.ok('iexec', ['tee', 'requester', 'push-secret', SECRET_NAME, '--secret-value', REQUESTER_SECRET, '--chain', 'local']);
    const { taskid, exitCode, output } = await module.appRun(
      'app:run:tee',
      ['--args', ARGS, '--secret', `1=${SECRET_NAME}`],
      'TEE app, SCONE tag',
    );
    expect(exitCode, output).toBe(0);
    const { line } = await module.workerEnd(taskid, 'SCONE TEE app, bundle');
    expect(line, module.network.tail()).toContain('COMPLETED');
    // What it cannot do: start a SCONE image (SGX only). It runs the module's bundle and says so.
    expect(module.network.log).toMatch(
      new RegExp(`task ${taskid} \\(TEE scone[^)]*\\): WARNING the deployed image is a SCONE enclave, which starts inside SGX only`),
    );
    expect((await module.status(taskid, 'tee')).statusName).toBe('COMPLETED');
    const { result } = await module.result(taskid, 'result:tee');
    expect(result).toEqual({
      ok: true,
      result: { greeting: GREETING, requesterSignature: hmac(REQUESTER_SECRET, GREETING), appSignature: hmac(APP_SECRET, GREETING) },
    });
  });

  it('Ctrl-C stops it with nothing left; a second start loads the cached chain, and keeps nothing of the first', {
    timeout: 300_000,
  }, async () => {
    await module.stopAndCheck();
    await module.start('again (the deployed chain loaded from the cache)');
    checkBanner(module);
    // The apps deployed before are gone: deployed.json's 31337 entry is stale, as the banner says.
    const show = await module.npm('iexec', ['standard', 'app', 'show', '--chain', 'local']);
    expect(show.exitCode, plain(show.all ?? '')).not.toBe(0);
    await module.stopAndCheck();
  });
});
