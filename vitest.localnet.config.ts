import { defineConfig } from 'vitest/config';

// `npm run test:localnet`: the kit's local iExec network (iexec-module chain) driven by the real iexec
// CLIs, 9.0.1 and 8.24.0, installed from npm into node_modules/.cache on the first run, with anvil and
// PoCo's package. Minutes, not seconds: not in `npm test`.
// test/localnet/ is the same network from a module owner's seat (issue 12's acceptance): generated
// modules start it with `npm run chain:local` and drive it with their own scripts, the published image
// through Podman and a loopback registry (scripts/ci-containers.sh); test/localnet/README.md.
// kit/test/*.sdk.ts: the iexec wrapper with the same real CLIs, no network needed.
export default defineConfig({
  test: {
    include: ['kit/test/localnet-*.test.ts', 'kit/test/*.sdk.ts', 'test/localnet/**/*.localnet.ts'],
    env: { IEXEC_LOCALNET_TESTS: '1' },
    testTimeout: 180_000,
    hookTimeout: 600_000,
    // One network at a time: the suites print their start and task times, which a second one would skew.
    fileParallelism: false,
  },
});
