/*
 * The market API behind chain.json's iexecGateway, route for route as iexec-market-api serves them
 * (api/src/controllers/router.js at 1639637): GET /challenge, and for each kind of order (apporders,
 * datasetorders, workerpoolorders, requestorders) the orderbook (GET), one order by hash (GET /<kind>s/<hash>),
 * publish (POST, {order}) and unpublish (PUT, {target, orderHash | <resource>}), both behind the market's
 * own login. Answers are {ok: true, ...} or {ok: false, error} with the market's status codes (errors.ts).
 */
import { errorReply, invalid } from './market/errors.js';
import { MarketLogin } from './market/auth.js';
import { OrderBook, UNPUBLISH_TARGETS, type MarketChain, type UnpublishTarget } from './market/book.js';
import { KIND_NAMES, KINDS, type KindName } from './market/kinds.js';
import { parseQuery } from './market/query.js';
import { address, bytes32, chainId as validChainId, required } from './market/validate.js';
import { json, type Reply, type Route, type Service, type ServiceRequest } from './http.js';

export type { MarketChain } from './market/book.js';

const query = (req: ServiceRequest) => Object.fromEntries(req.query) as Record<string, string>;

function body(req: ServiceRequest): Record<string, unknown> {
  if (req.body.trim() === '') return {};
  try {
    const parsed = JSON.parse(req.body);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    // koa-bodyparser answers a body it cannot parse with 400.
    throw invalid('invalid JSON body');
  }
}

async function answer(work: () => Promise<Record<string, unknown>>): Promise<Reply> {
  try {
    return json(200, { ok: true, ...(await work()) });
  } catch (error) {
    return errorReply(error);
  }
}

function kindRoutes(name: KindName, book: OrderBook, login: MarketLogin, chainId: number): Route[] {
  const kind = KINDS[name];
  const collection = new RegExp(`^${kind.path}$`);
  /** authentify: the chainId first (400), then the Authorization (403), as controllers/auth.js does. */
  const authorized = (req: ServiceRequest) => {
    const chain = validChainId(req.query.get('chainId') ?? undefined, chainId);
    return { chain, address: login.check(chain, req.headers.authorization) };
  };
  return [
    {
      method: 'GET',
      path: new RegExp(`^${kind.path}/([^/]+)$`),
      handle: (req, [hash]) =>
        answer(async () => {
          validChainId(req.query.get('chainId') ?? undefined, chainId);
          const orderHash = required(bytes32(hash, 'orderHash'), 'orderHash');
          const { orderHash: _, ...record } = await book.get(name, orderHash);
          return { orderHash, ...record };
        }),
    },
    { method: 'GET', path: collection, handle: (req) => answer(() => book.list(name, parseQuery(name, query(req), chainId))) },
    {
      method: 'POST',
      path: collection,
      handle: (req) =>
        answer(async () => {
          const { address: signer } = authorized(req);
          const { order } = body(req);
          if (order === undefined) throw invalid('order is a required field');
          return { published: await book.publish(name, order, signer) };
        }),
    },
    {
      method: 'PUT',
      path: collection,
      handle: (req) =>
        answer(async () => {
          const { address: signer } = authorized(req);
          const input = body(req);
          const target = (input.target ?? 'unpublish_orderHash') as UnpublishTarget;
          if (!UNPUBLISH_TARGETS.includes(target))
            throw invalid(`target must be one of the following values: ${UNPUBLISH_TARGETS.join(', ')}`);
          const byHash = target === 'unpublish_orderHash';
          const resourceId = byHash
            ? required(bytes32(input.orderHash, 'orderHash'), 'orderHash')
            : required(address(input[kind.addressField], kind.addressField), kind.addressField);
          return { unpublished: book.unpublish(name, target, resourceId, signer) };
        }),
    },
  ];
}

export function marketService(chain: MarketChain, book = new OrderBook(chain)): Service {
  const login = new MarketLogin();
  return {
    name: 'iexecGateway',
    routes: [
      {
        method: 'GET',
        path: /^\/challenge$/,
        handle: (req) =>
          answer(async () => {
            const chainIdText = validChainId(req.query.get('chainId') ?? undefined, chain.chainId);
            const signer = required(address(req.query.get('address') ?? undefined, 'address'), 'address');
            return { data: login.challenge(chainIdText, signer) };
          }),
      },
      ...KIND_NAMES.flatMap((name) => kindRoutes(name, book, login, chain.chainId)),
    ],
    notFound: (req) =>
      json(404, {
        ok: false,
        error: `the local market answers /challenge and the ${KIND_NAMES.map((name) => KINDS[name].path).join(', ')} routes, not ${req.method} ${req.path}`,
      }),
  };
}
