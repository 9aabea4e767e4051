/*
 * The CLI runs in a temporary folder whose entries link to the module's, the three names it reads
 * linking to the profile's own files, so both apps live side by side, nothing is renamed in place (an
 * interrupted run leaves no swapped file behind), and what the CLI writes lands in the profile's file.
 * Relative paths in the arguments stay relative to the module root.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Profile } from './module.js';

export function linkWorkspace(root: string, profile: Profile): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iexec-module-'));
  for (const name of fs.readdirSync(root)) {
    if (!Object.hasOwn(profile, name)) fs.symlinkSync(path.join(root, name), path.join(dir, name));
  }
  for (const [cliName, fileName] of Object.entries(profile)) {
    fs.symlinkSync(path.join(root, fileName), path.join(dir, cliName));
  }
  return dir;
}

/**
 * Removes the links (never what they point to) and moves what the CLI created (a result zip, a wallet
 * made with --keystoredir local or --unencrypted) into the module, under the profile's name if the CLI
 * replaced one of its three files instead of writing through the link.
 */
export function unlinkWorkspace(root: string, profile: Profile, dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const entry = path.join(dir, name);
    if (fs.lstatSync(entry).isSymbolicLink()) {
      fs.unlinkSync(entry);
      continue;
    }
    const target = Object.hasOwn(profile, name) ? profile[name as keyof Profile] : name;
    // Copy, not rename: the temporary folder is often on another file system.
    fs.cpSync(entry, path.join(root, target), { recursive: true });
    fs.rmSync(entry, { recursive: true });
    console.error(`iexec wrote ${target}`);
  }
  fs.rmdirSync(dir);
}

/** Runs the CLI with this Node; resolves with its exit status. */
export function runCli(bin: string, args: string[], cwd: string): Promise<number> {
  // Ctrl-C reaches the CLI too (same process group): wait for it to exit, then clean up.
  const ignoreInterrupt = () => {};
  process.on('SIGINT', ignoreInterrupt);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: 'inherit' });
    child.on('error', (error) => {
      process.off('SIGINT', ignoreInterrupt);
      console.error(`error: cannot start the iexec CLI: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignoreInterrupt);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
