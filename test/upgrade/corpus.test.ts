import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/manifest.js';
import { generatorVersion } from '../../src/paths.js';
import { migrate } from '../../src/upgrade/migrations.js';
import { repoRoot } from '../helpers/cli.js';
import { render } from '../helpers/module.js';
import { FIXTURES } from '../helpers/owned-0.1.0.js';
import { applyEdit, EDITS, type Edit } from './corpus/edits.js';
import { cleanUp, measureGit, measureUpgrade, type Outcome, type Upgrade } from './corpus/measure.js';

/*
 * Realistic owner edits (./corpus/edits.ts) of the three modules 0.1.0 made, upgraded to today's
 * generator, and of a module of today's generator whose owner moves it from SCONE to TDX; plus
 * `prettier --write .` (prettier 3.10.2, its defaults) over the 0.1.0 hello-tdx
 * (test/fixtures/0.1.0-prettier: the files it changed). Each case is measured for `upgrade` and for
 * plain `git merge-file` on the same three versions.
 *
 * UPGRADE_CORPUS_TABLE=1 npx vitest run test/upgrade/corpus.test.ts   adds git merge-file (a process per
 * file both sides changed: seconds) and prints the table and its totals.
 */

interface Row {
  module: string;
  edit: string;
  expect: Edit['expect'];
  ours: Outcome;
  git?: Outcome;
}

const NONE: Outcome = { conflicts: 0, ownerLost: 0, generatorLost: 0 };
const PRETTIER = join(repoRoot, 'test/fixtures/0.1.0-prettier');
const rows: Row[] = [];

function filesIn(dir: string): Record<string, string> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Object.fromEntries(
    entries.map((e) => [join(e.parentPath, e.name).slice(dir.length + 1), readFileSync(join(e.parentPath, e.name), 'utf8')]),
  );
}

async function fromFixture(name: string): Promise<Upgrade> {
  const manifest = readManifest(join(FIXTURES, name));
  const migrated = migrate(manifest, generatorVersion);
  const { '.create-iexec-module.json': _, ...files } = filesIn(join(FIXTURES, name));
  return {
    label: `${name} 0.1.0`,
    base: migrated.files,
    theirs: await render(migrated.answers),
    moves: migrated.moves,
    replaced: migrated.replaced,
    files,
  };
}

/** git merge-file runs once per file both sides changed: seconds for the corpus, so only for the table. */
const COMPARE = Boolean(process.env.UPGRADE_CORPUS_TABLE);

function run(upgrade: Upgrade, name: string, expectation: Edit['expect'], disk: Map<string, string>): void {
  rows.push({
    module: upgrade.label,
    edit: name,
    expect: expectation,
    ours: measureUpgrade(upgrade, disk),
    git: COMPARE ? measureGit(upgrade, disk) : undefined,
  });
}

beforeAll(async () => {
  const scone = await render({ name: 'm', tee: 'scone', chain: 'bellecour' });
  const today: Upgrade = {
    label: `${generatorVersion} scone -> tdx`,
    base: scone,
    theirs: await render({ name: 'm', tee: 'tdx', chain: 'arbitrum-sepolia-testnet' }),
    moves: {},
    replaced: {},
    files: scone,
  };
  const upgrades = [...(await Promise.all(['hello-tdx', 'hello-scone', 'all-features-tdx'].map(fromFixture))), today];
  for (const upgrade of upgrades) {
    for (const edit of EDITS) {
      const disk = new Map(Object.entries(upgrade.files));
      if (applyEdit(edit, disk, upgrade)) run(upgrade, edit.name, edit.expect, disk);
    }
  }
  const helloTdx = upgrades[0]!;
  run(
    helloTdx,
    'prettier --write . (its defaults)',
    'clean',
    new Map(Object.entries({ ...helloTdx.files, ...filesIn(join(PRETTIER, 'hello-tdx')) })),
  );
});
afterAll(cleanUp);

const sum = (outcomes: Outcome[]) => ({
  clean: outcomes.filter((o) => o.conflicts === 0).length,
  conflicts: outcomes.reduce((n, o) => n + o.conflicts, 0),
  ownerLost: outcomes.reduce((n, o) => n + o.ownerLost, 0),
  generatorLost: outcomes.reduce((n, o) => n + o.generatorLost, 0),
});

function table(): string {
  const cell = (o: Outcome | undefined = NONE) =>
    `${o.conflicts === 0 ? 'clean' : `${o.conflicts} conflict${o.conflicts === 1 ? '' : 's'}`}, lost ${o.ownerLost}/${o.generatorLost}`.padEnd(
      26,
    );
  const lines = rows.map(
    (r) => `${r.module.padEnd(22)} ${r.edit.slice(0, 70).padEnd(71)} ${r.expect.padEnd(9)} ${cell(r.ours)} ${cell(r.git)}`,
  );
  const total = (o: ReturnType<typeof sum>) =>
    `${o.clean}/${rows.length} clean, ${o.conflicts} conflicts, owner lines lost ${o.ownerLost}, generator lines lost ${o.generatorLost}`;
  return [
    `${'module'.padEnd(22)} ${'owner edit'.padEnd(71)} ${'expected'.padEnd(9)} ${'upgrade (lost owner/gen)'.padEnd(26)} git merge-file`,
    ...lines,
    '',
    `upgrade:        ${total(sum(rows.map((r) => r.ours)))}`,
    `git merge-file: ${total(sum(rows.map((r) => r.git ?? NONE)))}`,
  ].join('\n');
}

describe('a corpus of realistic owner edits', () => {
  it('covers every edit on at least two modules, and the 0.1.0 modules and one of today', () => {
    for (const edit of EDITS) expect(rows.filter((r) => r.edit === edit.name).length, edit.name).toBeGreaterThanOrEqual(2);
    expect(new Set(rows.map((r) => r.module)).size).toBe(4);
    if (COMPARE) console.log(table());
  });

  it('loses no line the owner wrote', () => {
    expect(rows.filter((r) => r.ours.ownerLost > 0).map((r) => `${r.module}: ${r.edit}`)).toEqual([]);
  });

  it('drops no line the generator wrote', () => {
    expect(rows.filter((r) => r.ours.generatorLost > 0).map((r) => `${r.module}: ${r.edit}`)).toEqual([]);
  });

  it('merges cleanly every edit that changes no line the generator changed', () => {
    expect(
      rows.filter((r) => r.expect === 'clean' && r.ours.conflicts > 0).map((r) => `${r.module}: ${r.edit} (${r.ours.conflicts})`),
    ).toEqual([]);
  });

  it('keeps a conflict where both changed the same line', () => {
    const real = rows.filter((r) => r.expect === 'conflict');
    expect(real.length).toBeGreaterThan(0);
    expect(real.filter((r) => r.ours.conflicts === 0).map((r) => `${r.module}: ${r.edit}`)).toEqual([]);
  });

  it.runIf(COMPARE)('never leaves more to resolve by hand than git merge-file', () => {
    expect(rows.filter((r) => r.ours.conflicts > r.git!.conflicts).map((r) => `${r.module}: ${r.edit}`)).toEqual([]);
  });
});
