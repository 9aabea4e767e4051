import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_WORKERPOOL } from '../src/platform.js';
import { LOCALNET, installSdk, lastTask, serveDataset, startLocalnet, unpublishedApp, type Localnet } from './localnet-helpers.js';

/*
 * The local network driven by the real iexec 9.0.1 CLI: every service it calls (SMS, market, result
 * storage, compass, workerpool API) and the worker, through COMPLETED and FAILED tasks. SDK 9 tags every
 * order tee,tdx, so each task here takes the TEE path (contributeAndFinalize) with the bundle runner.
 * npm run test:localnet (vitest.localnet.config.ts); skipped in npm test.
 */
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
    expect((await net.cli(['app', 'check-secret', app])).json).toMatchObject({ ok: true, isSecretSet: false });
    expect((await net.cli(['app', 'push-secret', app, '--secret-value', 'app-developer-secret'])).json).toMatchObject({ ok: true });
    expect((await net.cli(['app', 'check-secret', app])).json).toMatchObject({ ok: true, isSecretSet: true });
    const again = await net.cli(['app', 'push-secret', app, '--secret-value', 'other']);
    expect(again.status).toBe(1);
    expect((await net.cli(['requester', 'push-secret', 'my-key', '--secret-value', 'requester-secret-1'])).json).toMatchObject({ ok: true });
    expect((await net.cli(['requester', 'check-secret', 'my-key', net.requester.address])).json).toMatchObject({ ok: true, isSet: true });
  }, 120_000);

  it('deploys a dataset and pushes its key (SMS /secrets/web3); a storage token (SMS /secrets/web2)', async () => {
    net.writeIexecJson({ app: unpublishedApp(net.requester.address), dataset: { owner: net.requester.address, name: 'probe-data', multiaddr: dataset.url, checksum: dataset.checksum } });
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
    const run = await net.cli(['app', 'run', app, '--workerpool', LOCAL_WORKERPOOL.address, '--args', 'print "Ada Lovelace"', '--secret', '1=my-key', '--dataset', (net as any).dataset, '--watch', '--force']);
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
      IEXEC_REQUESTER_SECRET_1: 'requester-secret-1',
      IEXEC_APP_DEVELOPER_SECRET: 'app-developer-secret',
      IEXEC_DATASET_ADDRESS: (net as any).dataset,
      IEXEC_DATASET_FILENAME: (net as any).dataset,
    });
    const decrypted = Buffer.from('{"secret":"the protected data"}');
    expect(Object.values(result.inputs)).toEqual([(await import('node:crypto')).createHash('sha256').update(decrypted).digest('hex')]);
    expect(await zip.file('stdout.txt')!.async('string')).toBe('to stdout\n');

    const debug = await net.cli(['task', 'debug', taskid, '--logs']);
    expect(debug.status, debug.stderr).toBe(0);
    expect(debug.json.offchainData.task.status).toBe('COMPLETED');
    expect(debug.json.offchainData.replicates[0].status).toBe('COMPLETED');
    expect(debug.json.appLogs).toEqual([{ worker: expect.any(String), stdout: 'to stdout\n', stderr: 'to stderr\n' }]);
  }, 180_000);

  it('fails a task the worker would fail: FAILED on chain, the reason in task debug', async () => {
    const run = await net.cli(['app', 'run', app, '--workerpool', LOCAL_WORKERPOOL.address, '--args', 'no-computed print', '--watch', '--force']);
    console.log(`app run --watch (FAILED): ${run.ms} ms`);
    // The SDK's watch sees FAILED and stops, with nothing to print under --raw: its deal view waits for a
    // TIMEOUT by the wall clock (see the worker's claim), so the task id comes from the network's lines.
    expect(run.status).toBe(0);
    const taskid = lastTask(net.logs);
    const show = await net.cli(['task', 'show', taskid]);
    expect(show.json.task.statusName, net.logs.join('\n')).toBe('FAILED');
    const debug = await net.cli(['task', 'debug', taskid, '--logs']);
    const history = debug.json.offchainData.replicates[0].statusHistory;
    expect(history.at(-1)).toMatchObject({ status: 'COMPUTE_FAILED', details: { cause: 'POST_COMPUTE_COMPUTED_FILE_NOT_FOUND', errorMessage: expect.stringContaining('no computed.json') } });
    expect(debug.json.offchainData.task.status).toBe('FAILED');
    expect(debug.json.appLogs[0].stdout).toBe('to stdout\n');
    expect(net.logs.join('\n')).toContain(`task ${taskid}`);
    expect(net.logs.join('\n')).toMatch(/FAILED on chain\. A real one stays ACTIVE until its final deadline/);
  }, 180_000);

  it('leaves PoCo to refuse callback-data in a deal without callback', async () => {
    const run = await net.cli(['app', 'run', app, '--workerpool', LOCAL_WORKERPOOL.address, '--args', '--callback', '--watch', '--force']);
    expect(run.status).toBe(0);
    const taskid = lastTask(net.logs);
    expect((await net.cli(['task', 'show', taskid])).json.task.statusName).toBe('FAILED');
    const debug = await net.cli(['task', 'debug', taskid, '--logs']);
    expect(debug.json.offchainData.replicates[0].statusHistory.at(-1)).toMatchObject({
      status: 'CONTRIBUTE_AND_FINALIZE_FAILED',
      details: { errorMessage: expect.stringMatching(/^PoCo refused contributeAndFinalize \(.*\): computed.json has callback-data but the deal has no callback contract/) },
    });
  }, 180_000);
});
