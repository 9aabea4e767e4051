import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Contract, JsonRpcProvider } from 'ethers';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_WORKERPOOL } from '../../src/platform.js';
import { LOCALNET, installSdk, startLocalnet, unpublishedApp, type Localnet } from './helpers.js';

/*
 * The local network driven by the real iexec 8.24.0 CLI: storage init through the result proxy, a
 * standard task (contribute, reveal, finalize), a SCONE-tagged task with secrets, a callback deal
 * received by PoCo's TestClient, and a finalize PoCo refuses.
 * npm run test:localnet (the localnet project of vitest.config.ts); skipped in npm test.
 */
const hashed = (value: string) => `sha256:${createHash('sha256').update(value).digest('hex')}`;
const SCONE = {
  framework: 'SCONE',
  version: 'v5.9',
  entrypoint: '/usr/local/bin/node /app/app.cjs',
  heapSize: 1073741824,
  fingerprint: 'ab'.repeat(32),
};

describe.runIf(LOCALNET)('the local network with iexec 8.24.0', () => {
  let net: Localnet;
  let app: string;
  const run = (args: string[]) => net.cli(['app', 'run', app, '--workerpool', LOCAL_WORKERPOOL.address, '--watch', '--force', ...args]);

  beforeAll(async () => {
    const { bin, installMs } = installSdk('8.24.0');
    net = await startLocalnet(8, bin, 'sdk8');
    console.log(`iexec 8.24.0 ready in ${installMs} ms (an install when not cached); network started in ${net.startMs} ms`);
  }, 600_000);

  afterAll(async () => {
    await net?.stop();
  });

  it("initializes the requester's storage: result proxy login, then the token in the SMS", async () => {
    expect((await net.cli(['storage', 'check'])).json).toMatchObject({ ok: true, isInitialized: false });
    const init = await net.cli(['storage', 'init']);
    expect(init.status, init.stderr).toBe(0);
    expect((await net.cli(['storage', 'check'])).json).toMatchObject({ ok: true, isInitialized: true });
  }, 120_000);

  it('runs a standard task through COMPLETED: contribute, reveal, finalize; result and logs', async () => {
    net.writeIexecJson({ app: unpublishedApp(net.requester.address) });
    const deployed = await net.cli(['app', 'deploy']);
    expect(deployed.status, deployed.stderr).toBe(0);
    app = deployed.json.address;
    net.registerApp(app);
    const done = await run(['--args', 'print Alice']);
    expect(done.status, `${done.stdout}${done.stderr}\n${net.logs.join('\n')}`).toBe(0);
    console.log(`app run --watch (standard, COMPLETED): ${done.ms} ms`);
    const taskid = done.json.tasks[0].taskid;
    expect(net.logs.join('\n')).toContain(`task ${taskid} (standard`);
    await net.cli(['task', 'show', taskid, '--download', 'std']);
    const zip = await JSZip.loadAsync(fs.readFileSync(path.join(net.work, 'std.zip')));
    const { result } = JSON.parse(await zip.file('result.json')!.async('string'));
    expect(result.args).toEqual(['print', 'Alice']);
    // Secrets reach TEE tasks only.
    expect(Object.keys(result.env).filter((name) => name.includes('SECRET'))).toEqual([]);
    const debug = await net.cli(['task', 'debug', taskid, '--logs']);
    expect(debug.json.offchainData.replicates[0].statusHistory.map((entry: { status: string }) => entry.status)).toEqual(
      expect.arrayContaining(['CONTRIBUTED', 'REVEALED', 'COMPLETED']),
    );
    expect(debug.json.appLogs[0]).toMatchObject({ stdout: 'to stdout\n', stderr: 'to stderr\n' });
  }, 180_000);

  it('runs a tee,scone task with the app and requester secrets, on the bundle, saying why', async () => {
    net.writeIexecJson({ app: unpublishedApp(net.requester.address, { name: 'probe-tee', mrenclave: SCONE }) });
    const deployed = await net.cli(['app', 'deploy']);
    expect(deployed.status, deployed.stderr).toBe(0);
    const teeApp = deployed.json.address;
    net.registerApp(teeApp);
    expect((await net.cli(['app', 'push-secret', teeApp, '--secret-value', 'scone-app-secret'])).json).toMatchObject({ ok: true });
    expect((await net.cli(['requester', 'push-secret', 'k1', '--secret-value', 'scone-requester-secret'])).json).toMatchObject({
      ok: true,
    });
    const done = await net.cli([
      'app',
      'run',
      teeApp,
      '--workerpool',
      LOCAL_WORKERPOOL.address,
      '--tag',
      'tee,scone',
      '--secret',
      '1=k1',
      '--args',
      'x',
      '--watch',
      '--force',
    ]);
    expect(done.status, `${done.stdout}${done.stderr}\n${net.logs.join('\n')}`).toBe(0);
    const taskid = done.json.tasks[0].taskid;
    const logs = net.logs.join('\n');
    expect(logs).toContain(`task ${taskid} (TEE scone`);
    expect(logs).toContain('the deployed image is a SCONE enclave, which starts inside SGX only');
    await net.cli(['task', 'show', taskid, '--download', 'tee']);
    const zip = await JSZip.loadAsync(fs.readFileSync(path.join(net.work, 'tee.zip')));
    const { result } = JSON.parse(await zip.file('result.json')!.async('string'));
    // The stand-in app reports secrets by their SHA-256 (kit/test/helpers.ts).
    expect(result.env).toMatchObject({
      IEXEC_REQUESTER_SECRET_1: hashed('scone-requester-secret'),
      IEXEC_APP_DEVELOPER_SECRET: hashed('scone-app-secret'),
    });
  }, 180_000);

  it("delivers callback-data to the deal's callback contract within PoCo's callback gas", async () => {
    const receiver = net.network.callbackReceiver;
    const done = await run(['--args', '--callback', '--callback', receiver]);
    expect(done.status, `${done.stdout}${done.stderr}\n${net.logs.join('\n')}`).toBe(0);
    const taskid = done.json.tasks[0].taskid;
    const shown = await net.cli(['task', 'show', taskid]);
    // commons-poco gives addresses in lower case, and the worker writes the link with them.
    expect(shown.json.task.results).toEqual({ storage: 'ethereum', location: receiver.toLowerCase() });
    const provider = new JsonRpcProvider(net.network.entry.host, Number(net.network.entry.id), { staticNetwork: true });
    const client = new Contract(receiver, ['function store(bytes32) view returns (bytes)'], provider) as any;
    expect(await client.store(taskid)).toBe(`0x${'ab'.repeat(32)}`);
    provider.destroy();
  }, 180_000);

  it('leaves a standard task whose finalize PoCo refuses (callback-data without callback) REVEALING; core marks it FINALIZE_FAILED', async () => {
    const done = await net.cli(['app', 'run', app, '--workerpool', LOCAL_WORKERPOOL.address, '--force', '--args', '--callback']);
    expect(done.status, done.stderr).toBe(0);
    const [, taskid, why] = await net.waitForLog(/task (0x[0-9a-f]{64}) \(standard[^:]*: will not complete: (.*)/);
    expect(why).toMatch(/^PoCo refused finalize .*callback-data but the deal has no callback contract/);
    expect((await net.cli(['task', 'show', taskid!])).json.task.statusName).toBe('REVEALING');
    const debug = await net.cli(['task', 'debug', taskid!, '--logs']);
    expect(debug.json.offchainData.task.statusHistory.map((entry: { status: string }) => entry.status).slice(-2)).toEqual([
      'FINALIZE_FAILED',
      'FAILED',
    ]);
    expect(debug.json.offchainData.replicates[0].statusHistory.at(-1)).toEqual({ status: 'RESULT_UPLOADED', date: expect.any(String) });
  }, 180_000);

  it('refuses an encrypted-result deal on a standard worker (START_FAILED, TASK_DESCRIPTION_INVALID): it never runs', async () => {
    const done = await net.cli([
      'app',
      'run',
      app,
      '--workerpool',
      LOCAL_WORKERPOOL.address,
      '--force',
      '--encrypt-result',
      '--skip-preflight-check',
    ]);
    expect(done.status, done.stderr).toBe(0);
    const [, taskid] = await net.waitForLog(
      /task (0x[0-9a-f]{64}) \(standard[^:]*: will not complete: the deal asks for encrypted results/,
    );
    const debug = await net.cli(['task', 'debug', taskid!]);
    expect(debug.json.offchainData.replicates[0].statusHistory.at(-1)).toEqual({
      status: 'START_FAILED',
      date: expect.any(String),
      cause: 'TASK_DESCRIPTION_INVALID',
    });
    expect(debug.json.offchainData.task.status).toBe('INITIALIZED');
    expect((await net.cli(['task', 'show', taskid!])).json.task.statusName).toBe('ACTIVE');
  }, 180_000);
});
