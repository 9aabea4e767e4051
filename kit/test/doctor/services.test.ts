import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServices } from '../../src/doctor/services.js';
import { chainData, fakeContext, fakeModule, fakeReads, SERVICES, WORKERPOOL } from './fakes.js';

/*
 * The services answer, each asked as the SDK asks it: the SMS and the market through the SDK's reads,
 * the IPFS gateway and the workerpool API over HTTP (any answer below 500 is an answer), the API's URL
 * from compass.
 */
let answering: http.Server;
let failing: http.Server;
let up = '';
let broken = '';

beforeAll(async () => {
  const start = async (status: number) => {
    const server = http.createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  };
  answering = await start(404);
  failing = await start(502);
  up = `http://127.0.0.1:${(answering.address() as AddressInfo).port}`;
  broken = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
});
afterAll(() => {
  answering.close();
  failing.close();
});

function context(edit: (data: ReturnType<typeof chainData>) => void, chain?: string) {
  const module = fakeModule();
  const data = chainData(module);
  data.services = { ...SERVICES, ipfsGateway: up };
  data.apiUrl = up;
  edit(data);
  const ctx = fakeContext(module, fakeReads(data), chain ? { chain } : {});
  ctx.workerpoolAddress = WORKERPOOL;
  return ctx;
}

describe('doctor: the services', () => {
  it('passes each service that answers', async () => {
    const lines = await checkServices(context(() => {}));
    expect(lines.map((line) => [line.id, line.level])).toEqual([
      ['sms', 'pass'],
      ['market', 'pass'],
      ['ipfs-gateway', 'pass'],
      ['workerpool-api', 'pass'],
    ]);
    expect(lines[3]!.message).toBe(`compass ${SERVICES.compass} gives workerpool ${WORKERPOOL}'s API ${up}, which answers`);
  });

  it("fails the SMS and the market when down, with a fix for iExec's and for the local network's", async () => {
    const remote = await checkServices(context((data) => ['sms', 'market'].forEach((name) => data.down.add(name))));
    expect(remote[0]).toMatchObject({
      id: 'sms',
      level: 'fail',
      message: expect.stringMatching(
        /^the SMS https:\/\/sms\.\S+ does not answer \(Connection to sms failed with a network error\): app:run's preflight/,
      ),
      fix: expect.stringContaining("it is iExec's: retry later (npm run doctor -- --chain arbitrum-sepolia-testnet)"),
    });
    expect(remote[1]).toMatchObject({ id: 'market', level: 'fail' });
    const local = await checkServices(context((data) => data.down.add('sms'), 'local'));
    expect(local[0]!.fix).toContain('is npm run chain:local running? Restart it (Ctrl-C in its terminal, then npm run chain:local)');
  });

  it('fails an IPFS gateway that answers 5xx or nothing, and a workerpool API that compass does not give', async () => {
    const lines = await checkServices(
      context((data) => {
        data.services = { ...data.services, ipfsGateway: broken };
        data.apiUrl = undefined;
      }),
    );
    expect(lines[2]).toMatchObject({ id: 'ipfs-gateway', level: 'fail', message: expect.stringContaining('(HTTP 502)') });
    expect(lines[3]).toMatchObject({
      id: 'workerpool-api',
      level: 'fail',
      message: expect.stringContaining('gives no API for workerpool'),
    });
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await checkServices(context((data) => (data.services = { ...data.services, ipfsGateway: gone })));
    expect(unreachable[2]).toMatchObject({ level: 'fail', message: expect.stringContaining('ECONNREFUSED') });
  });
});
