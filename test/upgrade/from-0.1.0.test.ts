import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatorVersion } from '../../src/paths.js';
import { MIGRATIONS } from '../../src/upgrade/migrations.js';
import { runCli } from '../helpers/cli.js';
import { manifestOf, tree } from '../helpers/module.js';
import { FIXTURES, OWNED, OWNER, ownedCopy, row } from '../helpers/owned-0.1.0.js';
import { read } from '../helpers/upgrade.js';

/*
 * The modules 0.1.0 made, moved to the kit: the plan (--dry-run through the real CLI), then the files
 * the upgrade writes, without install or validation (test/upgrade-0.1.0.e2e.ts does both).
 */
const rows = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('  '));

describe.each(OWNED)('$name, as its owner changed it', (fixture) => {
  let dir: string;
  let plan: Awaited<ReturnType<typeof runCli>>;
  let before: Record<string, string>;
  let planned: Record<string, string>;
  let upgraded: Awaited<ReturnType<typeof runCli>>;
  let app: string;

  beforeAll(async () => {
    dir = await ownedCopy(fixture);
    app = await read(dir, 'src/app.ts');
    before = await tree(dir, { executables: true });
    plan = await runCli(['upgrade', dir, '--dry-run']);
    planned = await tree(dir, { executables: true });
    upgraded = await runCli(['upgrade', dir, '--no-install', '--no-validate']);
  });

  it('plans it without a conflict, and writes nothing on --dry-run', () => {
    expect(plan.exitCode, `${plan.stdout}\n${plan.stderr}`).toBe(0);
    expect(plan.stdout).toMatch(/^Dry run: nothing written\.$/m);
    expect(plan.stdout).toContain(`create-iexec-module 0.1.0 -> ${generatorVersion}`);
    expect(plan.stdout).not.toMatch(/^ {2}(conflict|unresolved) /m);
    expect(planned).toEqual(before);
  });

  it('deletes the vendored script the owner never changed, naming what replaces it', () => {
    expect(plan.stdout).toMatch(row('delete', fixture.untouched));
    expect(plan.stdout.match(row('delete', fixture.untouched))![1]).toMatch(/replaces it$/);
  });

  it('keeps the one the owner changed, with a warning that names its npm script and the kit command', () => {
    const why = plan.stdout.match(row('orphaned', fixture.touched))?.[1];
    expect(why, plan.stdout).toBeDefined();
    expect(why).toContain(`\`${fixture.script}`);
    expect(why).toContain(`(${fixture.command}`);
    expect(why).toMatch(/nothing runs it.* replaces it, so delete it once your changes are carried over$/);
  });

  const { imported } = fixture;
  if (imported) {
    it('keeps, untouched, the dropped file the kept one imports', () => {
      expect(plan.stdout.match(row('kept', imported))?.[1]).toContain(`but ${fixture.touched} stays and imports it`);
    });
  }

  it("plans src/app.ts as the owner's and package.json as the generator's update merged with the owner's", () => {
    expect(plan.stdout).toMatch(row('yours', 'src/app.ts'));
    expect(plan.stdout).toMatch(row('merge', 'package.json'));
  });

  it('upgrades as planned', async () => {
    expect(upgraded.exitCode, `${upgraded.stdout}\n${upgraded.stderr}`).toBe(0);
    expect(rows(upgraded.stdout)).toEqual(rows(plan.stdout));
    expect(existsSync(join(dir, fixture.untouched))).toBe(false);
    expect(await read(dir, fixture.touched)).toBe(`${await read(join(FIXTURES, fixture.name), fixture.touched)}${OWNER.scriptLine}\n`);
    if (imported) expect(await read(dir, imported)).toBe(await read(join(FIXTURES, fixture.name), imported));
    expect(await read(dir, 'src/app.ts')).toBe(app);
    expect(app).toContain(`${OWNER.appLine}\n`);
  });

  it("gives package.json the kit and its scripts, keeping the owner's script and dependency", async () => {
    const pkg = JSON.parse(await read(dir, 'package.json'));
    const generated = JSON.parse(manifestOf(dir).files['package.json']!);
    expect(pkg).toEqual({
      ...generated,
      scripts: { ...generated.scripts, [OWNER.script[0]]: OWNER.script[1] },
      dependencies: { ...generated.dependencies, [OWNER.dependency[0]]: OWNER.dependency[1] },
    });
    expect(pkg.devDependencies['iexec-module-kit']).toMatch(
      new RegExp(`^file:/.*/kit/pack/iexec-module-kit-${generatorVersion.replaceAll('.', '\\.')}\\.tgz$`),
    );
    expect(pkg.devDependencies).not.toHaveProperty('borsh');
    expect(pkg.devDependencies).not.toHaveProperty('jszip');
    expect(pkg.scripts).toMatchObject({
      local: 'node scripts/build.mjs && iexec-module local',
      iexec: 'iexec-module iexec',
      deploy: 'iexec-module iexec standard app deploy',
      result: 'iexec-module result',
      'result:tee': 'iexec-module result --tee',
      'chain:local': 'iexec-module chain',
    });
  });

  it("moves the tests to the kit's harness", async () => {
    for (const path of ['tests/task.ts', 'tests/global-setup.ts']) expect(await read(dir, path), path).toBe(manifestOf(dir).files[path]);
    expect(await read(dir, 'tests/task.ts')).toMatch(/from 'iexec-module-kit'/);
    const tests = await tree(join(dir, 'tests'));
    for (const [path, text] of Object.entries(tests)) expect(text, path).not.toMatch(/scripts\/(worker|mock-protected-data)\.mjs'/);
  });

  it('names a replacement for every file 0.2.0 no longer generates, and none for a file it still does', () => {
    const older = Object.keys(manifestOf(join(FIXTURES, fixture.name)).files);
    const newer = Object.keys(manifestOf(dir).files);
    const replaced = Object.keys(MIGRATIONS.find((m) => m.version === '0.2.0')!.replaced!);
    expect(older.filter((path) => !newer.includes(path)).sort()).toEqual(replaced.filter((path) => older.includes(path)).sort());
    expect(newer.filter((path) => replaced.includes(path))).toEqual([]);
  });
});
