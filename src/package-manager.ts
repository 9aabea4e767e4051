export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** `npm create`, `pnpm create` and `yarn create` each announce themselves in npm_config_user_agent. */
export function packageManagerFromUserAgent(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split('/')[0];
  return PACKAGE_MANAGERS.find((pm) => pm === name) ?? 'npm';
}

/**
 * Commands of pnpm 10 and yarn 1 that `pnpm <name>` / `yarn <name>` run instead of a script of that name
 * (pnpm's and yarn's CLI references): `pnpm deploy` is pnpm's own deploy, `pnpm doctor` its own doctor.
 */
const BUILT_IN: Record<PackageManager, ReadonlySet<string>> = {
  npm: new Set(),
  pnpm: new Set([
    'add',
    'audit',
    'bin',
    'cache',
    'config',
    'create',
    'dedupe',
    'deploy',
    'dlx',
    'doctor',
    'env',
    'exec',
    'fetch',
    'import',
    'init',
    'install',
    'licenses',
    'link',
    'list',
    'ls',
    'outdated',
    'pack',
    'patch',
    'prune',
    'publish',
    'rebuild',
    'remove',
    'root',
    'run',
    'self-update',
    'server',
    'setup',
    'store',
    'unlink',
    'update',
    'why',
  ]),
  yarn: new Set([
    'add',
    'audit',
    'autoclean',
    'bin',
    'cache',
    'check',
    'config',
    'create',
    'exec',
    'generate-lock-entry',
    'global',
    'help',
    'import',
    'info',
    'init',
    'install',
    'licenses',
    'link',
    'list',
    'login',
    'logout',
    'node',
    'outdated',
    'owner',
    'pack',
    'policies',
    'publish',
    'remove',
    'run',
    'tag',
    'team',
    'unlink',
    'unplug',
    'upgrade',
    'upgrade-interactive',
    'version',
    'versions',
    'why',
    'workspace',
    'workspaces',
  ]),
};

/**
 * The line that runs a package.json script, as the module's README and scripts print it: npm alone
 * needs `--` before the script's arguments (pnpm and yarn would pass the `--` on too), and pnpm and
 * yarn need `run` before a script named like one of their own commands.
 */
export function scriptLine(pm: PackageManager, script: string, args = ''): string {
  const run = pm === 'npm' || BUILT_IN[pm].has(script) ? `${pm} run` : pm;
  return [run, script, ...(args && pm === 'npm' ? ['--'] : []), ...(args ? [args] : [])].join(' ');
}

/**
 * A new module's dependencies were all resolved recently by someone on this machine, most likely:
 * --prefer-offline trusts the cache instead of asking the registry about every package again
 * (measured: 33 s down to 12 s for the iexec SDK's tree on a warm cache).
 */
export function installArgs(pm: PackageManager): string[] {
  if (pm === 'npm') return ['install', '--prefer-offline', '--no-audit', '--no-fund'];
  // yarn 1 alone fails on a dependency's engines field: iexec 9 pulls @inquirer/* releases that ask
  // for Node 22, while npm and pnpm pick or merely warn. Make yarn warn too.
  return pm === 'yarn' ? ['install', '--prefer-offline', '--ignore-engines'] : ['install', '--prefer-offline'];
}
