import { describe, expect, it } from 'vitest';
import { FEATURES, type Feature, parseFeatures } from '../src/features.js';
import { render } from './helpers/module.js';

/** Words that only the code of one feature uses: none may appear in a module without that feature. */
const TRACES: Record<Feature, RegExp> = {
  args: /ctx\.args|splitArgs|--args/,
  'input-files': /IEXEC_INPUT_FILE_NAME|inputFiles|input-file/,
  'requester-secrets': /IEXEC_REQUESTER_SECRET|requesterSecret|requester-secret/,
  'app-secret': /IEXEC_APP_DEVELOPER_SECRET|appSecret|app-secret/,
  'protected-data': /IEXEC_DATASET|dataprotector|protectedData|protected-data/i,
  bulk: /IEXEC_BULK_SLICE_SIZE|ctx\.bulk|--bulk/,
  callback: /callback/i,
};

const WORKER_EMULATION = ['tests/run.sh'];

describe('every combination of features, rendered', () => {
  const combinations = Array.from({ length: 2 ** FEATURES.length }, (_, mask) => FEATURES.filter((_f, i) => mask & (1 << i))).filter(
    (features) => !features.includes('bulk') || features.includes('protected-data'),
  );

  it(`leaves no trace of an unselected feature in any of the ${combinations.length} combinations`, { timeout: 60_000 }, async () => {
    const offenders = new Set<string>();
    for (const features of combinations) {
      expect(parseFeatures(features)).toEqual(features);
      const files = await render({ name: 'combination', features });
      const pkg = JSON.parse(files['package.json']!);
      expect(Boolean(pkg.dependencies?.['@iexec/dataprotector-deserializer']), features.join(',')).toBe(
        features.includes('protected-data'),
      );
      // The worker emulation handles every part of the contract, whatever the app reads: the real
      // worker passes args and sets IEXEC_DATASET_* for every task, and PoCo judges callback-data on any.
      for (const [file, text] of Object.entries(files).filter(([f]) => !WORKER_EMULATION.includes(f))) {
        // The callback opt-in is a task arg (--callback), so a callback module speaks of args too.
        const absent = FEATURES.filter((f) => !features.includes(f) && !(f === 'args' && features.includes('callback')));
        for (const feature of absent) {
          if (TRACES[feature].test(text)) offenders.add(`${file} mentions ${feature} (${features.join(',') || 'none'})`);
        }
      }
    }
    expect([...offenders]).toEqual([]);
  });

  it('writes no blank line where a left-out part was: never two in a row, none at the start of a file', async () => {
    const offenders = new Set<string>();
    for (const [tee, chain] of [
      ['tdx', 'arbitrum-sepolia-testnet'],
      ['scone', 'bellecour'],
    ] as const) {
      for (const features of combinations) {
        const files = await render({ name: 'combination', tee, chain, features }).catch(() => undefined);
        for (const [file, text] of Object.entries(files ?? {})) {
          if (/\n\n\n/.test(text) || text.startsWith('\n')) offenders.add(`${file} (${tee}: ${features.join(',') || 'none'})`);
        }
      }
    }
    expect([...offenders]).toEqual([]);
  });
});
