/*
 * What the iexec CLI says about a task, read from what it printed: both 8.24.0 and 9.0.1 exit 0 when
 * `app run --watch` ends with tasks that did not complete (cli/cmd/iexec-app.js: spinner.fail
 * "App run failed:" and, with --raw, `failedTasks`), and when `task show --download` finds the task
 * not COMPLETED ("Task status X", the download "will be ignored"). The kit turns those into exit 1.
 */
const TASK = /Task idx \d+ \((0x[0-9a-fA-F]{64})\)/g;

/** The text without the terminal's escape sequences the CLI's spinner and colours may print. */
const plain = (output: string) => output.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

/** The raw answers (--raw) in the output: one JSON object per line. */
function rawAnswers(output: string): Record<string, unknown>[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/**
 * The ids of the tasks `app run --watch` reports as not completed, [] when it reports none, and
 * undefined when it ended without a verdict (no --watch, or it failed before).
 */
export function failedTasks(printed: string): string[] | undefined {
  const output = plain(printed);
  for (const answer of rawAnswers(output)) {
    if (Array.isArray(answer.failedTasks)) return answer.failedTasks.map((task: { taskid?: string }) => String(task.taskid));
  }
  const failed = output.lastIndexOf('App run failed:');
  if (failed === -1) return output.includes('App run successful') ? [] : undefined;
  // cli-helper.js renderTasksStatus: "n/m tasks completed:", then "tasks failed:", then "tasks running:".
  const report = output.slice(failed);
  const completed = report.match(/tasks completed:([^]*?)(?=\d+\/\d+ tasks (failed|running)|$)/)?.[1] ?? '';
  const done = new Set([...completed.matchAll(TASK)].map((match) => match[1]!));
  return [...new Set([...report.matchAll(TASK)].map((match) => match[1]!))].filter((id) => !done.has(id));
}

/** The status `task show` printed last ("Task status ACTIVE", or the raw `task.statusName`). */
export function shownStatus(printed: string): string | undefined {
  const output = plain(printed);
  for (const answer of rawAnswers(output).reverse()) {
    const status = (answer.task as { statusName?: unknown } | undefined)?.statusName;
    if (typeof status === 'string') return status;
  }
  return [...output.matchAll(/Task status ([A-Z_]+)\b/g)].at(-1)?.[1];
}
