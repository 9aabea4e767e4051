export const repoRoot: string;

export interface RegistryOptions {
  /** Local packages whose publication verdaccio refuses (403). */
  refusePublish?: string[];
}

export interface LocalRegistry {
  url: string;
  dir: string;
  /** A userconfig holding the test user's token for this registry, as `npm login` leaves it. */
  npmrc: string;
  log(): string;
  publish(tarball: string): void;
  restart(options?: RegistryOptions): Promise<void>;
  stop(): Promise<void>;
}

export function startRegistry(options?: RegistryOptions): Promise<LocalRegistry>;

export interface Packed {
  tarball: string;
  name: string;
  version: string;
  size: number;
  unpackedSize: number;
  files: string[];
  integrity: string;
}

export const LOCAL_PACKAGES: string[];

/** The caller's environment without what `npm run` adds (npm_config_*, npm_package_*, node_modules/.bin on PATH). */
export function cleanEnv(): Record<string, string>;

export function packPackage(destination: string): Packed;

export function packKit(destination: string): Packed;

export function newUser(options: { registry: string; npmCache?: string; home?: string }): {
  home: string;
  env: Record<string, string>;
};

export function packageJson(): { name: string; version: string; [key: string]: unknown };
