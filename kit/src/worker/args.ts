// How an iExec worker turns a task's iexec_args (one string) into the app's arguments, ported exactly
// so that local runs and tests/run.sh give the app what a worker gives it. The chain on the worker:
//   - iexec-worker AppComputeService.java passes iexec_args as the container command (DockerRunRequest.cmd);
//   - iexec-commons-containers DockerClientInstance.java sets a command only when
//     commons-lang3 StringUtils.isNotBlank(cmd) holds, and splits it with ArgsUtils.stringArgsToArrayArgs;
//   - iexec-commons-containers ArgsUtils.java calls maven-shared-utils 3.4.2
//     CommandLineUtils.translateCommandline, and on its CommandLineException (unbalanced quotes) logs
//     "Failed to translate string args to array" and returns an empty array.
// Not a shell: no globbing, no variables, a tab or a newline is part of a word, and a backslash is kept.
// test/fidelity in create-iexec-module runs this file against the real Java classes.
// SCONE TEE tasks are not split here: iexec-commons-poco TaskDescription.getAppCommand appends iexec_args
// to the enclave entrypoint, and iexec-sms SconeSessionMakerService puts that into the CAS session.

/** What maven-shared-utils throws on unbalanced quotes; its message is Java's, word for word. */
export class CommandLineException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandLineException';
  }
}

const NORMAL = 0;
const IN_QUOTE = 1;
const IN_DOUBLE_QUOTE = 2;

/**
 * maven-shared-utils CommandLineUtils.translateCommandline, rule for rule. Java walks the tokens of
 * `new StringTokenizer(text, "\"' \\", true)`: each quote, space and backslash is a token of its own,
 * which is why walking character by character gives the same result (the delimiters are ASCII, so a
 * surrogate pair is never cut). What surprises a shell user:
 *   - only a space separates words; a tab or a newline is part of a word;
 *   - a backslash escapes the quote right after it AND stays in the word (`\"` gives `\"`); it escapes
 *     nothing else, and `\\"` is no escaped backslash: the second one escapes the quote;
 *   - inside quotes, a backslash escapes that same kind of quote (`'it\'s'` gives `it\'s`);
 *   - a space outside quotes leaves the escape pending, so `\ "` escapes that quote;
 *   - a word is kept only when it is not empty: `''` and `""` give nothing, `a''b` gives `ab`.
 * @throws {@link CommandLineException} on unbalanced quotes, with Java's message
 */
export function translateCommandline(text: string | null | undefined): string[] {
  if (text === null || text === undefined || text.length === 0) return [];
  const words: string[] = [];
  let state = NORMAL;
  let inEscape = false;
  let current = '';
  for (const char of text) {
    if (state !== NORMAL) {
      if (char === (state === IN_QUOTE ? "'" : '"')) {
        if (inEscape) {
          current += char;
          inEscape = false;
        } else {
          state = NORMAL;
        }
      } else {
        current += char;
        inEscape = char === '\\';
      }
    } else if (char === "'" || char === '"') {
      if (inEscape) {
        current += char;
        inEscape = false;
      } else {
        state = char === "'" ? IN_QUOTE : IN_DOUBLE_QUOTE;
      }
    } else if (char === ' ') {
      // Java's space branch does not touch inEscape: a backslash before spaces still escapes the next quote.
      if (current.length > 0) words.push(current);
      current = '';
    } else {
      current += char;
      inEscape = char === '\\';
    }
  }
  if (current.length > 0) words.push(current);
  if (state !== NORMAL) throw new CommandLineException(`unbalanced quotes in ${text}`);
  return words;
}

// java.lang.Character.isWhitespace, which commons-lang3 StringUtils.isBlank applies to each UTF-16 unit:
// Unicode space, line and paragraph separators except the no-break ones (U+00A0, U+2007, U+202F), and
// U+0009-U+000D, U+001C-U+001F. Not JavaScript's \s, which has the no-break spaces and U+FEFF.
const JAVA_WHITESPACE = /^[\t\n\u000B\f\r\u001C-\u001F \u1680\u2000-\u2006\u2008-\u200A\u2028\u2029\u205F\u3000]*$/;

/** commons-lang3 3.12.0 StringUtils.isBlank: null, empty or only Java whitespace. */
export function isBlank(text: string | null | undefined): boolean {
  return text === null || text === undefined || JAVA_WHITESPACE.test(text);
}

/** What the worker makes of iexec_args. */
export interface WorkerArgs {
  /** The arguments the app gets (after its entrypoint). */
  argv: string[];
  /** Set when the worker drops the args: why, and what the app gets instead. */
  warning?: string;
}

/**
 * What a worker does with iexec_args: a blank string sets no command at all (so `"\t"` gives no
 * argument, where translateCommandline alone would give one), and unbalanced quotes are logged and
 * give no argument either, so the app runs as if the requester had passed none.
 */
export function workerArgs(text: string | null | undefined): WorkerArgs {
  if (isBlank(text)) return { argv: [] };
  try {
    return { argv: translateCommandline(text) };
  } catch (error) {
    if (!(error instanceof CommandLineException)) throw error;
    return {
      argv: [],
      warning: `unbalanced quotes in ${JSON.stringify(text)}: the worker logs "Failed to translate string args to array" and runs the app with no args`,
    };
  }
}

/**
 * The app's arguments for iexec_args, as a worker passes them ([] on unbalanced quotes, as the worker
 * does; use {@link workerArgs} to say why).
 */
export function splitArgs(text: string | null | undefined): string[] {
  return workerArgs(text).argv;
}
