import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, HDNodeWallet, JsonRpcProvider, parseUnits } from 'ethers';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAppBundle } from '../../kit/src/chain/local-apps.js';
import { runCli } from '../helpers/cli.js';
import { Timings } from '../helpers/timings.js';
import { type Engine, missingPrerequisites, removeSuiteImages, startEngine } from '../toolchain/engine.js';
import { LocalNetwork, moduleUserEnv, moveLocalPorts, plain, readJson } from './network.js';

/*
 * Issue 17's acceptance, from a module owner's seat: a TDX module (SDK 9; args and app-secret) on its
 * own `npm run chain:local`, driven by its own npm scripts only. `npm run doctor` passes a healthy
 * module, then each injected fault gives its ✖ line and fix, and the fix printed is run where it can
 * be; `npm run task` explains a task that will not complete, `--replay` gives `npm run local`'s verdict
 * for the same args, the clock is advanced past its final deadline and `--claim` claims it; a
 * completed task shows its result link. Faults come from the test's side (anvil's RPC, the registry,
 * the module's files) or through the local network's own fault routes (kit/src/chain/services/
 * local-only.ts: not platform behaviour). What it proves and cannot: README.md here.
 */

const APP_SECRET = 'app-s3cret-value';
const TDX_TAG = `0x${'9'.padStart(64, '0')}`;
/** anvil's account #0: it deployed PoCo and holds all of the local network's RLC. */
const DEPLOYER = HDNodeWallet.fromPhrase('test test test test test test test test test test test junk', undefined, "m/44'/60'/0'/0/0");

const timings = new Timings('localnet doctor timings', 'localnet timing');
const timed = timings.timed.bind(timings);

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

/** A ✖ line of a doctor run and the fix printed under it. */
function failure(output: string, pattern: RegExp): { line: string; fix: string } {
  const lines = output.split('\n');
  const at = lines.findIndex((line) => line.startsWith('✖ ') && pattern.test(line));
  expect(at, `no ✖ line matching ${pattern} in:\n${output}`).toBeGreaterThanOrEqual(0);
  const fix = lines[at + 1]?.match(/^ {4}fix: (.*)$/)?.[1];
  expect(fix, `no fix under ${lines[at]}`).toBeDefined();
  return { line: lines[at]!, fix: fix! };
}

/**
 * The commands a fix names, in order (`./publish.sh 1.0.1, then npm run deploy -- --chain local and
 * npm run deploy:tee -- --chain local`), but the doctor itself, which the test runs next anyway.
 */
const commandsIn = (fix: string) =>
  fix
    .split(/[;,]\s*then\s+|\s+and\s+(?=npm run|\.\/)|:\s+(?=npm run|\.\/)/)
    .map((part) => part.trim())
    .filter((part) => /^(npm run |\.\/publish\.sh )/.test(part) && !part.startsWith('npm run doctor') && !part.includes('<'));

class DoctorModule {
  dir = '';
  env: Record<string, string> = {};
  host = '';
  port = 0;
  owner = '';
  network!: LocalNetwork;

  async prepare(extraEnv: Record<string, string>) {
    const parent = await mkdtemp(join(tmpdir(), 'cim-doctor-'));
    this.dir = join(parent, 'ln-doctor');
    const created = await timed('create + install the module', () =>
      runCli([this.dir, '--yes', '--tee', 'tdx', '--features', 'args,app-secret', '--no-git', '--no-validate'], { timeout: 600_000 }),
    );
    expect(created.exitCode, created.all ?? created.stderr).toBe(0);
    await mkdir(join(parent, 'home'));
    this.env = {
      ...moduleUserEnv(),
      ...extraEnv,
      HOME: join(parent, 'home'),
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
    };
    this.network = new LocalNetwork(this.dir, this.env);
    await this.ok('build');
    await this.ok('iexec', ['standard', 'wallet', 'create', '--unencrypted']);
    this.owner = readJson(join(this.dir, 'wallet.json')).address;
    this.host = await moveLocalPorts(this.dir);
    this.port = Number(new URL(this.host).port);
    await timed('network start (npm run chain:local to its banner)', () => this.network.start());
  }

