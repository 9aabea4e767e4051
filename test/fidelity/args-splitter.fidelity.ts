/*
 * The kit's args splitter (kit/src/worker/args.ts, and `iexec-module args` as tests/run.sh runs it)
 * against the real Java classes the iExec worker splits iexec_args with.
 *
 * The worker (iexec-worker AppComputeService) hands iexec_args to iexec-commons-containers
 * DockerClientInstance, which sets a container command only when commons-lang3 StringUtils.isNotBlank
 * holds, and splits it with ArgsUtils.stringArgsToArrayArgs: maven-shared-utils 3.4.2
 * CommandLineUtils.translateCommandline, whose CommandLineException (unbalanced quotes) it logs and turns
 * into no args at all. iexec-commons-containers' build.gradle pins maven-shared-utils 3.4.2 and
 * commons-lang3 3.12.0.
 *
 * The jars come from Debian (bookworm), installed by scripts/ci-java.sh:
 *   - libmaven-shared-utils-java 3.3.4, not 3.4.2. Checked in apache/maven-shared-utils: between the tags
 *     maven-shared-utils-3.3.4 (3b059cd) and maven-shared-utils-3.4.2 (f3546c0) the body of
 *     translateCommandline(String) differs only in formatting (whitespace and braces, the reformat to
 *     the new code style) and `new ArrayList<String>()` becoming `new ArrayList<>()`: with all
 *     whitespace removed and the diamond normalised, the two method texts are identical. The commits
 *     touching CommandLineUtils.java in that range are about StreamFeeder and the parent POM.
 *   - libcommons-lang3-java 3.12.0, the version iexec-commons-containers uses; its isBlank tests
 *     Character.isWhitespace on each UTF-16 unit (javap of the jar).
 *
 * Java runs test/fidelity/TranslateCommandline.java once for every input, as a single-file source
 * program (nothing compiled into the repository). The inputs: hand-picked edge cases plus strings from
 * a seeded PRNG over an alphabet weighted towards what the splitter treats specially.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, symlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as args from '../../kit/src/worker/args.js';
import { buildKit, cliPath, runNode } from '../../kit/test/helpers.js';
import { tempDir } from '../helpers/cli.js';

const CLASSPATH = process.env.CIM_JAVA_CLASSPATH ?? '/usr/share/java/maven-shared-utils.jar:/usr/share/java/commons-lang3.jar';
const HARNESS = fileURLToPath(new URL('TranslateCommandline.java', import.meta.url));
const SEED = 0x1e_c0_de;

/** One input's fate, from either side: the same shape so a mismatch prints both readably. */
interface Outcome {
  blank: boolean;
  words?: string[];
  error?: string;
}

const HAND_PICKED: (string | null)[] = [
  null,
  '',
  ' ',
  '   ',
  '\t',
  ' \t ',
  '\n',
  "''",
  '""',
  '"" ""',
  "'' x ''",
  "a''b",
  'a""b',
  "'a b' c",
  'a  b',
  ' a ',
  'a\tb c',
  'a\nb',
  '"a b" \'c d\' e',
  '1st_param 2nd_param \'3rd param\' "4th param"',
  '--name="Ada Lovelace"',
  "--opt='a b'",
  'Alice " "',
  "Alice ''",
  '"   "',
  '\\"',
  "\\'",
  '\\',
  'a\\',
  '\\\\',
  'a\\ b',
  'a\\b',
  '"a\\"b"',
  "'it\\'s'",
  '"a\\"',
  "'a\\'",
  '"\\\\"',
  '\\\\"',
  'a\\\\\\"b',
  '\\ "a b"',
  "\\ '",
  "\\  'x'",
  'x\\ y',
  "'\"'",
  '"\'"',
  "'\\\"'",
  '"\\\'"',
  '"a"b"c"',
  '\'a\'"b"',
  "'a",
  '"a',
  "a'",
  'a"',
  '"a\'',
  '\'a"',
  "'''",
  '"""',
  'é 日本 😀',
  '"é 日本" \'😀 x\'',
  '😀\\"😀',
  '\u00a0',
  '\u3000',
  '\u2007',
  '\u202f',
  '\ufeff',
  '\u0085',
  '\u180e',
  '\u2028 \u2029',
  '\u001c\u001f',
  'x\u00a0y z',
  '$HOME *.txt ~ `id` $(id)',
];

