import { Wallet, getBytes, keccak256, solidityPackedKeccak256, toUtf8Bytes } from 'ethers';
import { beforeEach, describe, expect, it } from 'vitest';
import { dispatch, request } from '../../../src/chain/services/http.js';
import { smsService } from '../../../src/chain/services/sms.js';
import { newState, type Secrets } from '../../../src/chain/state.js';

/*
 * The local SMS against iexec-sms e4a3fd72 (SecretController, AppComputeSecretController): the signed
 * challenge of each push, the order of its checks (signature, then key format, then size: 401 before
 * 400 and 413), the 4096-byte limit in UTF-8, ApiResponseBody's `error` list, one push per secret.
 */
const DOMAIN = keccak256(toUtf8Bytes('IEXEC_SMS_DOMAIN'));
const hash = (text: string) => keccak256(toUtf8Bytes(text));
const owner = new Wallet(Wallet.createRandom().privateKey);
const stranger = new Wallet(Wallet.createRandom().privateKey);
const app = '0x00000000000000000000000000000000000000a1';
const dataset = '0x00000000000000000000000000000000000000d1';

let secrets: Secrets;
const sms = () =>
  smsService(secrets, {
    ownerOf: async (address) =>
      address.toLowerCase() === app || address.toLowerCase() === dataset ? owner.address : '0x0000000000000000000000000000000000000000',
  });
const sign = (wallet: Wallet, challenge: string) => wallet.signMessage(getBytes(challenge));

beforeEach(() => {
  secrets = newState().secrets;
});

describe('requester secrets (/requesters/{address}/secrets/{key})', () => {
  const push = async (signer: Wallet, key: string, value: string) => {
    const challenge = solidityPackedKeccak256(
      ['bytes32', 'address', 'bytes32', 'bytes32'],
      [DOMAIN, owner.address, hash(key), hash(value)],
    );
    return dispatch(
      sms(),
      request('POST', `/requesters/${owner.address}/secrets/${key}`, value, { authorization: await sign(signer, challenge) }),
    );
  };

  it('stores a signed push once (204, then 409), and answers HEAD with 204 or 404', async () => {
    expect((await dispatch(sms(), request('HEAD', `/requesters/${owner.address}/secrets/my-key`))).status).toBe(404);
    expect((await push(owner, 'my-key', 'v1')).status).toBe(204);
    expect(await push(owner, 'my-key', 'v2')).toEqual({ status: 409, body: { error: ['Secret already exists'] } });
    expect((await dispatch(sms(), request('HEAD', `/requesters/${owner.address.toLowerCase()}/secrets/my-key`))).status).toBe(204);
    expect(secrets.requester.get(`${owner.address.toLowerCase()}|my-key`)).toBe('v1');
  });

  it('checks the signature before the key format: a stranger gets 401, the owner 400 for a bad key', async () => {
    expect((await push(stranger, 'bad key!', 'v')).status).toBe(401);
    expect(await push(owner, 'bad key!', 'v')).toEqual({
      status: 400,
      body: { error: ['Secret key should contain at most 64 characters from [0-9A-Za-z-_]'] },
    });
    // Java's \p{Alnum} is ASCII: a letter with an accent is refused.
    expect((await push(owner, 'clé', 'v')).status).toBe(400);
    expect((await push(owner, 'k'.repeat(65), 'v')).status).toBe(400);
  });

  it('refuses a value over 4096 bytes of UTF-8', async () => {
    expect((await push(owner, 'big', 'é'.repeat(2049))).status).toBe(400);
    expect((await push(owner, 'fits', 'é'.repeat(2048))).status).toBe(204);
  });
});

describe('web2 secrets (/secrets/web2)', () => {
  const query = (name: string) => `/secrets/web2?ownerAddress=${owner.address}&secretName=${name}`;
  const challenge = (name: string, value: string) =>
    solidityPackedKeccak256(['bytes32', 'address', 'bytes32', 'bytes32'], [DOMAIN, owner.address, hash(name), hash(value)]);
  const send = async (method: string, signer: Wallet, name: string, value: string) =>
    dispatch(sms(), request(method, query(name), value, { authorization: await sign(signer, challenge(name, value)) }));

  it('adds (204, 409 again), updates with PUT (404 before it exists), and checks the signature first', async () => {
    expect((await send('PUT', owner, 'token', 'a')).status).toBe(404);
    expect((await send('POST', stranger, 'token', 'a')).status).toBe(401);
    expect((await send('POST', owner, 'token', 'a')).status).toBe(204);
    expect((await send('POST', owner, 'token', 'b')).status).toBe(409);
    expect((await send('PUT', owner, 'token', 'b')).status).toBe(204);
    expect(secrets.web2.get(`${owner.address.toLowerCase()}|token`)).toBe('b');
    expect((await dispatch(sms(), request('HEAD', query('token')))).status).toBe(204);
  });

  it('answers 413 to a signed value over 4096 bytes, on POST and PUT', async () => {
    expect((await send('POST', owner, 'big', 'x'.repeat(4097))).status).toBe(413);
    expect((await send('POST', owner, 'big', 'x')).status).toBe(204);
    expect((await send('PUT', owner, 'big', 'x'.repeat(4097))).status).toBe(413);
  });
});

describe('app and dataset secrets', () => {
  it('takes the app developer secret from the app owner only', async () => {
    const value = 'app-secret';
    const challenge = solidityPackedKeccak256(['bytes32', 'address', 'bytes32', 'bytes32'], [DOMAIN, app, hash('1'), hash(value)]);
    const push = async (signer: Wallet) =>
      dispatch(sms(), request('POST', `/apps/${app}/secrets`, value, { authorization: await sign(signer, challenge) }));
    expect(await push(stranger)).toEqual({ status: 401, body: { error: ['Invalid authorization'] } });
    expect((await push(owner)).status).toBe(204);
    expect((await dispatch(sms(), request('HEAD', `/apps/${app.toUpperCase().replace('0X', '0x')}/secrets`))).status).toBe(204);
  });

  it("takes a dataset key from the dataset's owner only", async () => {
    const value = 'a2V5';
    const challenge = solidityPackedKeccak256(['bytes32', 'address', 'bytes32'], [DOMAIN, dataset, hash(value)]);
    const push = async (signer: Wallet) =>
      dispatch(sms(), request('POST', `/secrets/web3?secretAddress=${dataset}`, value, { authorization: await sign(signer, challenge) }));
    expect((await push(stranger)).status).toBe(401);
    expect((await push(owner)).status).toBe(204);
    expect(secrets.web3.get(dataset)).toBe(value);
  });
});