  async dispose() {
    await this.network?.stop().catch((error: Error) => console.error(error.message));
    if (this.dir) await rm(join(this.dir, '..'), { recursive: true, force: true });
  }

  run(command: string, args: string[], timeout = 300_000) {
    return execa(command, args, { cwd: this.dir, env: this.env, extendEnv: false, reject: false, all: true, stdin: 'ignore', timeout });
  }

  npm(script: string, args: string[] = []) {
    return this.run('npm', ['run', script, ...(args.length > 0 ? ['--', ...args] : [])]);
  }

  async ok(script: string, args: string[] = []) {
    const result = await this.npm(script, args);
    expect(result.exitCode, `npm run ${script} -- ${args.join(' ')}\n${plain(result.all ?? '')}\n${this.network?.tail() ?? ''}`).toBe(0);
    return plain(result.all ?? '');
  }

  /** `npm run doctor -- --chain local`: its status and what it printed. */
  async doctor(label: string) {
    const result = await timed(`npm run doctor (${label})`, () => this.npm('doctor', ['--chain', 'local']));
    return { status: result.exitCode, output: plain(result.all ?? '') };
  }

  /** A fix as printed, run: each command it names (a value the CLI would ask for at a terminal is given). */
  async runFix(fix: string, extra: Record<string, string[]> = {}) {
    const commands = commandsIn(fix);
    expect(commands.length, `no command in the fix: ${fix}`).toBeGreaterThan(0);
    for (const command of commands) {
      const words = [...command.split(' '), ...(extra[command] ?? [])];
      const result = await timed(`the fix: ${command}`, () =>
        words[0] === 'npm' ? this.run('npm', words.slice(1)) : this.run('bash', words, 600_000),
      );
      expect(result.exitCode, `${command}\n${plain(result.all ?? '')}`).toBe(0);
    }
  }

  async deployBoth() {
    for (const script of ['deploy', 'deploy:tee']) await this.ok(script, ['--chain', 'local']);
    const apps = (['deployed.json', 'deployed.tee.json'] as const).map((file) => readJson(join(this.dir, file)).app['31337'] as string);
    // `npm run deploy -- --chain local` recorded the module's bundle as each app's code (placeholder checksum).
    for (const app of apps) expect(localAppBundle(this.port, app)).toBe(join(this.dir, 'dist', 'app.cjs'));
    for (const profile of ['standard', 'tee'])
      await this.ok('iexec', [profile, 'app', 'push-secret', '--secret-value', APP_SECRET, '--chain', 'local']);
    return apps;
  }

  /** POST or DELETE the local network's fault routes (local-only.ts), on the market's port. */
  async faults(body?: Record<string, unknown>) {
    const market = readJson(join(this.dir, 'chain.json')).chains.local.iexecGateway;
    const response = await fetch(`${market}/local/faults`, body ? { method: 'POST', body: JSON.stringify(body) } : { method: 'DELETE' });
    expect(response.status).toBe(200);
  }

  rpc(method: string, params: unknown[]) {
    return fetch(this.host, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    }).then((response) => response.json());
  }

  editJson(file: string, edit: (json: any) => void) {
    const path = join(this.dir, file);
    const json = readJson(path);
    edit(json);
    writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  }
}

