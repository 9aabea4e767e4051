import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';
import { Timings } from '../helpers/timings.js';
import { type Engine, freePort, missingPrerequisites, moduleUserEnv, removeSuiteImages, startEngine } from './engine.js';

/*
 * The generated module's own toolchain, run for real on this machine (no Docker daemon, no internet):
 * tests/build.sh, tests/run.sh, publish.sh, sconify.sh's recording half, and the deploy scripts with
 * the module's pinned iexec CLI on a local chain. How the machine is prepared, and every boundary
 * this cannot cross, is in test/toolchain/README.md. In short, not crossed here:
 *   - the real node:22 base images (stand-ins: Debian minbase + this machine's node 20);
 *   - Docker Hub and real Docker/buildx (Podman 4.3 behind the docker client, a local registry);
 *   - sconify_iexec itself (SCONE's private registry): a stand-in image prints the fingerprint;
 *   - a public chain: the deploys go to the kit's local network (PoCo 6.1.0 on anvil); `app run` to a
 *     downloaded result on it is test/localnet's job.
 */

const PROFILES = [
  // Through the docker client and Podman's Docker API: what `docker` on a laptop runs.
  { tee: 'tdx', name: 'tc-tdx', args: ['--tee', 'tdx'], sdk: '9', engine: 'docker' },
  // Through the podman CLI directly (DOCKER=podman), which reports the pushed digest itself.
  { tee: 'scone', name: 'tc-scone', args: ['--tee', 'scone', '--chain', 'bellecour'], sdk: '8', engine: 'podman' },
] as const;

const VERSION = '1.0.0';
const SCONIFY_TAG = '5.9.1-v16';
/** The arg the run passes: it must reach the app and show in its result. */
const PROBE = 'toolchain-probe';
/** The task args as one string, as `iexec app run --args` takes them: two words for the worker. */
const ARGS = `${PROBE} "Ada Lovelace"`;
const ZERO_ADDRESS = `0x${'0'.repeat(40)}`;

const timings = new Timings('toolchain timings');
const timed = timings.timed.bind(timings);
const sizes: string[] = [];

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
/** Every file the app wrote in IEXEC_OUT, read as text: where its greeting shows. */
const resultText = (out: string) =>
  readdirSync(out, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(out, entry.name), 'utf8'))
    .join('\n');

