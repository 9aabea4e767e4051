import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkChain } from '../../src/doctor/chain.js';
import { runChecks } from '../../src/doctor/run.js';
import { chainData, fakeContext, fakeModule, fakeReads, SERVICES } from './fakes.js';

/*
 * The chain check: the node answers with chain.json's id, and chain.json agrees with the pinned SDK's
 * own config for the chain (a hub or SMS of its own is another deployment: ✖; another market, gateway
 * or compass: !), and the services a run needs are set somewhere.
 */
const editChain = (root: string, name: string, entry: Record<string, unknown>) => {
  const file = path.join(root, 'chain.json');
  const conf = JSON.parse(fs.readFileSync(file, 'utf8'));
  conf.chains[name] = entry;
  fs.writeFileSync(file, JSON.stringify(conf));
};

describe('doctor: the chain', () => {
  it('passes a chain the SDK knows, naming its id and hub', async () => {
    const module = fakeModule();
    const ctx = fakeContext(module, fakeReads(chainData(module)));
    const lines = await checkChain(ctx);
    expect(lines).toEqual([
      { id: 'chain', level: 'pass', message: `chain arbitrum-sepolia-testnet: chain id 421614, iexec 9.0.1 knows it; hub ${SERVICES.hub}` },
    ]);
    expect(ctx.chainId).toBe(421614);
  });

  it('stops the checklist when the node does not answer, with the fix for a public chain and for the local network', async () => {
    const module = fakeModule();
    const data = chainData(module);
    data.down.add('node');
    const remote = await runChecks(fakeContext(module, fakeReads(data)));
    expect(remote[0]).toMatchObject({
      level: 'fail',
      message: expect.stringMatching(
        /^the node of chain arbitrum-sepolia-testnet \(the SDK's default node for arbitrum-sepolia-testnet\) does not answer: Connection to node/,
      ),
      fix: expect.stringContaining(`check chain.json's "host"`),
    });
    expect(remote.slice(1)).toEqual([
      { id: 'everything else', level: 'warn', message: 'not checked: the chain arbitrum-sepolia-testnet does not answer' },
    ]);
    const local = await checkChain(fakeContext(module, fakeReads(data), { chain: 'local' }));
    expect(local[0]!.fix).toBe('start the local network in another terminal: npm run chain:local');
  });

  it("fails an id that is not the node's", async () => {
    const module = fakeModule();
    editChain(module.root, 'arbitrum-sepolia-testnet', { id: '42161' });
    const lines = await checkChain(fakeContext(module, fakeReads(chainData(module))));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'fail',
        message: expect.stringContaining('says "arbitrum-sepolia-testnet" is chain id 42161, but its node'),
        fix: expect.stringContaining('set "id" to "421614"'),
      }),
    ]);
  });

  it("fails an SMS of chain.json's own, warns on another market, and says which key to remove", async () => {
    const module = fakeModule();
    editChain(module.root, 'arbitrum-sepolia-testnet', { sms: 'https://sms.example', iexecGateway: 'https://market.example' });
    const data = chainData(module);
    data.services = { ...SERVICES, sms: 'https://sms.example', iexecGateway: 'https://market.example' };
    const lines = await checkChain(fakeContext(module, fakeReads(data)));
    expect(lines.map((line) => [line.id, line.level])).toEqual([
      ['chain:sms', 'fail'],
      ['chain:iexecGateway', 'warn'],
    ]);
    expect(lines[0]!.message).toContain(
      `iexec 9.0.1 knows ${SERVICES.sms} for chain id 421614: another SMS: secrets pushed there never reach this chain's workers`,
    );
    expect(lines[0]!.fix).toContain(`remove "sms" from chain.json's "arbitrum-sepolia-testnet" entry`);
  });

  it('fails a chain the SDK does not know when chain.json does not set what a run needs', async () => {
    const module = fakeModule();
    editChain(module.root, 'mine', { host: 'http://127.0.0.1:9', hub: SERVICES.hub });
    const data = chainData(module);
    data.defaults = undefined;
    data.services = { hub: SERVICES.hub };
    const lines = await checkChain(fakeContext(module, fakeReads(data), { chain: 'mine' }));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'fail',
        message: 'iexec 9.0.1 has no sms, iexecGateway, ipfsGateway for chain id 421614 and chain.json\'s "mine" sets none',
        fix: 'add "sms", "iexecGateway", "ipfsGateway" to chain.json\'s "mine" entry',
      }),
    ]);
  });
});
