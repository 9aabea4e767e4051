import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

/**
 * A Docker-compatible engine and a registry, both on this machine only, for one test run: Podman's
 * Docker API on a private unix socket (the `docker` client talks to it through DOCKER_HOST) and a
 * CNCF distribution registry (Debian's docker-registry) on 127.0.0.1. scripts/ci-containers.sh
 * installs both and the base images; this starts and stops the services.
 */
export interface Engine {
  /** For the module's scripts: DOCKER_HOST, the registries config, and the namespace on the registry. */
  env: Record<string, string>;
  /** host:port of the registry. */
  registry: string;
  /** The digest the registry serves for repository:tag, as a puller sees it. */
  registryDigest(repository: string, tag: string): Promise<string>;
  /** The tags the registry holds for a repository, sorted ([] when it has none). */
  registryTags(repository: string): Promise<string[]>;
  stop(): Promise<void>;
}

export const BASE_IMAGES = ['docker.io/library/node:22-bookworm-slim', 'docker.io/library/node:22-bullseye-slim'];
const SCONE_REGISTRY = 'registry.scontain.com';

export async function missingPrerequisites(): Promise<string[]> {
  const missing: string[] = [];
  for (const tool of ['podman', 'docker', 'docker-registry']) {
    if ((await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).exitCode !== 0) missing.push(tool);
  }
  if (!missing.includes('podman')) {
    for (const image of BASE_IMAGES) {
      if ((await execa('podman', ['image', 'exists', image], { reject: false })).exitCode !== 0) missing.push(image);
    }
  }
  return missing;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(what: string, ready: () => Promise<boolean>, child: ChildProcess, log: () => string) {
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) throw new Error(`${what} exited with status ${child.exitCode}:\n${log()}`);
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not start within 10 s:\n${log()}`);
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv) {
  let log = '';
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk));
  return { child, log: () => log };
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function startEngine(): Promise<Engine> {
  const dir = await mkdtemp(join(tmpdir(), 'cim-engine-'));
  const port = await freePort();
  const registry = `127.0.0.1:${port}`;

  await writeFile(
    join(dir, 'registry.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${dir}/registry`,
      'http:',
      `  addr: ${registry}`,
      '',
    ].join('\n'),
  );
  // The local registry speaks plain HTTP. The SCONE registry is blocked: this machine has no access to
  // it, and the refusal is immediate instead of a network attempt.
  const registriesConf = join(dir, 'registries.conf');
  await writeFile(
    registriesConf,
    [
      'unqualified-search-registries = ["docker.io"]',
      '[[registry]]',
      `location = "${registry}"`,
      'insecure = true',
      '[[registry]]',
      `location = "${SCONE_REGISTRY}"`,
      'blocked = true',
      '',
    ].join('\n'),
  );
  const socket = join(dir, 'podman.sock');
  const serviceEnv = { ...process.env, CONTAINERS_REGISTRIES_CONF: registriesConf };

  const registryProcess = start('docker-registry', ['serve', join(dir, 'registry.yml')], process.env);
  const service = start('podman', ['system', 'service', '--time=0', `unix://${socket}`], serviceEnv);
  const stop = async () => {
    await stopChild(service.child);
    await stopChild(registryProcess.child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('docker-registry', async () => (await fetch(`http://${registry}/v2/`)).ok, registryProcess.child, registryProcess.log);
    await waitFor('podman system service', async () => existsSync(socket), service.child, service.log);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    registry,
    env: {
      DOCKER_HOST: `unix://${socket}`,
      CONTAINERS_REGISTRIES_CONF: registriesConf,
      DOCKER_NAMESPACE: `${registry}/cim`,
    },
    async registryDigest(repository, tag) {
      const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
        method: 'HEAD',
        headers: {
          accept: ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'].join(', '),
        },
      });
      const digest = response.headers.get('docker-content-digest');
      if (!response.ok || !digest) throw new Error(`the registry has no ${repository}:${tag} (HTTP ${response.status})`);
      return digest;
    },
    async registryTags(repository) {
      const response = await fetch(`http://${registry}/v2/${repository}/tags/list`);
      if (response.status === 404) return [];
      if (!response.ok) throw new Error(`the registry cannot list ${repository} (HTTP ${response.status})`);
      const { tags } = (await response.json()) as { tags: string[] | null };
      return [...(tags ?? [])].sort();
    },
    stop,
  };
}

/**
 * This process's environment without what the slow suites' npm run adds: this repository's
 * node_modules/.bin holds the workspace's own iexec-module, which would answer for a module whose kit
 * did not install (test/toolchain and test/localnet).
 */
export function moduleUserEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(npm_|INIT_CWD$|NODE_OPTIONS$|VITEST|TEST$|NODE_ENV$)/i.test(key)) env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.includes('node_modules/.bin'))
    .join(delimiter);
  return env;
}

/** Removes the images a suite built and pulled (all under 127.0.0.1:PORT/cim/): vfs keeps a full copy per layer. */
export async function removeSuiteImages(): Promise<void> {
  const images = await execa('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { reject: false });
  const ours = images.stdout.split('\n').filter((ref) => /^127\.0\.0\.1:\d+\/cim\//.test(ref));
  if (ours.length > 0) await execa('podman', ['rmi', '--force', ...ours], { reject: false });
  await execa('podman', ['image', 'prune', '--force'], { reject: false });
}
