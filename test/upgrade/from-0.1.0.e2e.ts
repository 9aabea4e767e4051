import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, it } from 'vitest';
import { generatorVersion } from '../../src/paths.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { FIXTURES, fixtureAnswers, OWNED, OWNER, type OwnedFixture, ownedCopy, row } from '../helpers/owned-0.1.0.js';
import { read } from '../helpers/upgrade.js';

/*
 * The real thing for the modules 0.1.0 made: each example, as its owner changed it, upgraded with the
 * install and the validation on (type-check, build, the module's own tests, now on the kit's harness),
 * then run with `npm run local` (the kit's command now) and greeting with the owner's code in it.
 * The three run side by side: most of the time is npm install, waiting on the cache and the network.
 */

/** What `npm run local` needs to greet Alice (or the world, without the args feature), secrets included. */
function localRun(fixture: OwnedFixture): { args: string[]; names: string } {
  const features = (fixtureAnswers(fixture).features ?? []) as string[];
  const args: string[] = [];
  if (features.includes('args')) args.push('--args', 'Alice');
  if (features.includes('requester-secrets')) args.push('--requester-secret', '1=requester-key');
  if (features.includes('app-secret')) args.push('--app-secret', 'app-key');
  return { args, names: features.includes('args') ? 'Alice' : 'world' };
}

describe.concurrent('the 0.1.0 examples, changed by their owners, upgraded to the kit', () => {
  it.for(OWNED)('$name installs, validates, keeps the owner edits and runs with npm run local', async (fixture, { expect }) => {
    const dir = await ownedCopy(fixture);
    const upgraded = await runCli(['upgrade', dir, '--yes'], { timeout: 600_000 });
    const output = `${upgraded.stdout}\n${upgraded.stderr}`;
    expect(upgraded.exitCode, output).toBe(0);
    expect(upgraded.stdout).toMatch(/✔ npm install/);
    expect(upgraded.stdout).toMatch(/✔ type-check and build/);
    expect(upgraded.stdout).toMatch(/✔ module tests/);

    expect(existsSync(join(dir, fixture.untouched))).toBe(false);
    expect(await read(dir, fixture.touched)).toMatch(new RegExp(`${OWNER.scriptLine}\n$`));
    const why = upgraded.stdout.match(row('orphaned', fixture.touched))?.[1];
    expect(why, output).toContain(`\`${fixture.script}`);
    expect(why).toContain(`(${fixture.command}`);
    if (fixture.imported) expect(await read(dir, fixture.imported)).toBe(await read(join(FIXTURES, fixture.name), fixture.imported));
    expect(await read(dir, 'src/app.ts')).toContain(`${OWNER.appLine}\n`);

    const pkg = JSON.parse(await read(dir, 'package.json'));
    expect(pkg.devDependencies['iexec-module-kit']).toBe(`file:${join(repoRoot, 'kit/pack', `iexec-module-kit-${generatorVersion}.tgz`)}`);
    expect(pkg.scripts).toMatchObject({
      local: 'node scripts/build.mjs && iexec-module local',
      iexec: 'iexec-module iexec',
      result: 'iexec-module result',
      [OWNER.script[0]]: OWNER.script[1],
    });
    expect(pkg.dependencies).toMatchObject({ [OWNER.dependency[0]]: OWNER.dependency[1] });
    expect(JSON.parse(await read(dir, 'node_modules/iexec-module-kit/package.json')).version).toBe(generatorVersion);

    const { args, names } = localRun(fixture);
    const local = await execa('npm', ['run', 'local', '--', ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
    expect(local.exitCode, `${local.stdout}\n${local.stderr}`).toBe(0);
    const out = local.stdout.match(/^Task folders: .* \(IEXEC_IN\), (.*) \(IEXEC_OUT\)$/m)?.[1];
    expect(out, local.stdout).toBeDefined();
    expect(JSON.parse(await read(out!, 'result.json'))).toMatchObject({
      ok: true,
      result: { greeting: `Hello, ${names}!`, farewell: `Goodbye, ${names}!` },
    });
  });
});
