/*
 * What the local worker runs for a task: the deployed image, pulled as a worker pulls it; where no
 * image can run here (no container engine, a SCONE enclave, an app deployed before its image was
 * published), the bundle of the module that deployed the app, said loudly. A pull that fails where an
 * engine exists fails as it does on a worker.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isLoopbackRegistry, registryDigest } from '../../registry.js';
import { runProcess } from '../../worker/process.js';
import type { AppExit, AppLaunch } from '../../worker/task.js';
import type { DeployedApp } from './hub-calls.js';

export interface AppChoice {
  /** How the worker starts the app (runTask's exec hook). */
  exec: (app: AppLaunch) => Promise<AppExit>;
  /** What runs, and why: printed for every task. */
  runs: string;
  /** Said loudly: the image is not what the chain says was deployed. */
  warning?: string;
}

/** docker if its daemon answers, else podman, unless DOCKER names the engine (the module's scripts/docker.sh rule). */
export function containerEngine(): string | undefined {
  const works = (command: string, args: string[]) => {
    const run = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
    return !run.error && run.status === 0;
  };
  if (process.env.DOCKER) return process.env.DOCKER;
  if (works('docker', ['info'])) return 'docker';
  if (works('podman', ['--version'])) return 'podman';
  return undefined;
}

/** The worker gives a pull no limit of its own; the local one gives up after 10 minutes. */
const PULL_TIMEOUT_MS = 600_000;
/** A deployed app the worker cannot start: the platform's cause and what to do. */
export interface AppUnavailable {
  cause: string;
  message: string;
}

/** How the worker gets a deployed app to run. */
export interface AppSource {
  choose(address: string, app: DeployedApp, options: { scone: boolean; timeoutMs: number }): Promise<AppChoice | AppUnavailable>;
}

export class AppRunner implements AppSource {
  private engine: string | null | undefined;

  constructor(
    /** The bundle of the module that deployed an app (`npm run deploy -- --chain local` records it), if one did. */
    private readonly bundleOf: (app: string) => string | undefined,
  ) {}

  private getEngine(): string | undefined {
    if (this.engine === undefined) this.engine = containerEngine() ?? null;
    return this.engine ?? undefined;
  }

  /** The bundle of the module that deployed the app, run with this Node as `iexec-module local` runs it. */
  private bundleChoice(address: string, image: string, why: string, timeoutMs: number): AppChoice | AppUnavailable {
    const bundle = this.bundleOf(address);
    if (!bundle) {
      return {
        cause: 'APP_IMAGE_DOWNLOAD_FAILED',
        message: `${why}, and no module recorded its code for the app ${address} (a module's npm run deploy -- --chain local does): a real worker would pull ${image} and fail if it cannot`,
      };
    }
    return {
      runs: `the bundle ${bundle}, which the module that deployed ${address} built`,
      warning: `${why}: the local worker runs the module's bundle instead, where a real worker pulls ${image} (and fails the download if it cannot)`,
      exec: async ({ argv, env, dir, stdoutFile, stderrFile }) => {
        if (!fs.existsSync(bundle))
          throw new Error(`the bundle ${bundle} is not built: run npm run build in the module that deployed ${address}`);
        return runProcess(process.execPath, [bundle, ...argv], { env, cwd: dir, timeoutMs, stdoutFile, stderrFile });
      },
    };
  }

  async choose(address: string, app: DeployedApp, options: { scone: boolean; timeoutMs: number }): Promise<AppChoice | AppUnavailable> {
    const { timeoutMs } = options;
    const image = app.multiaddr;
    if (options.scone)
      return this.bundleChoice(address, image, 'the deployed image is a SCONE enclave, which starts inside SGX only', timeoutMs);
    if (/^0x0{64}$/.test(app.checksum))
      return this.bundleChoice(
        address,
        image,
        'the app was deployed before its image was published (its checksum is the placeholder)',
        timeoutMs,
      );
    const engine = this.getEngine();
    if (!engine)
      return this.bundleChoice(address, image, 'no container engine here (docker does not answer, podman is not installed)', timeoutMs);
    // The worker pulls the image for every task, by its tag (iexec-worker ComputeManagerService.downloadApp);
    // a failed pull is APP_IMAGE_DOWNLOAD_FAILED (TaskManagerService.downloadApp).
    const pullArgs = [
      'pull',
      ...(path.basename(engine).startsWith('podman') && isLoopbackRegistry(image) ? ['--tls-verify=false'] : []),
      image,
    ];
    const pull = await runProcess(engine, pullArgs, { env: process.env, cwd: process.cwd(), timeoutMs: PULL_TIMEOUT_MS }).catch(
      (error: Error) => ({ status: null, stderr: error.message, timedOut: false }),
    );
    if (pull.status !== 0) {
      const reason = pull.timedOut ? 'no answer within 10 min' : pull.stderr.trim().split('\n').pop();
      return { cause: 'APP_IMAGE_DOWNLOAD_FAILED', message: `${engine} cannot pull ${image}: ${reason}` };
    }
    return {
      runs: `the image ${image} (${engine})`,
      warning: await digestWarning(image, app.checksum),
      exec: containerExec(engine, image, timeoutMs),
    };
  }
}

/** The registry's digest, not the engine's: podman keeps its own for an image it built or pushed. */
async function digestWarning(image: string, checksum: string): Promise<string | undefined> {
  const digest = await registryDigest(image).catch((error: Error) => error);
  const deployed = `sha256:${checksum.slice(2).toLowerCase()}`;
  if (digest instanceof Error)
    return `cannot read the digest of ${image} from its registry (${digest.message}): the deployed checksum ${checksum} is unchecked`;
  if (digest === deployed) return undefined;
  // publish.sh never re-pushes a tag for this reason: no worker compares what it pulls with the deployed
  // checksum (iexec-worker pulls by tag; the TDX secret agent runs with a null verifier).
  return `THE IMAGE IS NOT THE DEPLOYED ONE: ${image} is ${digest} on its registry, the app on chain says ${deployed}. A real worker runs it anyway, silently (it pulls by tag and never checks the checksum): publish a new version and deploy it`;
}

function containerExec(engine: string, image: string, timeoutMs: number): AppChoice['exec'] {
  return async ({ argv, env, inDir, outDir, dir, stdoutFile, stderrFile }) => {
    // The worker mounts the task's folders on /iexec_in and /iexec_out (iexec-common IexecFileHelper)
    // and passes the args as the container's command (iexec-commons-containers DockerClientInstance).
    const seen = Object.fromEntries(
      Object.entries(env).map(([name, value]) => [name, value === inDir ? '/iexec_in' : value === outDir ? '/iexec_out' : value]),
    );
    // A name to stop the container by: it lives outside the process group of the client that started it.
    const name = `iexec-module-task-${randomBytes(6).toString('hex')}`;
    const args = ['run', '--rm', '--name', name, '--platform', 'linux/amd64', '-v', `${inDir}:/iexec_in:z`, '-v', `${outDir}:/iexec_out:z`];
    // `-e NAME` takes the value from the engine's own environment: no secret on a command line.
    for (const variable of Object.keys(seen)) args.push('-e', variable);
    const run = await runProcess(engine, [...args, image, ...argv], {
      env: { ...process.env, ...seen },
      cwd: dir,
      timeoutMs,
      stdoutFile,
      stderrFile,
      cleanup: [engine, 'rm', '-f', name],
    });
    return { ...run, env: seen };
  };
}
