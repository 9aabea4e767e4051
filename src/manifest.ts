import { readFile, writeFile } from 'node:fs/promises';
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
  /** Only the answers the table marks as recorded: `upgrade` resolves the rest again. */
  answers: Partial<Answers>;
  files: Record<string, string>;
}

export function createManifest(version: string, answers: Answers, files: Record<string, string>): Manifest {
  const recorded = Object.fromEntries(QUESTIONS.filter((q) => q.recorded).map((q) => [q.key, answers[q.key]]));
  return { format: MANIFEST_FORMAT, generator: { name: 'create-iexec-module', version }, answers: recorded, files };
}

export async function writeManifest(directory: string, manifest: Manifest): Promise<void> {
  await writeFile(join(directory, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function readManifest(directory: string): Promise<Manifest> {
  const path = join(directory, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(`${path} is missing: is ${directory} a module made by create-iexec-module?`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path} is not valid JSON (${(error as Error).message}): restore it from git.`);
  }
  if (manifest.format !== MANIFEST_FORMAT) {
    throw new UserError(`${path} has format ${manifest.format}; this create-iexec-module reads format ${MANIFEST_FORMAT}: use a newer version.`);
  }
  return manifest;
}
