import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readManifest } from '../../src/manifest.js';
import { repoRoot, tempDir } from './cli.js';

/*
 * The 0.1.0 examples (test/fixtures/0.1.0, exactly as 0.1.0 wrote them) as an owner left them before
 * upgrading to the kit: a line of their own in src/app.ts, a script and a dependency in package.json,
 * one vendored script changed and the others not.
 */

export const FIXTURES = join(repoRoot, 'test/fixtures/0.1.0');

export interface OwnedFixture {
  name: string;
  /** A vendored script the owner changed: it stays, and its row names what replaces it. */
  touched: string;
  /** How the owner runs the replacement, and the kit command behind it. */
  script: string;
  command: string;
  /** A vendored script the owner never changed: it goes. */
  untouched: string;
  /** A dropped file the touched one imports: it stays with it. */
  imported?: string;
}

/** Each fixture changes a different vendored script, so three of the replacements are checked by name. */
export const OWNED: OwnedFixture[] = [
  {
    name: 'hello-tdx',
    touched: 'scripts/iexec.mjs',
    script: 'npm run iexec -- <standard|tee>',
    command: 'iexec-module iexec',
    untouched: 'scripts/worker.mjs',
  },
  {
    name: 'hello-scone',
    touched: 'scripts/local.mjs',
    script: 'npm run local --',
    command: 'iexec-module local',
    untouched: 'scripts/iexec.mjs',
    imported: 'scripts/worker.mjs',
  },
  {
    name: 'all-features-tdx',
    touched: 'scripts/mock-protected-data.mjs',
    script: 'npm run mock:protected-data --',
    command: 'iexec-module mock-protected-data',
    untouched: 'scripts/worker.mjs',
  },
];

export const OWNER = {
  /**
   * Added to the result in src/app.ts: result.json shows it, and every generated test still passes
   * (they match results with toMatchObject), as the upgrade's validation requires.
   */
  appLine: "    farewell: greeting.replace('Hello', 'Goodbye'),",
  scriptLine: "// the owner's change",
  script: ['owner:hello', 'node -e "console.log(42)"'] as const,
  dependency: ['picocolors', '^1.1.1'] as const,
};

async function edit(dir: string, path: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(join(dir, path), 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the owner edit of ${path} found nothing to change: adapt test/helpers/owned-0.1.0.ts`);
  await writeFile(join(dir, path), after);
}

/** A copy of the fixture, with the owner's edits. */
export async function ownedCopy(fixture: OwnedFixture): Promise<string> {
  const dir = join(await tempDir('cim-0.1.0-'), fixture.name);
  await cp(join(FIXTURES, fixture.name), dir, { recursive: true });
  await edit(dir, 'src/app.ts', (text) => text.replace('    greeting,\n', `    greeting,\n${OWNER.appLine}\n`));
  await edit(dir, fixture.touched, (text) => `${text}${OWNER.scriptLine}\n`);
  await edit(dir, 'package.json', (text) => {
    const pkg = JSON.parse(text);
    pkg.scripts[OWNER.script[0]] = OWNER.script[1];
    pkg.dependencies = { ...pkg.dependencies, [OWNER.dependency[0]]: OWNER.dependency[1] };
    return `${JSON.stringify(pkg, null, 2)}\n`;
  });
  return dir;
}

/** The answers the fixture was generated with. */
export function fixtureAnswers(fixture: OwnedFixture): Record<string, unknown> {
  return readManifest(join(FIXTURES, fixture.name)).answers;
}

/** A plan row: the action, the path, then the reason. */
export const row = (action: string, path: string) => new RegExp(`^ {2}${action} +${path.replaceAll('.', '\\.')} +(.*)$`, 'm');
