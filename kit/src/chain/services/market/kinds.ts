/*
 * The four kinds of orders the market keeps, as iexec-market-api describes them (api/src/utils/order-utils.js
 * OBJ_MAP at 1639637): the EIP-712 struct PoCo signs, the field naming the resource, its price, and the
 * registry that says who owns the resource (nobody owns a requester: the request's signer is its requester).
 */
export const KIND_NAMES = ['apporder', 'datasetorder', 'workerpoolorder', 'requestorder'] as const;
export type KindName = (typeof KIND_NAMES)[number];

type FieldType = 'address' | 'uint256' | 'bytes32' | 'string';
export interface Field {
  name: string;
  type: FieldType;
}

export interface OrderKind {
  name: KindName;
  /** Where the market serves it: /apporders, ... */
  path: string;
  primaryType: string;
  fields: Field[];
  /** The field naming the resource (and what PUT's `target` names). */
  addressField: string;
  /** The resource's registry on the hub, when a contract owner signs the order. */
  registry?: 'appregistry' | 'datasetregistry' | 'workerpoolregistry';
  /** The sort: cheapest first, but a request paying the pool most comes first. */
  priceField: string;
  priceOrder: 1 | -1;
}

const f = (name: string, type: FieldType): Field => ({ name, type });

export const KINDS: Record<KindName, OrderKind> = {
  apporder: {
    name: 'apporder',
    path: '/apporders',
    primaryType: 'AppOrder',
    fields: [
      f('app', 'address'),
      f('appprice', 'uint256'),
      f('volume', 'uint256'),
      f('tag', 'bytes32'),
      f('datasetrestrict', 'address'),
      f('workerpoolrestrict', 'address'),
      f('requesterrestrict', 'address'),
      f('salt', 'bytes32'),
    ],
    addressField: 'app',
    registry: 'appregistry',
    priceField: 'appprice',
    priceOrder: 1,
  },
  datasetorder: {
    name: 'datasetorder',
    path: '/datasetorders',
    primaryType: 'DatasetOrder',
    fields: [
      f('dataset', 'address'),
      f('datasetprice', 'uint256'),
      f('volume', 'uint256'),
      f('tag', 'bytes32'),
      f('apprestrict', 'address'),
      f('workerpoolrestrict', 'address'),
      f('requesterrestrict', 'address'),
      f('salt', 'bytes32'),
    ],
    addressField: 'dataset',
    registry: 'datasetregistry',
    priceField: 'datasetprice',
    priceOrder: 1,
  },
  workerpoolorder: {
    name: 'workerpoolorder',
    path: '/workerpoolorders',
    primaryType: 'WorkerpoolOrder',
    fields: [
      f('workerpool', 'address'),
      f('workerpoolprice', 'uint256'),
      f('volume', 'uint256'),
      f('tag', 'bytes32'),
      f('category', 'uint256'),
      f('trust', 'uint256'),
      f('apprestrict', 'address'),
      f('datasetrestrict', 'address'),
      f('requesterrestrict', 'address'),
      f('salt', 'bytes32'),
    ],
    addressField: 'workerpool',
    registry: 'workerpoolregistry',
    priceField: 'workerpoolprice',
    priceOrder: 1,
  },
  requestorder: {
    name: 'requestorder',
    path: '/requestorders',
    primaryType: 'RequestOrder',
    fields: [
      f('app', 'address'),
      f('appmaxprice', 'uint256'),
      f('dataset', 'address'),
      f('datasetmaxprice', 'uint256'),
      f('workerpool', 'address'),
      f('workerpoolmaxprice', 'uint256'),
      f('requester', 'address'),
      f('volume', 'uint256'),
      f('tag', 'bytes32'),
      f('category', 'uint256'),
      f('trust', 'uint256'),
      f('beneficiary', 'address'),
      f('callback', 'address'),
      f('params', 'string'),
      f('salt', 'bytes32'),
    ],
    addressField: 'requester',
    priceField: 'workerpoolmaxprice',
    priceOrder: -1,
  },
};

/** The EIP-712 types of a kind, for ethers' TypedDataEncoder. */
export const typesOf = (kind: OrderKind) => ({ [kind.primaryType]: kind.fields });

/** A dataset order open to bulk processing: free and of "infinite" volume (order-utils.js isDatasetBulkOrder). */
export const DATASET_INFINITE_VOLUME = Number.MAX_SAFE_INTEGER;
