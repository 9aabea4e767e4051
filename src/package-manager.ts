export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** `npm create`, `pnpm create` and `yarn create` each announce themselves in npm_config_user_agent. */
export function packageManagerFromUserAgent(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split('/')[0];
  return PACKAGE_MANAGERS.find((pm) => pm === name) ?? 'npm';
}

/**
 * The line that runs a package.json script, as the module's README and scripts print it: npm alone
 * needs `--` before the script's arguments (pnpm and yarn would pass the `--` on too).
 */
export function scriptLine(pm: PackageManager, script: string, args = ''): string {
  return [pm === 'npm' ? 'npm run' : pm, script, ...(args && pm === 'npm' ? ['--'] : []), ...(args ? [args] : [])].join(' ');
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
