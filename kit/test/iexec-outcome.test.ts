import { describe, expect, it } from 'vitest';
import { failedTasks, shownStatus } from '../src/iexec/outcome.js';

/* What the kit reads of the CLI's output: iexec 9.0.1 cli/cmd/iexec-app.js and cli-helper.js renderTasksStatus. */
const A = `0x${'a'.repeat(64)}`;
const B = `0x${'b'.repeat(64)}`;

describe('failedTasks', () => {
  it("reads `app run --watch`'s failure report, colours and spinner sequences included", () => {
    const report = `- Watching execution...\n\u001b[31m✖\u001b[39m App run failed:\n1/2 tasks completed:\n\u001b[32m- \u001b[39mTask idx 0 (\u001b[36m${A}\u001b[39m)\n1/2 tasks failed:\n\u001b[32m- \u001b[39mTask idx 1 (${B})\n`;
    expect(failedTasks(report)).toEqual([B]);
  });

  it('says none failed after a success, and knows nothing without a verdict', () => {
    expect(failedTasks('✔ App run successful:\n1/1 tasks completed')).toEqual([]);
    expect(failedTasks('ℹ Deal submitted with dealid 0x12')).toBeUndefined();
  });
});

describe('shownStatus', () => {
  it('reads the last status `task show` printed', () => {
    expect(shownStatus('ℹ Task status \u001b[33mACTIVE\u001b[39m\n')).toBe('ACTIVE');
  });
});
