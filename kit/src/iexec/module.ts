/*
 * What the wrapper learns from the module's own files (the module root is the cwd: npm runs scripts
 * from the package root), so one kit serves every module, TDX or SCONE, whatever its chains.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TeeFramework } from '../platform.js';
import { Failure } from './failure.js';

/**
 * The iexec CLI only reads ./iexec.json, ./deployed.json and ./orders.json; each profile says which
 * of the module's files stands behind those names.
 */
export const PROFILES = {
  standard: { 'iexec.json': 'iexec.json', 'deployed.json': 'deployed.json', 'orders.json': 'orders.json' },
  tee: { 'iexec.json': 'iexec.tee.json', 'deployed.json': 'deployed.tee.json', 'orders.json': 'orders.tee.json' },
} as const;
export type ProfileName = keyof typeof PROFILES;
export type Profile = (typeof PROFILES)[ProfileName];

export function isProfileName(name: string | undefined): name is ProfileName {
  return name !== undefined && Object.hasOwn(PROFILES, name);
}

export function readJson(file: string): any {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Failure(`${path.basename(file)} not found in ${path.dirname(file)}`);
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Failure(`${path.basename(file)} is not valid JSON: ${(error as Error).message}`);
  }
}

/** chain.json's `default`: the chain the CLI itself uses when no --chain is given. */
export function defaultChain(root: string): string {
  const { default: chain } = readJson(path.join(root, 'chain.json')) ?? {};
  if (typeof chain !== 'string' || chain === '') throw new Failure('chain.json has no "default" chain: pass --chain NAME');
  return chain;
}

/**
 * SCONE apps carry an mrenclave object naming their framework; TDX apps carry none. A module without
 * an iexec.tee.json is a TDX one: that is what create-iexec-module makes by default.
 */
export function teeFramework(root: string): TeeFramework {
  const file = path.join(root, PROFILES.tee['iexec.json']);
  if (!fs.existsSync(file)) return 'tdx';
  const framework = readJson(file)?.app?.mrenclave?.framework;
  return typeof framework === 'string' && framework.toLowerCase() === 'scone' ? 'scone' : 'tdx';
}
