/*
 * The post-compute's verdict on a task and what the worker contributes from it: the result digest and
 * the callback data (iexec-worker ResultService.getComputedFile/computeResultDigest for standard tasks;
 * tee-worker-compute-rust post-compute computed_file.rs for TEE ones).
 */
import fs from 'node:fs';
import path from 'node:path';
import { keccak256 } from 'ethers';
import { checkOutput, type Verdict } from '../../worker/post-compute.js';
import { outputPath, readComputed as readComputedFile } from '../../worker/result-files.js';
import type { Task } from '../../worker/task.js';
import { web2Digest } from './web2-result.js';

export interface ComputedFile {
  verdict: Verdict;
  /** 0x-hex; '0x' for a deal without callback. */
  callbackData: string;
  digest?: string;
  /** Set when the result passes the worker but PoCo will revert its finalize, and why. */
  pocoRefuses?: string;
}

function readComputed(task: Task): Record<string, string> | undefined {
  const read = readComputedFile(task.outDir, task.flow);
  return 'fields' in read ? read.fields : undefined;
}

/** The bytes both post-computes decode from callback-data, as 0x-hex: 0x optional, an odd length's first digit alone. */
function callbackBytes(text: string | undefined): string {
  const digits = (text ?? '').replace(/^0x/, '');
  return `0x${digits.length % 2 === 1 ? `0${digits}` : digits}`;
}

/**
 * A computed.json with callback-data in a deal without callback passes the worker (it hands callback-data
 * on unfiltered: iexec-worker TaskManagerService) and fails in PoCo: checkOutput stops at it, so the
 * worker's own checks run once more without it, and PoCo is left to refuse the contribution on chain.
 */
function judge(task: Task, computed: Record<string, string> | undefined): { verdict: Verdict; pocoRefuses?: string } {
  // Our lint (a secret in the logs) is not the platform's: the worker uploads them all the same.
  const verdict = checkOutput({ ...task, secrets: [] });
  const callbackData = computed?.['callback-data'];
  if (task.callback || verdict.ok || typeof callbackData !== 'string' || !callbackData) return { verdict };
  const file = path.join(task.outDir, 'computed.json');
  const text = fs.readFileSync(file);
  const { 'callback-data': _, ...rest } = computed!;
  fs.writeFileSync(file, JSON.stringify(rest));
  try {
    return { verdict: checkOutput({ ...task, secrets: [] }), pocoRefuses: verdict.reason };
  } finally {
    fs.writeFileSync(file, text);
  }
}

export function computedFile(task: Task, tee: boolean): ComputedFile {
  const computed = readComputed(task);
  const { verdict, pocoRefuses } = judge(task, computed);
  const callbackData = callbackBytes(computed?.['callback-data']);
  if (!verdict.ok) return { verdict, callbackData };
  // A standard worker takes a result-digest the app wrote as it is (ResultService.getComputedFile); the TEE
  // post-compute computes its own.
  const written = computed?.['result-digest'];
  if (!tee && written) return { verdict, callbackData, digest: written, pocoRefuses };
  // A callback deal's digest is keccak256 of the callback data; nothing is uploaded (ResultService).
  if (task.callback) return { verdict, callbackData, digest: keccak256(callbackData) };
  const output = outputPath(task, computed!['deterministic-output-path']!);
  if ('problem' in output) return { verdict: { ok: false, checks: verdict.checks, reason: output.problem }, callbackData };
  return { verdict, callbackData, digest: web2Digest(output.hostPath, tee), pocoRefuses };
}
