import { parseArgs } from 'node:util';
import { type AnswerKey, type Question, QUESTIONS } from './answers.js';
import { UserError } from './errors.js';

/** Switches that steer the run rather than shape the module; a `no-` form exists where noted. */
export const SWITCHES = [
  { name: 'yes', short: 'y', help: 'take the default for every question not given by a flag' },
  { name: 'interactive', negatable: true, help: 'ask questions (default: only when stdin and stdout are terminals and CI is unset)' },
  { name: 'install', negatable: true, help: "install the module's dependencies (default: on)" },
  { name: 'git', negatable: true, commands: ['create'], help: 'git init and commit, unless already inside a repository (default: on)' },
  { name: 'validate', negatable: true, help: "type-check, build and run the module's tests (default: on)" },
  { name: 'force', commands: ['create'], help: 'write into a non-empty directory; generated files replace theirs, other files stay' },
  { name: 'dry-run', help: 'print the files it would write (upgrade: the plan per file), write nothing' },
  { name: 'check', commands: ['upgrade'], help: 'upgrade: exit non-zero when an upgrade would change the module, write nothing' },
  { name: 'answers', value: '<file.json>', help: 'read answers from a JSON file (keys as in the manifest)' },
  {
    name: 'kit',
    value: '<version|path>',
    commands: ['create', 'upgrade'],
    help: 'the iexec-module-kit the module depends on: a version, or a kit tarball or folder (default: this version)',
  },
  { name: 'help', short: 'h', help: 'show this help' },
  { name: 'version', short: 'v', help: 'print the version' },
] as const satisfies readonly {
  name: string;
  short?: string;
  negatable?: boolean;
  value?: string;
  commands?: readonly Command[];
  help: string;
}[];

type Switch = (typeof SWITCHES)[number];

const COMMANDS = ['validate', 'upgrade'] as const;
export type Command = 'create' | (typeof COMMANDS)[number];

/**
 * The switches of a run, each resolved once to what it means: on or off (negatable ones default to
 * on), the value given, or undefined for a value not given. `interactive` says whether questions are
 * asked: at a terminal outside CI, unless --yes or --[no-]interactive decides.
 */
export type Switches = { [S in Switch as S['name']]: S extends { value: string } ? string | undefined : boolean };

export interface Invocation {
  command: Command;
  directory?: string;
  given: Partial<Record<AnswerKey, unknown>>;
  switches: Switches;
}

/** Whether a person can answer: stdin and stdout are a terminal, and CI is unset. */
function atTerminal(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI);
}

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parserOptions(): ParseArgsOptions {
  const options: ParseArgsOptions = {};
  for (const q of QUESTIONS as readonly Question[]) {
    options[q.flag] = { type: q.boolean ? 'boolean' : 'string' };
    if (q.boolean) options[`no-${q.flag}`] = { type: 'boolean' };
  }
  for (const s of SWITCHES) {
    options[s.name] = { type: 'value' in s ? 'string' : 'boolean', ...('short' in s ? { short: s.short } : {}) };
    if ('negatable' in s) options[`no-${s.name}`] = { type: 'boolean' };
  }
  return options;
}

function resolveSwitches(values: Record<string, string | boolean | undefined>, command: Command, terminal: () => boolean): Switches {
  const switches: Record<string, string | boolean | undefined> = {};
  for (const s of SWITCHES) {
    const given = 'negatable' in s && values[`no-${s.name}`] ? false : values[s.name];
    if ('commands' in s && given !== undefined && !(s.commands as readonly Command[]).includes(command)) {
      const what = (c: Command) => (c === 'create' ? 'creating a module' : c);
      throw new UserError(
        `--${given === false ? 'no-' : ''}${s.name} does not apply to ${what(command)}: it is for ${s.commands.map(what).join(', ')}.`,
      );
    }
    switches[s.name] = given ?? ('value' in s ? undefined : s.name === 'interactive' ? terminal() : 'negatable' in s);
  }
  if (switches.yes) switches.interactive = false;
  return switches as Switches;
}

export function parseInvocation(argv: string[], terminal: () => boolean = atTerminal): Invocation {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: parserOptions(), allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError(`${(error as Error).message.replace(/\. To specify.*$/s, '.')} Run with --help to see the options.`);
  }
  const positionals = [...parsed.positionals];
  const command: Command = COMMANDS.find((c) => c === positionals[0]) ?? 'create';
  if (command !== 'create') positionals.shift();
  if (positionals.length > 1) {
    throw new UserError(`Expected one directory, got ${positionals.length}: ${positionals.join(' ')}. Quote a path with spaces.`);
  }

  const given: Invocation['given'] = {};
  for (const q of QUESTIONS as readonly Question[]) {
    const value = q.boolean && parsed.values[`no-${q.flag}`] ? false : parsed.values[q.flag];
    if (value !== undefined) given[q.key] = value;
  }
  return { command, directory: positionals[0], given, switches: resolveSwitches(parsed.values, command, terminal) };
}

function column(left: string, right: string): string {
  return `  ${left.padEnd(38)}${right}`;
}

export function helpText(version: string): string {
  return [
    `create-iexec-module ${version}: scaffold a TypeScript iExec module (TDX or SCONE) that builds and passes its tests.`,
    '',
    'Usage:',
    '  npm create iexec-module@latest [directory] -- [options]',
    '  create-iexec-module [directory] [options]      create a module',
    '  create-iexec-module validate [directory]       build and test an existing module again',
    '  create-iexec-module upgrade [directory]        bring a module up to this version, keeping your changes',
    '',
    'Answers (every question has a flag):',
    ...(QUESTIONS as readonly Question[]).map((q) =>
      column(q.boolean ? `--${q.flag}, --no-${q.flag}` : `--${q.flag} ${q.placeholder}`, q.help),
    ),
    '',
    'Options:',
    ...SWITCHES.map((s) =>
      column(
        [
          'short' in s ? `-${s.short}, ` : '',
          `--${s.name}`,
          'negatable' in s ? `, --no-${s.name}` : '',
          'value' in s ? ` ${s.value}` : '',
        ].join(''),
        s.help,
      ),
    ),
    '',
    'Without a terminal (CI, scripts, </dev/null) it never asks: unanswered questions take their defaults.',
    'Errors show as one line; set DEBUG=1 for the stack.',
  ].join('\n');
}
