import { describe, expect, it } from 'vitest';
import { bounded } from '../src/sdk/bounded.js';
import { chainTarget, sdkConnection } from '../src/sdk/chain.js';
import { SdkReads } from '../src/sdk/on-sdk.js';
import type { IexecApi } from '../src/sdk/package.js';
import { encodeTag, tagText } from '../src/sdk/tags.js';
import { fakeModule } from './doctor/fakes.js';

/*
 * The kit's side of the SDK's public JS API: chain.json's entry turned into IExecConfig options as the
 * CLI merges them, tags as the SDK encodes them, and the answers of IExec's documented methods mapped
 * to ChainReads (a fake IExec here; the real ones in test:localnet's kit/test/localnet/doctor.localnet.ts).
 */
describe('the chain, as the CLI loads it', () => {
  it("takes --chain or chain.json's default, and refuses a name chain.json lacks", () => {
    const { root } = fakeModule();
    expect(chainTarget(root)).toMatchObject({ name: 'arbitrum-sepolia-testnet', entry: {}, local: false });
    expect(chainTarget(root, 'local')).toMatchObject({ name: 'local', local: true });
    expect(() => chainTarget(root, 'bellecour')).toThrow(
      'chain.json has no "bellecour" chain (it has arbitrum-sepolia-testnet, local): pass --chain with one of them, or add it to chain.json',
    );
  });

  it("gives IExec the entry's host and one option per service it sets; SDK 8 also the TEE framework, and its result proxy", () => {
    expect(sdkConnection({ name: 'arbitrum-sepolia-testnet', entry: {}, local: false }, 9, 'tdx')).toEqual({
      ethProvider: 'arbitrum-sepolia-testnet',
      options: {},
    });
    const entry = {
      id: '31337',
      host: 'http://127.0.0.1:8545',
      hub: '0xh',
      sms: 'http://127.0.0.1:8547',
      iexecGateway: 'http://m',
      ipfsGateway: 'http://i',
      compass: 'http://c',
      resultProxy: 'http://r',
    };
    expect(sdkConnection({ name: 'local', entry, local: true }, 9, 'tdx')).toEqual({
      ethProvider: 'http://127.0.0.1:8545',
      options: {
        hubAddress: '0xh',
        smsURL: 'http://127.0.0.1:8547',
        iexecGatewayURL: 'http://m',
        ipfsGatewayURL: 'http://i',
        compassURL: 'http://c',
      },
    });
    expect(sdkConnection({ name: 'local', entry, local: true }, 8, 'scone').options).toMatchObject({
      resultProxyURL: 'http://r',
      defaultTeeFramework: 'scone',
    });
  });
});

describe('tags', () => {
  it('encodes and names the bits as the SDK does (tee 0, scone 1, gramine 2, tdx 3, gpu 8)', () => {
    expect(encodeTag(['tee', 'tdx'])).toBe(`0x${'9'.padStart(64, '0')}`);
    expect(encodeTag([])).toBe(`0x${'0'.repeat(64)}`);
    expect(tagText(`0x${'103'.padStart(64, '0')}`)).toBe('tee,scone,gpu');
    expect(tagText(`0x${'0'.repeat(64)}`)).toBe('none');
  });
});

describe('ChainReads on the SDK', () => {
  function fakeApi(modules: Record<string, unknown>): IexecApi {
    class IExec {
      constructor(
        readonly args: unknown,
        readonly options: unknown,
      ) {
        Object.assign(this, modules);
      }
    }
    return {
      IExec: IExec as any,
      IExecConfig: class {} as any,
      utils: { getSignerFromPrivateKey: () => ({}), encodeTag: () => '', decodeTag: () => [] },
    };
  }
  const target = { name: 'arbitrum-sepolia-testnet', entry: {}, local: false };

  it("maps fetchOffchainInfo's { task, replicates } and keeps an uninitialized task undefined", async () => {
    const notFound = Object.assign(new Error('No task found'), { name: 'ObjectNotFoundError' });
    const api = fakeApi({
      task: {
        fetchOffchainInfo: async () => ({
          task: { status: 'RUNNING', statusHistory: [{ status: 'RUNNING', date: 'd' }] },
          replicates: [{ worker: '0xw', status: 'COMPUTED' }],
        }),
        show: async () => {
          throw notFound;
        },
      },
    });
    const reads = new SdkReads({ target, sdk: { version: '9.0.1', major: 9, api }, teeFramework: 'tdx' });
    expect(await reads.offchain('0x')).toEqual({
      status: 'RUNNING',
      statusHistory: [{ status: 'RUNNING', date: 'd' }],
      replicates: [{ worker: '0xw', status: 'COMPUTED', statusHistory: [] }],
    });
    expect(await reads.task('0x')).toBeUndefined();
  });

  it('asks the orderbook as app run does, and reads BN amounts as bigints', async () => {
    let asked: unknown;
    const api = fakeApi({
      orderbook: {
        fetchWorkerpoolOrderbook: async (query: unknown) => {
          asked = query;
          return {
            orders: [
              { order: { workerpool: '0xp', workerpoolprice: '5', tag: '0x9', category: '1', trust: '0' }, orderHash: '0xh', remaining: 3 },
            ],
          };
        },
      },
      account: { checkBalance: async () => ({ stake: { toString: () => '12' }, locked: { toString: () => '0' } }) },
    });
    const reads = new SdkReads({ target, sdk: { version: '9.0.1', major: 9, api }, teeFramework: 'tdx' });
    expect(await reads.workerpoolOrders({ workerpool: '0xp', app: '0xa', requester: '0xr', minTag: '0x9', category: 1 })).toEqual([
      { workerpool: '0xp', price: 5n, tag: '0x9', category: 1, trust: 0, remaining: 3, orderHash: '0xh' },
    ]);
    expect(asked).toEqual({ workerpool: '0xp', app: '0xa', requester: '0xr', minTag: '0x9', category: 1, minTrust: 0 });
    expect(await reads.account('0xr')).toEqual({ stake: 12n, locked: 0n });
  });
});

describe('bounded reads', () => {
  it('answers for a read that never does, and passes on one that does', async () => {
    await expect(bounded(new Promise(() => {}), 'the market', 20)).rejects.toThrow('the market: no answer within 0.02 s');
    expect(await bounded(Promise.resolve(7), 'the market', 20)).toBe(7);
  });
});
