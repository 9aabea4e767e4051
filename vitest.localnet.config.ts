import { defineConfig } from 'vitest/config';

// `npm run test:localnet`: the kit's local iExec network (iexec-module chain) driven by the real iexec
// CLIs, 9.0.1 and 8.24.0, installed from npm into node_modules/.cache on the first run, with anvil and
// PoCo's package. Minutes, not seconds: not in `npm test`, where these suites are skipped.
export default defineConfig({
  test: {
    include: ['kit/test/localnet-*.test.ts'],
    env: { IEXEC_LOCALNET_TESTS: '1' },
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