/** Whether something still answers on the port, for up to 5 s (npm may exit before anvil has). */
async function nodeAnswers(port: string): Promise<boolean> {
  for (let i = 0; i < 50; i += 1) {
    const answered = await fetch(`http://127.0.0.1:${port}`, { method: 'POST' }).then(
      () => true,
      () => false,
    );
    if (!answered) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** The SDK's own app rules (src/common/utils/validator.js), from the module's pinned iexec. */
async function sdkAppSchema(dir: string) {
  const file = join(dir, 'node_modules/iexec/dist/esm/common/utils/validator.js');
  const { appSchema } = (await import(pathToFileURL(file).href)) as { appSchema: () => { validate(app: unknown): Promise<unknown> } };
  return appSchema();
}

let missing: string[] = [];
let engine: Engine | undefined;

beforeAll(async () => {
  missing = await missingPrerequisites();
  if (missing.length === 0) engine = await startEngine();
}, 60_000);

afterAll(async () => {
  await engine?.stop();
  await removeSuiteImages();
  timings.print(48, sizes);
}, 120_000);

it('has its prerequisites: run `bash scripts/ci-containers.sh` (root) first', () => {
  expect(missing, 'missing tools or base images').toEqual([]);
});

describe.each(PROFILES)('a generated $tee module', (profile) => {
  let dir: string;
  let env: Record<string, string>;
  let image: string;
  let chain: ChildProcess | undefined;

  const sh = (args: string[], options: { env?: Record<string, string> } = {}) =>
    execa('bash', args, { cwd: dir, env: { ...env, ...options.env }, extendEnv: false, reject: false, all: true, stdin: 'ignore' });
  const run = (command: string, args: string[]) =>
    execa(command, args, { cwd: dir, env, extendEnv: false, reject: false, all: true, stdin: 'ignore' });

  beforeAll(async () => {
    if (!engine) return;
    const parent = await mkdtemp(join(tmpdir(), 'cim-toolchain-'));
    dir = join(parent, profile.name);
    const created = await timed(`${profile.tee}: create + install`, () =>
      runCli([dir, ...profile.args, '--no-git', '--no-validate'], { timeout: 600_000 }),
    );
    expect(created.exitCode, created.all ?? created.stderr).toBe(0);
    // A fresh HOME: the CLI's wallet and keystore stay in this test. The npm cache stays shared.
    const home = join(parent, 'home');
    env = {
      ...moduleUserEnv(),
      ...engine.env,
      HOME: home,
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
      ...(profile.engine === 'podman' ? { DOCKER: 'podman' } : {}),
    };
    image = `${engine.registry}/cim/${profile.name}`;
  }, 600_000);

  afterAll(async () => {
    await stopChain();
    if (dir) await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('static: the module installs iexec-module-kit from this checkout, its tooling is no longer in the module', () => {
    const kitVersion: string = readJson(join(repoRoot, 'kit/package.json')).version;
    const tarball = join(repoRoot, 'kit/pack', `iexec-module-kit-${kitVersion}.tgz`);
    expect(readJson(join(dir, 'package.json')).devDependencies['iexec-module-kit']).toBe(`file:${tarball}`);
    expect(readJson(join(dir, 'node_modules/iexec-module-kit/package.json')).version).toBe(kitVersion);
    // What the module's scripts call: the bin and the shell helper publish.sh and sconify.sh source.
    expect(existsSync(join(dir, 'node_modules/.bin/iexec-module'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules/iexec-module-kit/sh/registry.sh'))).toBe(true);
    for (const gone of ['scripts/iexec.mjs', 'scripts/local-chain.mjs', 'scripts/registry.sh'])
      expect(existsSync(join(dir, gone)), gone).toBe(false);
  });

  it(`static: iexec.json and iexec.tee.json pass SDK ${profile.sdk}'s own app rules, and the rules can fail`, async () => {
    const schema = await sdkAppSchema(dir);
    expect(readJson(join(dir, 'node_modules/iexec/package.json')).version.split('.')[0]).toBe(profile.sdk);
    for (const file of ['iexec.json', 'iexec.tee.json']) await schema.validate(readJson(join(dir, file)).app);
    const app = readJson(join(dir, 'iexec.tee.json')).app;
    if (profile.tee === 'scone') {
      expect(app.mrenclave).toMatchObject({ framework: 'SCONE', heapSize: 1073741824 });
      await expect(schema.validate({ ...app, mrenclave: { ...app.mrenclave, heapSize: '1G' } })).rejects.toThrow();
    } else {
      expect(app.mrenclave).toBeUndefined();
      // SDK 9 dropped SCONE: an mrenclave object is refused, as the platform notes say.
      const scone = {
        framework: 'SCONE',
        version: 'v5.9',
        entrypoint: 'node /app/app.cjs',
        heapSize: 1073741824,
        fingerprint: 'ab'.repeat(32),
      };
      await expect(schema.validate({ ...app, mrenclave: scone })).rejects.toThrow(/mrenclave/);
    }
    await expect(schema.validate({ ...app, checksum: '0x1234' })).rejects.toThrow();
  });

  it('containers: tests/build.sh builds the linux/amd64 image', { timeout: 600_000 }, async () => {
    const build = await timed(`${profile.tee}: tests/build.sh`, () => sh(['tests/build.sh']));
    expect(build.exitCode, build.all).toBe(0);
    expect(build.stdout.trim()).toBe(`${image}:dev`);
    const inspect = await run('podman', [
      'image',
      'inspect',
      '--format',
      '{{.Architecture}} {{.Size}} {{json .Config.Entrypoint}}',
      `${image}:dev`,
    ]);
    const [arch, size, entrypoint] = inspect.stdout.split(' ');
    expect(arch).toBe('amd64');
    expect(JSON.parse(entrypoint!)[0]).toBe('/usr/local/bin/node');
    const app = await run('podman', ['run', '--rm', '--entrypoint', '/usr/bin/du', `${image}:dev`, '-sb', '/app']);
    const bundle = readFileSync(join(dir, 'dist/app.cjs')).length;
    sizes.push(
      `  ${profile.tee}: runtime image ${(Number(size) / 1e6).toFixed(1)} MB (stand-in base + /app), /app ${app.stdout.split('\t')[0]} bytes, bundle ${bundle} bytes`,
    );
    expect(Number(app.stdout.split('\t')[0])).toBeGreaterThanOrEqual(bundle);
  });

  it('containers: tests/run.sh runs it like a worker and checks computed.json', { timeout: 300_000 }, async () => {
    const result = await timed(`${profile.tee}: tests/run.sh '${ARGS}'`, () => sh(['tests/run.sh', ARGS]));
    expect(result.exitCode, result.all).toBe(0);
    // The kit's post-compute verdict: computed.json read, its output found inside /iexec_out.
    expect(result.stdout).toMatch(/^✔ computed\.json is a JSON object$/m);
    expect(result.stdout).toMatch(/^✔ deterministic-output-path \S+ exists under IEXEC_OUT$/m);
    expect(result.stdout).toMatch(/^PASS: a worker would complete this task/m);
    const out = join(dir, 'tests/iexec_out');
    const computed = readJson(join(out, 'computed.json'));
    const output = join(out, computed['deterministic-output-path'].replace(/^\/iexec_out\/?/, ''));
    expect(existsSync(output)).toBe(true);
    // Split as the worker splits iexec_args: two names, the quotes gone.
    expect(resultText(out)).toContain(`${PROBE} and Ada Lovelace`);

    // Unbalanced quotes: the worker runs the app with no args at all, and run.sh says so.
    const unbalanced = await sh(['tests/run.sh', 'Alice "Ada']);
    expect(unbalanced.exitCode, unbalanced.all).toBe(0);
    expect(unbalanced.stderr).toMatch(/no args/);
    expect(resultText(out)).toContain('Hello, world!');

    const twoArgs = await sh(['tests/run.sh', 'Alice', 'Bob']);
    expect(twoArgs.exitCode).not.toBe(0);
    expect(twoArgs.stderr).toContain('"Alice Bob"');

    const missingImage = await sh(['tests/run.sh'], { env: { TAG: 'never-built' } });
    expect(missingImage.exitCode).not.toBe(0);
    expect(missingImage.stderr).toContain(`no image ${image}:never-built`);
  });

  it('containers: the app gets the args, env and log files a worker gives it (probe image)', { timeout: 300_000 }, async () => {
    // The default app keeps neither its env nor its argv: a probe on the same image records them.
    await timed(`${profile.tee}: build the probe image`, () => buildProbe(`${image}:dev`, `${image}:probe`));
    const result = await timed(`${profile.tee}: tests/run.sh with the probe`, () => sh(['tests/run.sh', ARGS], { env: { TAG: 'probe' } }));
    expect(result.exitCode, result.all).toBe(0);
    const out = join(dir, 'tests/iexec_out');
    const seen = readJson(join(out, 'probe.json'));
    expect(seen.argv).toEqual([PROBE, 'Ada Lovelace']);
    expect(seen.env).toMatchObject({
      IEXEC_IN: '/iexec_in',
      IEXEC_OUT: '/iexec_out',
      IEXEC_INPUT_FILES_NUMBER: '0',
      IEXEC_DATASET_ADDRESS: ZERO_ADDRESS,
      IEXEC_DATASET_FILENAME: ZERO_ADDRESS,
    });
    expect(seen.env).not.toHaveProperty('IEXEC_INPUT_FILES_FOLDER');
    // The worker keeps the app's output in IEXEC_OUT, uploaded with the result.
    expect(readFileSync(join(out, 'stdout.txt'), 'utf8')).toBe('probe stdout\n');
    expect(readFileSync(join(out, 'stderr.txt'), 'utf8')).toBe('probe stderr\n');
    expect(result.stdout).toContain('probe stdout');
    expect(result.stderr).toContain('probe stderr');
  });

  it('publish: publish.sh pushes and records the digest the registry serves', { timeout: 600_000 }, async () => {
    const bad = await sh(['publish.sh', '1.0']);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/VERSION must look like 1\.0\.0/);

    const published = await timed(`${profile.tee}: publish.sh ${VERSION}`, () => sh(['publish.sh', VERSION]));
    expect(published.exitCode, published.all).toBe(0);
    const digest = await engine!.registryDigest(`cim/${profile.name}`, VERSION);
    const files = profile.tee === 'tdx' ? ['iexec.json', 'iexec.tee.json'] : ['iexec.json'];
    for (const file of files) {
      expect(readJson(join(dir, file)).app, file).toMatchObject({
        multiaddr: `${image}:${VERSION}`,
        checksum: `0x${digest.slice('sha256:'.length)}`,
      });
    }
    const schema = await sdkAppSchema(dir);
    for (const file of files) await schema.validate(readJson(join(dir, file)).app);

    const again = await sh(['publish.sh', VERSION]);
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toMatch(/already records .*publish a new VERSION/);
  });

  if (profile.tee === 'scone') {
    it('sconify: without SCONE registry access it stops and explains how to get it', async () => {
      // Boundary: the sconify image is private (and this machine reaches no container registry).
      const result = await sh(['sconify.sh', VERSION]);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain(`cannot pull registry.scontain.com/scone-production/iexec-sconify-image:${SCONIFY_TAG}`);
      expect(result.stderr).toMatch(/gitlab\.scontain\.com[\s\S]*docker login registry\.scontain\.com/);
      expect(readJson(join(dir, 'iexec.tee.json')).app.checksum).toMatch(/^0x0{64}$/);
    });

    it('sconify: `sconify.sh record` writes multiaddr, checksum and the whole mrenclave of a (stand-in) sconified image', {
      timeout: 600_000,
    }, async () => {
      const sconified = `${image}:${VERSION}-sconify-${SCONIFY_TAG}-debug`;
      await timed('scone: build the stand-in sconified image', () => buildStandIn(`${image}:${VERSION}`, sconified));

      // An unknown SCONE version is refused before anything is pushed or written.
      const unknownTag = `${image}:${VERSION}-sconify-6.0.0-v1-debug`;
      expect((await run('podman', ['tag', sconified, unknownTag])).exitCode).toBe(0);
      const tagsBefore = await engine!.registryTags(`cim/${profile.name}`);
      const profileBefore = readFileSync(join(dir, 'iexec.tee.json'), 'utf8');
      const unknown = await sh(['sconify.sh', 'record', unknownTag, '--sconify-image', '6.0.0-v1']);
      expect(unknown.exitCode).not.toBe(0);
      expect(unknown.stderr).toMatch(/--sconify-image 6\.0\.0-v1: .*Known: 5\.7\.x \(v5\) and 5\.9\.x \(v5\.9\)/);
      expect(await engine!.registryTags(`cim/${profile.name}`)).toEqual(tagsBefore);
      expect(readFileSync(join(dir, 'iexec.tee.json'), 'utf8')).toBe(profileBefore);

      // SCONE 5.7 is the SMS pipeline "v5", not "v5.7"; a heap over the workers' default cap warns.
      const legacy = await timed('scone: sconify.sh record (5.7.5-v12, heap 9G)', () =>
        sh(['sconify.sh', 'record', sconified, '--sconify-image', '5.7.5-v12', '--heap', '9G']),
      );
      expect(legacy.exitCode, legacy.all).toBe(0);
      expect(legacy.stderr).toMatch(/warning: --heap 9G is over 8G/);
      expect(readJson(join(dir, 'iexec.tee.json')).app.mrenclave).toMatchObject({ version: 'v5', heapSize: 9 * 1024 ** 3 });

      const recorded = await timed('scone: sconify.sh record (heap 2G)', () => sh(['sconify.sh', 'record', sconified, '--heap', '2G']));
      expect(recorded.exitCode, recorded.all).toBe(0);

      // What the stand-in prints for SCONE_HASH=1, computed here from the same bytes it hashes.
      const fingerprint = createHash('sha256')
        .update(readFileSync(realpathSync(process.execPath)))
        .update(readFileSync(join(dir, 'dist/app.cjs')))
        .digest('hex');
      const digest = await engine!.registryDigest(`cim/${profile.name}`, `${VERSION}-sconify-${SCONIFY_TAG}-debug`);
      const app = readJson(join(dir, 'iexec.tee.json')).app;
      expect(app).toMatchObject({
        multiaddr: sconified,
        checksum: `0x${digest.slice('sha256:'.length)}`,
        mrenclave: {
          framework: 'SCONE',
          version: 'v5.9',
          entrypoint: '/usr/local/bin/node --disable-wasm-trap-handler /app/app.cjs',
          heapSize: 2 * 1024 ** 3,
          fingerprint,
        },
      });
      await (await sdkAppSchema(dir)).validate(app);
    });
  }

  it('deploy: both apps land on the local chain with the module scripts and read back the same', { timeout: 300_000 }, async () => {
    // The user's own step for a rehearsal: a wallet (unencrypted here, so no password prompt).
    const wallet = await run('npm', ['run', 'iexec', '--', 'standard', 'wallet', 'create', '--unencrypted']);
    expect(wallet.exitCode, wallet.all).toBe(0);
    const owner: string = readJson(join(dir, 'wallet.json')).address;

    // Another port than the default 8545, so parallel runs do not collide: chain.json is its config.
    const chainFile = join(dir, 'chain.json');
    const chainConf = readJson(chainFile);
    chainConf.chains.local.host = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(chainFile, `${JSON.stringify(chainConf, null, 2)}\n`);
    const ready = await timed(`${profile.tee}: npm run chain:local (until ready)`, () => startChain());
    expect(ready).toContain(`"host":"${chainConf.chains.local.host}"`);
    expect(ready.toLowerCase()).toContain(owner.toLowerCase());
    // The kit fetches anvil and the AppRegistry into the module, not into itself or HOME: offline after the first start.
    const cache = join(dir, 'node_modules/.cache/iexec-local-chain');
    expect(existsSync(join(cache, 'anvil/node_modules/@foundry-rs/anvil/bin.mjs')), `anvil under ${cache}`).toBe(true);
    expect(readdirSync(join(cache, 'poco')).length).toBeGreaterThan(0);

    for (const [script, file, deployed] of [
      ['deploy', 'iexec.json', 'deployed.json'],
      ['deploy:tee', 'iexec.tee.json', 'deployed.tee.json'],
    ] as const) {
      const result = await timed(`${profile.tee}: npm run ${script} -- --chain local`, () =>
        run('npm', ['run', script, '--', '--chain', 'local']),
      );
      expect(result.exitCode, result.all).toBe(0);
      const address: string = readJson(join(dir, deployed)).app['31337'];
      expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);

      const profileName = file === 'iexec.json' ? 'standard' : 'tee';
      // --silent: npm's own banner would precede the JSON on stdout.
      const show = await run('npm', ['run', '--silent', 'iexec', '--', profileName, 'app', 'show', '--chain', 'local', '--raw']);
      expect(show.exitCode, show.all).toBe(0);
      const shown = JSON.parse(show.stdout);
      const written = readJson(join(dir, file)).app;
      expect(shown.address).toBe(address);
      expect(shown.app).toMatchObject({
        owner,
        appMultiaddr: written.multiaddr,
        appChecksum: written.checksum,
        appType: 'DOCKER',
        appName: written.name,
      });
      if (written.mrenclave) expect(JSON.parse(shown.app.appMREnclave)).toEqual(written.mrenclave);
      else expect(shown.app.appMREnclave).toBe('');
    }

    // The plain command the README and the chain's banner give, human output and all.
    const plain = await run('npm', ['run', 'iexec', '--', 'standard', 'app', 'show', '--chain', 'local']);
    expect(plain.exitCode, plain.all).toBe(0);
    // The CLI's human output (its spinner's lines) goes to stderr without a terminal.
    expect(plain.all).toContain(readJson(join(dir, 'deployed.json')).app['31337']);

    // Ctrl-C, as in a terminal: SIGINT to the whole process group (npm, the script, anvil).
    const port = new URL(chainConf.chains.local.host).port;
    await stopChain();
    expect(await nodeAnswers(port), 'anvil still answers after Ctrl-C').toBe(false);
  });

  it("no file of the module reaches into the SDK's internals (iexec/dist), after every script ran", async () => {
    // The kit resolves the CLI through iexec's package.json bin; a path into dist/ breaks on any SDK release.
    const found = await run('grep', ['-rl', '--exclude-dir=node_modules', 'iexec/dist', '.']);
    expect(found.exitCode, found.all).toBe(1);
  });

  async function stopChain() {
    if (!chain || chain.exitCode !== null || chain.signalCode !== null) return;
    const stopped = new Promise((resolve) => chain!.once('exit', resolve));
    process.kill(-chain.pid!, 'SIGINT');
    await stopped;
  }

  function startChain() {
    return new Promise<string>((resolve, reject) => {
      let output = '';
      chain = spawn('npm', ['run', 'chain:local'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (/^ {2}100 ETH for gas given to: .*$/m.test(output)) resolve(output);
      };
      chain.stdout?.on('data', onData);
      chain.stderr?.on('data', onData);
      chain.once('exit', (code) => reject(new Error(`chain:local exited with ${code}:\n${output}`)));
    });
  }

  /**
   * The module's image with another ENTRYPOINT: a script that records the argv and env it got in
   * IEXEC_OUT/probe.json (its deterministic output) and writes a line to stdout and to stderr.
   */
  async function buildProbe(from: string, to: string) {
    const context = await mkdtemp(join(tmpdir(), 'cim-probe-'));
    await writeFile(
      join(context, 'probe.cjs'),
      [
        "const fs = require('node:fs');",
        'const out = process.env.IEXEC_OUT;',
        'fs.writeFileSync(`${out}/probe.json`, JSON.stringify({ argv: process.argv.slice(2), env: process.env }));',
        "fs.writeFileSync(`${out}/computed.json`, JSON.stringify({ 'deterministic-output-path': `${out}/probe.json` }));",
        "console.log('probe stdout');",
        "console.error('probe stderr');",
        '',
      ].join('\n'),
    );
    await writeFile(
      join(context, 'Dockerfile'),
      `FROM ${from}\nCOPY probe.cjs /probe.cjs\nENTRYPOINT ["/usr/local/bin/node", "/probe.cjs"]\n`,
    );
    const build = await run('podman', ['build', '--quiet', '-t', to, context]);
    await rm(context, { recursive: true, force: true });
    expect(build.exitCode, build.all).toBe(0);
  }

  /**
   * Stand-in for sconify_iexec's output: the same image, same ENTRYPOINT, whose node answers
   * SCONE_HASH=1 the way a SCONE binary does (prints a 64-hex fingerprint and exits). Here the
   * fingerprint is the sha256 of the node binary and the bundle; the real one is SGX's MRENCLAVE.
   */
  async function buildStandIn(from: string, to: string) {
    const context = await mkdtemp(join(tmpdir(), 'cim-standin-'));
    await writeFile(
      join(context, 'node'),
      [
        '#!/bin/sh',
        'if [ "$SCONE_HASH" = 1 ]; then',
        '  cat /usr/local/bin/node.real /app/app.cjs | sha256sum | cut -d" " -f1',
        '  exit 0',
        'fi',
        'exec /usr/local/bin/node.real "$@"',
        '',
      ].join('\n'),
    );
    await chmod(join(context, 'node'), 0o755);
    await writeFile(
      join(context, 'Dockerfile'),
      `FROM ${from}\nRUN mv /usr/local/bin/node /usr/local/bin/node.real\nCOPY node /usr/local/bin/node\n`,
    );
    const build = await run('podman', ['build', '--quiet', '-t', to, context]);
    await rm(context, { recursive: true, force: true });
    expect(build.exitCode, build.all).toBe(0);
  }
});
