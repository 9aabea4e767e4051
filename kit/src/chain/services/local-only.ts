/*
 * Routes only the local network has; none of them is platform behaviour, and no iExec service answers
 * them:
 * - GET <sms>/local/datasets/<address>/key: the key the local SMS holds for a dataset, so that
 *   `iexec-module task <taskid> --replay`, another process, decrypts the task's dataset as the TEE
 *   pre-compute does. The real SMS gives a dataset's key to a TEE session only (iexec-sms
 *   SecretSessionBaseService), which is why a replay elsewhere runs a mock of the protected data.
 * - POST / DELETE <market>/local/faults: faults a test injects to see `iexec-module doctor` catch them,
 *   as the platform would show them: the SMS down (every SMS request answers 503, as a gateway in front
 *   of a stopped SMS does), no workerpool order for a tag (a pool that does not serve it), and a
 *   workerpool price (a pool that charges). A network starts without faults; DELETE clears them.
 */
import { TypedDataEncoder } from 'ethers';
import type { ServiceName } from '../config.js';
import type { Secrets } from '../state.js';
import { json, type Route, type Service } from './http.js';
import { WORKERPOOL_ORDER, type MarketChain } from './market.js';

export interface Faults {
  smsDown: boolean;
  /** No workerpool order is given to a request whose tag holds every bit of this one. */
  noOrdersForTag?: bigint;
  /** nRLC: the price the pool's orders carry instead of 0. */
  workerpoolPrice?: bigint;
}

function parseFaults(body: string): Faults | string {
  let given: Record<string, unknown>;
  try {
    given = JSON.parse(body || '{}');
  } catch {
    return 'the body is not JSON';
  }
  const bigint = (key: string) => (given[key] === undefined ? undefined : BigInt(String(given[key])));
  try {
    const noOrdersForTag = bigint('noOrdersForTag');
    const workerpoolPrice = bigint('workerpoolPrice');
    return { smsDown: given.smsDown === true, ...(noOrdersForTag !== undefined && { noOrdersForTag }), ...(workerpoolPrice !== undefined && { workerpoolPrice }) };
  } catch {
    return 'noOrdersForTag (a bytes32 tag) and workerpoolPrice (nRLC) are integers';
  }
}

const faultsJson = (faults: Faults) => ({ smsDown: faults.smsDown, noOrdersForTag: faults.noOrdersForTag?.toString() ?? null, workerpoolPrice: faults.workerpoolPrice?.toString() ?? null });

function smsDown(service: Service, faults: Faults): Service {
  const unavailable = () => json(503, { error: ['the local SMS is down (a fault injected through POST /local/faults)'] });
  return {
    ...service,
    routes: service.routes.map((route) => ({ ...route, handle: (req, params) => (faults.smsDown ? unavailable() : route.handle(req, params)) })),
    notFound: (req) => (faults.smsDown ? unavailable() : service.notFound(req)),
  };
}

/** The pool's orders as the faults want them: none for a tag it does not serve, re-signed at a price. */
function marketFaults(service: Service, faults: Faults, market: MarketChain): Service {
  const orders = service.routes.find((route) => route.path.source.includes('workerpoolorders') && route.method === 'GET')!;
  const faulty: Route = {
    method: 'GET',
    path: orders.path,
    async handle(req, params) {
      const minTag = BigInt(req.query.get('minTag') ?? 0);
      if (faults.noOrdersForTag !== undefined && (minTag & faults.noOrdersForTag) === faults.noOrdersForTag) return json(200, { ok: true, orders: [], count: 0 });
      const reply = await orders.handle(req, params);
      if (faults.workerpoolPrice === undefined) return reply;
      const body = reply.body as { orders: Array<{ orderHash: string; order: Record<string, unknown> }> };
      const domain = await market.orderDomain();
      for (const published of body.orders) {
        const { sign: _, ...order } = published.order;
        order.workerpoolprice = faults.workerpoolPrice.toString();
        published.order = { ...order, sign: await market.signTypedData(domain, WORKERPOOL_ORDER, order) };
        published.orderHash = TypedDataEncoder.hash(domain, WORKERPOOL_ORDER, order);
      }
      return reply;
    },
  };
  const control: Route[] = [
    {
      method: 'POST',
      path: /^\/local\/faults$/,
      handle: (req) => {
        const parsed = parseFaults(req.body);
        if (typeof parsed === 'string') return json(400, { ok: false, error: parsed });
        Object.assign(faults, { noOrdersForTag: undefined, workerpoolPrice: undefined }, parsed);
        return json(200, { ok: true, faults: faultsJson(faults) });
      },
    },
    {
      method: 'DELETE',
      path: /^\/local\/faults$/,
      handle: () => {
        Object.assign(faults, { smsDown: false, noOrdersForTag: undefined, workerpoolPrice: undefined });
        return json(200, { ok: true, faults: faultsJson(faults) });
      },
    },
  ];
  return { ...service, routes: [...control, faulty, ...service.routes.filter((route) => route !== orders)] };
}

function datasetKey(secrets: Secrets): Route {
  return {
    method: 'GET',
    path: /^\/local\/datasets\/(0x[0-9a-fA-F]{40})\/key$/,
    handle: (_req, [address]) => {
      const key = secrets.web3.get(address!.toLowerCase());
      return key === undefined ? json(404, { error: `the local SMS holds no key for the dataset ${address}` }) : json(200, { dataset: address, key });
    },
  };
}

export function withLocalRoutes(services: Record<ServiceName, Service>, secrets: Secrets, market: MarketChain): Record<ServiceName, Service> {
  const faults: Faults = { smsDown: false };
  const sms = smsDown(services.sms, faults);
  return {
    ...services,
    sms: { ...sms, routes: [datasetKey(secrets), ...sms.routes] },
    iexecGateway: marketFaults(services.iexecGateway, faults, market),
  };
}
