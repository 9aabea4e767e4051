import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AnswerKey, type Answers, type Question, QUESTIONS, resolveAnswers, suggestPackageName } from '../src/answers.js';
import { readAnswersFile } from '../src/answers-file.js';
import { UserError } from '../src/errors.js';
import { createManifest } from '../src/manifest.js';
import { WORKERPOOLS } from 'iexec-module-kit/platform';
import { parseInvocation } from '../src/options.js';
import { packageManagerFromUserAgent } from '../src/package-manager.js';
import { TEE_PROFILES, TEES } from '../src/profiles.js';
import { tempDir } from './helpers/cli.js';

const around = { directory: '/somewhere/My Module' };

describe('the answers table', () => {
  it.each(TEES)('gives every answer a default its own parser accepts as it is (--tee %s)', (tee) => {
    const answers: Partial<Answers> = { tee };
    for (const q of QUESTIONS as readonly Question[]) {
      const fallback = q.key === 'tee' ? tee : q.default(answers, around);
      expect(q.parse(fallback, answers), q.key).toEqual(fallback);
      (answers as Record<string, unknown>)[q.key] = fallback;
    }
  });

  it('takes every answer from its flag, and gives it back the same from an answers file', async () => {
    // Every value differs from its default, so each flag has to carry it.
    const flags: Record<AnswerKey, string | false> = {
      name: '@alice/round-trip',
      description: 'It says "hi" and it\'s fine',
      tee: 'scone',
      chain: 'bellecour',
      dockerNamespace: 'alice',
      packageManager: 'pnpm',
      features: 'input-files,callback',
      ci: false,
    };
    const argv = QUESTIONS.flatMap((q) => {
      const value = flags[q.key];
      return value === false ? [`--no-${q.flag}`] : [`--${q.flag}`, value];
    });
    expect(new Set(QUESTIONS.map((q) => q.flag)).size).toBe(QUESTIONS.length);
    const fromFlags = await resolveAnswers(parseInvocation(['dir', ...argv]).given, around);
    const defaults = await resolveAnswers({}, around);
    for (const q of QUESTIONS) expect(fromFlags[q.key], q.key).not.toEqual(defaults[q.key]);

    const file = join(await tempDir(), 'answers.json');
    await writeFile(file, JSON.stringify(createManifest('0.0.0-test', fromFlags, {}).answers));
    expect(await resolveAnswers(readAnswersFile(file), around)).toEqual(fromFlags);
  });

  it('defaults to TDX on Arbitrum Sepolia, named after the directory', async () => {
    const answers = await resolveAnswers({}, around);
    expect(answers).toEqual({
      name: 'my-module',
      description: 'An iExec module written in TypeScript.',
      tee: 'tdx',
      chain: 'arbitrum-sepolia-testnet',
      dockerNamespace: 'your-docker-user',
      packageManager: 'npm',
      features: ['args'],
      ci: true,
    });
  });

  it('offers only chains where the kit knows a public workerpool of that TEE', () => {
    for (const tee of TEES) {
      for (const chain of TEE_PROFILES[tee].chains) expect(WORKERPOOLS[tee][chain], `${tee} on ${chain}`).toMatch(/\S/);
    }
  });

  it('moves the chain default to bellecour when SCONE is chosen', async () => {
    expect((await resolveAnswers({ tee: 'scone' }, around)).chain).toBe('bellecour');
  });

  it('refuses TDX on bellecour and SCONE on Arbitrum, saying why', async () => {
    await expect(resolveAnswers({ chain: 'bellecour' }, around)).rejects.toThrow(/TDX runs on Arbitrum.*--tee scone/);
    await expect(resolveAnswers({ tee: 'scone', chain: 'arbitrum-mainnet' }, around)).rejects.toThrow(/SCONE.*--chain bellecour/);
  });

  it('refuses unknown enum values, naming the valid ones', async () => {
    await expect(resolveAnswers({ tee: 'sgx' }, around)).rejects.toThrow('Unknown --tee "sgx": use one of tdx, scone.');
    await expect(resolveAnswers({ packageManager: 'bun' }, around)).rejects.toThrow(/npm, pnpm, yarn/);
  });

  it('refuses an invalid package name with a valid suggestion', async () => {
    const error = await resolveAnswers({ name: 'My Module!' }, around).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/Try --name my-module$/);
    await expect(resolveAnswers({ name: suggestPackageName('My Module!') }, around)).resolves.toBeTruthy();
  });

  it.each([
    ['My Module', 'my-module'],
    ['@Alice/Cool App', '@alice/cool-app'],
    ['__x__', 'x__'],
    ['!!!', 'iexec-module'],
  ])('suggests a valid name for %j', async (raw, suggestion) => {
    expect(suggestPackageName(raw)).toBe(suggestion);
    await expect(resolveAnswers({ name: suggestion }, around)).resolves.toBeTruthy();
  });

  it('checks the Docker namespace and the description', async () => {
    await expect(resolveAnswers({ dockerNamespace: 'Alice' }, around)).rejects.toThrow(/--docker-namespace "Alice"/);
    await expect(resolveAnswers({ description: 'a\0b' }, around)).rejects.toThrow(/NUL/);
    await expect(resolveAnswers({ description: 'x'.repeat(501) }, around)).rejects.toThrow(/under 500/);
    await expect(resolveAnswers({ description: 42 }, around)).rejects.toThrow(/must be a string/);
    await expect(resolveAnswers({ ci: 'yes' }, around)).rejects.toThrow(
      '"ci" is true or false, got "yes": write "ci": false to leave the workflow out.',
    );
  });

  it('asks only what was not given, in table order, offering the derived default', async () => {
    const asked: [string, unknown][] = [];
    const answers = await resolveAnswers({ name: 'given', tee: 'scone' }, around, async (q, fallback) => {
      asked.push([q.key, fallback]);
      return fallback;
    });
    expect(asked.map(([key]) => key)).toEqual(['description', 'chain', 'dockerNamespace', 'packageManager', 'features', 'ci']);
    expect(asked.find(([key]) => key === 'chain')?.[1]).toBe('bellecour');
    expect(answers.name).toBe('given');
  });
});