describe('npm run doctor and npm run task on a TDX module (SDK 9), on its own chain:local', () => {
  const module = new DoctorModule();
  let registry = '';
  let image = '';

  beforeAll(async () => {
    if (!engine) return;
    registry = engine.registry;
    image = `${registry}/cim/ln-doctor`;
    await module.prepare(engine.env);
  }, 900_000);
  afterAll(() => module.dispose(), 60_000);

  it('a module deployed before its image is published passes, the placeholder said (!)', { timeout: 300_000 }, async () => {
    await timed('deploy both apps and push their secrets', () => module.deployBoth());
    const { status, output } = await module.doctor('deployed, image unpublished');
    expect(status, output).toBe(0);
    expect(output).toMatch(
      /^! standard app: iexec\.json still has the placeholder checksum: .*the local worker runs .*dist\/app\.cjs for it/m,
    );
    expect(output).toMatch(/^✔ the SMS has the app secret of the TEE app 0x[0-9a-fA-F]{40}$/m);
    expect(output).toMatch(/: nothing stops a run on local$/m);
  });

  it('task: a task that will not complete is explained, replays as npm run local does, and is claimed once past its final deadline', {
    timeout: 600_000,
  }, async () => {
    const app = join(module.dir, 'src/app.ts');
    copyFileSync(app, `${app}.kept`);
    let running: ResultPromise | undefined;
    try {
      writeFileSync(
        app,
        [
          "import { writeFileSync } from 'node:fs';",
          "writeFileSync(`${process.env.IEXEC_OUT}/result.json`, '{}\\n');",
          "console.log('exiting without computed.json');",
          '',
        ].join('\n'),
      );
      await module.ok('build');
      // app:run watches the task to its end, 50 minutes away: it runs beside the test, in a process group
      // of its own (npm, the kit, the iexec CLI), which the test ends.
      running = execa('npm', ['run', 'app:run', '--', '--chain', 'local', '--args', 'Alice', '--force'], {
        cwd: module.dir,
        env: module.env,
        extendEnv: false,
        reject: false,
        all: true,
        stdin: 'ignore',
        detached: true,
      });
      const [, taskid] = await module.network.waitFor(/task (0x[0-9a-f]{64}) \([^)]*\): will not complete/, 120_000);
      const view = await timed('npm run task (a task that will not complete)', () => module.ok('task', [taskid!, '--chain', 'local']));
      expect(view).toMatch(/on chain +ACTIVE/);
      expect(view).toContain('(DETERMINISM_HASH_NOT_FOUND)');
      expect(view).toContain('exiting without computed.json');
      expect(view).toMatch(/it will not complete: the worker stopped at CONTRIBUTE_AND_FINALIZE_FAILED/);
      expect(view).toContain(`npm run task -- ${taskid} --replay --chain local`);

      const replay = await timed('npm run task --replay', () => module.npm('task', [taskid!, '--replay', '--chain', 'local']));
      const local = await module.npm('local', ['--args', 'Alice']);
      const verdict = (text: string) =>
        plain(text)
          .split('\n')
          .filter((line) => /^(✔|!|✖|FAIL|PASS)/.test(line));
      expect(replay.exitCode, plain(replay.all ?? '')).toBe(1);
      expect(local.exitCode).toBe(1);
      expect(verdict(replay.all ?? '')).toEqual(verdict(local.all ?? ''));
      expect(verdict(replay.all ?? '').at(-1)).toMatch(/^FAIL: the app wrote no computed\.json/);

      const early = await module.npm('task', [taskid!, '--claim', '--chain', 'local']);
      expect(early.exitCode).toBe(1);
      expect(plain(early.all ?? '')).toContain(
        `on the local network: npm run chain:local -- advance --past-final-deadline ${taskid}, then claim`,
      );
      await module.ok('chain:local', ['advance', '--past-final-deadline', taskid!]);
      expect(await module.ok('task', [taskid!, '--chain', 'local'])).toMatch(/on chain +TIMEOUT/);
      const claimed = await timed('npm run task --claim', () => module.ok('task', [taskid!, '--claim', '--chain', 'local']));
      expect(claimed).toMatch(/claimed task 0x[0-9a-f]{64} \(transaction 0x[0-9a-f]{64}\): it is FAILED on chain/);
      expect(await module.ok('task', [taskid!, '--chain', 'local'])).toMatch(/on chain +FAILED/);
    } finally {
      if (running?.pid && running.exitCode === undefined) process.kill(-running.pid, 'SIGTERM');
      await running;
      copyFileSync(`${app}.kept`, app);
      rmSync(`${app}.kept`);
      await module.ok('build');
    }

    const done = await timed('npm run app:run (a task that completes)', () =>
      module.npm('app:run', ['--chain', 'local', '--args', 'Alice', '--force']),
    );
    const taskid = plain(done.all ?? '').match(/Task idx 0 \((0x[0-9a-f]{64})\)/i)?.[1];
    expect(done.exitCode, plain(done.all ?? '')).toBe(0);
    const ipfs = readJson(join(module.dir, 'chain.json')).chains.local.ipfsGateway;
    const view = await module.ok('task', [taskid!, '--chain', 'local']);
    expect(view).toMatch(/on chain +COMPLETED/);
    expect(view).toMatch(new RegExp(`result +${ipfs}/ipfs/\\w+`));
    expect(view).toContain(`npm run result -- ${taskid} --chain local`);
    await module.ok('result', [taskid!, '--chain', 'local']);
  });

  it('the published image, deployed: every line ✔', { timeout: 600_000 }, async () => {
    await timed('publish.sh 1.0.0 (build, push to the loopback registry)', async () => {
      const published = await module.run('bash', ['publish.sh', '1.0.0'], 600_000);
      expect(published.exitCode, published.all).toBe(0);
    });
    await module.deployBoth();
    const { status, output } = await module.doctor('healthy, published');
    expect(status, output).toBe(0);
    expect(output).not.toMatch(/^[!✖] /m);
    expect(output).toContain(`✔ standard app and TEE app: ${image}:1.0.0 is pushed, for linux/amd64`);
    expect(output).toContain('✔ its registry digest is the checksum iexec.json records');
  });

  it("no RLC stake for the workerpool's price: ✖ with the deposit; with RLC in the wallet, the deposit printed fixes it", {
    timeout: 300_000,
  }, async () => {
    await module.faults({ workerpoolPrice: '5000000000' });
    try {
      const poor = await module.doctor('a price, no stake, no RLC');
      expect(poor.status).toBe(1);
      const { fix } = failure(poor.output, /your iExec account holds 0 RLC, a run locks 5\.0 RLC/);
      expect(fix).toMatch(
        /^get 5\.0 RLC \(5000000000 nRLC\) more RLC into 0x[0-9a-fA-F]{40} \(it holds 0 RLC\), then npm run iexec -- standard account deposit 5000000000 --chain local/,
      );
      // The owner buys RLC: on the local network the deployer holds it all.
      const provider = new JsonRpcProvider(module.host, 31337, { staticNetwork: true });
      try {
        const hub = new Contract(
          readJson(join(module.dir, 'chain.json')).chains.local.hub,
          ['function token() view returns (address)'],
          provider,
        );
        const rlc = new Contract(
          await hub.getFunction('token').staticCall(),
          ['function transfer(address,uint256) returns (bool)'],
          DEPLOYER.connect(provider),
        );
        await (await rlc.getFunction('transfer')(module.owner, parseUnits('5', 9))).wait();
      } finally {
        provider.destroy();
      }
      const rich = await module.doctor('a price, RLC in the wallet');
      const deposit = failure(rich.output, /a run locks 5\.0 RLC/);
      expect(deposit.fix).toBe('npm run iexec -- standard account deposit 5000000000 --chain local; then npm run doctor -- --chain local');
      await module.runFix(deposit.fix);
      const staked = await module.doctor('a price, staked');
      expect(staked.status, staked.output).toBe(0);
      expect(staked.output).toMatch(/^✔ your iExec account holds 5\.0 RLC \(5000000000 nRLC\), enough for a run/m);
    } finally {
      await module.faults();
    }
  });

  it('no workerpool order for the tag: ✖ for both runs, with the orderbook command, which runs', { timeout: 300_000 }, async () => {
    await module.faults({ noOrdersForTag: TDX_TAG });
    try {
      const { status, output } = await module.doctor('no order for tee,tdx');
      expect(status).toBe(1);
      const { fix } = failure(output, /no order of workerpool 0x[0-9a-fA-F]{40} on the market now for a TEE app run \(tag tee,tdx/);
      failure(output, /for a standard app run \(tag tee,tdx/);
      expect(commandsIn(fix)[0]).toMatch(
        /^npm run iexec -- standard orderbook workerpool 0x[0-9a-fA-F]{40} --require-tag tee,tdx --chain local$/,
      );
      await module.runFix(commandsIn(fix)[0]!);
    } finally {
      await module.faults();
    }
  });

  it('the SMS down: ✖ with the local fix', { timeout: 300_000 }, async () => {
    await module.faults({ smsDown: true });
    try {
      const { status, output } = await module.doctor('SMS down');
      expect(status).toBe(1);
      const { fix } = failure(output, /^✖ the SMS http:\/\/127\.0\.0\.1:\d+ does not answer/);
      expect(fix).toContain('is npm run chain:local running? Restart it (Ctrl-C in its terminal, then npm run chain:local)');
    } finally {
      await module.faults();
    }
  });

  it('an image never pushed, and an arm64 image: each its ✖', { timeout: 600_000 }, async () => {
    const kept = readFileSync(join(module.dir, 'iexec.json'), 'utf8');
    try {
      module.editJson('iexec.json', (json) => (json.app.multiaddr = `${image}:9.9.9`));
      const gone = await module.doctor('image never pushed');
      expect(gone.status).toBe(1);
      const { fix } = failure(
        gone.output,
        new RegExp(`standard app: ${image.replace(/[.]/g, '\\.')}:9\\.9\\.9 is not on its registry \\(HTTP 404\\)`),
      );
      expect(fix).toBe('./publish.sh 9.9.10, then npm run deploy -- --chain local');

      // An arm64 image, built without running anything in it (FROM scratch, COPY), pushed as arm-1.0.0.
      writeFileSync(join(module.dir, 'Containerfile.arm64'), 'FROM scratch\nCOPY dist/app.cjs /app/app.cjs\n');
      const arm = `${image}:arm-1.0.0`;
      const built = await timed('podman build an arm64 image', () =>
        module.run('podman', ['build', '--quiet', '--platform', 'linux/arm64', '-f', 'Containerfile.arm64', '-t', arm, '.']),
      );
      expect(built.exitCode, built.all).toBe(0);
      const digestFile = join(module.dir, 'arm.digest');
      const pushed = await module.run('podman', ['push', '--tls-verify=false', '--digestfile', digestFile, arm]);
      expect(pushed.exitCode, pushed.all).toBe(0);
      module.editJson('iexec.json', (json) =>
        Object.assign(json.app, { multiaddr: arm, checksum: `0x${readFileSync(digestFile, 'utf8').trim().slice('sha256:'.length)}` }),
      );
      const wrong = await module.doctor('an arm64 image');
      expect(wrong.status).toBe(1);
      expect(
        failure(wrong.output, /is built for linux\/arm64, not linux\/amd64, the workers' platform: its tasks fail with "exec format error"/)
          .fix,
      ).toContain('./publish.sh 1.0.0');
    } finally {
      writeFileSync(join(module.dir, 'iexec.json'), kept);
      rmSync(join(module.dir, 'Containerfile.arm64'), { force: true });
    }
  });

  it("deployed.json without this chain's app: ✖ naming where the app is, recorded as printed", { timeout: 300_000 }, async () => {
    const address = readJson(join(module.dir, 'deployed.json')).app['31337'];
    module.editJson('deployed.json', (json) => delete json.app['31337']);
    const unrecorded = await module.doctor('deployed.json without chain id 31337');
    expect(unrecorded.status).toBe(1);
    const { fix } = failure(
      unrecorded.output,
      new RegExp(`deployed\\.json has no address for chain id 31337, but the app iexec\\.json describes is deployed at ${address}`),
    );
    expect(fix).toBe(`record it: add "31337": "${address}" under "app" in deployed.json`);
    module.editJson('deployed.json', (json) => (json.app['31337'] = address));
    const recorded = await module.doctor('recorded again');
    expect(recorded.status, recorded.output).toBe(0);
  });

  it('the tag pushed again after deploy: ✖; publishing the next version and deploying, as printed, fixes it', {
    timeout: 900_000,
  }, async () => {
    const source = join(module.dir, 'src/app.ts');
    const kept = readFileSync(source, 'utf8');
    writeFileSync(source, kept.replace('`Hello, ', '`Howdy, '));
    try {
      const built = await timed('tests/build.sh of a changed image', () => module.run('bash', ['tests/build.sh', '1.0.0'], 600_000));
      expect(built.exitCode, built.all).toBe(0);
      const pushed = await module.run('docker', ['push', `${image}:1.0.0`]);
      expect(pushed.exitCode, pushed.all).toBe(0);
    } finally {
      writeFileSync(source, kept);
    }
    const repushed = await module.doctor('tag pushed again');
    expect(repushed.status).toBe(1);
    const { line, fix } = failure(repushed.output, /the tag was pushed again after publish\.sh recorded it/);
    expect(line).toContain(`${image}:1.0.0 is sha256:`);
    expect(fix).toBe('./publish.sh 1.0.1, then npm run deploy -- --chain local and npm run deploy:tee -- --chain local');
    // publish.sh refuses uncommitted changes only in a git repository: this module has none.
    await module.runFix(fix);
    for (const profile of ['standard', 'tee'])
      await module.ok('iexec', [profile, 'app', 'push-secret', '--secret-value', APP_SECRET, '--chain', 'local']);
    const fixed = await module.doctor('1.0.1 published and deployed');
    expect(fixed.status, fixed.output).toBe(0);
    expect(fixed.output).toContain(`✔ standard app and TEE app: ${image}:1.0.1 is pushed, for linux/amd64`);
  });

  it('an unfunded wallet: ✖ gas; the fix (a restart with --fund) funds it; then apps not on this chain and their secrets missing, each fix run', {
    timeout: 900_000,
  }, async () => {
    expect(await module.rpc('anvil_setBalance', [module.owner, '0x0'])).toMatchObject({ result: null });
    const broke = await module.doctor('wallet without ETH');
    expect(broke.status).toBe(1);
    const { fix } = failure(broke.output, new RegExp(`${module.owner} has no ETH on local: it cannot pay the gas of deploy or app:run`));
    expect(fix).toBe(
      `the local network funds a wallet when it starts: stop it (Ctrl-C in its terminal) and start it again with npm run chain:local -- --fund ${module.owner}`,
    );
    await module.network.stop();
    await timed('network start again with --fund', () => module.network.start(300_000, ['--fund', module.owner]));
    const restarted = await module.doctor('after the restart: nothing deployed');
    expect(restarted.status).toBe(1);
    expect(restarted.output).toMatch(/^✔ [\d.]+ ETH for gas on local$/m);
    for (const [file, script] of [
      ['deployed.json', 'deploy'],
      ['deployed.tee.json', 'deploy:tee'],
    ] as const) {
      const { fix } = failure(
        restarted.output,
        new RegExp(
          `${file.replaceAll('.', '\\.')} names 0x[0-9a-fA-F]{40} for chain id 31337, but there is no app there \\(the local network keeps nothing from one start to the next\\)`,
        ),
      );
      expect(fix).toBe(`npm run ${script} -- --chain local`);
      await module.runFix(fix);
    }
    const secretless = await module.doctor('deployed again, no app secret');
    expect(secretless.status).toBe(1);
    for (const profile of ['standard', 'tee']) {
      const label = profile === 'tee' ? 'TEE app' : 'standard app';
      const push = failure(
        secretless.output,
        new RegExp(`the SMS has no app secret for the ${label} 0x[0-9a-fA-F]{40}: its tasks get no IEXEC_APP_DEVELOPER_SECRET`),
      );
      expect(push.fix).toBe(`npm run iexec -- ${profile} app push-secret --chain local`);
      // The CLI asks for the value at a terminal; the test gives it as an option.
      await module.runFix(push.fix, { [push.fix]: ['--secret-value', APP_SECRET] });
    }
    const healthy = await module.doctor('deployed again with the secrets');
    expect(healthy.status, healthy.output).toBe(0);
  });
});
