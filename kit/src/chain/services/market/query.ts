/*
 * What an orderbook query keeps, clause by clause as iexec-market-api api/src/services/order.js builds its
 * MongoDB filter (get*orders, at 1639637), and the router's parameters for each kind (controllers/router.js).
 * A restriction left out of the query keeps only unrestricted orders; `any` drops the clause; a given
 * address keeps the orders restricted to it or to nobody (to it alone when `is*Strict`). Tags: every bit of
 * minTag, no bit outside maxTag.
 */
import { ZeroAddress, ZeroHash } from 'ethers';
import { invalid } from './errors.js';
import { DATASET_INFINITE_VOLUME, type KindName } from './kinds.js';
import { ANY, address, addressOrAny, boolean, bytes32, chainId as validChainId, integer, type Order } from './validate.js';

export interface Published {
  orderHash: string;
  order: Order;
  chainId: number;
  /** The tag's set bits, 1-based (order-utils.js tagToArray); never served. */
  tagArray: number[];
  remaining: number;
  status: 'open' | 'filled' | 'canceled' | 'dead';
  publicationTimestamp: string;
  signer: string;
}

export const tagToArray = (tag: string): number[] => {
  const bits: number[] = [];
  for (let value = BigInt(tag), bit = 1; value > 0n; value >>= 1n, bit += 1) if (value & 1n) bits.push(bit);
  return bits;
};

interface QueryShape {
  /** Parameters naming the order's own fields (`any` or an address, which must be equal). */
  resources: string[];
  /** The parameter naming the signer. */
  owner?: string;
  /** When set, one of these two is required, with this message. */
  oneOf?: [string, string];
  /** Parameter -> the restrict field it reads (and its strict flag is is<Param>Strict). */
  restricts: Record<string, string>;
  extra: Array<'category' | 'minTrust' | 'maxTrust' | 'bulkOnly'>;
}

const SHAPES: Record<KindName, QueryShape> = {
  apporder: {
    resources: ['app'],
    owner: 'appOwner',
    oneOf: ['app', 'appOwner'],
    restricts: { dataset: 'datasetrestrict', workerpool: 'workerpoolrestrict', requester: 'requesterrestrict' },
    extra: [],
  },
  datasetorder: {
    resources: ['dataset'],
    owner: 'datasetOwner',
    oneOf: ['dataset', 'datasetOwner'],
    restricts: { app: 'apprestrict', workerpool: 'workerpoolrestrict', requester: 'requesterrestrict' },
    extra: ['bulkOnly'],
  },
  workerpoolorder: {
    resources: ['workerpool'],
    owner: 'workerpoolOwner',
    restricts: { app: 'apprestrict', dataset: 'datasetrestrict', requester: 'requesterrestrict' },
    extra: ['category', 'minTrust'],
  },
  requestorder: {
    resources: ['app', 'dataset', 'requester', 'beneficiary'],
    restricts: { workerpool: 'workerpool' },
    extra: ['category', 'maxTrust'],
  },
};

export interface Page {
  skip: number;
  limit: number;
}

export interface OrderQuery {
  clauses: Array<(record: Published) => boolean>;
  page: Page;
}

const strictName = (param: string) => `is${param[0]!.toUpperCase()}${param.slice(1)}Strict`;
const MIN_PAGE = 10;
const MAX_PAGE = 1000;
const DEFAULT_PAGE = 20;

/** pagination-utils.js getDbPage: pageIndex/pageSize, or the deprecated `page` offset. */
function page(q: Record<string, string>): Page {
  const pageIndex = integer(q.pageIndex, 'pageIndex');
  const pageSize = integer(q.pageSize, 'pageSize', MIN_PAGE, MAX_PAGE);
  const legacy = integer(q.page, 'page');
  if (pageIndex !== undefined || pageSize !== undefined) {
    const limit = pageSize ?? DEFAULT_PAGE;
    return { limit, skip: limit * (pageIndex ?? 0) };
  }
  return { limit: DEFAULT_PAGE, skip: legacy ?? 0 };
}

function restrictClause(field: string, value: string | undefined, strict: boolean | undefined) {
  if (value === ANY) return undefined;
  if (value === undefined) return (record: Published) => record.order[field] === ZeroAddress;
  return (record: Published) => record.order[field] === value || (!strict && record.order[field] === ZeroAddress);
}

function tagClauses(minTag: string | undefined, maxTag: string | undefined) {
  const clauses: OrderQuery['clauses'] = [];
  if (minTag && minTag !== ZeroHash) {
    const wanted = tagToArray(minTag);
    clauses.push((record) => wanted.every((bit) => record.tagArray.includes(bit)));
  }
  if (maxTag) {
    const allowed = tagToArray(maxTag);
    clauses.push((record) => record.tagArray.every((bit) => allowed.includes(bit)));
  }
  return clauses;
}

/** The query of GET /<kind>s, validated as the router does; throws a 400 on a bad parameter. */
export function parseQuery(kind: KindName, q: Record<string, string>, supportedChain: number): OrderQuery {
  validChainId(q.chainId, supportedChain);
  const shape = SHAPES[kind];
  const clauses: OrderQuery['clauses'] = [(record) => record.status === 'open'];
  if (shape.oneOf && q[shape.oneOf[0]] === undefined && q[shape.oneOf[1]] === undefined)
    throw invalid(`${shape.oneOf[0]} or ${shape.oneOf[1]} is required`);
  for (const param of shape.resources) {
    const value = addressOrAny(q[param], param);
    if (value !== undefined && value !== ANY) clauses.push((record) => record.order[param] === value);
  }
  if (shape.owner) {
    const owner = address(q[shape.owner], shape.owner);
    if (owner !== undefined) clauses.push((record) => record.signer === owner);
  }
  for (const [param, field] of Object.entries(shape.restricts)) {
    const clause = restrictClause(field, addressOrAny(q[param], param), boolean(q[strictName(param)], strictName(param)));
    if (clause) clauses.push(clause);
  }
  const category = shape.extra.includes('category') ? integer(q.category, 'category') : undefined;
  if (category !== undefined) clauses.push((record) => record.order.category === category);
  const minTrust = shape.extra.includes('minTrust') ? integer(q.minTrust, 'minTrust') : undefined;
  if (minTrust !== undefined && minTrust > 1) clauses.push((record) => Number(record.order.trust) >= minTrust);
  const maxTrust = shape.extra.includes('maxTrust') ? integer(q.maxTrust, 'maxTrust') : undefined;
  if (maxTrust !== undefined) clauses.push((record) => Number(record.order.trust) <= maxTrust);
  if (shape.extra.includes('bulkOnly') && boolean(q.bulkOnly, 'bulkOnly')) {
    clauses.push((record) => Number(record.order.volume) >= DATASET_INFINITE_VOLUME - 1 && record.order.datasetprice === 0);
  }
  const minVolume = integer(q.minVolume, 'minVolume', 1);
  if (minVolume !== undefined) clauses.push((record) => record.remaining >= minVolume);
  clauses.push(...tagClauses(bytes32(q.minTag, 'minTag'), bytes32(q.maxTag, 'maxTag')));
  return { clauses, page: page(q) };
}
