import { constants } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One of the request's `iexec_input_files`, as the worker downloaded it into IEXEC_IN. */
export interface InputFile {
  /** 1-based position in the request's list. */
  index: number;
  /**
   * The file's name in IEXEC_IN. The worker names each download after the SHA-256 of its URL
   * ("0x" and 64 hex digits), not after the URL's own file name, so two URLs never collide.
   */
  name: string;
  path: string;
}

/** IEXEC_INPUT_FILES_NUMBER and IEXEC_INPUT_FILE_NAME_<n>, each file checked to be there. */
export function readInputFiles(env: NodeJS.ProcessEnv, inDir: string): InputFile[] {
  const count = env.IEXEC_INPUT_FILES_NUMBER ?? '0';
  if (!/^\d+$/.test(count)) {
    throw new Error(`IEXEC_INPUT_FILES_NUMBER is ${JSON.stringify(count)}, not a number of files`);
  }
  const folder = env.IEXEC_INPUT_FILES_FOLDER || inDir;
  return Array.from({ length: Number(count) }, (_, i) => {
    const index = i + 1;
    const name = env[`IEXEC_INPUT_FILE_NAME_${index}`];
    if (!name || basename(name) !== name) {
      throw new Error(`input file ${index} of ${count}: IEXEC_INPUT_FILE_NAME_${index} is ${JSON.stringify(name ?? null)}, not a file name`);
    }
    const path = join(folder, name);
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) {
      throw new Error(`input file ${index} (${name}) is not a file in ${folder}`);
    }
    return { index, name, path };
  });
}

/**
 * The file's content as text; bytes that are not UTF-8 are refused rather than guessed at, and a file
 * too large for one string (Node's limit: MAX_STRING_LENGTH characters, about 512 MiB) is refused as
 * such, not as bad text.
 */
export function readInputText(file: InputFile): string {
  const tooLarge = () => new Error(`input file ${file.index} (${file.name}) holds ${statSync(file.path).size} bytes: more text than one string can hold (${constants.MAX_STRING_LENGTH} characters); read it in parts`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file.path);
  } catch (error) {
    // Past 2 GiB Node does not read a file into one buffer at all.
    if ((error as NodeJS.ErrnoException).code === 'ERR_FS_FILE_TOO_LARGE') throw tooLarge();
    throw error;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG') throw tooLarge();
    throw new Error(`input file ${file.index} (${file.name}) is not UTF-8 text`);
  }
}
