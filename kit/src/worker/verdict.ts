// The shape of a judgement: each check in the order the worker makes it, the first failure the reason.

/** One thing checked after the app exited. */
export interface Check {
  /** `warn`: the task completes, but look at it. */
  level: 'pass' | 'warn' | 'fail';
  /** What was checked, or why the task would fail, and whose rule it is. */
  message: string;
}

/** Whether the worker and PoCo would complete the task, and what they checked on the way. */
export interface Verdict {
  /** Whether the task would complete. */
  ok: boolean;
  checks: Check[];
  /** Why the task would fail. */
  reason?: string;
}

/** Collects checks; `fail` returns the verdict that stops there. */
export class Checks {
  readonly checks: Check[] = [];

  pass(message: string): void {
    this.checks.push({ level: 'pass', message });
  }

  warn(message: string): void {
    this.checks.push({ level: 'warn', message });
  }

  fail(message: string): Verdict {
    this.checks.push({ level: 'fail', message });
    return { ok: false, checks: this.checks, reason: message };
  }

  verdict(): Verdict {
    return { ok: true, checks: this.checks };
  }
}
