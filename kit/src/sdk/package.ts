/*
 * The module's own iexec SDK, through its documented JavaScript API: the package's main entry, which
 * exports `IExec`, `IExecConfig` and `utils` in 8.24.0 and 9.0.1 alike (lib/index.d.ts). The entry is
 * found the way Node finds `import 'iexec'` from the module, never by a path into the SDK's build, so
 * a release that moves its files does not break doctor or task.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Failure } from '../iexec/failure.js';

/** The parts of the SDK's public API the kit calls; the SDK's own .d.ts files describe them in full. */
export interface IexecApi {
  IExec: new (args: { ethProvider: unknown }, options?: Record<string, unknown>) => any;
  IExecConfig: new (args: { ethProvider: unknown }, options?: Record<string, unknown>) => any;
  utils: {
    getSignerFromPrivateKey(host: string, privateKey: string): unknown;
    encodeTag(tags: string[]): string;
    decodeTag(tag: string): string[];
  };
}

export interface Sdk {
  version: string;
  major: 8 | 9;
  api: IexecApi;
}

function packageJsonAbove(entry: string): { version: string } {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (json.name === 'iexec') return json;
  }
  throw new Failure(`cannot find the package.json of the iexec package at ${entry}: reinstall it with 'npm install'`);
}

/** Where `import 'iexec'` from the module leads, and that package's version. */
export function sdkEntry(root: string): { entry: string; version: string } {
  let entry: string;
  try {
    entry = createRequire(path.join(root, 'package.json')).resolve('iexec');
  } catch {
    throw new Failure(`the iexec SDK is not installed in ${root}: run 'npm install' first`);
  }
  return { entry, version: String(packageJsonAbove(entry).version) };
}

export async function loadSdk(root: string): Promise<Sdk> {
  const { entry, version } = sdkEntry(root);
  const major = Number(version.split('.')[0]);
  if (major !== 8 && major !== 9)
    throw new Failure(`iexec ${version} is installed: the kit knows the SDK majors 8 (SCONE) and 9 (TDX); pin one in package.json`);
  const api = (await import(pathToFileURL(entry).href)) as IexecApi;
  return { version, major, api };
}
