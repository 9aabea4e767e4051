/*
 * What a standard worker leaves in /iexec_out when it cannot download the app, the dataset or an input
 * file (iexec-worker 579a7db9 ResultService.writeErrorToIexecOut, called by TaskManagerService
 * triggerPostComputeHookOnError): error.txt and a computed.json pointing at it, which the standard
 * post-compute then takes as any result, so the task completes with it. The text is Java's: the failed
 * ReplicateStatus and the list of WorkflowError records, each printed as `WorkflowError[cause=…, message=]`.
 */
import fs from 'node:fs';
import path from 'node:path';

export const ERROR_FILE = 'error.txt';

export function writeWorkerError(outDir: string, status: string, causes: string[]): void {
  const listed = causes.map((cause) => `WorkflowError[cause=${cause}, message=]`).join(', ');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, ERROR_FILE), `[IEXEC] Errors occurred while computing the task [error:${status}, causes:[${listed}]]`);
  fs.writeFileSync(path.join(outDir, 'computed.json'), JSON.stringify({ 'deterministic-output-path': `/iexec_out/${ERROR_FILE}` }));
}
