/*
 * The CLI runs in a temporary folder whose entries link to the module's, the three names it reads
 * linking to the profile's own files, so both apps live side by side, nothing is renamed in place (an
 * interrupted run leaves no swapped file behind), and what the CLI writes lands in the profile's file.
 * Paths in the arguments are made to mean what they mean in the user's shell first (paths.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Profile } from './module.js';

/** An empty workspace, in the system's temporary folder. */
export function makeWorkspace(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'iexec-module-'));
}

/**
 * Links the module's entries into the workspace, the CLI's three names to the profile's files, except
 * the names in `files`, written there instead (the kit's own version of a file, discarded after).
 */
export function linkWorkspace(dir: string, root: string, profile: Profile, files: Record<string, string> = {}): void {
  for (const name of fs.readdirSync(root)) {
    if (!Object.hasOwn(profile, name) && !Object.hasOwn(files, name)) fs.symlinkSync(path.join(root, name), path.join(dir, name));
  }
  for (const [cliName, fileName] of Object.entries(profile)) {
    if (!Object.hasOwn(files, cliName)) fs.symlinkSync(path.join(root, fileName), path.join(dir, cliName));
  }
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}

/**
 * Removes the links (never what they point to) and the kit's own files, and moves what the CLI
 * created (a result zip, a wallet made with --unencrypted) into the module, under the profile's name
 * if the CLI replaced one of its three files instead of writing through the link.
 */
export function unlinkWorkspace(root: string, profile: Profile, dir: string, files: Record<string, string> = {}): void {
  for (const name of fs.readdirSync(dir)) {
    const entry = path.join(dir, name);
    if (fs.lstatSync(entry).isSymbolicLink() || Object.hasOwn(files, name)) {
      fs.rmSync(entry);
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

/**
 * Copies what the CLI writes on stdout and stderr to the kit, through a pipe on fd 3, while the user
 * sees it as ever (the terminal stays the CLI's own, spinners and prompts included): loaded into the
 * CLI's process with --import, it imports nothing of the SDK.
 */
const OBSERVER = `import { writeSync } from 'node:fs';
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    try { writeSync(3, typeof chunk === 'string' ? chunk : Buffer.from(chunk)); } catch {}
    return write(chunk, ...rest);
  };
}`;

/** Runs the CLI with this Node (and `nodeOptions` before it); resolves with its exit status and what it printed. */
export function runCli(bin: string, args: string[], cwd: string, nodeOptions: string[] = []): Promise<{ status: number; output: string }> {
  // Ctrl-C reaches the CLI too (same process group): wait for it to exit, then clean up.
  const ignoreInterrupt = () => {};
  process.on('SIGINT', ignoreInterrupt);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(OBSERVER)}`, ...nodeOptions, bin, ...args],
      {
        cwd,
        stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
      },
    );
    let output = '';
    (child.stdio[3] as Readable).setEncoding('utf8').on('data', (text: string) => (output += text));
    child.on('error', (error) => {
      process.off('SIGINT', ignoreInterrupt);
      console.error(`error: cannot start the iexec CLI: ${error.message}`);
      resolve({ status: 1, output });
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignoreInterrupt);
      resolve({ status: code ?? (signal ? 1 : 0), output });
    });
  });
}
