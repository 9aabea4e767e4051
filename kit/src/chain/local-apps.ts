/*
 * Which module deployed which app on a running local network, so its worker runs that module's code:
 * `npm run deploy -- --chain local` records the app's address with the module's bundle, and the worker
 * looks it up for every task. A file per network (named after its node's port), emptied when a network
 * starts there: each start is a new chain.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function registry(port: number): string {
  return path.join(os.tmpdir(), `iexec-module-local-${port}`, 'apps.json');
}

function read(port: number): Record<string, string> {
  try {
    return JSON.parse(fs.readFileSync(registry(port), 'utf8'));
  } catch {
    return {};
  }
}

/** Records that `bundle` is the code of `app` (written beside, then renamed: a reader never sees half). */
export function recordLocalApp(port: number, app: string, bundle: string): void {
  const file = registry(port);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const apps = { ...read(port), [app.toLowerCase()]: path.resolve(bundle) };
  fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(apps, null, 2));
  fs.renameSync(`${file}.${process.pid}`, file);
}

export function localAppBundle(port: number, app: string): string | undefined {
  return read(port)[app.toLowerCase()];
}

export function forgetLocalApps(port: number): void {
  fs.rmSync(registry(port), { force: true });
}
