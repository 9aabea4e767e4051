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
 * Copies what the CLI writes on stdout and stderr to a file the kit reads once it exits, while the
 * user sees it as ever (the terminal stays the CLI's own, spinners and prompts included): loaded into
 * the CLI's process with --import, it imports nothing of the SDK. A file, not a pipe: `iexec app` and
 * `iexec task` are commander's executable subcommands (iexec cli/cmd/iexec.js `cli.command('app', …)`),
 * run in a child process that gets the same --import (commander lib/command.js spawns
 * `process.execArgv` with stdio 'inherit') but no descriptor past stderr.
 */
const OBSERVER = `import { openSync, writeSync } from 'node:fs';
const file = process.env.IEXEC_MODULE_CLI_OUTPUT;
const fd = file ? openSync(file, 'a') : undefined;
for (const stream of fd === undefined ? [] : [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    try { writeSync(fd, typeof chunk === 'string' ? chunk : Buffer.from(chunk)); } catch {}
    return write(chunk, ...rest);
  };
}`;

export function runCli(bin: string, args: string[], cwd: string, nodeOptions: string[] = []): Promise<{ status: number; output: string }> {
  // Beside the workspace, not in it: what the CLI leaves in the workspace is moved into the module.
  const outputFile = `${cwd}.output`;
  const output = () => {
    const text = fs.existsSync(outputFile) ? fs.readFileSync(outputFile, 'utf8') : '';
    fs.rmSync(outputFile, { force: true });
    return text;
  };
  // Ctrl-C reaches the CLI too (same process group): wait for it to exit, then clean up.
  const ignoreInterrupt = () => {};
  process.on('SIGINT', ignoreInterrupt);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(OBSERVER)}`, ...nodeOptions, bin, ...args],
      {
        cwd,
        env: { ...process.env, IEXEC_MODULE_CLI_OUTPUT: outputFile },
        stdio: 'inherit',
      },
    );
    child.on('error', (error) => {
      process.off('SIGINT', ignoreInterrupt);
      console.error(`error: cannot start the iexec CLI: ${error.message}`);
      resolve({ status: 1, output: output() });
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignoreInterrupt);
      resolve({ status: code ?? (signal ? 1 : 0), output: output() });
    });
  });
}
