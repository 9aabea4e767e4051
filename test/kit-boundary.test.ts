import { describe, expect, it } from 'vitest';
import { resolveAnswers } from '../src/answers.js';
import { createManifest, manifestText } from '../src/manifest.js';
import { generatorVersion, templatesDir } from '../src/paths.js';
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

  // 41 kB since modules carry their CI workflow (about 1 kB of it).
  it('keeps its manifest, pristine copies included, under 41 kB', async () => {
    const files = await render(given);
    const answers = await resolveAnswers(given, { directory: '/modules/my-iexec-module' });
    const size = Buffer.byteLength(manifestText(createManifest(generatorVersion, answers, files)));
    expect(size).toBeLessThanOrEqual(41_000);
  });

  it('names the kit at the generator version, as a registry install writes it', async () => {
    const files = await render(given, { templates: templatesDir, version: generatorVersion, kit: { spec: generatorVersion } });
    expect(JSON.parse(files['package.json']!).devDependencies['iexec-module-kit']).toBe(generatorVersion);
  });
});
