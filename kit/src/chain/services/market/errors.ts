/*
 * The market API's errors and the answer each gets (iexec-market-api api/src/controllers/error.js): a bad
 * query or body 400 with yup's message, a failed authentication 403 "invalid authorization" whatever the
 * cause, a refused publication 403 with its reason, an unknown order 404.
 */
import { json, type Reply } from '../http.js';

export class MarketError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new MarketError(400, message);
export const refused = (message: string) => new MarketError(403, message);
export const notFound = (message: string) => new MarketError(404, message);
/** AuthError: its message is logged by the market, never sent. */
export const unauthorized = (message: string) => new MarketError(403, `invalid authorization: ${message}`);

export function errorReply(error: unknown): Reply {
  if (!(error instanceof MarketError)) throw error;
  const message = error.message.startsWith('invalid authorization') ? 'invalid authorization' : error.message;
  return json(error.status, { ok: false, error: message });
}
