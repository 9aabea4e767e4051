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
}

/**
 * Every migration since the first release, oldest first. None yet: 0.1.0 is the first manifest
 * format. Add one here, with a test, whenever a template is renamed or an answer changes meaning.
 */
export const MIGRATIONS: readonly Migration[] = [];

export interface Migrated {
  applied: Migration[];
  answers: Record<string, unknown>;
  /** The pristine copies under the paths the newer generator uses. */
  files: Record<string, string>;
  /** Each moved file: new path -> where it sits in the module now. */
  moves: Record<string, string>;
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
  for (const migration of applied) {
    if (migration.answers) answers = migration.answers(answers);
    for (const [oldPath, newPath] of Object.entries(migration.renames ?? {})) {
      if (!(oldPath in files)) continue;
      if (newPath in files) throw new Error(`migration ${migration.version} moves ${oldPath} onto ${newPath}, which is generated too`);
      files[newPath] = files[oldPath]!;
      delete files[oldPath];
      moves[newPath] = moves[oldPath] ?? oldPath;
      delete moves[oldPath];
    }
  }
  return { applied, answers, files, moves };
}
