/*
 * The HTTP side every local service shares: a service is a list of routes, each a function from a
 * request to a reply, so a handler runs the same behind a socket and in a unit test (dispatch()).
 */
import http from 'node:http';

export interface ServiceRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Lower-case names, as Node gives them. */
  headers: Record<string, string | undefined>;
  body: string;
  /** The body's bytes, for uploads (the IPFS node's add). */
  raw?: Buffer;
}

export interface Reply {
  status: number;
  /** A JSON value, or raw bytes sent with `type`. */
  body?: unknown;
  type?: string;
}

export interface Route {
  method: string;
  /** Matched against the whole path; its groups are the handler's params. */
  path: RegExp;
  handle(request: ServiceRequest, params: string[]): Promise<Reply> | Reply;
}

export interface Service {
  /** How errors and the port clash name it. */
  name: string;
  routes: Route[];
  /** The answer to a request no route takes (each real service has its own 404). */
  notFound(request: ServiceRequest): Reply;
}

export const json = (status: number, body: unknown): Reply => ({ status, body });
export const empty = (status: number): Reply => ({ status });

export function request(method: string, target: string, body = '', headers: Record<string, string> = {}): ServiceRequest {
  const url = new URL(target, 'http://127.0.0.1');
  return { method, path: url.pathname, query: url.searchParams, headers, body };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export async function dispatch(service: Service, req: ServiceRequest): Promise<Reply> {
  for (const route of service.routes) {
    if (route.method !== req.method) continue;
    const match = req.path.match(route.path);
    // Path variables arrive decoded, as Spring's @PathVariable and Express's params give them.
    if (match)
      return route.handle(
        req,
        match.slice(1).map((part) => (part === undefined ? part : safeDecode(part))),
      );
  }
  return service.notFound(req);
}

function send(res: http.ServerResponse, reply: Reply) {
  if (reply.body === undefined) {
    res.writeHead(reply.status);
    res.end();
  } else if (Buffer.isBuffer(reply.body)) {
    res.writeHead(reply.status, { 'content-type': reply.type ?? 'application/octet-stream', 'content-length': reply.body.length });
    res.end(reply.body);
  } else if (typeof reply.body === 'string' && reply.type) {
    res.writeHead(reply.status, { 'content-type': reply.type });
    res.end(reply.body);
  } else {
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.body));
  }
}

/** Serves a service on loopback; a handler that throws is a 500, reported through `log`. */
export function serve(service: Service, port: number, log: (message: string) => void): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
      );
      const raw = Buffer.concat(chunks);
      const incoming: ServiceRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers,
        body: raw.toString('utf8'),
        raw,
      };
      dispatch(service, incoming).then(
        (reply) => send(res, reply),
        (error: Error) => {
          log(`${service.name}: ${incoming.method} ${incoming.path} failed: ${error.message}`);
          if (!res.headersSent) send(res, json(500, { ok: false, error: error.message }));
        },
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`${service.name}: port ${port} is taken (chain.json "local" names it): stop what uses it, or change the port there`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // A client keeping a connection open (the SDK's keep-alive agent) must not hold the stop.
    server.closeAllConnections();
  });
}
