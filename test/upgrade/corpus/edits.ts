import { changedLine, touchedLines } from '../../helpers/upgrade.js';

/*
 * What module owners do to their generated files between two upgrades, each as a function of the
 * module's files, so every edit applies to a module of any version and answers.
 */

export type Files = Map<string, string>;

/** The versions an edit may look at: the pristine copies and the generator's new text. */
export interface Versions {
  base: Record<string, string>;
  theirs: Record<string, string>;
}

export interface Edit {
  name: string;
  /**
   * What a careful maintainer gets: `clean` (no line both sides changed), `conflict` (both changed
   * the same lines), `either` (depends on whether the generator changed those lines this time).
   */
  expect: 'clean' | 'conflict' | 'either';
  /** Changes the files in place; throws NotApplicable when the module has nothing to apply it to. */
  apply: (files: Files, versions: Versions) => void;
}

class NotApplicable extends Error {}

function change(files: Files, path: string, edit: (text: string) => string): void {
  const before = files.get(path);
  if (before === undefined) throw new NotApplicable(path);
  const after = edit(before);
  if (after === before) throw new Error(`the corpus edit of ${path} found nothing to change: adapt test/upgrade/corpus/edits.ts`);
  files.set(path, after);
}

/** A formatter's pass: files it leaves as they are are fine. */
function restyle(files: Files, paths: string[], style: (text: string) => string): void {
  for (const path of paths) files.set(path, style(files.get(path)!));
}

/** A JSON file changed as npm or an editor writes it back: parsed, changed, two-space indented. */
function changeJson(files: Files, path: string, edit: (json: Record<string, any>) => void): void {
  change(files, path, (text) => {
    const json = JSON.parse(text);
    edit(json);
    return `${JSON.stringify(json, null, 2)}\n`;
  });
}

const append = (files: Files, path: string, text: string) => change(files, path, (t) => `${t}${text}`);

function replaceOnce(text: string, pattern: RegExp, replacement: (found: string) => string): string {
  const found = text.match(pattern);
  if (!found) throw new NotApplicable(String(pattern));
  return text.replace(pattern, replacement(found[0]));
}

/** The n-th `## ` heading outside code blocks, as a line index. */
function headingAt(lines: string[], n: number): number {
  let fenced = false;
  let seen = 0;
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('```')) fenced = !fenced;
    if (!fenced && line.startsWith('## ') && ++seen === n) return i;
  }
  throw new NotApplicable(`heading ${n}`);
}

/** Removes the second `it(` block of a test file: the owner no longer wants that test. */
function withoutSecondTest(text: string): string {
  const lines = text.split('\n');
  const starts = lines.flatMap((line, i) => (/^ {2}it(\.each\(.*)?\(/.test(line) ? [i] : []));
  const start = starts[1];
  if (start === undefined) throw new NotApplicable('a second test');
  const end = lines.findIndex((line, i) => i > start && /^ {2}\}\)?;?\)?;?$/.test(line) && line.trim().startsWith('})'));
  lines.splice(start, end - start + 1 + (lines[end + 1] === '' ? 1 : 0));
  return lines.join('\n');
}

const reindent = (text: string, unit: string) => text.replace(/^( {2})+/gm, (indent) => unit.repeat(indent.length / 2));

/** Single-quoted strings as double-quoted ones where that needs no escape; other strings and comments kept. */
function doubleQuoted(line: string): string {
  if (/^\s*(\*|\/\*)/.test(line)) return line;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '/' && line[i + 1] === '/') return out + line.slice(i);
    if (c !== "'" && c !== '"' && c !== '`') {
      out += c;
      continue;
    }
    let j = i + 1;
    while (j < line.length && line[j] !== c) j += line[j] === '\\' ? 2 : 1;
    const literal = line.slice(i, j + 1);
    out += c === "'" && !/["\\]/.test(literal) ? `"${literal.slice(1, -1)}"` : literal;
    i = j;
  }
  return out;
}

/** What a formatter with other settings does: 4-space indent and double quotes where nothing needs escaping. */
const reformat = (text: string) => reindent(text, '    ').split('\n').map(doubleQuoted).join('\n');

const TEXT_FILES = (files: Files) => [...files.keys()].filter((path) => !path.endsWith('.json') || path === 'package.json');

