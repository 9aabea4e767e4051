/*
 * One line of the doctor's checklist: ✔ it holds, ! it holds but look at it (or it could not be
 * checked), ✖ a run on this chain would fail, with the command that fixes it.
 */
export type Level = 'pass' | 'warn' | 'fail';

export interface CheckLine {
  /** Stable, for --json consumers: `wallet`, `image:standard`, `workerpool-order:tee`... */
  id: string;
  level: Level;
  message: string;
  /** The command (or the step) that fixes a ✖. */
  fix?: string;
}

export const pass = (id: string, message: string): CheckLine => ({ id, level: 'pass', message });
export const warn = (id: string, message: string, fix?: string): CheckLine => ({ id, level: 'warn', message, ...(fix && { fix }) });
export const fail = (id: string, message: string, fix: string): CheckLine => ({ id, level: 'fail', message, fix });

/** A check that cannot run because one it depends on failed: said, not counted as a failure. */
export const skipped = (id: string, why: string): CheckLine => warn(id, `not checked: ${why}`);

/** An error's message as one line: the SDK's errors may carry their cause on further lines. */
export const reason = (error: unknown) =>
  String((error as Error)?.message ?? error)
    .split('\n')[0]!
    .trim();
