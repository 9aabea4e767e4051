/*
 * The market API's validation of queries and orders (iexec-market-api api/src/utils/validator.js, yup):
 * addresses come back checksummed, bytes32 in lower case, numbers as numbers, each refusal a 400 with
 * yup's message for the field.
 */
import { getAddress } from 'ethers';
import { invalid } from './errors.js';
import type { OrderKind } from './kinds.js';

export const ANY = 'any';
const BYTES32 = /^(0x)([0-9a-f]{2}){32}$/;
const SIGN = /^(0x)([0-9a-f]{2})*/;

function checksummed(value: string): string | undefined {
  try {
    return getAddress(value.toLowerCase());
  } catch {
    return undefined;
  }
}

export function address(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  const address = checksummed(String(value));
  if (!address) throw invalid(`${path} is not a valid ethereum address`);
  return address;
}

export function addressOrAny(value: unknown, path: string): string | undefined {
  if (value === undefined || value === ANY) return value;
  const address = checksummed(String(value));
  if (!address) throw invalid(`${path} is neither "${ANY}" nor a valid ethereum address`);
  return address;
}

export function bytes32(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value).toLowerCase();
  if (!BYTES32.test(text)) throw invalid(`${path} must be a bytes32 hexstring`);
  return text;
}

/** yup's number().integer() between min and Number.MAX_SAFE_INTEGER. */
export function integer(value: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.replace(/\s/g, '') : value;
  const number = text === '' ? NaN : Number(text);
  if (Number.isNaN(number))
    throw invalid(
      `${path} must be a \`number\` type, but the final value was: \`NaN\` (cast from the value \`${JSON.stringify(value)}\`).`,
    );
  if (!Number.isInteger(number)) throw invalid(`${path} must be an integer`);
  if (number < min) throw invalid(`${path} must be greater than or equal to ${min}`);
  if (number > max) throw invalid(`${path} must be less than or equal to ${max}`);
  return number;
}

export function boolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(`${path} must be a \`boolean\` type, but the final value was: \`${JSON.stringify(value)}\`.`);
}

export function required<T>(value: T | undefined, path: string, message = `${path} is a required field`): T {
  if (value === undefined) throw invalid(message);
  return value;
}

/** The chain ids the market serves: here, the local chain's only. */
export function chainId(value: unknown, supported: number): string {
  const text = required(value === undefined ? undefined : String(value), 'chainId');
  if (text !== String(supported)) throw invalid(`chainId ${text} is not supported`);
  return text;
}

export type Order = Record<string, string | number>;

/**
 * A signed order of `kind` as the market stores and serves it (validator.js signed*orderSchema): every
 * field required but a request's params, volume at least 1, and the signature.
 */
export function signedOrder(kind: OrderKind, value: unknown): Order {
  if (typeof value !== 'object' || value === null) throw invalid(`order is not a valid signed ${kind.name}`);
  const input = value as Record<string, unknown>;
  const order: Order = {};
  for (const field of kind.fields) {
    const path = `order.${field.name}`;
    const raw = input[field.name];
    if (field.type === 'address') order[field.name] = required(address(raw, path), path);
    else if (field.type === 'bytes32') order[field.name] = required(bytes32(raw, path), path);
    else if (field.type === 'uint256') order[field.name] = required(integer(raw, path, field.name === 'volume' ? 1 : 0), path);
    else if (raw !== undefined) order[field.name] = String(raw);
  }
  const sign = required(input.sign === undefined ? undefined : String(input.sign), 'order.sign');
  if (!SIGN.test(sign)) throw invalid('order.sign must be a valid signature');
  order.sign = sign;
  return order;
}
