import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { generatorVersion } from '../src/paths.js';
import { MIGRATIONS } from '../src/upgrade/migrations.js';
import { repoRoot, runCli, tempDir } from './helpers/cli.js';
import { generate } from './helpers/module.js';
import { OWNED, ownedCopy } from './helpers/owned-0.1.0.js';

/* Each package's CHANGELOG.md: written for module owners, shipped in the package, pointed to by upgrade. */

const PACKAGES = [
  { name: 'create-iexec-module', dir: repoRoot },
  { name: 'iexec-module-kit', dir: join(repoRoot, 'kit') },
];
const changelog = (dir: string) => readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');

describe.each(PACKAGES)('$name', ({ dir }) => {
  it('has an entry for its version', () => {
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    // `npm run release` names an "Unreleased" entry after the version and the day.
    expect(changelog(dir)).toMatch(new RegExp(`^## ${version.replaceAll('.', '\\.')}( \\(\\d{4}-\\d\\d-\\d\\d\\))?$`, 'm'));
  });

  it('ships it: npm pack lists CHANGELOG.md', async () => {
    const { stdout } = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir });
    expect(JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path)).toContain('CHANGELOG.md');
  });
});

describe("the generator's changelog", () => {
  it('explains every migration, naming each file it moves or replaces', () => {
    const text = changelog(repoRoot);
    for (const migration of MIGRATIONS) {
      const section = text.split(new RegExp(`^### Migration ${migration.version.replaceAll('.', '\\.')}\\b`, 'm'))[1]?.split(/^### /m)[0];
      expect(section, `### Migration ${migration.version}`).toBeDefined();
      for (const path of [...Object.keys(migration.replaced ?? {}), ...Object.keys(migration.renames ?? {})])
        expect(section).toContain(`\`${path}\``);
    }
  });
});

describe('upgrade', () => {
  it('points to the changelog it ships when the version changes, and only then', async () => {
    const older = await ownedCopy(OWNED[0]!);
    const plan = await runCli(['upgrade', older, '--dry-run']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const path = plan.stdout.match(/^What it changes in a module, and each migration: (\S+)$/m)?.[1];
    expect(path).toBe(join(repoRoot, 'CHANGELOG.md'));
    expect(existsSync(path!)).toBe(true);

    const current = join(await tempDir(), 'current');
    await generate(current, ['--yes']);
    const same = await runCli(['upgrade', current, '--dry-run']);
    expect(same.stdout).toContain(`create-iexec-module ${generatorVersion} (same version)`);
    expect(same.stdout).not.toContain('CHANGELOG.md');
  });
});
