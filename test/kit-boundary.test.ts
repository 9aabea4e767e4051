import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAnswers } from '../src/answers.js';
import { createManifest, manifestText } from '../src/manifest.js';
import { generatorVersion, templatesDir } from '../src/paths.js';
import { repoRoot } from './helpers/cli.js';
import { render } from './helpers/module.js';

/*
 * A module holds its app, not our tooling: the generic scripts live in iexec-module-kit, which the
 * module names at the generator's version. These bounds are the issue's, on a default TDX module
 * named like a real one.
 */
describe('a default TDX module, next to the kit', () => {
  const given = { name: 'my-iexec-module' };

  it('keeps at most ~150 lines of tooling under scripts/ and no import of the SDK internals', async () => {
    const files = await render(given);
    const scripts = Object.entries(files).filter(([path]) => path.startsWith('scripts/'));
    const lines = scripts.reduce((sum, [, text]) => sum + text.split('\n').length, 0);
    expect(lines, scripts.map(([path]) => path).join(', ')).toBeLessThanOrEqual(150);
    expect(Object.entries(files).filter(([, text]) => text.includes('iexec/dist'))).toEqual([]);
  });

  // The pristine copies used to cost as much as the files (a 40 kB cap held the README down): they are
  // compressed now, so documentation grows the manifest by about half its size, and .gitattributes
  // keeps their one line out of `git diff`.
  it('records the pristine copies compressed: new documentation costs the manifest about half its size', async () => {
    const files = await render(given);
    const answers = await resolveAnswers(given, { directory: '/modules/my-iexec-module' });
    const size = (recorded: Record<string, string>) => Buffer.byteLength(manifestText(createManifest(generatorVersion, answers, recorded)));
    const bytes = (text: string) => Buffer.byteLength(text);
    expect(size(files)).toBeLessThanOrEqual(0.55 * Object.values(files).reduce((n, text) => n + bytes(text), 0));
    // Prose the module does not hold yet: this repository's CONTRIBUTING.md, appended to its README.
    const prose = await readFile(join(repoRoot, 'CONTRIBUTING.md'), 'utf8');
    expect(size({ ...files, 'README.md': `${files['README.md']}\n${prose}` }) - size(files)).toBeLessThanOrEqual(0.55 * bytes(prose));
  });

  it('names the kit at the generator version, as a registry install writes it', async () => {
    const files = await render(given, { templates: templatesDir, version: generatorVersion, kit: { spec: generatorVersion } });
    expect(JSON.parse(files['package.json']!).devDependencies['iexec-module-kit']).toBe(generatorVersion);
  });
});
