import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root, from src/ (tests) or dist/ (the bundled CLI): both sit one level down. */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

export const generatorVersion: string = JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')).version;