/** mulberry32: small, seeded, the same sequence on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted(random: () => number, table: [string, number][]): () => string {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  return () => {
    let r = random() * total;
    for (const [piece, w] of table) if ((r -= w) < 0) return piece;
    return table[table.length - 1]![0];
  };
}

function generatedInputs(): string[] {
  const random = prng(SEED);
  const length = (max: number) => Math.floor(random() * (max + 1));
  const repeat = (n: number, piece: () => string) => Array.from({ length: n }, piece).join('');
  // Heavy on what the splitter treats specially; non-ASCII includes a surrogate pair (the emoji).
  const anyChar = weighted(random, [
    [' ', 8],
    ["'", 5],
    ['"', 5],
    ['\\', 5],
    ['\t', 2],
    ['\n', 1],
    ['a', 4],
    ['b', 2],
    ['Z', 1],
    ['0', 1],
    ['-', 1],
    ['=', 1],
    ['$', 0.5],
    ['*', 0.5],
    ['é', 1],
    ['日本', 1],
    ['😀', 1],
    ['\u00a0', 0.5],
    ['\u3000', 0.5],
    ['\u2007', 0.3],
    ['\ufeff', 0.3],
  ]);
  // Whitespace as Java and JavaScript disagree on it, for the blank check that comes before the split.
  const spaceLike = weighted(random, [
    [' ', 4],
    ['\t', 2],
    ['\n', 1],
    ['\r', 1],
    ['\u000b', 1],
    ['\f', 1],
    ['\u001c', 1],
    ['\u001f', 1],
    ['\u00a0', 1],
    ['\u1680', 1],
    ['\u2000', 1],
    ['\u2007', 1],
    ['\u200a', 1],
    ['\u200b', 1],
    ['\u2028', 1],
    ['\u2029', 1],
    ['\u202f', 1],
    ['\u205f', 1],
    ['\u3000', 1],
    ['\u0085', 1],
    ['\u180e', 1],
    ['\ufeff', 1],
    ['x', 0.5],
    ["'", 0.3],
  ]);
  const letter = weighted(random, [
    ['a', 3],
    ['b', 2],
    ['é', 1],
    ['日', 1],
    ['😀', 1],
    ['\\', 1],
    ['\t', 0.5],
  ]);
  // Mostly well-formed words, so that balanced inputs with escapes and quotes inside quotes are common.
  const piece = weighted(random, [
    ['plain', 4],
    ["'", 3],
    ['"', 3],
    ['escape', 2],
    ['space', 4],
  ]);
  const inner = (quote: string) =>
    repeat(length(5), () => {
      const r = random();
      if (r < 0.15) return `\\${quote}`;
      if (r < 0.25) return quote === "'" ? '"' : "'";
      if (r < 0.4) return ' ';
      return letter();
    });
  const structured = () =>
    repeat(1 + length(5), () => {
      switch (piece()) {
        case 'plain':
          return repeat(1 + length(4), letter);
        case "'":
          return `'${inner("'")}'`;
        case '"':
          return `"${inner('"')}"`;
        case 'escape':
          return random() < 0.5 ? "\\'" : '\\"';
        default:
          return ' '.repeat(1 + length(2));
      }
    });
  return [
    ...Array.from({ length: 600 }, () => repeat(length(14), anyChar)),
    ...Array.from({ length: 150 }, () => repeat(1 + length(4), spaceLike)),
    ...Array.from({ length: 400 }, structured),
  ];
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (field: string) => Buffer.from(field.slice(1), 'base64').toString('utf8');

/** Every input through the harness in one JVM. */
function javaOutcomes(inputs: (string | null)[]): Outcome[] {
  const run = spawnSync('java', ['-cp', CLASSPATH, HARNESS], {
    input: inputs.map((text) => (text === null ? '-' : b64(text))).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error || run.status !== 0) {
    throw new Error(`java failed (${run.error?.message ?? `status ${run.status}`}): run scripts/ci-java.sh first\n${run.stderr}`);
  }
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(inputs.length);
  return lines.map((line) => {
    const [blank, kind, ...fields] = line.split(' ');
    const outcome: Outcome = { blank: blank === 'blank' };
    if (kind === 'ok') outcome.words = fields.map(unb64);
    else if (kind === 'err') outcome.error = unb64(fields[0]!);
    else throw new Error(`unexpected harness line: ${line}`);
    return outcome;
  });
}

function portOutcome(text: string | null): Outcome {
  const outcome: Outcome = { blank: args.isBlank(text) };
  try {
    outcome.words = args.translateCommandline(text);
  } catch (error) {
    if (!(error instanceof args.CommandLineException)) throw error;
    outcome.error = error.message;
  }
  return outcome;
}

/** What the app gets from the worker: no command when blank, none either when the split fails. */
function workerArgv(outcome: Outcome): string[] {
  return outcome.blank || outcome.error !== undefined ? [] : outcome.words!;
}

/** JSON, with the invisible and space-like characters JSON leaves raw written as \\u escapes. */
const show = (value: unknown) =>
  JSON.stringify(value).replace(
    /[\u0080-\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f\u2060\u3000\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** Hand-picked inputs that also go through the CLI (a node process each: not all of them). */
const CLI_CASES = [
  '',
  '   ',
  '\t',
  "''",
  "'a b' c",
  'Alice " "',
  '\\"',
  '"a\\"b"',
  "'it\\'s'",
  '\\ "a b"',
  "'a",
  '"a',
  'a\nb',
  '"é 日本" \'😀 x\'',
  '\u2028 \u2029',
  '$HOME *.txt ~ `id` $(id)',
];
const CLI_BATCH = Math.max(2, availableParallelism());

/** Runs `iexec-module args` on one iexec_args string. */
function cli(path: string, text: string) {
  return runNode(path, ['args', text]);
}

describe("the kit's args splitter, against the real Java classes", () => {
  let dir: string;
  const inputs = [...HAND_PICKED, ...generatedInputs()];
  let java: Outcome[];

  beforeAll(async () => {
    dir = await tempDir('cim-fidelity-');
    buildKit();
    java = javaOutcomes(inputs);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compares enough inputs of every kind', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(500);
    const count = (predicate: (o: Outcome) => boolean) => java.filter(predicate).length;
    const kinds = {
      inputs: inputs.length,
      split: count((o) => !o.blank && o.error === undefined),
      severalWords: count((o) => !o.blank && (o.words?.length ?? 0) >= 2),
      withBackslash: count((o) => !!o.words?.some((w) => w.includes('\\'))),
      withQuoteInWord: count((o) => !!o.words?.some((w) => /["']/.test(w))),
      unbalanced: count((o) => o.error !== undefined),
      blank: count((o) => o.blank),
      blankButSplitsToWords: count((o) => o.blank && (o.words?.length ?? 0) > 0),
    };
    console.log('fidelity inputs:', kinds);
    for (const [kind, n] of Object.entries(kinds)) expect(n, kind).toBeGreaterThanOrEqual(30);
  });

  it('translateCommandline and isBlank give what Java gives, for every input', () => {
    const mismatches = inputs.flatMap((text, i) => {
      const ours = portOutcome(text);
      return JSON.stringify(ours) === JSON.stringify(java[i])
        ? []
        : [`input ${show(text)}\n  java: ${show(java[i])}\n  ours: ${show(ours)}`];
    });
    expect(mismatches.slice(0, 20).join('\n'), `${mismatches.length} of ${inputs.length} inputs differ`).toBe('');
  });

  it('workerArgs and splitArgs give the app what the worker gives it, warning exactly when the split fails', () => {
    const mismatches = inputs.flatMap((text, i) => {
      const argv = workerArgv(java[i]!);
      const expected = { argv, warned: !java[i]!.blank && java[i]!.error !== undefined, splitArgs: argv };
      const { argv: ourArgv, warning } = args.workerArgs(text);
      const ours = { argv: ourArgv, warned: warning !== undefined, splitArgs: args.splitArgs(text) };
      const same = JSON.stringify(expected) === JSON.stringify(ours);
      return same ? [] : [`input ${show(text)}\n  java: ${show(expected)}\n  ours: ${show(ours)}`];
    });
    expect(mismatches.slice(0, 20).join('\n'), `${mismatches.length} of ${inputs.length} inputs differ`).toBe('');
    expect(args.workerArgs("'a").warning).toMatch(/Failed to translate string args to array.*no args/);
  });

  it('the CLI prints the same words, NUL-terminated, and nothing but a warning when the worker drops them', async () => {
    // Through a symlink too, as a package manager's bin link (node_modules/.bin/iexec-module) runs it.
    const link = join(dir, 'iexec-module');
    symlinkSync(cliPath, link);
    const cases = CLI_CASES.map((text) => {
      const i = HAND_PICKED.indexOf(text);
      expect(i, `${show(text)} is hand-picked`).toBeGreaterThanOrEqual(0);
      return { text, java: java[i]! };
    });
    const check = async ({ text, java: outcome }: (typeof cases)[number], i: number) => {
      const run = await cli(i % 2 ? link : cliPath, text);
      const expected = workerArgv(outcome);
      const printed = run.stdout === '' ? [] : run.stdout.slice(0, -1).split('\0');
      const warned = /the worker logs "Failed to translate string args to array" and runs the app with no args/.test(run.stderr);
      const ok =
        run.status === 0 &&
        (expected.length === 0 || run.stdout.endsWith('\0')) &&
        JSON.stringify(printed) === JSON.stringify(expected) &&
        warned === (!outcome.blank && outcome.error !== undefined) &&
        (warned || run.stderr === '') &&
        run.stderr.split('\n').length <= 2;
      return ok
        ? []
        : [
            `input ${show(text)}\n  java: ${show(expected)}\n  cli: status ${run.status}, stdout ${show(run.stdout)}, stderr ${show(run.stderr)}`,
          ];
    };
    const mismatches: string[] = [];
    for (let i = 0; i < cases.length; i += CLI_BATCH) {
      const batch = cases.slice(i, i + CLI_BATCH).map((c, j) => check(c, i + j));
      for (const found of await Promise.all(batch)) mismatches.push(...found);
    }
    expect(mismatches.join('\n')).toBe('');
  });
});
