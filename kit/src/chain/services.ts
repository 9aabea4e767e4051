/*
 * The iExec off-chain services on loopback, as far as the iexec CLI (8.24.0, 9.0.1) and the local
 * worker need them: the market API, the SMS, the result storage behind ipfsGateway, compass, the
 * workerpool's API and SDK 8's result proxy. Which request each SDK command sends, and what it checks in
 * the answer, is in create-iexec-module's docs/local-network.md ("SDK requests per command"); each
 * handler names the service whose answer it copies.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Contract, TypedDataEncoder, ZeroAddress, getBytes, keccak256, recoverAddress, solidityPackedKeccak256, toBeHex, toUtf8Bytes, verifyMessage, type InterfaceAbi, type Provider, type Signer } from 'ethers';
import type { ServiceName } from './config.js';

/** What core shows of a task and its one replicate (iexec-core TaskModel, ReplicateModel, ReplicateStatusUpdate). */
export interface TaskRecord {
  taskid: string;
  dealid: string;
  requester: string;
  worker: string;
  currentStatus: string;
  dateStatusList: Array<{ status: string; date: string }>;
  replicateStatus: string;
  statusUpdateList: Array<{ status: string; modifier: 'WORKER' | 'POOL_MANAGER'; date: string; isSuccess: boolean; details?: Record<string, unknown> }>;
  appExitCode?: number | null;
  stdout: string;
  stderr: string;
}

export interface Secrets {
  /** owner|name → value (storage tokens, result encryption keys). */
  web2: Map<string, string>;
  /** dataset → its key. */
  web3: Map<string, string>;
  /** app → the app developer secret. */
  app: Map<string, string>;
  /** requester|name → value. */
  requester: Map<string, string>;
}

/** What the services and the worker share, for the life of the network. */
export interface NetworkState {
  tasks: Map<string, TaskRecord>;
  /** CID → result zip. */
  results: Map<string, Buffer>;
  secrets: Secrets;
}

export function newState(): NetworkState {
  return { tasks: new Map(), results: new Map(), secrets: { web2: new Map(), web3: new Map(), app: new Map(), requester: new Map() } };
}

const ORDER_TYPES: Record<string, string[]> = {
  WorkerpoolOrder: ['workerpool:address', 'workerpoolprice:uint256', 'volume:uint256', 'tag:bytes32', 'category:uint256', 'trust:uint256', 'apprestrict:address', 'datasetrestrict:address', 'requesterrestrict:address', 'salt:bytes32'],
};
/** EIP-712 members of an order, as the SDK signs it (iexec common/market/order.js objDesc). */
function orderTypes(primary: string) {
  return { [primary]: ORDER_TYPES[primary]!.map((member) => ({ name: member.split(':')[0]!, type: member.split(':')[1]! })) };
}

/** The typed data the SDK signs to log in (iexec-market-api, iexec-core, iexec-result-proxy challenges). */
function challengeTypedData(name: string, chainId: number, challenge: string) {
  return {
    types: {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' },
      ],
      Challenge: [{ name: 'challenge', type: 'string' }],
    },
    domain: { name, version: '1', chainId },
    primaryType: 'Challenge',
    message: { challenge },
  };
}
type Challenge = ReturnType<typeof challengeTypedData>;

/** The signer of an Authorization header `<typed data hash>_<signature>_<address>` (iexec getAuthorization), if it signed `typedData`. */
function authorizedBy(authorization: string | undefined, typedData: Challenge | undefined): string | undefined {
  const [hash, signature, address] = String(authorization ?? '').split('_');
  if (!typedData || !hash || !signature || !address) return undefined;
  const { EIP712Domain: _, ...types } = typedData.types;
  if (hash !== TypedDataEncoder.hash(typedData.domain, types, typedData.message)) return undefined;
  try {
    return recoverAddress(hash, signature).toLowerCase() === address.toLowerCase() ? address : undefined;
  } catch {
    return undefined;
  }
}

const SMS_DOMAIN = keccak256(toUtf8Bytes('IEXEC_SMS_DOMAIN'));
const hashText = (text: string) => keccak256(toUtf8Bytes(text));

export interface ServicesOptions {
  ports: Partial<Record<ServiceName, number>>;
  chainId: number;
  provider: Provider;
  hub: string;
  hubAbi: InterfaceAbi;
  scheduler: Signer;
  workerpool: string;
  state: NetworkState;
  /** Where a request that failed inside a handler is reported. */
  log: (message: string) => void;
}

