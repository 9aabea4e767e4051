import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { advanceClock } from '../../src/chain/advance.js';
import { LOCAL_WORKERPOOL } from '../../src/platform.js';
import { LOCALNET, installSdk, serveDataset, startLocalnet, unpublishedApp, type Localnet } from './helpers.js';

/*
 * The local network driven by the real iexec 9.0.1 CLI: every service it calls (SMS, market, result
 * storage, compass, workerpool API) and the worker, through COMPLETED and FAILED tasks. SDK 9 tags every
 * order tee,tdx, so each task here takes the TEE path (contributeAndFinalize) with the bundle runner.
 * npm run test:localnet (the localnet project of vitest.config.ts); skipped in npm test.
 */
const hashed = (value: string) => `sha256:${createHash('sha256').update(value).digest('hex')}`;

describe.runIf(LOCALNET)('the local network with iexec 9.0.1', () => {
  let net: Localnet;
  let app: string;
  let dataset: Awaited<ReturnType<typeof serveDataset>>;

  beforeAll(async () => {
    const { bin, installMs } = installSdk('9.0.1');
    net = await startLocalnet(9, bin, 'sdk9');
    console.log(`iexec 9.0.1 ready in ${installMs} ms (an install when not cached); network started in ${net.startMs} ms`);
    dataset = await serveDataset('{"secret":"the protected data"}');
  }, 600_000);

  afterAll(async () => {
    await dataset?.close();
    await net?.stop();
  });

  it('deploys the app and pushes and checks its secret and a requester secret (SMS /apps, /requesters)', async () => {
    net.writeIexecJson({ app: unpublishedApp(net.requester.address) });
    const deployed = await net.cli(['app', 'deploy']);
    expect(deployed.status, deployed.stderr).toBe(0);
    app = deployed.json.address;
    net.registerApp(app);
    expect((await net.cli(['app', 'check-secret', app])).json).toMatchObject({ ok: true, isSecretSet: false });
    expect((await net.cli(['app', 'push-secret', app, '--secret-value', 'app-developer-secret'])).json).toMatchObject({ ok: true });
    expect((await net.cli(['app', 'check-secret', app])).json).toMatchObject({ ok: true, isSecretSet: true });
    const again = await net.cli(['app', 'push-secret', app, '--secret-value', 'other']);
    expect(again.status).toBe(1);
    expect((await net.cli(['requester', 'push-secret', 'my-key', '--secret-value', 'requester-secret-1'])).json).toMatchObject({
      ok: true,
    });
    expect((await net.cli(['requester', 'check-secret', 'my-key', net.requester.address])).json).toMatchObject({ ok: true, isSet: true });
  }, 120_000);

  it('deploys a dataset and pushes its key (SMS /secrets/web3); a storage token (SMS /secrets/web2)', async () => {
    net.writeIexecJson({
      app: unpublishedApp(net.requester.address),
      dataset: { owner: net.requester.address, name: 'probe-data', multiaddr: dataset.url, checksum: dataset.checksum },
    });
    const deployed = await net.cli(['dataset', 'deploy']);
    expect(deployed.status, deployed.stderr).toBe(0);
    const address = deployed.json.address;
    fs.writeFileSync(path.join(net.work, 'dataset.key'), dataset.key);
    expect((await net.cli(['dataset', 'push-secret', address, '--secret-path', 'dataset.key'])).json).toMatchObject({ ok: true });
    expect((await net.cli(['dataset', 'check-secret', address])).json).toMatchObject({ ok: true, isSecretSet: true });
    expect((await net.cli(['storage', 'init', 'dropbox', '--token', 'a-dropbox-token'])).json).toMatchObject({ ok: true });
    expect((await net.cli(['storage', 'check', 'dropbox'])).json).toMatchObject({ ok: true, isInitialized: true });
    (net as any).dataset = address;
  }, 120_000);

  it('runs a task through COMPLETED: market order, preflight, secrets and dataset in the app, result download, logs', async () => {
    const run = await net.cli([
      'app',
      'run',
      app,
      '--workerpool',
      LOCAL_WORKERPOOL.address,
      '--args',
      'print "Ada Lovelace"',
      '--secret',
      '1=my-key',
      '--dataset',
      (net as any).dataset,
      '--watch',
      '--force',
    ]);
    expect(run.status, `${run.stdout}${run.stderr}\n${net.logs.join('\n')}`).toBe(0);
    console.log(`app run --watch (COMPLETED): ${run.ms} ms`);
    const taskid = run.json.tasks[0].taskid;
    expect(run.json.tasks[0].statusName).toBe('COMPLETED');
    expect(net.logs.join('\n')).toContain(`task ${taskid} (TEE tdx`);
    expect(net.logs.join('\n')).toContain('running the bundle');
    expect(net.logs.join('\n')).toContain('no enclave runs here');

    const download = await net.cli(['task', 'show', taskid, '--download', 'result']);
    expect(download.status, download.stderr).toBe(0);
    const zip = await JSZip.loadAsync(fs.readFileSync(path.join(net.work, 'result.zip')));
    expect(Object.keys(zip.files).sort()).toEqual(['computed.json', 'result.json', 'stderr.txt', 'stdout.txt']);
    const { result } = JSON.parse(await zip.file('result.json')!.async('string'));
    expect(result.args).toEqual(['print', 'Ada Lovelace']);
    expect(result.env).toMatchObject({
      IEXEC_TASK_ID: taskid,
      IEXEC_DEAL_ID: run.json.deals[0].dealid,
      // The stand-in app reports secrets by their SHA-256 (kit/test/helpers.ts).
      IEXEC_REQUESTER_SECRET_1: hashed('requester-secret-1'),
      IEXEC_APP_DEVELOPER_SECRET: hashed('app-developer-secret'),
      // In lower case, as iexec-commons-poco decodes addresses from the deal.
      IEXEC_DATASET_ADDRESS: (net as any).dataset.toLowerCase(),
      IEXEC_DATASET_FILENAME: (net as any).dataset.toLowerCase(),
    });
    const decrypted = Buffer.from('{"secret":"the protected data"}');
    expect(Object.values(result.inputs)).toEqual([createHash('sha256').update(decrypted).digest('hex')]);
    expect(await zip.file('stdout.txt')!.async('string')).toBe('to stdout\n');

    const debug = await net.cli(['task', 'debug', taskid, '--logs']);
    expect(debug.status, debug.stderr).toBe(0);
    expect(debug.json.offchainData.task.status).toBe('COMPLETED');
    expect(debug.json.offchainData.replicates[0].status).toBe('COMPLETED');
    expect(debug.json.appLogs).toEqual([{ worker: expect.any(String), stdout: 'to stdout\n', stderr: 'to stderr\n' }]);
  }, 180_000);

  it('leaves a task whose app writes no computed.json ACTIVE, says why at once; the next task completes; advance, then the requester claims it', async () => {
    const run = await net.cli(['app', 'run', app, '--workerpool', LOCAL_WORKERPOOL.address, '--args', 'no-computed print', '--force']);
    expect(run.status, run.stderr).toBe(0);
    const [, taskid, why] = await net.waitForLog(/task (0x[0-9a-f]{64}) \(TEE tdx[^:]*: will not complete: (.*)/);
    expect(why).toContain('POST_COMPUTE_COMPUTED_FILE_NOT_FOUND');
    expect((await net.cli(['task', 'show', taskid!])).json.task.statusName).toBe('ACTIVE');

    const debug = await net.cli(['task', 'debug', taskid!, '--logs']);
    const history = debug.json.offchainData.replicates[0].statusHistory;
    // The workerpool API's model: {status, date, cause} (iexec-task-api ReplicateStatusUpdateModel).
    for (const entry of history) expect(Object.keys(entry).every((key) => ['status', 'date', 'cause'].includes(key))).toBe(true);
    expect(history.map((entry: { status: string }) => entry.status).slice(-3)).toEqual([
      'COMPUTED',
      'CONTRIBUTE_AND_FINALIZE_ONGOING',
      'CONTRIBUTE_AND_FINALIZE_FAILED',
    ]);
    expect(history.at(-1).cause).toBe('DETERMINISM_HASH_NOT_FOUND');
    expect(debug.json.offchainData.task.status).toBe('RUNNING');
    expect(debug.json.offchainData.replicates[0].exitCode).toBe(0);
    expect(debug.json.appLogs[0].stdout).toBe('to stdout\n');

    const good = await net.cli([
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
    expect(good.status, `${good.stdout}${good.stderr}\n${net.logs.join('\n')}`).toBe(0);
    expect(good.json.tasks[0].statusName).toBe('COMPLETED');

    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    try {
      expect(await advanceClock(net.root, { pastFinalDeadline: taskid! })).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(printed.join('\n')).toContain(`task ${taskid} (ACTIVE) is past its final deadline`);
    expect((await net.cli(['task', 'show', taskid!])).json.task.statusName).toBe('TIMEOUT');
    const claim = await net.cli(['task', 'claim', taskid!]);
    expect(claim.status, claim.stderr).toBe(0);
    expect((await net.cli(['task', 'show', taskid!])).json.task.statusName).toBe('FAILED');
    const after = await net.cli(['task', 'debug', taskid!]);
    expect(after.json.offchainData.task.statusHistory.map((entry: { status: string }) => entry.status).slice(-2)).toEqual([
      'CONTRIBUTION_TIMEOUT',
      'FAILED',
    ]);
  }, 240_000);

  it('leaves PoCo to refuse callback-data in a deal without callback: the task stays ACTIVE', async () => {
    const run = await net.cli(['app', 'run', app, '--workerpool', LOCAL_WORKERPOOL.address, '--args', '--callback', '--force']);
    expect(run.status).toBe(0);
    const [, taskid, why] = await net.waitForLog(/task (0x[0-9a-f]{64}) [^:]*: will not complete: (PoCo refused contributeAndFinalize.*)/);
    expect(why).toMatch(/computed.json has callback-data but the deal has no callback contract/);
    expect((await net.cli(['task', 'show', taskid!])).json.task.statusName).toBe('ACTIVE');
    const debug = await net.cli(['task', 'debug', taskid!]);
    expect(debug.json.offchainData.replicates[0].statusHistory.at(-1)).toEqual({
      status: 'CONTRIBUTE_AND_FINALIZE_FAILED',
      date: expect.any(String),
      cause: 'CHAIN_RECEIPT_NOT_VALID',
    });
  }, 180_000);
});