describe('the features answer', () => {
  it.each([
    ['args,input-files', ['args', 'input-files']],
    [' callback , args ,args', ['args', 'callback']],
    [
      ['callback', 'requester-secrets'],
      ['requester-secrets', 'callback'],
    ],
    ['none', []],
    [[], []],
  ])('takes %j from a flag, an answers file or the prompt, in table order without repeats', async (raw, features) => {
    expect((await resolveAnswers({ features: raw }, around)).features).toEqual(features);
  });

  it('adds protected-data to bulk, which reads its slice with the same deserializer', async () => {
    expect((await resolveAnswers({ features: 'bulk' }, around)).features).toEqual(['protected-data', 'bulk']);
  });

  it('refuses bulk on SCONE, whose SDK 8 cannot run it on bellecour, and does not offer it there', async () => {
    await expect(resolveAnswers({ tee: 'scone', features: 'args,bulk' }, around)).rejects.toThrow(
      /--tee scone cannot run --features bulk \(bulk: SDK 8\.24 marks bulk processing as not implemented on bellecour.*or use --tee tdx/,
    );
    const offered = (tee: 'tdx' | 'scone') => QUESTIONS.find((q) => q.key === 'features')!.choices!({ tee }).map((choice) => choice.value);
    expect(offered('scone')).not.toContain('bulk');
    expect(offered('scone')).toContain('protected-data');
    expect(offered('tdx')).toContain('bulk');
  });

  it('refuses unknown features, naming them and the valid list', async () => {
    await expect(resolveAnswers({ features: 'args,secrets,dataset' }, around)).rejects.toThrow(
      'Unknown --features "secrets", "dataset": use a comma-separated list of args, input-files, requester-secrets, app-secret, protected-data, bulk, callback, or none.',
    );
  });

  it('refuses none with other features, an empty flag and values that are not strings', async () => {
    await expect(resolveAnswers({ features: 'none,args' }, around)).rejects.toThrow(/none cannot be combined with args/);
    await expect(resolveAnswers({ features: ' ' }, around)).rejects.toThrow(/--features is empty.*--features none/);
    await expect(resolveAnswers({ features: [1] }, around)).rejects.toThrow(/comma-separated string or a list of strings/);
  });
});

describe('the package manager default', () => {
  it.each([
    ['pnpm/9.12.0 npm/? node/v20.20.2 linux x64', 'pnpm'],
    ['yarn/1.22.22 npm/? node/v20.20.2 linux x64', 'yarn'],
    ['npm/11.19.1 node/v20.20.2 linux x64 workspaces/false', 'npm'],
    ['bun/1.1.0', 'npm'],
    [undefined, 'npm'],
  ])('follows the user agent %j', (agent, pm) => {
    expect(packageManagerFromUserAgent(agent)).toBe(pm);
  });
});

describe('the switches', () => {
  const atTerminal = () => true;
  const elsewhere = () => false;

  it('come resolved once: steps on unless --no-, other switches off, values undefined unless given', () => {
    expect(parseInvocation(['dir'], elsewhere).switches).toEqual({
      yes: false,
      interactive: false,
      install: true,
      git: true,
      validate: true,
      force: false,
      'dry-run': false,
      check: false,
      answers: undefined,
      kit: undefined,
      help: false,
      version: false,
    });
    const { switches } = parseInvocation(['dir', '--no-install', '--no-git', '--no-validate', '--force', '--kit', '1.2.3'], elsewhere);
    expect(switches).toMatchObject({ install: false, git: false, validate: false, force: true, kit: '1.2.3' });
  });

  it('ask at a terminal unless --yes or --no-interactive, and only there unless --interactive', () => {
    const interactive = (argv: string[], terminal: () => boolean) => parseInvocation(['dir', ...argv], terminal).switches.interactive;
    expect(interactive([], atTerminal)).toBe(true);
    expect(interactive([], elsewhere)).toBe(false);
    expect(interactive(['--yes'], atTerminal)).toBe(false);
    expect(interactive(['--no-interactive'], atTerminal)).toBe(false);
    expect(interactive(['--interactive'], elsewhere)).toBe(true);
    expect(interactive(['--interactive', '--yes'], elsewhere)).toBe(false);
  });

  it('refuse a switch of another command, in its own words', () => {
    expect(() => parseInvocation(['upgrade', '--no-git'], elsewhere)).toThrow(
      '--no-git does not apply to upgrade: it is for creating a module.',
    );
    expect(() => parseInvocation(['dir', '--check'], elsewhere)).toThrow('--check does not apply to creating a module: it is for upgrade.');
  });
});
