export const repoRoot: string;

export interface LocalRegistry {
  url: string;
  dir: string;
  log(): string;
  publish(tarball: string): void;
  stop(): Promise<void>;
}

export function startRegistry(): Promise<LocalRegistry>;

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

export function packPackage(destination: string): Packed;

export function packKit(destination: string): Packed;

export function newUser(options: { registry: string; npmCache?: string; home?: string }): {
  home: string;
  env: Record<string, string>;
};

export function packageJson(): { name: string; version: string; [key: string]: unknown };
