import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { type Answers, QUESTIONS } from './answers.js';
import { UserError } from './errors.js';

export const MANIFEST_FILE = '.create-iexec-module.json';
/** Format 1 (create-iexec-module 0.1.0 and 0.2.0) kept the pristine copies as plain text under `files`. */
const PLAIN_FORMAT = 1;
/** Format 2 keeps them compressed under `pristine`, so their size follows the files' at about a third. */
const MANIFEST_FORMAT = 2;
const PRISTINE_ENCODING = 'brotli+base64:';

/**
 * What a module remembers of its generation. `files` holds the pristine rendered text of every
 * generated file: `upgrade` merges the owner's edits three-way against it, with no need to fetch
 * the old generator again.
 */
export interface Manifest {
  /** The format it was read from; it is always written in the latest. */
  format: number;
  generator: { name: 'create-iexec-module'; version: string };
  /** Every answer, in table order; partial when written by an older generator that asked fewer. */
  answers: Partial<Answers>;
  files: Record<string, string>;
}

export function createManifest(version: string, answers: Answers, files: Record<string, string>): Manifest {
  const recorded = Object.fromEntries(QUESTIONS.map((q) => [q.key, answers[q.key]]));
  return { format: MANIFEST_FORMAT, generator: { name: 'create-iexec-module', version }, answers: recorded, files };
}

/**
 * The pristine copies, compressed: brotli at a low quality compresses them to about a third in under
 * a millisecond (higher qualities gain a few percent for ten times the time of a whole generation),
 * and decompressing needs nothing but Node. Base64 keeps the manifest a JSON file.
 */
function encodePristine(files: Record<string, string>): string {
  const json = Buffer.from(JSON.stringify(files));
  const packed = brotliCompressSync(json, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 2, [constants.BROTLI_PARAM_SIZE_HINT]: json.length },
  });
  return PRISTINE_ENCODING + packed.toString('base64');
}

function decodePristine(text: unknown): unknown {
  if (typeof text !== 'string' || !text.startsWith(PRISTINE_ENCODING)) return undefined;
  try {
    return JSON.parse(brotliDecompressSync(Buffer.from(text.slice(PRISTINE_ENCODING.length), 'base64')).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The answers and the generator in plain JSON, for people and tools to read; the pristine copies packed. */
export function manifestText(manifest: Manifest): string {
  const { files, ...rest } = manifest;
  return `${JSON.stringify({ ...rest, format: MANIFEST_FORMAT, pristine: encodePristine(files) }, null, 2)}\n`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

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
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path} is not valid JSON (${(error as Error).message}): restore it from git.`);
  }
  if (!isRecord(stored)) throw new UserError(`${path} holds no JSON object: restore it from git.`);
  if (stored.format !== MANIFEST_FORMAT && stored.format !== PLAIN_FORMAT) {
    throw new UserError(
      `${path} has format ${stored.format}; this create-iexec-module reads formats ${PLAIN_FORMAT} and ${MANIFEST_FORMAT}: use a newer version.`,
    );
  }
  const { pristine, ...rest } = stored;
  const manifest = (stored.format === PLAIN_FORMAT ? stored : { ...rest, files: decodePristine(pristine) }) as unknown as Manifest;
  if (!wellFormed(manifest)) {
    throw new UserError(`${path} lacks the generator version, the answers or the pristine copies it records: restore it from git.`);
  }
  return manifest;
}
