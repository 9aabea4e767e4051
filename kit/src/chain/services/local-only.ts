/*
 * Routes only the local network has; none of them is platform behaviour, and no iExec service answers
 * them:
 * - GET <sms>/local/datasets/<address>/key: the key the local SMS holds for a dataset, so that
 *   `iexec-module task <taskid> --replay`, another process, decrypts the task's dataset as the TEE
 *   pre-compute does. The real SMS gives a dataset's key to a TEE session only (iexec-sms
 *   SecretSessionBaseService), which is why a replay elsewhere runs a mock of the protected data.
 * - POST / DELETE <market>/local/faults: faults a test injects to see `iexec-module doctor` catch them,
 *   as the platform would show them: the SMS down (every SMS request answers 503, as a gateway in front
 *   of a stopped SMS does), a pool that serves no order for a tag, and a pool that charges a price. The
 *   last two are what an operator does: the local pool unpublishes its orders and publishes what the
 *   fault says (workerpool/pool-orders.ts). A network starts without faults; DELETE clears them.
 */
import type { ServiceName } from '../config.js';
import type { Secrets } from '../state.js';
import { json, type Route, type Service } from './http.js';

/** The faults in force, shared by the services and the pool's orders; `changed` runs after each change. */
export class LocalFaults {
  smsDown = false;
  /** The pool publishes no order whose tag holds every bit of this one. */
  noOrdersForTag?: bigint;
  /** nRLC: the price the pool's orders carry instead of 0. */
  workerpoolPrice?: bigint;
  changed: () => Promise<void> = async () => {};

  toJSON() {
    return {
      smsDown: this.smsDown,
      noOrdersForTag: this.noOrdersForTag?.toString() ?? null,
      workerpoolPrice: this.workerpoolPrice?.toString() ?? null,
    };
  }

  /** Sets the faults a POST body names (the others cleared), or says what is wrong with it. */
  set(body: string): string | undefined {
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
      Object.assign(this, { smsDown: given.smsDown === true, noOrdersForTag, workerpoolPrice });
      return undefined;
    } catch {
      return 'noOrdersForTag (a bytes32 tag) and workerpoolPrice (nRLC) are integers';
    }
  }

  clear() {
    Object.assign(this, { smsDown: false, noOrdersForTag: undefined, workerpoolPrice: undefined });
  }
}

function smsDown(service: Service, faults: LocalFaults): Service {
  const unavailable = () => json(503, { error: ['the local SMS is down (a fault injected through POST /local/faults)'] });
  return {
    ...service,
    routes: service.routes.map((route) => ({
      ...route,
      handle: (req, params) => (faults.smsDown ? unavailable() : route.handle(req, params)),
    })),
    notFound: (req) => (faults.smsDown ? unavailable() : service.notFound(req)),
  };
}

function faultRoutes(faults: LocalFaults): Route[] {
  return [
    {
      method: 'POST',
      path: /^\/local\/faults$/,
      handle: async (req) => {
        const problem = faults.set(req.body);
        if (problem) return json(400, { ok: false, error: problem });
        await faults.changed();
        return json(200, { ok: true, faults: faults.toJSON() });
      },
    },
    {
      method: 'DELETE',
      path: /^\/local\/faults$/,
      handle: async () => {
        faults.clear();
        await faults.changed();
        return json(200, { ok: true, faults: faults.toJSON() });
      },
    },
  ];
}

function datasetKey(secrets: Secrets): Route {
  return {
    method: 'GET',
    path: /^\/local\/datasets\/(0x[0-9a-fA-F]{40})\/key$/,
    handle: (_req, [address]) => {
      const key = secrets.web3.get(address!.toLowerCase());
      return key === undefined
        ? json(404, { error: `the local SMS holds no key for the dataset ${address}` })
        : json(200, { dataset: address, key });
    },
  };
}

export function withLocalRoutes(
  services: Record<ServiceName, Service>,
  secrets: Secrets,
  faults: LocalFaults,
): Record<ServiceName, Service> {
  const sms = smsDown(services.sms, faults);
  const market = services.iexecGateway;
  return {
    ...services,
    sms: { ...sms, routes: [datasetKey(secrets), ...sms.routes] },
    iexecGateway: { ...market, routes: [...faultRoutes(faults), ...market.routes] },
  };
}
