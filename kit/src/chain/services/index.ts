/*
 * The iExec off-chain services on loopback, one file each, as far as the iexec CLI (8.24.0, 9.0.1) and
 * the local worker need them; which request each SDK command sends, and what it checks in the answer,
 * is in create-iexec-module's docs/local-network.md ("SDK requests per command").
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Signer } from 'ethers';
import type { ServiceName } from '../config.js';
import type { HubView } from '../hub-view.js';
import type { NetworkState } from '../state.js';
import { compassService } from './compass.js';
import { close, serve, type Service } from './http.js';
import { marketService } from './market.js';
import { resultProxyService } from './result-proxy.js';
import { resultStorageService } from './result-storage.js';
import { smsService } from './sms.js';
import { workerpoolApiService } from './workerpool-api.js';

export interface ServicesOptions {
  ports: Partial<Record<ServiceName, number>>;
  chainId: number;
  hub: HubView;
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

export async function startServices(options: ServicesOptions): Promise<Services> {
  const { chainId, hub, scheduler, workerpool, state, log } = options;
  const servers: http.Server[] = [];
  const stop = () => Promise.all(servers.map(close)).then(() => undefined);
  let workerpoolApi = '';
  try {
    const api = workerpoolApiService(state.tasks, hub, chainId, () => workerpoolApi);
    servers.push(await serve(api, 0, log));
    workerpoolApi = `http://127.0.0.1:${(servers[0]!.address() as AddressInfo).port}`;
    const schedulerAddress = await scheduler.getAddress();
    const services: Record<ServiceName, Service> = {
      iexecGateway: marketService({ chainId, workerpool, schedulerAddress, orderDomain: () => hub.orderDomain(), signTypedData: (domain, types, value) => scheduler.signTypedData(domain, types, value) }),
      sms: smsService(state.secrets, hub),
      ipfsGateway: resultStorageService(state.results),
      compass: compassService(chainId, workerpool, () => workerpoolApi),
      resultProxy: resultProxyService(chainId),
    };
    for (const [name, port] of Object.entries(options.ports) as Array<[ServiceName, number]>) {
      servers.push(await serve(services[name], port, log));
    }
    return { workerpoolApi, close: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