export interface Services {
  /** The workerpool API's URL, as compass gives it. */
  workerpoolApi: string;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string) => Promise<unknown> | unknown;

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
function empty(res: http.ServerResponse, status: number) {
  res.writeHead(status);
  res.end();
}

function listen(name: string, port: number, handler: Handler, log: (message: string) => void): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      Promise.resolve(handler(req, res, url, Buffer.concat(chunks).toString('utf8'))).catch((error: Error) => {
        log(`${name}: ${req.method} ${url.pathname} failed: ${error.message}`);
        if (!res.headersSent) json(res, 500, { ok: false, error: error.message });
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`${name}: port ${port} is taken (chain.json "local" names it): stop what uses it, or change the port there`) : error),
    );
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export async function startServices(options: ServicesOptions): Promise<Services> {
  const { chainId, provider, hub, scheduler, workerpool, state, log } = options;
  const hubContract = new Contract(hub, options.hubAbi, provider) as any;
  const ownerOf = (address: string): Promise<string> =>
    (new Contract(address, ['function owner() view returns (address)'], provider) as any).owner().catch(() => ZeroAddress);
  let domain: Promise<{ name: string; version: string; chainId: bigint; verifyingContract: string }> | undefined;
  // The SDK reads the order domain from the hub too (common/market/order.js getEIP712Domain).
  const orderDomain = () => (domain ??= hubContract.domain().then(([name, version, id, verifyingContract]: any[]) => ({ name, version, chainId: id, verifyingContract })));
  const challenges = new Map<string, Challenge>();
  const { secrets } = state;

  // --- market API (iexecGateway); iexec-market-api api/src/controllers/router.js answers ---
  const market: Handler = async (req, res, url) => {
    const q = Object.fromEntries(url.searchParams);
    if (req.method === 'GET' && url.pathname === '/workerpoolorders') {
      // A real pool publishes its orders; this one signs a free order for what is asked. The tag is the
      // request's minTag: the market returns orders whose tag holds every bit of it (maxTag, when given,
      // bounds it the other way: iexec-market-api services/order.js minTagClause/maxTagClause).
      const wanted = q.workerpool?.toLowerCase();
      if (wanted && wanted !== workerpool.toLowerCase()) return json(res, 200, { ok: true, orders: [], count: 0 });
      const tag = BigInt(q.minTag ?? 0);
      if (q.maxTag !== undefined && (tag & ~BigInt(q.maxTag)) !== 0n) return json(res, 200, { ok: true, orders: [], count: 0 });
      const order = {
        workerpool,
        workerpoolprice: '0',
        volume: '1000000',
        tag: toBeHex(tag, 32),
        category: String(q.category ?? 0),
        // A deal's trust is at least 1 (PoCo IexecPoco1Facet); the order must reach the request's.
        trust: String(Math.max(1, Number(q.minTrust ?? 0))),
        apprestrict: ZeroAddress,
        datasetrestrict: ZeroAddress,
        requesterrestrict: ZeroAddress,
        salt: `0x${randomBytes(32).toString('hex')}`,
      };
      const d = await orderDomain();
      const sign = await scheduler.signTypedData(d, orderTypes('WorkerpoolOrder'), order);
      const orderHash = TypedDataEncoder.hash(d, orderTypes('WorkerpoolOrder'), order);
      const published = { orderHash, chainId, remaining: Number(order.volume), status: 'open', signer: await scheduler.getAddress(), publicationTimestamp: new Date().toISOString(), order: { ...order, sign } };
      return json(res, 200, { ok: true, orders: [published], count: 1 });
    }
    if (req.method === 'GET' && /^\/(apporders|datasetorders|requestorders)$/.test(url.pathname)) {
      // Nothing is published here: the SDK signs the orders of an app or dataset its wallet owns itself.
      return json(res, 200, { ok: true, orders: [], count: 0 });
    }
    return json(res, 404, { ok: false, error: `the local market answers GET /workerpoolorders only (no published orders: run apps and datasets your wallet owns), not ${req.method} ${url.pathname}` });
  };

  // --- SMS: iexec-sms SecretController, AppComputeSecretController, RequesterComputeSecretController ---
  // Only the status counts for the SDK (common/sms/check.js, push.js): 204 set, 404 unset, 401 not
  // allowed, 409 already there. Each push is signed, EIP-191, over keccak256(domain ‖ address ‖ ...).
  const sms: Handler = async (req, res, url, body) => {
    const q = Object.fromEntries(url.searchParams);
    const signedBy = (challenge: string, address: string) => {
      try {
        return verifyMessage(getBytes(challenge), String(req.headers.authorization)).toLowerCase() === address.toLowerCase();
      } catch {
        return false;
      }
    };
    const store = (map: Map<string, string>, key: string) => {
      if (Buffer.byteLength(body) > 4096) return json(res, 413, { errors: ['Secret size should not exceed 4 Kb'] });
      if (map.has(key)) return json(res, 409, { errors: ['Secret already exists'] });
      map.set(key, body);
      return empty(res, 204);
    };
    if (url.pathname === '/secrets/web2') {
      const key = `${String(q.ownerAddress).toLowerCase()}|${q.secretName}`;
      if (req.method === 'HEAD') return empty(res, secrets.web2.has(key) ? 204 : 404);
      const challenge = solidityPackedKeccak256(['bytes32', 'address', 'bytes32', 'bytes32'], [SMS_DOMAIN, q.ownerAddress, hashText(String(q.secretName)), hashText(body)]);
      if (!signedBy(challenge, String(q.ownerAddress))) return empty(res, 401);
      if (req.method === 'PUT') {
        if (!secrets.web2.has(key)) return empty(res, 404);
        secrets.web2.set(key, body);
        return empty(res, 204);
      }
      return store(secrets.web2, key);
    }
    if (url.pathname === '/secrets/web3') {
      const key = String(q.secretAddress).toLowerCase();
      if (req.method === 'HEAD') return empty(res, secrets.web3.has(key) ? 204 : 404);
      const challenge = solidityPackedKeccak256(['bytes32', 'address', 'bytes32'], [SMS_DOMAIN, q.secretAddress, hashText(body)]);
      if (!signedBy(challenge, await ownerOf(String(q.secretAddress)))) return empty(res, 401);
      return store(secrets.web3, key);
    }
    const app = url.pathname.match(/^\/apps\/(0x[0-9a-fA-F]{40})\/secrets$/);
    if (app) {
      const key = app[1]!.toLowerCase();
      if (req.method === 'HEAD') return secrets.app.has(key) ? empty(res, 204) : json(res, 404, { errors: ['Secret not found'] });
      const challenge = solidityPackedKeccak256(['bytes32', 'address', 'bytes32', 'bytes32'], [SMS_DOMAIN, app[1], hashText('1'), hashText(body)]);
      if (!signedBy(challenge, await ownerOf(app[1]!))) return json(res, 401, { errors: ['Invalid authorization'] });
      return store(secrets.app, key);
    }
    const requester = url.pathname.match(/^\/requesters\/(0x[0-9a-fA-F]{40})\/secrets\/([^/]+)$/);
    if (requester) {
      const [, address, name] = requester as unknown as [string, string, string];
      if (!/^[A-Za-z0-9\-_]{1,64}$/.test(name)) return json(res, 400, { errors: ['Secret key should contain at most 64 characters from [0-9A-Za-z-_]'] });
      const key = `${address.toLowerCase()}|${name}`;
      if (req.method === 'HEAD') return secrets.requester.has(key) ? empty(res, 204) : json(res, 404, { errors: ['Secret not found'] });
      const challenge = solidityPackedKeccak256(['bytes32', 'address', 'bytes32', 'bytes32'], [SMS_DOMAIN, address, hashText(name), hashText(body)]);
      if (!signedBy(challenge, address)) return json(res, 401, { errors: ['Invalid authorization'] });
      return store(secrets.requester, key);
    }
    return empty(res, 404);
  };

  // --- result storage (ipfsGateway): the SDK GETs <ipfsGateway><location> and saves the body as a zip ---
  const ipfs: Handler = (_req, res, url) => {
    const cid = url.pathname.match(/^\/ipfs\/([^/]+)$/)?.[1];
    const zip = cid === undefined ? undefined : state.results.get(cid);
    if (!zip) return json(res, 404, { error: `no result at ${url.pathname} on the local storage (results live as long as the network)` });
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length });
    res.end(zip);
  };

  // --- the workerpool API (iexec-core TaskController: /tasks/{id}, /tasks/logs/challenge, /tasks/{id}/logs) ---
  const core: Handler = async (req, res, url) => {
    const q = Object.fromEntries(url.searchParams);
    if (url.pathname === '/tasks/logs/challenge') {
      const typedData = challengeTypedData('iExec Core', chainId, randomBytes(16).toString('hex'));
      challenges.set(`core:${String(q.address).toLowerCase()}`, typedData);
      return json(res, 200, typedData);
    }
    const logs = url.pathname.match(/^\/tasks\/(0x[0-9a-fA-F]{64})\/logs$/);
    if (logs) {
      const address = String(req.headers.authorization ?? '').split('_')[2] ?? '';
      if (!authorizedBy(req.headers.authorization, challenges.get(`core:${address.toLowerCase()}`))) return empty(res, 401);
      const task = state.tasks.get(logs[1]!.toLowerCase());
      if (!task) return empty(res, 404);
      // Core shows the logs to the deal's requester only.
      if (task.requester.toLowerCase() !== address.toLowerCase()) return empty(res, 403);
      return json(res, 200, { chainTaskId: task.taskid, computeLogsList: [{ walletAddress: task.worker, stdout: task.stdout, stderr: task.stderr }] });
    }
    const show = url.pathname.match(/^\/tasks\/(0x[0-9a-fA-F]{64})$/);
    if (show) {
      const task = state.tasks.get(show[1]!.toLowerCase());
      if (!task) return json(res, 404, { error: `the local workerpool has no task ${show[1]}` });
      return json(res, 200, {
        chainTaskId: task.taskid,
        chainDealId: task.dealid,
        currentStatus: task.currentStatus,
        dateStatusList: task.dateStatusList,
        replicates: [{ walletAddress: task.worker, currentStatus: task.replicateStatus, statusUpdateList: task.statusUpdateList, appExitCode: task.appExitCode }],
      });
    }
    return empty(res, 404);
  };

  // --- result proxy (SDK 8 resultProxy; iexec-result-proxy ProxyController /results/challenge, /results/login) ---
  const resultProxy: Handler = (req, res, url, body) => {
    const q = Object.fromEntries(url.searchParams);
    if (req.method === 'GET' && url.pathname === '/results/challenge') {
      const typedData = challengeTypedData('iExec Result Repository', Number(q.chainId ?? chainId), randomBytes(16).toString('hex'));
      challenges.set(`result:${String(q.address).toLowerCase()}`, typedData);
      return json(res, 200, typedData);
    }
    if (req.method === 'POST' && url.pathname === '/results/login') {
      const address = body.split('_')[2] ?? '';
      if (!authorizedBy(body, challenges.get(`result:${address.toLowerCase()}`))) return empty(res, 401);
      res.writeHead(200, { 'content-type': 'text/plain' });
      // A token only this network hands out: the SDK stores it in the SMS, nothing here reads it back.
      return res.end(`local.${Buffer.from(address.toLowerCase()).toString('base64url')}.${randomBytes(8).toString('hex')}`);
    }
    return empty(res, 404);
  };

  const servers: http.Server[] = [];
  const close = () => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))).then(() => undefined);
  try {
    const apiServer = await listen('workerpool API', 0, core, log);
    servers.push(apiServer);
    const workerpoolApi = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;
    // --- compass: the SDK reads apiUrl only (iexec common/execution/debug.js getWorkerpoolApiUrl) ---
    const compass: Handler = (_req, res, url) => {
      const match = url.pathname.match(/^\/(\d+)\/workerpools\/(0x[0-9a-fA-F]{40})$/);
      if (match && Number(match[1]) === chainId && match[2]!.toLowerCase() === workerpool.toLowerCase()) return json(res, 200, { apiUrl: workerpoolApi });
      return json(res, 404, { error: `compass knows the local workerpool ${workerpool} on chain ${chainId} only` });
    };
    const handlers: Record<ServiceName, Handler> = { iexecGateway: market, sms, ipfsGateway: ipfs, compass, resultProxy };
    for (const [name, port] of Object.entries(options.ports) as Array<[ServiceName, number]>) {
      servers.push(await listen(name, port, handlers[name], log));
    }
    return { workerpoolApi, close };
  } catch (error) {
    await close();
    throw error;
  }
}
