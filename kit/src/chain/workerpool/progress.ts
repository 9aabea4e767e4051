/*
 * A task's statuses as the workerpool's core records them: its own (iexec-core TaskStatus, each a
 * TaskStatusChange) and its one replicate's (iexec-common ReplicateStatus, with the cause the worker
 * reports). Stamped with the chain's clock, the one the deadlines are judged by.
 */
import type { TaskRecord } from '../state.js';

/** iexec-common ComputeLogs.MAX_LOG_LENGTH: core keeps the last 100,000 characters of each. */
const MAX_LOG_LENGTH = 100_000;
const tail = (text: string) => (text.length > MAX_LOG_LENGTH ? text.slice(text.length - MAX_LOG_LENGTH) : text);

export class Progress {
  constructor(
    readonly record: TaskRecord,
    private readonly worker: string,
    private readonly date: () => string,
  ) {}

  get status(): string {
    return this.record.dateStatusList.at(-1)?.status ?? 'RECEIVED';
  }

  /** Core's own steps, in order (TaskUpdateManager.updateTaskStatusesAndSave). */
  core(...statuses: string[]) {
    for (const status of statuses) this.record.dateStatusList.push({ status, date: this.date() });
  }

  /** One replicate update; the replicate is created (CREATED) by the first. */
  replicate(status: string, cause?: string) {
    this.record.replicate ??= { walletAddress: this.worker, statusUpdateList: [] };
    this.record.replicate.statusUpdateList.push({ status, date: this.date(), ...(cause && { cause }) });
  }

  /** COMPUTED carries the app's exit code and logs (TaskManagerService.compute, ReplicateStatusDetails). */
  computed(exitCode: number | null, stdout: string, stderr: string) {
    this.replicate('COMPUTED');
    const replicate = this.record.replicate!;
    if (exitCode !== null) replicate.appExitCode = exitCode;
    replicate.logs = { stdout: tail(stdout), stderr: tail(stderr) };
  }

  get replicateStatus(): string | undefined {
    return this.record.replicate?.statusUpdateList.at(-1)?.status;
  }
}
