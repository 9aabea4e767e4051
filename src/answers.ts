import { basename, resolve } from 'node:path';
import validatePackageName from 'validate-npm-package-name';
import { UserError } from './errors.js';
import { PACKAGE_MANAGERS, type PackageManager, packageManagerFromUserAgent } from './package-manager.js';
import { type Feature, parseFeatures, FEATURE_PROFILES, FEATURES } from './features.js';
import { CHAINS, CHAIN_PROFILES, type Chain, incompatibility, TEE_PROFILES, TEES, type Tee } from './profiles.js';

/** What a module is generated from. The manifest records these, so `upgrade` can render them again. */
export interface Answers {
  name: string;
  description: string;
  tee: Tee;
  chain: Chain;
  dockerNamespace: string;
  packageManager: PackageManager;
  features: Feature[];
  ci: boolean;
}

export type AnswerKey = keyof Answers;

/** Facts about the run that defaults depend on. */
export interface Surroundings {
  directory: string;
  userAgent?: string;
}

interface Choice<T> {
  value: T;
  title: string;
  hint?: string;
}

/** What one choice stands for: the answer itself, or one item of a list answer. */
type ChoiceValue<T> = T extends readonly (infer Item)[] ? Item : T;

/**
 * One row per answer: the flag that sets it, the question that asks it, its default and its
 * validation. Flags, prompts and an answers file all fill answers through this table.
 */
export interface Question<K extends AnswerKey = AnswerKey> {
  key: K;
  flag: string;
  placeholder: string;
  help: string;
  message: string;
  choices?: (answers: Partial<Answers>) => Choice<ChoiceValue<Answers[K]>>[];
  /** A list answer: several choices at once (a multiselect prompt, a comma-separated flag). */
  multiple?: boolean;
  /** A yes/no answer: `--flag` or `--no-flag` on the command line, true or false in an answers file. */
  boolean?: true;
  default: (answers: Partial<Answers>, around: Surroundings) => Answers[K];
  /** Normalises a raw value or throws a UserError that names the problem and the fix. */
  parse: (raw: unknown, answers: Partial<Answers>) => Answers[K];
}

function text(raw: unknown, flag: string): string {
  if (typeof raw !== 'string') throw new UserError(`--${flag} must be a string, got ${JSON.stringify(raw)}.`);
  return raw;
}

function oneOf<T extends string>(values: readonly T[], flag: string) {
  return (raw: unknown): T => {
    const value = text(raw, flag);
    const found = values.find((v) => v === value);
    if (!found) {
      throw new UserError(`Unknown --${flag} "${value}": use one of ${values.join(', ')}.`);
    }
    return found;
  };
}

/** The closest valid npm name: what we suggest when a name is refused, and the default from a folder. */
export function suggestPackageName(raw: string): string {
  const clean = (part: string) =>
    part
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+|-+$/g, '')
      .slice(0, 100) || 'iexec-module';
  const scoped = raw.match(/^@([^/]+)\/(.+)$/);
  return scoped ? `@${clean(scoped[1]!)}/${clean(scoped[2]!)}` : clean(raw);
}

export function parsePackageName(raw: unknown): string {
  const name = text(raw, 'name');
  const verdict = validatePackageName(name);
  if (verdict.validForNewPackages) return name;
  const reasons = [...(verdict.errors ?? []), ...(verdict.warnings ?? [])].join('; ');
  throw new UserError(`Invalid package name "${name}": ${reasons}. Try --name ${suggestPackageName(name)}`);
}

const DOCKER_NAMESPACE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const DESCRIPTION_MAX = 500;

function question<K extends AnswerKey>(q: Question<K>): Question<K> {
  return q;
}

