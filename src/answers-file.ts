import { readFileSync } from 'node:fs';
import { type AnswerKey, QUESTIONS } from './answers.js';
import { UserError } from './errors.js';

/** Reads `--answers file.json`: an object whose keys are answer keys (as the manifest records them). */
export function readAnswersFile(path: string): Partial<Record<AnswerKey, unknown>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read --answers ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  let data: unknown;
  try {
    // Editors on Windows start a UTF-8 file with a byte order mark, which JSON.parse refuses.
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UserError(`--answers ${path} is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserError(`--answers ${path} must hold a JSON object, e.g. {"tee": "scone"}.`);
  }
  const known = QUESTIONS.map((q) => q.key as string);
  const unknown = Object.keys(data).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new UserError(
      `--answers ${path} has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: the keys are ${known.join(', ')}.`,
    );
  }
  return data as Partial<Record<AnswerKey, unknown>>;
}
