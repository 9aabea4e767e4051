/*
 * The post-compute's verdict on a task and what the worker contributes from it: the result digest and
 * the callback data (iexec-worker ResultService.getComputedFile/computeResultDigest for standard tasks;
 * tee-worker-compute-rust post-compute computed_file.rs for TEE ones).
 */
import fs from 'node:fs';
import path from 'node:path';
import { keccak256 } from 'ethers';
import { checkOutput, type Verdict } from '../../worker/post-compute.js';
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

function readComputed(task: Task): Record<string, unknown> | undefined {
  try {
    const computed = JSON.parse(fs.readFileSync(path.join(task.outDir, 'computed.json'), 'utf8'));
    return typeof computed === 'object' && computed !== null ? computed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A computed.json with callback-data in a deal without callback passes the worker (it hands callback-data
 * on unfiltered: iexec-worker TaskManagerService) and fails in PoCo: checkOutput stops at it, so the
 * worker's own checks run once more without it, and PoCo is left to refuse the contribution on chain.
 */
function judge(task: Task, computed: Record<string, unknown> | undefined): { verdict: Verdict; pocoRefuses?: string } {
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
  const raw = typeof computed?.['callback-data'] === 'string' ? (computed['callback-data'] as string) : '';
  const callbackData = raw ? (raw.startsWith('0x') ? raw : `0x${raw}`) : '0x';
  if (!verdict.ok) return { verdict, callbackData };
  // A standard worker takes a result-digest the app wrote as it is (ResultService.getComputedFile); the TEE
  // post-compute computes its own.
  const written = computed?.['result-digest'];
  if (!tee && typeof written === 'string' && written !== '') return { verdict, callbackData, digest: written, pocoRefuses };
  if (task.callback) {
    // A callback deal's digest is keccak256 of the callback data; nothing is uploaded (ResultService).
    return { verdict, callbackData, digest: keccak256(callbackData) };
  }
  const appOut = task.env.IEXEC_OUT ?? task.outDir;
  const output = path.join(task.outDir, path.relative(appOut, String(computed!['deterministic-output-path'])));
  return { verdict, callbackData, digest: web2Digest(output, tee), pocoRefuses };
}
