import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Answers, QUESTIONS } from './answers.js';
import { UserError } from './errors.js';

export const MANIFEST_FILE = '.create-iexec-module.json';
const MANIFEST_FORMAT = 1;

/**
 * What a module remembers of its generation. `files` holds the pristine rendered text of every
 * generated file: `upgrade` merges the owner's edits three-way against it, with no need to fetch
 * the old generator again.
 */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  generator: { name: 'create-iexec-module'; version: string };
  /** Every answer, in table order; partial when written by an older generator that asked fewer. */
  answers: Partial<Answers>;
  files: Record<string, string>;
}

export function createManifest(version: string, answers: Answers, files: Record<string, string>): Manifest {
  const recorded = Object.fromEntries(QUESTIONS.map((q) => [q.key, answers[q.key]]));
  return { format: MANIFEST_FORMAT, generator: { name: 'create-iexec-module', version }, answers: recorded, files };
}

export function manifestText(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The parts `upgrade` relies on, checked so a hand-edited manifest fails with a message, not a crash. */
function wellFormed(manifest: Manifest): boolean {
  return (
    isRecord(manifest.generator) &&
    typeof manifest.generator.version === 'string' &&
    isRecord(manifest.answers) &&
    isRecord(manifest.files) &&
    Object.values(manifest.files).every((text) => typeof text === 'string')
  );
}

export function readManifest(directory: string): Manifest {
  const path = join(directory, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`${path} is missing: is ${directory} a module made by create-iexec-module?`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path} is not valid JSON (${(error as Error).message}): restore it from git.`);
  }
  if (!isRecord(manifest)) throw new UserError(`${path} holds no JSON object: restore it from git.`);
  if (manifest.format !== MANIFEST_FORMAT) {
    throw new UserError(`${path} has format ${manifest.format}; this create-iexec-module reads format ${MANIFEST_FORMAT}: use a newer version.`);
  }
  if (!wellFormed(manifest)) {
    throw new UserError(`${path} lacks the generator version, the answers or the files it records: restore it from git.`);
  }
  return manifest;
}
