import type { Manifest } from '../manifest.js';
import { compareVersions } from './semver.js';

/**
 * A change between generator versions that a template diff cannot express: a generated file that
 * moved, an answer that was renamed or re-valued. Each is applied once, to modules generated
 * before `version`, before their files are compared.
 */
export interface Migration {
  /** The generator version that made the change. */
  version: string;
  /** One line for the upgrade plan: what changed. */
  description: string;
  /** Generated files that moved: old path -> new path. The owner's copy moves with its edits. */
  renames?: Record<string, string>;
  /** The answers as recorded by the older generator -> the same answers as the newer one names them. */
  answers?: (recorded: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Generated files this version stops generating because something else does their job now: path ->
   * that replacement. The plan names it beside the file, above all when the owner's changed copy stays.
   */
  replaced?: Record<string, Replacement>;
}

/** What does the job of a file that is no longer generated, as the owner runs it. */
export interface Replacement {
  /** The package.json script that runs it, and the arguments it takes, as a usage line shows them. */
  script: { name: string; args?: string };
  /** What that script runs now: a command or file of iexec-module-kit. */
  runs: string;
  /** Other dropped files this one imports: they stay while it does. */
  imports?: string[];
}

/**
 * Every migration since the first release, oldest first. Add one here, with a test, whenever a
 * template is renamed, an answer changes meaning, or a generated file's job moves elsewhere.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: '0.2.0',
    description: 'the dev tooling in scripts/ moved into the iexec-module-kit dependency (bin iexec-module)',
    replaced: {
      'scripts/worker.mjs': { script: { name: 'local' }, runs: 'iexec-module local, and taskRunner from iexec-module-kit in tests' },
      'scripts/local.mjs': { script: { name: 'local', args: '--args "…"' }, runs: 'iexec-module local', imports: ['scripts/worker.mjs'] },
      'scripts/iexec.mjs': {
        script: { name: 'iexec', args: '<standard|tee> …' },
        runs: 'iexec-module iexec, and iexec-module result for results',
      },
      'scripts/local-chain.mjs': { script: { name: 'chain:local' }, runs: 'iexec-module chain' },
      'scripts/mock-protected-data.mjs': {
        script: { name: 'mock:protected-data', args: "<out.zip> '<json object>'" },
        runs: 'iexec-module mock-protected-data',
      },
      'scripts/registry.sh': {
        script: { name: 'publish:image', args: '<version>' },
        runs: "iexec-module-kit's sh/registry.sh, sourced by publish.sh",
      },
    },
  },
];

export interface Migrated {
  applied: Migration[];
  answers: Record<string, unknown>;
  /** The pristine copies under the paths the newer generator uses. */
  files: Record<string, string>;
  /** Each moved file: new path -> where it sits in the module now. */
  moves: Record<string, string>;
  /** What replaces each file the applied migrations stopped generating. */
  replaced: Record<string, Replacement>;
}

/** Brings a manifest written by an older generator up to `to`, the version upgrading the module. */
export function migrate(manifest: Manifest, to: string, migrations: readonly Migration[] = MIGRATIONS): Migrated {
  const from = manifest.generator.version;
  const applied = migrations
    .filter((m) => compareVersions(m.version, from) > 0 && compareVersions(m.version, to) <= 0)
    .sort((a, b) => compareVersions(a.version, b.version));
  let answers: Record<string, unknown> = { ...manifest.answers };
  const files = { ...manifest.files };
  const moves: Record<string, string> = {};
  const replaced: Record<string, Replacement> = {};
  for (const migration of applied) {
    if (migration.answers) answers = migration.answers(answers);
    Object.assign(replaced, migration.replaced);
    for (const [oldPath, newPath] of Object.entries(migration.renames ?? {})) {
      if (!(oldPath in files)) continue;
      if (newPath in files) throw new Error(`migration ${migration.version} moves ${oldPath} onto ${newPath}, which is generated too`);
      files[newPath] = files[oldPath]!;
      delete files[oldPath];
      moves[newPath] = moves[oldPath] ?? oldPath;
      delete moves[oldPath];
    }
  }
  return { applied, answers, files, moves, replaced };
}
