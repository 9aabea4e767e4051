/*
 * The module's iexec CLI run in a folder of its own: the module's chain.json, an iexec.json written for
 * the one job (a dataset to deploy, an order to sign), and the module's ./wallet.json when it has one, so
 * the module's own iexec.json, deployed.json and orders.json are never touched. The CLI signs with the
 * wallet options given and asks its own password question; the folder goes when the job is done.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Failure } from '../iexec/failure.js';
import { resolveIexecCli } from '../iexec/sdk.js';
import { localCliOptions } from '../iexec/local-network.js';
import { userCwd, withUserPaths } from '../iexec/paths.js';
import { runCli } from '../iexec/workspace.js';

export class SdkWorkspace {
  readonly dir: string;
  private readonly bin: string;

  constructor(
    private readonly root: string,
    iexecJson: unknown,
  ) {
    this.bin = resolveIexecCli(root);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iexec-module-data-'));
    fs.copyFileSync(path.join(root, 'chain.json'), path.join(this.dir, 'chain.json'));
    fs.writeFileSync(path.join(this.dir, 'iexec.json'), `${JSON.stringify(iexecJson, null, 2)}\n`);
    const wallet = path.join(root, 'wallet.json');
    if (fs.existsSync(wallet)) fs.symlinkSync(wallet, path.join(this.dir, 'wallet.json'));
  }

  /**
   * Runs `iexec <args>` (paths the user gave mean what they mean in their shell, the local network's
   * clock on the local chain); a non-zero exit is a Failure naming the step.
   */
  async run(step: string, args: string[], chain: string): Promise<void> {
    const given = withUserPaths(args, userCwd(this.root), this.dir);
    const { status } = await runCli(this.bin, given, this.dir, await localCliOptions(this.root, chain));
    if (status !== 0)
      throw new Failure(
        `${step} failed (iexec ${args.map((arg, i) => (args[i - 1] === '--password' ? '***' : arg)).join(' ')} exited ${status}); its message is above`,
      );
  }

  read(name: string): any {
    const file = path.join(this.dir, name);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
  }

  /** Writes a file only the owner reads (a key the CLI pushes). */
  secretFile(name: string, content: string): string {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, content, { mode: 0o600 });
    return file;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
