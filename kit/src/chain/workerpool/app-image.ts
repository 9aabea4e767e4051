/*
 * What the local worker runs for a task: the deployed image, pulled as a worker pulls it; where no
 * image can run here (no container engine, a SCONE enclave, an app deployed before its image was
 * published), the bundle of the module that deployed the app, said loudly. A pull that fails where an
 * engine exists fails as it does on a worker.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
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

/** The worker stops an app after its category's time (iexec-worker: the container's max execution time, PoCo category workClockTimeRef). */
function spawnApp(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<AppExit & { timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, timedOut });
    });
  });
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

const isLoopbackRegistry = (image: string) => /^(127\.\d+\.\d+\.\d+|localhost)(:\d+)?\//.test(image);

/** An image reference's registry, repository and tag, with Docker's defaults (docker.io, library/, latest). */
export function parseImage(image: string): { registry: string; repository: string; reference: string } {
  const at = image.indexOf('@');
  const name = at === -1 ? image : image.slice(0, at);
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const explicit = first.includes('.') || first.includes(':') || first === 'localhost';
  let rest = explicit ? name.slice(slash + 1) : name;
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : 'latest';
  if (colon > rest.lastIndexOf('/')) rest = rest.slice(0, colon);
  const registry = explicit ? first : 'registry-1.docker.io';
  const repository = !explicit && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, repository, reference: at === -1 ? tag : image.slice(at + 1) };
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * The digest a registry serves for an image's tag (Docker Registry HTTP API v2: HEAD
 * /v2/<repository>/manifests/<tag>, header Docker-Content-Digest), anonymously as a public pull is;
 * what publish.sh records as the app checksum. Loopback registries speak plain HTTP.
 */
export async function registryDigest(image: string): Promise<string> {
  const { registry, repository, reference } = parseImage(image);
  const url = `${isLoopbackRegistry(`${registry}/`) ? 'http' : 'https'}://${registry}/v2/${repository}/manifests/${reference}`;
  const head = (authorization?: string) =>
    fetch(url, { method: 'HEAD', headers: { accept: MANIFEST_TYPES, ...(authorization && { authorization }) }, signal: AbortSignal.timeout(15_000) });
  let response = await head();
  const challenge = response.headers.get('www-authenticate');
  if (response.status === 401 && challenge?.startsWith('Bearer ')) {
    // The token dance of a public image (Docker Registry token authentication).
    const fields = Object.fromEntries([...challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]));
    const tokenUrl = new URL(fields.realm ?? '');
    if (fields.service) tokenUrl.searchParams.set('service', fields.service);
    tokenUrl.searchParams.set('scope', fields.scope ?? `repository:${repository}:pull`);
    const token = (await (await fetch(tokenUrl, { signal: AbortSignal.timeout(15_000) })).json()) as { token?: string; access_token?: string };
    response = await head(`Bearer ${token.token ?? token.access_token}`);
  }
  const digest = response.headers.get('docker-content-digest');
  if (!response.ok || !digest) throw new Error(`HTTP ${response.status} for ${url}`);
  return digest;
}

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
      exec: async ({ argv, env, dir }) => {
        if (!fs.existsSync(bundle)) throw new Error(`the bundle ${bundle} is not built: run npm run build in the module that deployed ${address}`);
        return spawnApp(process.execPath, [bundle, ...argv], env, dir, timeoutMs);
      },
    };
  }

  async choose(address: string, app: DeployedApp, options: { scone: boolean; timeoutMs: number }): Promise<AppChoice | AppUnavailable> {
    const { timeoutMs } = options;
    const image = app.multiaddr;
    if (options.scone) return this.bundleChoice(address, image, 'the deployed image is a SCONE enclave, which starts inside SGX only', timeoutMs);
    if (/^0x0{64}$/.test(app.checksum)) return this.bundleChoice(address, image, 'the app was deployed before its image was published (its checksum is the placeholder)', timeoutMs);
    const engine = this.getEngine();
    if (!engine) return this.bundleChoice(address, image, 'no container engine here (docker does not answer, podman is not installed)', timeoutMs);
    // The worker pulls the image for every task, by its tag (iexec-worker ComputeManagerService.downloadApp);
    // a failed pull is APP_IMAGE_DOWNLOAD_FAILED (TaskManagerService.downloadApp).
    const pullArgs = ['pull', ...(path.basename(engine).startsWith('podman') && isLoopbackRegistry(image) ? ['--tls-verify=false'] : []), image];
    const pull = await spawnApp(engine, pullArgs, process.env, process.cwd(), 600_000).catch((error: Error) => ({ status: null, stderr: error.message, stdout: '', timedOut: false }));
    if (pull.status !== 0) {
      const reason = pull.timedOut ? 'no answer within 10 min' : pull.stderr.trim().split('\n').pop();
      return { cause: 'APP_IMAGE_DOWNLOAD_FAILED', message: `${engine} cannot pull ${image}: ${reason}` };
    }
    return { runs: `the image ${image} (${engine})`, warning: await digestWarning(image, app.checksum), exec: containerExec(engine, image, timeoutMs) };
  }
}

/** The registry's digest, not the engine's: podman keeps its own for an image it built or pushed. */
async function digestWarning(image: string, checksum: string): Promise<string | undefined> {
  const digest = await registryDigest(image).catch((error: Error) => error);
  const deployed = `sha256:${checksum.slice(2).toLowerCase()}`;
  if (digest instanceof Error) return `cannot read the digest of ${image} from its registry (${digest.message}): the deployed checksum ${checksum} is unchecked`;
  if (digest === deployed) return undefined;
  // publish.sh never re-pushes a tag for this reason: no worker compares what it pulls with the deployed
  // checksum (iexec-worker pulls by tag; the TDX secret agent runs with a null verifier).
  return `THE IMAGE IS NOT THE DEPLOYED ONE: ${image} is ${digest} on its registry, the app on chain says ${deployed}. A real worker runs it anyway, silently (it pulls by tag and never checks the checksum): publish a new version and deploy it`;
}

function containerExec(engine: string, image: string, timeoutMs: number): AppChoice['exec'] {
  return async ({ argv, env, inDir, outDir, dir }) => {
    // The worker mounts the task's folders on /iexec_in and /iexec_out (iexec-common IexecFileHelper)
    // and passes the args as the container's command (iexec-commons-containers DockerClientInstance).
    const seen = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value === inDir ? '/iexec_in' : value === outDir ? '/iexec_out' : value]));
    const args = ['run', '--rm', '--platform', 'linux/amd64', '-v', `${inDir}:/iexec_in:z`, '-v', `${outDir}:/iexec_out:z`];
    // `-e NAME` takes the value from the engine's own environment: no secret on a command line.
    for (const name of Object.keys(seen)) args.push('-e', name);
    const run = await spawnApp(engine, [...args, image, ...argv], { ...process.env, ...seen }, dir, timeoutMs);
    return { ...run, env: seen };
  };
}
