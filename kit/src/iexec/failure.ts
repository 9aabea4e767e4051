/**
 * A refusal or a problem the user can fix: the commands print it as `error: <message>` and exit 1,
 * without a stack trace that would bury the message.
 */
export class Failure extends Error {}

/** Prints a Failure the way every command of the kit does; anything else is a bug and keeps its stack. */
export function reportFailure(error: unknown): number {
  if (!(error instanceof Failure)) throw error;
  console.error(`error: ${error.message}`);
  return 1;
}
