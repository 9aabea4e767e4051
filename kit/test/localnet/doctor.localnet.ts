import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { advanceClock } from '../../src/chain/advance.js';
import { main as doctor } from '../../src/commands/doctor.js';
import { main as localRun } from '../../src/commands/local.js';
import { main as task } from '../../src/commands/task.js';
import { LOCAL_WORKERPOOL } from '../../src/platform.js';
import { CACHE, LOCALNET, installSdk, startLocalnet, unpublishedApp, type Localnet } from './helpers.js';

/*
 * doctor and task against the local network, each reading through the real SDK's JS API (iexec 9.0.1
 * and 8.24.0, the module's own): a healthy module passes, a task is explained, claimed and replayed.
 * The module-level suite (test/localnet/doctor.localnet.ts) injects each fault through a module's own
 * npm scripts. npm run test:localnet; skipped in npm test.
 */

/** Runs a command's main in this process; what it prints, and its status. */
async function capture(run: () => Promise<number>): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(parts.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' ')));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  try {
    return { status: await run(), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

/** The requester's folder as a module: its SDK, both app files, a manifest naming its features, the stand-in bundle. */
function asModule(net: Localnet, version: string, framework: 'tdx' | 'scone', features: string[]) {
  const { work, root } = net;
  fs.mkdirSync(path.join(work, 'node_modules'), { recursive: true });
  fs.symlinkSync(path.join(CACHE, `iexec-${version}`, 'node_modules', 'iexec'), path.join(work, 'node_modules', 'iexec'));
  fs.mkdirSync(path.join(work, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(root, 'dist', 'app.cjs'), path.join(work, 'dist', 'app.cjs'));
  const mrenclave =
    framework === 'scone'
      ? {
          mrenclave: {
            framework: 'SCONE',
            version: 'v5.9',
            entrypoint: 'node /app/app.cjs',
            heapSize: 1073741824,
            fingerprint: 'ab'.repeat(32),
          },
        }
      : {};
  fs.writeFileSync(path.join(work, 'iexec.json'), JSON.stringify({ app: unpublishedApp(net.requester.address) }));
  fs.writeFileSync(
    path.join(work, 'iexec.tee.json'),
    JSON.stringify({ app: unpublishedApp(net.requester.address, { name: 'probe-tee', ...mrenclave }) }),
  );
  fs.writeFileSync(path.join(work, '.create-iexec-module.json'), JSON.stringify({ answers: { tee: framework, features } }));
}

/** `app deploy` of one profile: the CLI reads iexec.json and writes deployed.json, as the kit's wrapper links them. */
async function deploy(net: Localnet, profile: 'standard' | 'tee'): Promise<string> {
  const file = (name: string) => path.join(net.work, name);
  const standard = fs.readFileSync(file('iexec.json'));
  if (profile === 'tee') {
    fs.copyFileSync(file('iexec.tee.json'), file('iexec.json'));
    if (fs.existsSync(file('deployed.json'))) fs.renameSync(file('deployed.json'), file('deployed.standard.json'));
  }
  try {
    const deployed = await net.cli(['app', 'deploy']);
    expect(deployed.status, deployed.stderr).toBe(0);
    net.registerApp(deployed.json.address);
    return deployed.json.address;
  } finally {
    if (profile === 'tee') {
      fs.writeFileSync(file('iexec.json'), standard);
      fs.renameSync(file('deployed.json'), file('deployed.tee.json'));
      if (fs.existsSync(file('deployed.standard.json'))) fs.renameSync(file('deployed.standard.json'), file('deployed.json'));
    }
  }
}

for (const [version, framework] of [
  ['9.0.1', 'tdx'],
  ['8.24.0', 'scone'],
] as const) {
  const major = Number(version.split('.')[0]) as 8 | 9;
  describe.runIf(LOCALNET)(`doctor and task on the local network with iexec ${version}`, () => {
    let net: Localnet;

    beforeAll(async () => {
      const { bin } = installSdk(version);
      net = await startLocalnet(major, bin, `doctor-sdk${major}`);
      asModule(net, version, framework, ['args', 'app-secret']);
    }, 600_000);

    afterAll(async () => {
      await net?.stop();
    });

    it('doctor: a module deployed with its secret passes, each line read through the SDK', async () => {
      const standard = await deploy(net, 'standard');
      const tee = await deploy(net, 'tee');
      for (const app of framework === 'tdx' ? [standard, tee] : [tee]) {
        expect((await net.cli(['app', 'push-secret', app, '--secret-value', 'app-secret'])).status).toBe(0);
      }
      const started = performance.now();
      const { status, out, err } = await capture(() => doctor(['--chain', 'local'], net.work));
      console.log(`localnet timing: doctor in this process, iexec ${version}: ${Math.round(performance.now() - started)} ms`);
      expect(status, out + err).toBe(0);
      expect(out).toContain(LOCAL_WORKERPOOL.address);
      expect(out).toMatch(/^✔ the SMS has the app secret of the TEE app/m);
      expect(out).toMatch(new RegExp(`^✔ TEE app: workerpool order 0x[0-9a-f]{8}… for tag tee,${framework}, category 0`, 'm'));
      expect(out).not.toMatch(/^✖/m);
      const json = await capture(() => doctor(['--chain', 'local', '--json'], net.work));
      expect(JSON.parse(json.out)).toMatchObject({ ok: true, chain: 'local', chainId: 31337, sdk: version });
    }, 180_000);

    it('task: a task that will not complete is explained, cannot be claimed yet, replays as npm run local; advanced, it is claimed', async () => {
      const app = JSON.parse(fs.readFileSync(path.join(net.work, 'deployed.json'), 'utf8')).app['31337'];
      const run = await net.cli(['app', 'run', app, '--workerpool', LOCAL_WORKERPOOL.address, '--args', 'no-computed print', '--force']);
      expect(run.status, run.stderr).toBe(0);
      const [, taskid] = await net.waitForLog(/task (0x[0-9a-f]{64}) \([^)]*\): will not complete/);
      const view = await capture(() => task([taskid!, '--chain', 'local'], net.work));
      expect(view.status, view.err).toBe(0);
      expect(view.out).toMatch(/on chain +ACTIVE/);
      expect(view.out).toContain('DETERMINISM_HASH_NOT_FOUND: the worker had no result digest to contribute');
      expect(view.out).toMatch(/app logs +worker 0x/);
      expect(view.out).toContain('to stdout');
      expect(view.out).toMatch(/it will not complete: .*Nobody fails it on chain/);
      expect(view.out).toContain(`npm run task -- ${taskid} --replay --chain local`);
      expect(view.out).toContain(`npm run chain:local -- advance --past-final-deadline ${taskid}`);

      const early = await capture(() => task([taskid!, '--claim', '--chain', 'local'], net.work));
      expect(early.status).toBe(1);
      expect(early.err).toMatch(/cannot be claimed before its final deadline .*in \d+ min.*advance --past-final-deadline/);

      const replay = await capture(() => task([taskid!, '--replay', '--chain', 'local'], net.work));
      const local = await capture(() => localRun(['--bundle', path.join(net.work, 'dist', 'app.cjs'), '--args', 'no-computed print']));
      expect(replay.status).toBe(1);
      expect(local.status).toBe(1);
      expect(replay.out).toContain(`--args='no-computed print'`);
      const verdict = (text: string) => text.split('\n').filter((line) => /^(✔|!|✖|FAIL|PASS)/.test(line));
      expect(verdict(replay.out).length).toBeGreaterThan(0);
      expect(verdict(replay.out)).toEqual(verdict(local.out));

      expect(await capture(() => advanceClock(net.root, { pastFinalDeadline: taskid! }))).toMatchObject({ status: 0 });
      const late = await capture(() => task([taskid!, '--chain', 'local'], net.work));
      expect(late.out).toMatch(/on chain +TIMEOUT/);
      expect(late.out).toContain(`npm run task -- ${taskid} --claim --chain local`);
      const claimed = await capture(() => task([taskid!, '--claim', '--chain', 'local'], net.work));
      expect(claimed.status, claimed.err).toBe(0);
      expect(claimed.out).toMatch(/claimed task 0x[0-9a-f]{64} \(transaction 0x[0-9a-f]{64}\)/);
      const after = await capture(() => task([taskid!, '--chain', 'local'], net.work));
      expect(after.out).toMatch(/on chain +FAILED/);
      expect(after.out).toContain('it was claimed after its final deadline');
    }, 300_000);

    it('task: a completed task shows its result link, and --watch ends at once', async () => {
      const app = JSON.parse(fs.readFileSync(path.join(net.work, 'deployed.json'), 'utf8')).app['31337'];
      const run = await net.cli([
        'app',
        'run',
        app,
        '--workerpool',
        LOCAL_WORKERPOOL.address,
        '--args',
        'print Grace',
        '--watch',
        '--force',
      ]);
      expect(run.status, run.stderr).toBe(0);
      const taskid = run.json.tasks[0].taskid;
      const ipfs = JSON.parse(fs.readFileSync(path.join(net.work, 'chain.json'), 'utf8')).chains.local.ipfsGateway;
      const view = await capture(() => task([taskid, '--chain', 'local'], net.work));
      expect(view.out).toMatch(/on chain +COMPLETED/);
      expect(view.out).toMatch(new RegExp(`result +${ipfs}/ipfs/\\w+`));
      expect(view.out).toContain(`npm run result -- ${taskid} --chain local`);
      const watched = await capture(() => task([taskid, '--watch', '--chain', 'local'], net.work));
      expect(watched.status).toBe(0);
      const json = await capture(() => task([taskid, '--json', '--chain', 'local'], net.work));
      expect(JSON.parse(json.out)).toMatchObject({ taskid, statusName: 'COMPLETED', explanation: { state: 'completed' } });
    }, 180_000);
  });
}