const TEST_APPENDED = `
describe('what the owner added', () => {
  it('keeps greeting politely', async () => {
    expect('Hello').toMatch(/^Hello/);
  });
});
`;

export const EDITS: Edit[] = [
  {
    name: 'README: a section appended at the end',
    expect: 'clean',
    apply: (files) => append(files, 'README.md', '\n## Our deployment\n\nWe deploy from CI on every tag; ask Alice for the wallet.\n'),
  },
  {
    name: 'README: a section inserted between two sections',
    expect: 'clean',
    apply: (files) =>
      change(files, 'README.md', (text) => {
        const lines = text.split('\n');
        lines.splice(headingAt(lines, 4), 0, '## Team notes', '', 'Run the tests before every publish.', '');
        return lines.join('\n');
      }),
  },
  {
    name: 'README: a line the generator keeps, reworded',
    expect: 'clean',
    apply: (files, { base, theirs }) =>
      change(files, 'README.md', (text) => {
        const lines = text.split('\n');
        const touched = touchedLines(base['README.md']!, theirs['README.md'] ?? '');
        const at = lines.findIndex(
          (line, i) => /^[A-Za-z]/.test(line) && line.length > 40 && ![i - 1, i, i + 1].some((j) => touched.has(j)),
        );
        if (at === -1) throw new NotApplicable('a README line the generator keeps');
        lines[at] = `${lines[at]} (The owner's note.)`;
        return lines.join('\n');
      }),
  },
  {
    name: 'README: a line the generator rewrote, reworded too',
    expect: 'conflict',
    apply: (files, { base, theirs }) =>
      change(files, 'README.md', (text) => {
        const at = changedLine(base['README.md']!, theirs['README.md'] ?? '');
        if (at === undefined) throw new NotApplicable('a changed README line');
        const lines = text.split('\n');
        lines[at] = `${lines[at]} The owner reworded this.`;
        return lines.join('\n');
      }),
  },
  {
    name: 'README: a heading renamed',
    expect: 'either',
    apply: (files) => change(files, 'README.md', (text) => replaceOnce(text, /^## .*Wallet.*$/m, (h) => `${h} (team wallet)`)),
  },
  {
    name: 'publish.sh: a line appended',
    expect: 'clean',
    apply: (files) => append(files, 'publish.sh', 'echo "published: tell the team" >&2\n'),
  },
  {
    name: 'Dockerfile: a LABEL appended after ENTRYPOINT',
    expect: 'clean',
    apply: (files) => append(files, 'Dockerfile', 'LABEL org.opencontainers.image.source="https://github.com/alice/module"\n'),
  },
  {
    name: 'Dockerfile: an ENV line after COPY',
    expect: 'clean',
    apply: (files) => change(files, 'Dockerfile', (text) => replaceOnce(text, /^COPY .*$/m, (line) => `${line}\nENV TZ=UTC`)),
  },
  {
    name: 'Dockerfile: the base image pinned by digest',
    expect: 'either',
    apply: (files) => change(files, 'Dockerfile', (text) => replaceOnce(text, /^FROM .*$/m, (line) => `${line}@sha256:${'4e'.repeat(32)}`)),
  },
  { name: 'tests/app.test.ts: a test appended', expect: 'clean', apply: (files) => append(files, 'tests/app.test.ts', TEST_APPENDED) },
  { name: 'tests/app.test.ts: a test deleted', expect: 'either', apply: (files) => change(files, 'tests/app.test.ts', withoutSecondTest) },
  {
    name: 'package.json: a script and a dependency added',
    expect: 'clean',
    apply: (files) =>
      changeJson(files, 'package.json', (pkg) => {
        pkg.scripts = { ...pkg.scripts, lint: 'eslint .' };
        pkg.dependencies = { ...pkg.dependencies, zod: '^3.23.0' };
      }),
  },
  {
    name: 'package.json: a generated script renamed',
    expect: 'either',
    apply: (files) =>
      changeJson(files, 'package.json', (pkg) => {
        if (!pkg.scripts['docker:build']) throw new NotApplicable('docker:build');
        pkg.scripts = Object.fromEntries(Object.entries(pkg.scripts).map(([k, v]) => [k === 'docker:build' ? 'image:build' : k, v]));
      }),
  },
  {
    name: "package.json: a generated script's command changed",
    expect: 'either',
    apply: (files) =>
      changeJson(files, 'package.json', (pkg) => {
        pkg.scripts.local = `${pkg.scripts.local} --verbose`;
      }),
  },
  {
    name: 'chain.json: a custom chain added',
    expect: 'clean',
    apply: (files) =>
      changeJson(files, 'chain.json', (chains) => {
        chains.chains['our-devnet'] = {
          id: '1337',
          host: 'http://devnet.internal:8545',
          hub: '0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f',
        };
      }),
  },
  {
    name: 'tsconfig.json: an option added',
    expect: 'clean',
    apply: (files) =>
      changeJson(files, 'tsconfig.json', (config) => {
        config.compilerOptions.noImplicitReturns = true;
      }),
  },
  {
    name: '.gitignore: entries appended',
    expect: 'clean',
    apply: (files) => append(files, '.gitignore', '\n# ours\n.idea/\n*.local.json\n'),
  },
  {
    name: "src/app.ts: the owner's logic",
    expect: 'clean',
    apply: (files) =>
      change(files, 'src/app.ts', (text) =>
        replaceOnce(text, /^ {2}const greeting = .*$/m, (line) => `${line}\n  console.error('greeting computed');`),
      ),
  },
  {
    name: 'src/iexec.ts: re-indented with 4 spaces',
    expect: 'clean',
    apply: (files) => change(files, 'src/iexec.ts', (t) => reindent(t, '    ')),
  },
  {
    name: 'tests/*.ts: re-indented with tabs',
    expect: 'clean',
    apply: (files) => {
      restyle(
        files,
        [...files.keys()].filter((p) => /^tests\/.*\.ts$/.test(p)),
        (t) => reindent(t, '\t'),
      );
    },
  },
  {
    name: 'TypeScript reformatted (4 spaces, double quotes)',
    expect: 'clean',
    apply: (files) => {
      restyle(
        files,
        [...files.keys()].filter((p) => p.endsWith('.ts')),
        reformat,
      );
    },
  },
  {
    name: 'Windows line endings everywhere, and a README section appended',
    expect: 'clean',
    apply: (files) => {
      append(files, 'README.md', '\n## Our deployment\n\nFrom CI.\n');
      restyle(files, TEXT_FILES(files), (t) => t.replaceAll('\n', '\r\n'));
    },
  },
  {
    name: 'no final newline anywhere, and a line appended to publish.sh',
    expect: 'clean',
    apply: (files) => {
      append(files, 'publish.sh', 'echo done >&2\n');
      restyle(files, TEXT_FILES(files), (t) => t.replace(/\n$/, ''));
    },
  },
  {
    name: 'tests/build.sh and tests/run.sh deleted',
    expect: 'clean',
    apply: (files) => {
      if (!files.delete('tests/build.sh') || !files.delete('tests/run.sh')) throw new NotApplicable('tests/*.sh');
    },
  },
  {
    name: 'a tooling script edited',
    expect: 'clean',
    apply: (files) => {
      const path = ['scripts/iexec.mjs', 'scripts/docker.sh'].find((p) => files.has(p));
      if (!path) throw new NotApplicable('a tooling script');
      append(files, path, path.endsWith('.sh') ? "# the owner's registry mirror\n" : "// the owner's change\n");
    },
  },
  {
    name: 'a month of edits: README, publish.sh, Dockerfile, a test, package.json, chain.json, .gitignore',
    expect: 'clean',
    apply: (files, versions) => {
      for (const name of [
        'README: a section appended at the end',
        'publish.sh: a line appended',
        'Dockerfile: a LABEL appended after ENTRYPOINT',
        'tests/app.test.ts: a test appended',
        'package.json: a script and a dependency added',
        'chain.json: a custom chain added',
        '.gitignore: entries appended',
      ]) {
        EDITS.find((e) => e.name === name)!.apply(files, versions);
      }
    },
  },
];

/** Applies an edit; false when the module has nothing it applies to. */
export function applyEdit(edit: Edit, files: Files, versions: Versions): boolean {
  try {
    edit.apply(files, versions);
    return true;
  } catch (error) {
    if (error instanceof NotApplicable) return false;
    throw error;
  }
}
