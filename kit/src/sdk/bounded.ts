/*
 * A read that does not answer in time is an answer too: the SDK's HTTP calls carry no timeout of their
 * own (iexec 9.0.1 common/utils/api-utils.js: fetch with no signal), so doctor and task bound each of
 * theirs rather than wait on a service that accepted the connection and went quiet.
 */
export const READ_TIMEOUT_MS = 60_000;

export function bounded<T>(work: Promise<T>, what: string, ms = READ_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
