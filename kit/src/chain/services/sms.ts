/*
 * The SMS (iexec-sms SecretController, AppComputeSecretController): the secrets the SDK pushes and checks
 * (iexec common/sms/check.js, push.js look at the status only: 204 set, 404 unset, 401 not allowed, 409
 * already there, 413 too large). Each push is an EIP-191 signature over keccak256(domain ‖ address ‖ ...)
 * (iexec-sms AuthorizationService), checked before anything else, as the SMS does.
 */
import { getBytes, keccak256, solidityPackedKeccak256, toUtf8Bytes, verifyMessage } from 'ethers';
import { requesterKey, web2Key, type Secrets } from '../state.js';
import { empty, json, type Reply, type Route, type Service, type ServiceRequest } from './http.js';

const SMS_DOMAIN = keccak256(toUtf8Bytes('IEXEC_SMS_DOMAIN'));
const hashText = (text: string) => keccak256(toUtf8Bytes(text));
/** iexec-sms SecretUtils.SECRET_MAX_SIZE, in UTF-8 bytes. */
const SECRET_MAX_BYTES = 4096;
/** AppComputeSecretController: `^[\p{Alnum}-_]{1,64}$`, and Java's \p{Alnum} is ASCII only. */
const SECRET_KEY = /^[A-Za-z0-9\-_]{1,64}$/;
const KEY_FORMAT = 'Secret key should contain at most 64 characters from [0-9A-Za-z-_]';
/** ApiResponseBody with its `error` list (iexec-common). */
const failure = (status: number, message: string) => json(status, { error: [message] });

export interface SmsChain {
  /** The owner of an app or dataset contract (the zero address when there is none). */
  ownerOf(address: string): Promise<string>;
}

function signedBy(req: ServiceRequest, challenge: string, address: string): boolean {
  try {
    return verifyMessage(getBytes(challenge), String(req.headers.authorization)).toLowerCase() === address.toLowerCase();
  } catch {
    return false;
  }
}

const tooLarge = (value: string) => Buffer.byteLength(value, 'utf8') > SECRET_MAX_BYTES;

/** Adds a secret once: a second push of the same one is a conflict (the SMS never overwrites). */
function add(map: Map<string, string>, key: string, value: string, conflict: Reply = empty(409)): Reply {
  if (map.has(key)) return conflict;
  map.set(key, value);
  return empty(204);
}

function web2Routes(secrets: Secrets): Route[] {
  const challenge = (req: ServiceRequest) =>
    solidityPackedKeccak256(
      ['bytes32', 'address', 'bytes32', 'bytes32'],
      [SMS_DOMAIN, req.query.get('ownerAddress'), hashText(String(req.query.get('secretName'))), hashText(req.body)],
    );
  const key = (req: ServiceRequest) => web2Key(String(req.query.get('ownerAddress')), String(req.query.get('secretName')));
  const signed = (req: ServiceRequest) => signedBy(req, challenge(req), String(req.query.get('ownerAddress')));
  return [
    { method: 'HEAD', path: /^\/secrets\/web2$/, handle: (req) => empty(secrets.web2.has(key(req)) ? 204 : 404) },
    {
      method: 'POST',
      path: /^\/secrets\/web2$/,
      handle: (req) => (!signed(req) ? empty(401) : tooLarge(req.body) ? empty(413) : add(secrets.web2, key(req), req.body)),
    },
    {
      method: 'PUT',
      path: /^\/secrets\/web2$/,
      handle: (req) => {
        if (!signed(req)) return empty(401);
        if (tooLarge(req.body)) return empty(413);
        if (!secrets.web2.has(key(req))) return empty(404);
        secrets.web2.set(key(req), req.body);
        return empty(204);
      },
    },
  ];
}

function web3Routes(secrets: Secrets, chain: SmsChain): Route[] {
  return [
    {
      method: 'HEAD',
      path: /^\/secrets\/web3$/,
      handle: (req) => empty(secrets.web3.has(String(req.query.get('secretAddress')).toLowerCase()) ? 204 : 404),
    },
    {
      method: 'POST',
      path: /^\/secrets\/web3$/,
      handle: async (req) => {
        const address = String(req.query.get('secretAddress'));
        const challenge = solidityPackedKeccak256(['bytes32', 'address', 'bytes32'], [SMS_DOMAIN, address, hashText(req.body)]);
        if (!signedBy(req, challenge, await chain.ownerOf(address))) return empty(401);
        if (tooLarge(req.body)) return empty(413);
        return add(secrets.web3, address.toLowerCase(), req.body);
      },
    },
  ];
}

function appRoutes(secrets: Secrets, chain: SmsChain): Route[] {
  const path = /^\/apps\/(0x[0-9a-fA-F]{40})\/secrets$/;
  return [
    {
      method: 'HEAD',
      path,
      handle: (_req, [app]) => (secrets.app.has(app!.toLowerCase()) ? empty(204) : failure(404, 'Secret not found')),
    },
    {
      method: 'POST',
      path,
      handle: async (req, [app]) => {
        const challenge = solidityPackedKeccak256(
          ['bytes32', 'address', 'bytes32', 'bytes32'],
          [SMS_DOMAIN, app, hashText('1'), hashText(req.body)],
        );
        if (!signedBy(req, challenge, await chain.ownerOf(app!))) return failure(401, 'Invalid authorization');
        if (tooLarge(req.body)) return failure(413, 'Secret size should not exceed 4 Kb');
        return add(secrets.app, app!.toLowerCase(), req.body, failure(409, 'Secret already exists'));
      },
    },
  ];
}

function requesterRoutes(secrets: Secrets): Route[] {
  const path = /^\/requesters\/(0x[0-9a-fA-F]{40})\/secrets\/([^/]+)$/;
  return [
    {
      method: 'HEAD',
      path,
      handle: (_req, [address, name]) => {
        if (!SECRET_KEY.test(name!)) return failure(400, KEY_FORMAT);
        return secrets.requester.has(requesterKey(address!, name!)) ? empty(204) : failure(404, 'Secret not found');
      },
    },
    {
      method: 'POST',
      path,
      handle: (req, [address, name]) => {
        const challenge = solidityPackedKeccak256(
          ['bytes32', 'address', 'bytes32', 'bytes32'],
          [SMS_DOMAIN, address, hashText(name!), hashText(req.body)],
        );
        // The signature first: a bad key from a stranger is a 401, not a 400.
        if (!signedBy(req, challenge, address!)) return failure(401, 'Invalid authorization');
        if (!SECRET_KEY.test(name!)) return failure(400, KEY_FORMAT);
        if (tooLarge(req.body)) return failure(400, 'Secret size should not exceed 4 Kb');
        return add(secrets.requester, requesterKey(address!, name!), req.body, failure(409, 'Secret already exists'));
      },
    },
  ];
}

export function smsService(secrets: Secrets, chain: SmsChain): Service {
  return {
    name: 'sms',
    routes: [...web2Routes(secrets), ...web3Routes(secrets, chain), ...appRoutes(secrets, chain), ...requesterRoutes(secrets)],
    notFound: () => empty(404),
  };
}
