import { existsSync } from 'node:fs';
import { cp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_FILE, writeEntry } from '../src/upgrade/journal.js';
import { MANIFEST_FILE, type Manifest } from '../src/manifest.js';
import { type Migration, migrate } from '../src/upgrade/migrations.js';
import type { UpgradeSetup } from '../src/upgrade/upgrade.js';
import { runCli, tempDir } from './helpers/cli.js';
import { generate, manifestOf, render, tree } from './helpers/module.js';
import { NEXT, NEXT_VERSION, nextGenerator, SCONE, upgradeHere } from './helpers/upgrade.js';

/*
 * Upgrading to "the next generator version": a changed copy of today's templates (see
 * nextGenerator) stands for a release that changes, adds, drops and moves files.
 */
let next: UpgradeSetup;
let work: string;
const OWNER = '// the owner wrote this line';
const NO_STEPS = ['--no-install', '--no-validate'];

const read = (dir: string, path: string) => readFile(join(dir, path), 'utf8');

beforeAll(async () => {
  next = await nextGenerator();
  work = await tempDir();
});

/** A SCONE module, as the current generator makes it, that its owner then edited. */
async function ownedModule(name: string): Promise<string> {
  const dir = join(work, name);
  await generate(dir, ['--name', 'm', ...SCONE]);
  await writeFile(join(dir, 'src/app.ts'), `${await read(dir, 'src/app.ts')}${OWNER}\n`);
  await writeFile(join(dir, 'README.md'), (await read(dir, 'README.md')).replace('\n', `\n${OWNER}\n`));
  await writeFile(join(dir, NEXT.movedFrom), (await read(dir, NEXT.movedFrom)).replace('\n', "\n# the owner's step\n"));
  await writeFile(join(dir, NEXT.appended), `${await read(dir, NEXT.appended)}owner-secrets/\n`);
  const pkg = JSON.parse(await read(dir, 'package.json'));
  pkg.dependencies = { zod: '^3.23.0' };
  pkg.scripts.lint = 'eslint .';
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return dir;
}


/** The next version's setup, dying like a killed process after `writes` files were written. */
function crashingAfter(writes: number): UpgradeSetup {
  let written = 0;
  return {
    ...next,
    write: async (target, entry) => {
      if (++written > writes) throw new Error('simulated crash');
      await writeEntry(target, entry);
    },
  };
}

describe('an upgrade to the next generator version', () => {
  let dir: string;
  let theirs: Record<string, string>;
  let output: string;
  let error: Error | undefined;

  beforeAll(async () => {
    dir = await ownedModule('rows');
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

  it('marks a conflict where both changed the same place, lists it and fails', async () => {
    expect(output).toMatch(row('conflict', NEXT.appended));
    expect(error?.message).toMatch(new RegExp(`conflicts in 1 file: ${NEXT.appended.replace('.', '\\.')}\\.`));
    const text = await read(dir, NEXT.appended);
    expect(text).toContain(`<<<<<<< yours\nowner-secrets/\n=======\n${NEXT.appendedLine}\n>>>>>>> create-iexec-module ${NEXT_VERSION}\n`);
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
    expect(Object.keys((manifestOf(other)).files)).not.toContain(NEXT.dropped);
  });
});

describe('migrations keyed by version', () => {
  it('renames an answer recorded by an older generator before resolving answers', async () => {
    const dir = join(work, 'renamed-answer');
    await generate(dir, SCONE);
    const manifest = manifestOf(dir);
    const { tee, ...rest } = manifest.answers;
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, generator: { ...manifest.generator, version: '0.0.9' }, answers: { ...rest, teeFramework: tee } }));
    const setup: UpgradeSetup = {
      ...next,
      templates: next.templates,
      migrations: [
        {
          version: '0.1.0',
          description: 'the teeFramework answer is now tee',
          answers: ({ teeFramework, ...others }) => ({ ...others, tee: teeFramework }),
        },
      ],
    };
    const { output } = await upgradeHere([dir, ...NO_STEPS, '--dry-run'], setup);
    expect(output).toContain('migration 0.1.0: the teeFramework answer is now tee');
    expect(output).not.toMatch(/--tee/);
    expect(output).not.toMatch(/^ {2}delete +sconify\.sh/m);
  });

  it('applies only the migrations between the recorded version and the new one, in order', () => {
    const manifest: Manifest = { format: 1, generator: { name: 'create-iexec-module', version: '0.2.0' }, answers: {}, files: { a: 'A', b: 'B' } };
    const migrations: Migration[] = [
      { version: '0.4.0', description: 'b to c', renames: { b: 'c' } },
      { version: '0.2.0', description: 'already applied', renames: { a: 'x' } },
      { version: '0.3.0', description: 'a to a2', renames: { a: 'a2' } },
      { version: '0.5.0', description: 'too new', renames: { a2: 'z' } },
    ];
    const migrated = migrate(manifest, '0.4.0', migrations);
    expect(migrated.applied.map((m) => m.version)).toEqual(['0.3.0', '0.4.0']);
    expect(migrated.files).toEqual({ a2: 'A', c: 'B' });
    expect(migrated.moves).toEqual({ a2: 'a', c: 'b' });
  });
});

describe('an interrupted upgrade', () => {
  it('stops with the old manifest, then a second run finishes it exactly as an uninterrupted one', async () => {
    const whole = await ownedModule('whole');
    const cut = join(work, 'cut');
    await cp(whole, cut, { recursive: true });
    const oldManifest = await read(cut, MANIFEST_FILE);

    await upgradeHere([whole, ...NO_STEPS], next);

    const crashing = crashingAfter(3);
    const first = await upgradeHere([cut, ...NO_STEPS], crashing);
    expect(first.error?.message).toBe('simulated crash');
    expect(await read(cut, MANIFEST_FILE)).toBe(oldManifest);
    expect(existsSync(join(cut, JOURNAL_FILE))).toBe(true);
    expect(await tree(cut, { executables: true })).not.toEqual(await tree(whole, { executables: true }));

    const before = await tree(cut, { executables: true });
    const check = await runCli(['upgrade', cut, '--check']);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toContain(`An interrupted upgrade to create-iexec-module ${NEXT_VERSION} is pending`);
    expect((await runCli(['upgrade', cut, '--dry-run'])).exitCode).toBe(0);
    expect(await tree(cut, { executables: true })).toEqual(before);

    // The CLI of the current version finishes it: the journal holds every file's final text.
    const second = await runCli(['upgrade', cut, ...NO_STEPS]);
    expect(second.stdout).toMatch(/finished the interrupted upgrade/);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/conflicts in 1 file: \.gitignore/);
    expect(await tree(cut, { executables: true })).toEqual(await tree(whole, { executables: true }));
  });

  it('refuses to finish over a file changed since, naming it and both ways out', async () => {
    const dir = await ownedModule('cut-then-edited');
    const crashing = crashingAfter(1);
    await upgradeHere([dir, ...NO_STEPS], crashing);
    const journal = JSON.parse(await read(dir, JOURNAL_FILE));
    const untouched = journal.entries[journal.entries.length - 1].path as string;
    await writeFile(join(dir, untouched), 'edited after the crash\n');
    const { exitCode, stderr } = await runCli(['upgrade', dir, ...NO_STEPS]);
    expect(exitCode).toBe(1);
    expect(stderr).toContain(`but ${untouched} changed since it started`);
    expect(stderr).toContain(`delete ${JOURNAL_FILE}`);
  });
});
