import { UserError } from './errors.js';

/** The parts of the iExec worker contract a module's app can use, in the order they are listed and recorded. */
export const FEATURES = ['args', 'input-files', 'requester-secrets', 'app-secret', 'protected-data', 'bulk', 'callback'] as const;
export type Feature = (typeof FEATURES)[number];

export const FEATURE_PROFILES: Record<Feature, { hint: string }> = {
  args: { hint: "the request's iexec_args, split shell-style" },
  'input-files': { hint: 'files the requester lists by URL (IEXEC_INPUT_FILE_NAME_<n>)' },
  'requester-secrets': { hint: 'secrets the requester provisions (IEXEC_REQUESTER_SECRET_<n>, TEE only)' },
  'app-secret': { hint: 'your own secret, set once per app (IEXEC_APP_DEVELOPER_SECRET, TEE only)' },
  'protected-data': { hint: 'one DataProtector protected data, read with @iexec/dataprotector-deserializer' },
  bulk: { hint: 'many protected data in one task (IEXEC_BULK_SLICE_SIZE); implies protected-data' },
  callback: { hint: 'callback-data in computed.json, for an on-chain callback contract' },
};

const NONE = 'none';

function items(raw: unknown): string[] {
  if (typeof raw === 'string') {
    if (raw.trim() === '') {
      throw new UserError(`--features is empty: list some of ${FEATURES.join(', ')}, or pass --features ${NONE}.`);
    }
    return raw.split(',').map((item) => item.trim());
  }
  if (Array.isArray(raw) && raw.every((item): item is string => typeof item === 'string')) return raw.map((item) => item.trim());
  throw new UserError(`--features must be a comma-separated string or a list of strings, got ${JSON.stringify(raw)}.`);
}

/**
 * A features answer from a flag (`args,input-files`), an answers file (a list or that string) or the
 * prompt (a list): deduplicated, in FEATURES order, with what bulk needs. `none` stands for no feature.
 */
export function parseFeatures(raw: unknown): Feature[] {
  const given = items(raw).filter((item) => item !== '');
  if (given.includes(NONE)) {
    if (given.length > 1) throw new UserError(`--features ${NONE} cannot be combined with ${given.filter((i) => i !== NONE).join(', ')}.`);
    return [];
  }
  const unknown = given.filter((item) => !FEATURES.some((f) => f === item));
  if (unknown.length > 0) {
    throw new UserError(
      `Unknown --features ${unknown.map((u) => `"${u}"`).join(', ')}: use a comma-separated list of ${FEATURES.join(', ')}, or ${NONE}.`,
    );
  }
  // A bulk slice is read with the same deserializer as one protected data, and its apps handle both.
  const wanted = new Set(given.includes('bulk') ? [...given, 'protected-data'] : given);
  return FEATURES.filter((f) => wanted.has(f));
}
