import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/commands/doctor.js';
import { checklistJson, printChecklist } from '../../src/doctor/report.js';
import { doctorContext, runChecks } from '../../src/doctor/run.js';
import { chainData, fakeModule, fakeReads, SERVICES } from './fakes.js';
import { fakeRegistry, type FakeRegistry } from './registry-server.js';

/*
 * The whole checklist on a healthy module (every read answered by fakes, the image on a loopback
 * registry, the gateway and the workerpool API on loopback): no ✖, exit 0; one fault: exit 1 and its
 * fix under it; --json for CI; the command's refusals.
 */
let registry: FakeRegistry;
let api: http.Server;
let apiUrl = '';
beforeAll(async () => {
  registry = await fakeRegistry();
  api = http.createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await registry.close();
  api.close();
});

async function healthy() {
  const image = `${registry.host}/alice/whole:1.0.0`;
  const module = fakeModule({ image, features: ['args', 'app-secret'] });
  const checksum = `0x${registry.push('alice/whole', '1.0.0', [{ architecture: 'amd64' }]).slice(7)}`;
  for (const file of ['iexec.json', 'iexec.tee.json']) {
    const conf = JSON.parse(fs.readFileSync(path.join(module.root, file), 'utf8'));
    conf.app.checksum = checksum;
    fs.writeFileSync(path.join(module.root, file), JSON.stringify(conf));
  }
  const data = chainData(module, 'tdx', image);
  for (const [address, app] of Object.entries(data.apps)) {
    app.checksum = checksum;
    data.secrets.add(address);
  }
  data.services = { ...SERVICES, ipfsGateway: apiUrl };
  data.apiUrl = apiUrl;
  const ctx = await doctorContext(module.root, { profiles: ['standard', 'tee'], wallet: {}, password: {} }, fakeReads(data));
  return { module, data, ctx };
}

function printed(run: () => void): string {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

describe('doctor: the checklist', () => {
  it('passes a healthy module: no ✖, and says nothing stops a run', async () => {
    const { ctx } = await healthy();
    const lines = await runChecks(ctx);
    expect(lines.filter((line) => line.level !== 'pass')).toEqual([expect.objectContaining({ id: 'wallet-unencrypted', level: 'warn' })]);
    expect(lines.map((line) => line.id)).toEqual([
      'chain',
      'workerpool',
      'wallet',
      'wallet-unencrypted',
      'gas',
      'sms',
      'market',
      'ipfs-gateway',
      'workerpool-api',
      'app:standard',
      'app:tee',
      'image:standard+tee',
      'image:standard+tee:digest',
      'image:standard:deployed',
      'image:tee:deployed',
      'image:standard:memory',
      'image:tee:memory',
      'app-secret:standard',
      'app-secret:tee',
      'workerpool-order:standard',
      'workerpool-order:tee',
      'stake',
    ]);
    const text = printed(() => printChecklist(ctx, lines));
    expect(text).toMatch(/^doctor: chain arbitrum-sepolia-testnet \(chain id 421614\), iexec 9\.0\.1, standard app and TEE app$/m);
    expect(text).toMatch(/^21 ✔, 1 !, 0 ✖: nothing stops a run on arbitrum-sepolia-testnet$/m);
  });

  it('prints each ✖ with its fix under it, and the JSON CI reads', async () => {
    const { ctx, data } = await healthy();
    data.secrets.clear();
    data.wei = 0n;
    const lines = await runChecks(ctx);
    const text = printed(() => printChecklist(ctx, lines));
    expect(text).toContain('✖ the SMS has no app secret for the TEE app');
    expect(text).toContain('    fix: npm run iexec -- tee app push-secret --chain arbitrum-sepolia-testnet');
    expect(text).toMatch(
      /^18 ✔, 1 !, 3 ✖: a run on arbitrum-sepolia-testnet would fail\. Fix the ✖ lines in order, then npm run doctor -- --chain arbitrum-sepolia-testnet$/m,
    );
    const json = JSON.parse(checklistJson(ctx, lines));
    expect(json).toMatchObject({ ok: false, chain: 'arbitrum-sepolia-testnet', chainId: 421614, sdk: '9.0.1', apps: ['standard', 'tee'] });
    expect(json.checks.filter((line: { level: string }) => line.level === 'fail').map((line: { id: string }) => line.id)).toEqual([
      'gas',
      'app-secret:standard',
      'app-secret:tee',
    ]);
  });

  it('turns a check that throws into its ✖ line, and goes on', async () => {
    const { ctx } = await healthy();
    ctx.reads.account = async () => {
      throw new Error('the node went away');
    };
    const lines = await runChecks(ctx);
    expect(lines.find((line) => line.id === 'stake')).toMatchObject({ level: 'fail', message: 'cannot check: the node went away' });
  });
});

describe('iexec-module doctor', () => {
  const run = async (argv: string[], root: string) => {
    const err: string[] = [];
    const out: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    try {
      return { status: await main(argv, root), err: err.join('\n'), out: out.join('\n') };
    } finally {
      error.mockRestore();
      log.mockRestore();
    }
  };

  it('refuses a bad option (2), says what a module without its SDK lacks (1), in JSON too', async () => {
    const { root } = fakeModule();
    expect(await run(['--nope'], root)).toMatchObject({ status: 2, err: expect.stringContaining("Unknown option '--nope'") });
    expect(await run(['--dataset', 'abc'], root)).toMatchObject({
      status: 2,
      err: "--dataset takes an address (0x and 40 hex digits), got 'abc'",
    });
    expect(await run(['--chain', 'nowhere'], root)).toMatchObject({
      status: 1,
      err: expect.stringContaining('error: chain.json has no "nowhere" chain (it has arbitrum-sepolia-testnet, local)'),
    });
    expect(await run([], root)).toMatchObject({
      status: 1,
      err: `error: the iexec SDK is not installed in ${root}: run 'npm install' first`,
    });
    expect(JSON.parse((await run(['--json'], root)).out)).toEqual({
      ok: false,
      error: `the iexec SDK is not installed in ${root}: run 'npm install' first`,
    });
    expect((await run(['--help'], root)).out).toContain('Usage: iexec-module doctor [options]');
  });
});
