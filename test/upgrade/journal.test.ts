import { existsSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE } from '../../src/manifest.js';
import { JOURNAL_FILE } from '../../src/upgrade/journal.js';
import type { UpgradeSetup } from '../../src/upgrade/upgrade.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { tree } from '../helpers/module.js';
import { crashingAfter, NEXT, NEXT_VERSION, nextGenerator, NO_STEPS, ownedModule, read, upgradeHere } from '../helpers/upgrade.js';

/* An upgrade cut half-way (a crash, Ctrl-C, a full disk) leaves its journal; the next run finishes it. */
let next: UpgradeSetup;
let work: string;

beforeAll(async () => {
  next = await nextGenerator();
  work = await tempDir();
});

describe('an interrupted upgrade', () => {
  it('stops with the old manifest, then a second run finishes it exactly as an uninterrupted one', async () => {
    const whole = await ownedModule(join(work, 'whole'));
    const cut = join(work, 'cut');
    await cp(whole, cut, { recursive: true });
    const oldManifest = await read(cut, MANIFEST_FILE);

    await upgradeHere([whole, ...NO_STEPS], next);

    const crashing = crashingAfter(next, 3);
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
    expect(second.stderr).toContain(`conflicts in 1 file: ${NEXT.conflicted}`);
    expect(await tree(cut, { executables: true })).toEqual(await tree(whole, { executables: true }));
  });

  it('refuses to finish over a file changed since, naming it and both ways out', async () => {
    const dir = await ownedModule(join(work, 'cut-then-edited'));
    const crashing = crashingAfter(next, 1);
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
