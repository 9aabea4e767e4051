import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, type Manifest, manifestText } from '../../src/manifest.js';
import { type Migration, migrate } from '../../src/upgrade/migrations.js';
import type { UpgradeSetup } from '../../src/upgrade/upgrade.js';
import { tempDir } from '../helpers/cli.js';
import { generate, manifestOf } from '../helpers/module.js';
import { nextGenerator, NO_STEPS, SCONE, upgradeHere } from '../helpers/upgrade.js';

let next: UpgradeSetup;
let work: string;

beforeAll(async () => {
  next = await nextGenerator();
  work = await tempDir();
});

describe('migrations keyed by version', () => {
  it('renames an answer recorded by an older generator before resolving answers', async () => {
    const dir = join(work, 'renamed-answer');
    await generate(dir, SCONE);
    const manifest = manifestOf(dir);
    const { tee, ...rest } = manifest.answers;
    await writeFile(
      join(dir, MANIFEST_FILE),
      manifestText({
        ...manifest,
        generator: { ...manifest.generator, version: '0.0.9' },
        answers: { ...rest, teeFramework: tee } as Manifest['answers'],
      }),
    );
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
    const manifest: Manifest = {
      format: 1,
      generator: { name: 'create-iexec-module', version: '0.2.0' },
      answers: {},
      files: { a: 'A', b: 'B' },
    };
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
