/**
 * The secrets a requester mapped to the task: `iexec app run --secret 1=<name>` makes the worker set
 * IEXEC_REQUESTER_SECRET_1 to the value the requester stored under <name> (TEE tasks only). Values stay
 * in a closure, so logging the context never prints one.
 */
export interface RequesterSecrets {
  /** The keys this task received, ascending. */
  keys: number[];
  /** The secret mapped to `key`; throws an error saying how to provide it when the task has none. */
  get(key: number): string;
}

const PREFIX = 'IEXEC_REQUESTER_SECRET_';
/** The worker only maps keys that are positive integers. */
const KEY = /^[1-9]\d*$/;

export function readRequesterSecrets(env: NodeJS.ProcessEnv): RequesterSecrets {
  const values = new Map<number, string>();
  for (const [name, value] of Object.entries(env)) {
    const key = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : '';
    if (KEY.test(key) && value !== undefined) values.set(Number(key), value);
  }
  return {
    keys: [...values.keys()].sort((a, b) => a - b),
    get(key: number): string {
      const value = values.get(key);
      if (value === undefined) {
        throw new Error(
          `requester secret ${key} is missing: the requester stores it with \`iexec requester push-secret <name>\` and maps it with \`iexec app run --secret ${key}=<name>\` (TEE tasks only)`,
        );
      }
      return value;
    },
  };
}
