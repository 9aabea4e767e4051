import fs from 'node:fs';
import path from 'node:path';
import { encryptKeystoreJsonSync } from 'ethers';
import { describe, expect, it } from 'vitest';
import { checkStake } from '../../src/doctor/stake.js';
import { checkWallet } from '../../src/doctor/wallet.js';
import { walletPassword } from '../../src/sdk/wallet.js';
import { chainData, fakeContext, fakeModule, fakeReads, STANDARD_APP, TEE_APP } from './fakes.js';

/*
 * The wallet (found where the CLI looks, opened with the password given, never asked), its gas, and
 * the stake a run locks: each ✖ with the command that fixes it.
 */
function encryptedModule(password: string) {
  const module = fakeModule();
  fs.rmSync(path.join(module.root, 'wallet.json'));
  // A light scrypt: the file format the SDK writes, quick to open in a test.
  const json = encryptKeystoreJsonSync({ address: module.wallet.address, privateKey: module.wallet.privateKey }, password, {
    scrypt: { N: 1024 },
  });
  fs.writeFileSync(path.join(module.root, `UTC--2026-01-01T00-00-00.000000000Z--${module.wallet.address.slice(2)}`), json);
  return module;
}

describe('doctor: the wallet', () => {
  it('finds none, and says how to create one', async () => {
    const module = fakeModule();
    fs.rmSync(path.join(module.root, 'wallet.json'));
    const ctx = fakeContext(module, fakeReads(chainData(module)));
    ctx.walletOptions = { keystoredir: 'local' };
    expect(await checkWallet(ctx)).toEqual([
      {
        id: 'wallet',
        level: 'fail',
        message: 'no wallet found where the iexec CLI looks (./wallet.json, then the keystore)',
        fix: 'create one: npm run iexec -- standard wallet create',
      },
    ]);
  });

  it('opens an encrypted keystore with the password given, warns when none is, fails a wrong one', async () => {
    const module = encryptedModule('s3cret');
    const ctx = (password?: string) => {
      const context = fakeContext(module, fakeReads(chainData(module)));
      context.walletOptions = { keystoredir: 'local' };
      if (password !== undefined) context.password = { password, from: '$IEXEC_WALLET_PASSWORD' };
      return context;
    };
    expect((await checkWallet(ctx('s3cret')))[0]).toMatchObject({
      level: 'pass',
      message: expect.stringContaining('opens with the password from $IEXEC_WALLET_PASSWORD'),
    });
    expect((await checkWallet(ctx()))[0]).toMatchObject({
      level: 'warn',
      message: expect.stringContaining('is encrypted and no password was given'),
      fix: expect.stringContaining('IEXEC_WALLET_PASSWORD=… npm run doctor'),
    });
    expect((await checkWallet(ctx('wrong')))[0]).toMatchObject({
      level: 'fail',
      message: expect.stringContaining("the password from $IEXEC_WALLET_PASSWORD is not this wallet's"),
    });
  });

  it("fails a wallet with no gas, with the local network's fix and a public chain's; bellecour needs none", async () => {
    const module = fakeModule();
    const data = chainData(module);
    data.wei = 0n;
    const remote = await checkWallet(fakeContext(module, fakeReads(data)));
    expect(remote.map((line) => line.id)).toEqual(['wallet', 'wallet-unencrypted', 'gas']);
    const gas = (lines: typeof remote) => lines.find((line) => line.id === 'gas')!;
    const withId = (ctx: ReturnType<typeof fakeContext>, id: number) => Object.assign(ctx, { chainId: id });
    expect(gas(await checkWallet(withId(fakeContext(module, fakeReads(data)), 421614)))).toMatchObject({
      level: 'fail',
      fix: expect.stringContaining(`send ETH for gas to ${module.wallet.address} on arbitrum-sepolia-testnet`),
    });
    expect(gas(await checkWallet(withId(fakeContext(module, fakeReads(data), { chain: 'local' }), 31337)))).toMatchObject({
      level: 'fail',
      fix: `the local network funds a wallet when it starts: stop it (Ctrl-C in its terminal) and start it again with npm run chain:local -- --fund ${module.wallet.address}`,
    });
    expect(gas(await checkWallet(withId(fakeContext(module, fakeReads(data)), 134)))).toMatchObject({
      level: 'pass',
      message: expect.stringContaining('free'),
    });
  });

  it('takes the password from --password, then --password-file (without its newline), then IEXEC_WALLET_PASSWORD', () => {
    const { root } = fakeModule();
    fs.writeFileSync(path.join(root, 'pw'), 'from-file\n');
    expect(walletPassword(root, { password: 'flag', passwordFile: 'pw' }, { IEXEC_WALLET_PASSWORD: 'env' })).toEqual({
      password: 'flag',
      from: '--password',
    });
    expect(walletPassword(root, { passwordFile: 'pw' }, { IEXEC_WALLET_PASSWORD: 'env' })).toEqual({
      password: 'from-file',
      from: '--password-file pw',
    });
    expect(walletPassword(root, {}, { IEXEC_WALLET_PASSWORD: 'env' })).toEqual({ password: 'env', from: '$IEXEC_WALLET_PASSWORD' });
    expect(walletPassword(root, {}, {})).toBeUndefined();
    expect(() => walletPassword(root, { passwordFile: 'missing' }, {})).toThrow('--password-file missing: no such file');
  });
});

describe('doctor: the stake', () => {
  function priced(price: bigint, stake: bigint, nRLC: bigint) {
    const module = fakeModule();
    const data = chainData(module);
    Object.assign(data, { stake, nRLC });
    const ctx = fakeContext(module, fakeReads(data));
    ctx.wallet = { file: 'wallet.json', address: module.wallet.address, encrypted: false };
    ctx.deployed.set('standard', { address: STANDARD_APP, app: data.apps[STANDARD_APP]! });
    ctx.deployed.set('tee', { address: TEE_APP, app: data.apps[TEE_APP]! });
    for (const profile of ['standard', 'tee'] as const) ctx.orders.set(profile, { ...data.orders[0]!, price });
    return ctx;
  }

  it('passes a stake that covers the price of a run', async () => {
    expect(await checkStake(priced(0n, 0n, 0n))).toEqual([
      expect.objectContaining({
        level: 'pass',
        message: 'your iExec account holds 0 RLC, enough for a run (standard app 0 RLC, TEE app 0 RLC)',
      }),
    ]);
  });

  it('fails a short stake with the deposit command, or first the RLC to get', async () => {
    const [short] = await checkStake(priced(5_000_000_000n, 1_000_000_000n, 10_000_000_000n));
    expect(short).toMatchObject({
      level: 'fail',
      message: expect.stringContaining('holds 1.0 RLC (1000000000 nRLC), a run locks 5.0 RLC (5000000000 nRLC)'),
      fix: 'npm run iexec -- standard account deposit 4000000000 --chain arbitrum-sepolia-testnet; then npm run doctor -- --chain arbitrum-sepolia-testnet',
    });
    const [poor] = await checkStake(priced(5_000_000_000n, 0n, 0n));
    expect(poor!.fix).toMatch(
      /^get 5\.0 RLC \(5000000000 nRLC\) more RLC into 0x[0-9a-fA-F]{40} \(it holds 0 RLC\), then npm run iexec -- standard account deposit 5000000000/,
    );
  });
});
