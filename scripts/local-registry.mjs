// A throwaway npm registry on loopback (verdaccio) holding the packed create-iexec-module and
// iexec-module-kit, and the environment of a new user pointed at it. Shared by test/registry/release.registry.ts
// and scripts/bench.mjs.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { packGenerator, packKit as packKitAs, repoRoot } from './pack.mjs';

export { repoRoot };
const bin = (name) => join(repoRoot, 'node_modules/.bin', name);

/** The registry the machine normally uses: the local one proxies it for everything but our package. */
function publicRegistry() {
  return execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', env: cleanEnv() }).trim();
}

/** The caller's environment without what `npm run` adds (npm_config_*, npm_package_*, node_modules/.bin on PATH). */
export function cleanEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|INIT_CWD$|NODE_OPTIONS$|VITEST|TEST$|NODE_ENV$)/i.test(key)) env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => !p.includes('node_modules/.bin'))
    .join(delimiter);
  return env;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url, child, log) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${url}-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not answer on ${url} within 60 s:\n${log()}`);
}

/** Served only from the local registry: never merged with a public copy, so what installs is what was published here. */
export const LOCAL_PACKAGES = ['create-iexec-module', 'iexec-module-kit'];

/** verdaccio's configuration; the packages in `refusePublish` can be read but not published. */
function configText(dir, refusePublish) {
  const local = LOCAL_PACKAGES.map(
    (name) => `  '${name}':\n    access: $all\n    publish: ${refusePublish.includes(name) ? 'nobody-may-publish' : '$authenticated'}\n`,
  );
  return `storage: ${join(dir, 'storage')}
auth:
  htpasswd:
    file: ${join(dir, 'htpasswd')}
    max_users: 10
uplinks:
  public:
    url: ${publicRegistry()}
    timeout: 120s
    max_fails: 20
    fail_timeout: 5s
    maxage: 30m
packages:
${local.join('')}  '**':
    access: $all
    publish: $authenticated
    proxy: public
server:
  keepAliveTimeout: 60
web:
  enable: false
log: { type: stdout, format: pretty, level: warn }
`;
}

/**
 * Starts verdaccio on 127.0.0.1 with its storage in a temp folder. LOCAL_PACKAGES are served only
 * from here; every other package is proxied to the public registry and cached in the storage, so the
 * second install of a tree no longer leaves the machine. `refusePublish` names local packages whose
 * publication fails (403), as a registry that refuses one of two publishes does.
 */
export async function startRegistry({ refusePublish = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cim-registry-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(dir, 'config.yaml');
  let child;
  let output = '';
  const start = async (refused) => {
    writeFileSync(config, configText(dir, refused));
    child = spawn(process.execPath, [bin('verdaccio'), '--config', config, '--listen', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv(),
    });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    await waitUntilUp(url, child, () => output);
  };
  const halt = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  await start(refusePublish);

  const user = await fetch(`${url}-/user/org.couchdb.user:ci`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ci', password: 'not-a-secret', email: 'ci@example.invalid' }),
  });
  if (!user.ok) throw new Error(`verdaccio refused the test user: ${user.status} ${await user.text()}`);
  const { token } = await user.json();
  // What `npm login --registry URL` leaves in a user's ~/.npmrc.
  const npmrc = join(dir, 'publish.npmrc');
  writeFileSync(npmrc, `//127.0.0.1:${port}/:_authToken=${token}\n`);

  return {
    url,
    dir,
    npmrc,
    log: () => output,
    /** npm publish of a packed tarball, with the test user's token. */
    publish(tarball) {
      execFileSync('npm', ['publish', tarball, '--userconfig', npmrc, '--registry', url, '--tag', 'latest'], {
        env: cleanEnv(),
        stdio: 'pipe',
      });
    },
    /** The same registry (port, storage, users) started again, refusing to publish what `refusePublish` names. */
    async restart(options = {}) {
      await halt();
      await start(options.refusePublish ?? []);
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `npm pack` of the generator into `destination`, as a new user's npm would run it. */
export function packPackage(destination) {
  return packGenerator(destination, cleanEnv());
}

/** `npm pack` of kit/ into `destination`: what `npm publish` from kit/ uploads. */
export function packKit(destination) {
  return packKitAs(destination, cleanEnv());
}

/**
 * A new user's environment: an empty HOME (so no ~/.npmrc, yarn or pnpm state of ours), the
 * registry set the way each package manager reads it, an npm cache of the caller's choosing, a git
 * identity, and on PATH only the system tools plus pnpm and yarn (this repository's devDependencies).
 */
export function newUser({ registry, npmCache, home = mkdtempSync(join(tmpdir(), 'cim-home-')) }) {
  const tools = join(home, '.tools');
  mkdirSync(tools, { recursive: true });
  for (const tool of ['pnpm', 'yarn']) {
    try {
      symlinkSync(bin(tool), join(tools, tool));
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
  }
  const base = cleanEnv();
  const env = {
    ...base,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    PATH: [tools, dirname(process.execPath), base.PATH].join(delimiter),
    npm_config_registry: registry,
    YARN_REGISTRY: registry,
    npm_config_cache: npmCache ?? join(home, '.npm'),
    // `yarn create` installs globally: keep its global folder and bin links inside this HOME.
    npm_config_prefix: join(home, '.local'),
    npm_config_update_notifier: 'false',
    GIT_AUTHOR_NAME: 'New User',
    GIT_AUTHOR_EMAIL: 'new.user@example.com',
    GIT_COMMITTER_NAME: 'New User',
    GIT_COMMITTER_EMAIL: 'new.user@example.com',
    NO_COLOR: '1',
  };
  // Someone at a terminal, not a CI job: package managers change defaults under CI (pnpm freezes the lockfile).
  delete env.CI;
  return { home, env };
}

/** The package's own manifest, as a published copy of it would read. */
export function packageJson() {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
}
