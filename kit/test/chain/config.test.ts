import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LOCAL_HUB, defaultLocalEntry, localEntry } from '../../src/chain/config.js';
import { main as chain, parseFund } from '../../src/commands/chain.js';
import { LOCAL_WORKERPOOL, WORKERPOOLS } from '../../src/platform.js';
import { kitRoot } from '../helpers.js';

/*
 * Where the local network listens and what it refuses, without starting it: chain.json's "local" entry
 * is the one contract between the network, the module's CLI and the generator's template.
 */
let root: string;
let stderr: string[];

function writeChain(local: Record<string, unknown> | undefined) {
  fs.writeFileSync(
    path.join(root, 'chain.json'),
    JSON.stringify({ default: 'arbitrum-sepolia-testnet', chains: { 'arbitrum-sepolia-testnet': {}, ...(local && { local }) } }),
  );
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-chain-config-'));
  stderr = [];
  vi.spyOn(console, 'error').mockImplementation((...args) => void stderr.push(args.join(' ')));
  vi.spyOn(console, 'log').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the "local" entry of chain.json', () => {
  it('is what the generator writes, per SDK major: SDK 9 has no resultProxy, SDK 8 has one', () => {
    const template = Handlebars.compile(fs.readFileSync(path.join(kitRoot, '../templates/module/chain.json.hbs'), 'utf8'), {
      noEscape: true,
    });
    const render = (isScone: boolean) =>
      JSON.parse(
        template(
          { chain: isScone ? 'bellecour' : 'arbitrum-sepolia-testnet', isScone },
          { helpers: { json: (value: unknown) => JSON.stringify(value) } },
        ),
      ).chains.local;
    expect(render(false)).toEqual(defaultLocalEntry(9));
    expect(render(true)).toEqual(defaultLocalEntry(8));
    expect(Object.keys(defaultLocalEntry(9))).toEqual(['id', 'host', 'hub', 'iexecGateway', 'sms', 'ipfsGateway', 'compass']);
    expect(defaultLocalEntry(8).resultProxy).toBe('http://127.0.0.1:8550');
    expect(defaultLocalEntry(9).hub).toBe(LOCAL_HUB);
  });

  it('gives every service its port; SDK 8 may name one SMS per TEE framework', () => {
    writeChain(defaultLocalEntry(9));
    expect(localEntry(root)).toMatchObject({
      port: 8545,
      sdk: 9,
      services: { iexecGateway: { port: 8546 }, sms: { port: 8547 }, ipfsGateway: { port: 8548 }, compass: { port: 8549 } },
    });
    const sdk8 = {
      ...defaultLocalEntry(8),
      sms: { scone: 'http://127.0.0.1:8547', gramine: 'http://127.0.0.1:8547', tdx: 'http://127.0.0.1:8547' },
    };
    writeChain(sdk8);
    expect(localEntry(root)).toMatchObject({ sdk: 8, services: { sms: { port: 8547 }, resultProxy: { port: 8550 } } });
  });

  it('refuses what the network cannot serve, and says what to write', () => {
    const refused = (local: Record<string, unknown> | undefined) => {
      writeChain(local);
      try {
        localEntry(root);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    const entry = defaultLocalEntry(9);
    const { compass: _, ...noCompass } = entry;
    expect(refused(undefined)).toMatch(/^chain.json has no complete "local" chain: the "local" entry for iexec 9 is \{"id":"31337"/);
    expect(refused(noCompass)).toMatch(/^chain.json "local" has no compass: the "local" entry for iexec 9 is /);
    expect(refused({ ...entry, sms: 'http://192.168.1.2:8547' })).toMatch(
      /"local" sms must be http:\/\/127.0.0.1:PORT \(the local network listens on loopback only\)/,
    );
    expect(refused({ ...entry, ipfsGateway: 'http://127.0.0.1:8548/ipfs' })).toMatch(
      /"local" ipfsGateway must have no path, got http:\/\/127.0.0.1:8548\/ipfs: the SDK drops/,
    );
    expect(refused({ ...entry, compass: 'http://127.0.0.1:8546' })).toMatch(
      /the node and each service need a port of their own, got 8545, 8546, 8547, 8548, 8546/,
    );
    expect(refused({ ...defaultLocalEntry(8), sms: { scone: 'http://127.0.0.1:8547', tdx: 'http://127.0.0.1:8551' } })).toMatch(
      /sms names 2 URLs/,
    );
  });
});

describe('iexec-module chain, before it starts anything', () => {
  it('refuses bad arguments and a chain.json it cannot serve', async () => {
    writeChain(defaultLocalEntry(9));
    expect(await chain(['--fund', '0x12'], root)).toBe(1);
    expect(stderr.at(-1)).toBe("error: --fund needs an address (0x and 40 hex digits), got '0x12'");
    expect(await chain(['--port', '8545'], root)).toBe(1);
    expect(stderr.at(-1)).toBe(
      'error: unexpected argument --port: usage: iexec-module chain [--fund 0xADDRESS|KEYSTORE_FOLDER|WALLET_FILE ...]',
    );
    expect(await chain(['--fund', 'no-such-keystore'], root)).toBe(1);
    expect(stderr.at(-1)).toMatch(
      /^error: --fund needs an address \(0x and 40 hex digits\), a keystore folder or a wallet file; 'no-such-keystore' is none/,
    );
    writeChain({ ...defaultLocalEntry(9), host: 'https://rpc.example.com' });
    expect(await chain([], root)).toBe(1);
    expect(stderr.at(-1)).toMatch(/^error: chain.json "local" host must be http:\/\/127.0.0.1:PORT/);
    expect(await chain(['--help'], root)).toBe(0);
  });
});

describe('the local workerpool', () => {
  it("is app run's default with --chain local for both TEE frameworks", () => {
    expect(WORKERPOOLS.tdx.local).toBe(LOCAL_WORKERPOOL.address);
    expect(WORKERPOOLS.scone.local).toBe(LOCAL_WORKERPOOL.address);
  });
});

describe('chain --fund', () => {
  it('takes an address, a keystore folder (its newest wallet) or a wallet file, named after the folder or file', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-fund-'));
    const keystore = path.join(root, 'requester');
    fs.mkdirSync(keystore);
    fs.writeFileSync(
      path.join(keystore, 'UTC--2026-01-01T00-00-00.000Z--00000000000000000000000000000000000000b1'),
      JSON.stringify({ address: '00000000000000000000000000000000000000b1' }),
    );
    fs.writeFileSync(path.join(root, 'owner.json'), JSON.stringify({ address: '0x00000000000000000000000000000000000000c2' }));
    const address = '0x00000000000000000000000000000000000000A1';
    expect(parseFund(root, ['--fund', address, '--fund', 'requester', '--fund', 'owner.json'])).toEqual([
      { address },
      { address: '0x00000000000000000000000000000000000000b1', label: 'requester' },
      { address: '0x00000000000000000000000000000000000000c2', label: 'owner.json' },
    ]);
  });
});
