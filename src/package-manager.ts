export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** `npm create`, `pnpm create` and `yarn create` each announce themselves in npm_config_user_agent. */
export function packageManagerFromUserAgent(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split('/')[0];
  return PACKAGE_MANAGERS.find((pm) => pm === name) ?? 'npm';
}

/** The words that run a package.json script, as the module's README and scripts should print them. */
export function runScriptCommand(pm: PackageManager): string {
  return pm === 'npm' ? 'npm run' : pm;
}

export function installArgs(pm: PackageManager): string[] {
  return pm === 'npm' ? ['install', '--no-audit', '--no-fund'] : ['install'];
}
