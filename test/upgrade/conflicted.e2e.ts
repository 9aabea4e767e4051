import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cliPath, runCli } from '../helpers/cli.js';
import { render } from '../helpers/module.js';
import { FIXTURES, fixtureAnswers, OWNED, ownedCopy } from '../helpers/owned-0.1.0.js';
import { changedLine, read, replaceLine } from '../helpers/upgrade.js';

/*
 * A conflicted upgrade across versions (0.1.0 to today's kit) must leave a module its owner can
 * finish: resolve the markers, run the command the upgrade printed, and the module builds and passes
 * its tests. Both ways there: package.json merged cleanly (the upgrade installs while the conflicts
 * wait) and package.json in conflict itself (the printed command installs once it is resolved).
 */
const fixture = OWNED[0]!;

/** The owner's resolution: the generator's side of every conflict block. */
function takeGenerators(text: string): string {
  const out: string[] = [];
  let side: 'none' | 'ours' | 'theirs' = 'none';
  for (const line of text.split('\n')) {
    if (line === '<<<<<<< yours') side = 'ours';
    else if (side === 'ours' && line === '=======') side = 'theirs';
    else if (side === 'theirs' && line.startsWith('>>>>>>> create-iexec-module ')) side = 'none';
    else if (side !== 'ours') out.push(line);
  }
  return out.join('\n');
}

/** Rewrites a line the upgrade also rewrites: a real conflict. */
async function conflictIn(dir: string, path: string): Promise<void> {
  const base = await read(join(FIXTURES, fixture.name), path);
  const theirs = (await render(fixtureAnswers(fixture)))[path]!;
  const at = changedLine(base, theirs);
  expect(at, `${path} has no line the upgrade rewrites`).toBeDefined();
  const line = (await read(dir, path)).split('\n')[at!]!;
  await writeFile(join(dir, path), replaceLine(await read(dir, path), at!, `${line} // the owner's version`));
}

/** Upgrades, resolves every conflict it names, and runs the command it printed (with this checkout's CLI). */
async function upgradeResolveAndFinish(dir: string) {
  const upgraded = await runCli(['upgrade', dir, '--yes'], { timeout: 600_000 });
  expect(upgraded.exitCode, `${upgraded.stdout}\n${upgraded.stderr}`).toBe(1);
  const listed = upgraded.stderr.match(/conflicts in \d+ files?: (.*?)\. Resolve/)?.[1]?.split(', ');
  const command = upgraded.stderr.match(/then run `([^`]+)`/)?.[1];
  expect(listed, upgraded.stderr).toBeDefined();
  expect(command, upgraded.stderr).toBeDefined();
  for (const path of listed!) await writeFile(join(dir, path), takeGenerators(await read(dir, path)));
  const finished = await execa('bash', ['-c', command!.replace('npx create-iexec-module', `node ${cliPath}`)], {
    reject: false,
    env: { NO_COLOR: '1', CI: '' },
    timeout: 600_000,
  });
  return { upgraded, listed: listed!, finished, output: `${finished.stdout}\n${finished.stderr}` };
}

describe.concurrent('a conflicted upgrade from 0.1.0, resolved, then finished with the command it printed', () => {
  it('package.json merged cleanly: installed during the upgrade, then validated', async ({ expect }) => {
    const dir = await ownedCopy(fixture);
    await conflictIn(dir, 'README.md');
    await conflictIn(dir, 'src/iexec.ts');
    const { upgraded, listed, finished, output } = await upgradeResolveAndFinish(dir);
    expect(listed.sort()).toEqual(['README.md', 'src/iexec.ts']);
    expect(upgraded.stdout).toMatch(/✔ npm install/);
    expect(finished.exitCode, output).toBe(0);
    expect(finished.stdout).not.toMatch(/npm install first/);
    expect(finished.stdout).toMatch(/✔ type-check and build/);
    expect(finished.stdout).toMatch(/✔ module tests/);
  });

  it('package.json in conflict: nothing installed until it is resolved, then the printed command installs and validates', async ({
    expect,
  }) => {
    const dir = await ownedCopy(fixture);
    const pkg = JSON.parse(await read(dir, 'package.json'));
    pkg.scripts.local = 'node scripts/build.mjs && node scripts/local.mjs --verbose';
    await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    const { upgraded, listed, finished, output } = await upgradeResolveAndFinish(dir);
    expect(listed).toEqual(['package.json']);
    expect(upgraded.stdout).not.toMatch(/npm install/);
    expect(finished.exitCode, output).toBe(0);
    expect(finished.stdout).toMatch(/package\.json changed since the last install: npm install first/);
    expect(finished.stdout).toMatch(/✔ module tests/);
    expect(JSON.parse(await read(dir, 'node_modules/iexec-module-kit/package.json')).name).toBe('iexec-module-kit');
  });
});
