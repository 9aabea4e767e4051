/* Compass: where SDK 9 finds a workerpool's API; the SDK reads `apiUrl` only (iexec 9.0.1 common/execution/debug.js). */
import { json, type Service } from './http.js';

export function compassService(chainId: number, workerpool: string, apiUrl: () => string): Service {
  return {
    name: 'compass',
    routes: [
      {
        method: 'GET',
        path: /^\/(\d+)\/workerpools\/(0x[0-9a-fA-F]{40})$/,
        handle: (_req, [id, address]) =>
          Number(id) === chainId && address!.toLowerCase() === workerpool.toLowerCase()
            ? json(200, { apiUrl: apiUrl() })
            : json(404, { error: `compass knows the local workerpool ${workerpool} on chain ${chainId} only` }),
      },
    ],
    notFound: (req) => json(404, { error: `compass answers GET /<chainId>/workerpools/<address> only, not ${req.method} ${req.path}` }),
  };
}
