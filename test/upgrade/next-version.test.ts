import { existsSync } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/upgrade/journal.js';
import type { UpgradeSetup } from '../../src/upgrade/upgrade.js';
import { tempDir } from '../helpers/cli.js';
import { generate, manifestOf, render } from '../helpers/module.js';
import {
  NEXT,
  NEXT_VERSION,
  nextGenerator,
  NO_STEPS,
  ownedModule,
  OWNER_CONFLICTING,
  OWNER_LINE as OWNER,
  read,
  SCONE,
  upgradeHere,
} from '../helpers/upgrade.js';

/*
 * Upgrading to "the next generator version": a changed copy of today's templates (see
 * nextGenerator) stands for a release that changes, adds, drops and moves files.
 */
let next: UpgradeSetup;
let work: string;

beforeAll(async () => {
  next = await nextGenerator();
  work = await tempDir();
});

describe('an upgrade to the next generator version', () => {
  let dir: string;
  let theirs: Record<string, string>;
  let output: string;
  let error: Error | undefined;

  beforeAll(async () => {
    dir = await ownedModule(join(work, 'rows'));
    await rm(join(dir, 'tests/build.sh'));
    theirs = await render({ name: 'm', tee: 'scone', chain: 'bellecour' }, next);
    ({ output, error } = await upgradeHere([dir, ...NO_STEPS], next));
  });

  const row = (action: string, path: string) => new RegExp(`^  ${action} +${path.replaceAll('.', '\\.')} `, 'm');

  it('updates a file only the generator changed', async () => {
    expect(output).toMatch(row('update', NEXT.changed));
    expect(await read(dir, NEXT.changed)).toBe(theirs[NEXT.changed]);
  });

  it('keeps a file only the owner changed', async () => {
    expect(output).toMatch(row('yours', 'src/app.ts'));
    expect(await read(dir, 'src/app.ts')).toBe(`${theirs['src/app.ts']}${OWNER}\n`);
  });

  it('merges a file both changed apart', async () => {
    expect(output).toMatch(row('merge', NEXT.movedTo));
    const moved = await read(dir, NEXT.movedTo);
    expect(moved).toContain("# the owner's step\n");
    expect(moved).toContain(NEXT.movedLine);
  });

  it('moves a file a migration renamed, with the owner edits', async () => {
    expect(output).toMatch(row('moved', NEXT.movedFrom));
    expect(output).toContain(`migration ${NEXT_VERSION}: ${NEXT.movedFrom} moved to ${NEXT.movedTo}`);
    expect(existsSync(join(dir, NEXT.movedFrom))).toBe(false);
  });

  it("keeps both lines where both appended one, the generator's first", async () => {
    expect(output).toMatch(row('merge', NEXT.appended));
    expect(await read(dir, NEXT.appended)).toBe(`${theirs[NEXT.appended]}owner-secrets/\n`);
  });

  it('marks a conflict where both rewrote the same line, lists it and fails', async () => {
    expect(output).toMatch(row('conflict', NEXT.conflicted));
    expect(error?.message).toMatch(new RegExp(`conflicts in 1 file: ${NEXT.conflicted.replace('.', '\\.')}\\.`));
    const text = await read(dir, NEXT.conflicted);
    expect(text).toContain(
      `<<<<<<< yours\n${OWNER_CONFLICTING}\n=======\n${NEXT.conflictedNext}\n>>>>>>> create-iexec-module ${NEXT_VERSION}\n`,
    );
  });

  it('does not bring back a file the owner deleted, and says so', async () => {
    expect(output).toMatch(/^ {2}skipped +tests\/build\.sh +you deleted it: not brought back/m);
    expect(existsSync(join(dir, 'tests/build.sh'))).toBe(false);
  });

  it('deletes a dropped file the owner never changed', async () => {
    expect(output).toMatch(row('delete', NEXT.dropped));
    expect(existsSync(join(dir, NEXT.dropped))).toBe(false);
  });

  it('adds a new file, executable when it is a script', async () => {
    expect(output).toMatch(row('add', NEXT.added));
    expect(await read(dir, NEXT.added)).toBe(theirs[NEXT.added]);
    expect((await stat(join(dir, NEXT.added))).mode & 0o111).not.toBe(0);
  });

  it("merges package.json by key: the owner's dependency and script next to the generator's new one", async () => {
    const pkg = JSON.parse(await read(dir, 'package.json'));
    const expected = JSON.parse(theirs['package.json']!);
    expected.dependencies = { zod: '^3.23.0' };
    expected.scripts.lint = 'eslint .';
    expect(pkg).toEqual(expected);
    expect(pkg.devDependencies[NEXT.devDependency[0]]).toBe(NEXT.devDependency[1]);
  });

  it('writes the manifest last, recording the new version and its pristine files', async () => {
    const manifest = manifestOf(dir);
    expect(manifest.generator.version).toBe(NEXT_VERSION);
    expect(manifest.files).toEqual(theirs);
    expect(existsSync(join(dir, JOURNAL_FILE))).toBe(false);
  });

  it('keeps, with a warning, a dropped file the owner changed', async () => {
    const other = join(work, 'dropped-kept');
    await generate(other, SCONE);
    await writeFile(join(other, NEXT.dropped), `${await read(other, NEXT.dropped)}secrets/\n`);
    const result = await upgradeHere([other, ...NO_STEPS], next);
    expect(result.output).toMatch(/^ {2}orphaned +\.dockerignore +no longer generated, but you changed it/m);
    expect(await read(other, NEXT.dropped)).toMatch(/secrets\/\n$/);
    expect(Object.keys(manifestOf(other).files)).not.toContain(NEXT.dropped);
  });
});