export const QUESTIONS = [
  question({
    key: 'name',
    flag: 'name',
    placeholder: '<name>',
    help: 'npm package name (default: the directory name)',
    message: 'Package name',
    default: (_answers, around) => suggestPackageName(basename(resolve(around.directory))),
    parse: parsePackageName,
  }),
  question({
    key: 'description',
    flag: 'description',
    placeholder: '<text>',
    help: 'one or two sentences on what the module computes',
    message: 'Description',
    default: () => 'An iExec module written in TypeScript.',
    parse: (raw) => {
      const value = text(raw, 'description');
      if (value.includes('\0')) throw new UserError('--description cannot contain a NUL character.');
      if (value.length > DESCRIPTION_MAX) {
        throw new UserError(`--description is ${value.length} characters long: keep it under ${DESCRIPTION_MAX}.`);
      }
      return value;
    },
  }),
  question({
    key: 'tee',
    flag: 'tee',
    placeholder: '<tdx|scone>',
    help: 'TEE framework: tdx (SDK 9, Arbitrum) or scone (SGX, SDK 8, bellecour) (default: tdx)',
    message: 'Trusted execution (TEE) framework',
    choices: () => TEES.map((value) => ({ value, title: TEE_PROFILES[value].title, hint: TEE_PROFILES[value].hint })),
    default: (): Tee => 'tdx',
    parse: oneOf(TEES, 'tee'),
  }),
  question({
    key: 'chain',
    flag: 'chain',
    placeholder: '<chain>',
    help: `${CHAINS.join(', ')} (default: arbitrum-sepolia-testnet; bellecour with --tee scone)`,
    message: 'Chain',
    choices: (answers) => TEE_PROFILES[answers.tee ?? 'tdx'].chains.map((value) => ({ value, title: CHAIN_PROFILES[value].title })),
    default: (answers) => TEE_PROFILES[answers.tee ?? 'tdx'].defaultChain,
    parse: (raw, answers) => {
      const chain = oneOf(CHAINS, 'chain')(raw);
      const why = incompatibility(answers.tee ?? 'tdx', chain);
      if (why) throw new UserError(`--tee ${answers.tee ?? 'tdx'} cannot run on --chain ${chain}: ${why}`);
      return chain;
    },
  }),
  question({
    key: 'dockerNamespace',
    flag: 'docker-namespace',
    placeholder: '<user>',
    help: 'Docker Hub user or organisation the image is pushed to (default: your-docker-user)',
    message: 'Docker Hub user or organisation',
    default: () => 'your-docker-user',
    parse: (raw) => {
      const value = text(raw, 'docker-namespace');
      if (!DOCKER_NAMESPACE.test(value)) {
        throw new UserError(
          `Invalid --docker-namespace "${value}": use lowercase letters and digits, optionally separated by . _ or - (e.g. alice).`,
        );
      }
      return value;
    },
  }),
  question({
    key: 'packageManager',
    flag: 'package-manager',
    placeholder: '<npm|pnpm|yarn>',
    help: 'package manager the module uses (default: the one that ran this command)',
    message: 'Package manager',
    choices: () => PACKAGE_MANAGERS.map((value) => ({ value, title: value })),
    default: (_answers, around) => packageManagerFromUserAgent(around.userAgent),
    parse: oneOf(PACKAGE_MANAGERS, 'package-manager'),
  }),
  question({
    key: 'features',
    flag: 'features',
    placeholder: '<list>',
    help: `what the app reads, comma-separated: ${FEATURES.join(', ')}, or none (default: args; bulk implies protected-data)`,
    message: 'Features of the iExec worker contract the app uses',
    multiple: true,
    choices: (answers) =>
      FEATURES.filter((value) => !TEE_PROFILES[answers.tee ?? 'tdx'].unsupportedFeatures[value]).map((value) => ({
        value,
        title: value,
        hint: FEATURE_PROFILES[value].hint,
      })),
    default: (): Feature[] => ['args'],
    parse: (raw, answers) => {
      const features = parseFeatures(raw);
      const tee = answers.tee ?? 'tdx';
      const refused = features.filter((feature) => TEE_PROFILES[tee].unsupportedFeatures[feature]);
      if (refused.length > 0) {
        const reasons = refused.map((feature) => `${feature}: ${TEE_PROFILES[tee].unsupportedFeatures[feature]}`).join('; ');
        throw new UserError(
          `--tee ${tee} cannot run --features ${refused.join(',')} (${reasons}). Drop ${refused.join(', ')} from --features, or use --tee tdx.`,
        );
      }
      return features;
    },
  }),
  question({
    key: 'ci',
    flag: 'ci',
    boolean: true,
    placeholder: '',
    help: 'a GitHub Actions workflow (.github/workflows/ci.yml) that builds, tests and checks for upgrades; --no-ci leaves it out (default: on)',
    message: 'Add a GitHub Actions workflow (.github/workflows/ci.yml)?',
    choices: () => [
      { value: true, title: 'yes', hint: 'install, type-check, tests, npm run local, the image, upgrade --check' },
      { value: false, title: 'no' },
    ],
    default: () => true,
    parse: (raw) => {
      // Flags give a boolean; only an answers file can give anything else.
      if (typeof raw !== 'boolean')
        throw new UserError(`"ci" is true or false, got ${JSON.stringify(raw)}: write "ci": false to leave the workflow out.`);
      return raw;
    },
  }),
] as const satisfies readonly Question[];

/**
 * Fills every answer in table order from what was given (flags, answers file) and, for what was not,
 * from `ask` (a prompt) or the default. Order matters: a later default may follow an earlier answer.
 */
export async function resolveAnswers(
  given: Partial<Record<AnswerKey, unknown>>,
  around: Surroundings,
  ask?: (q: Question, fallback: unknown, answers: Partial<Answers>) => Promise<unknown>,
): Promise<Answers> {
  const answers: Partial<Answers> = {};
  for (const q of QUESTIONS as readonly Question[]) {
    const fallback = q.default(answers, around);
    const raw = q.key in given ? given[q.key] : ask ? await ask(q, fallback, answers) : fallback;
    (answers as Record<string, unknown>)[q.key] = q.parse(raw, answers);
  }
  return answers as Answers;
}
