import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One project per suite, one file suffix per project. `npm test` runs `unit`; each slow suite has its
// npm script (`npm run test:<project>`) with the install step it needs. A bare `npx vitest run` runs
// them all, one project after the other (sequence.groupOrder), which only a CI-like machine can do.
const SLOW = { testTimeout: 600_000, hookTimeout: 600_000 };

export default defineConfig({
  test: {
    projects: [
      {
        // Everything that needs no package install and no network, in about a minute.
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'kit/test/**/*.test.ts'],
          // Modules as an older generator wrote them, to upgrade: their own tests run only inside them.
          exclude: ['test/fixtures/**', '**/node_modules/**'],
          // The files wait on child processes (the CLI, bash, shellcheck, git) more than they compute:
          // one worker per core leaves a 2-core machine half idle.
          maxWorkers: availableParallelism() + 1,
          sequence: { groupOrder: 0 },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Modules installed for real, then built, tested and run: minutes, and the npm registry.
        test: { name: 'e2e', include: ['test/**/*.e2e.ts'], sequence: { groupOrder: 1 }, ...SLOW },
      },
      {
        // The module's args splitter against the real Java classes the iExec worker uses: a JDK and
        // Debian's maven-shared-utils and commons-lang3 (scripts/ci-java.sh).
        test: { name: 'fidelity', include: ['test/**/*.fidelity.ts'], sequence: { groupOrder: 2 }, testTimeout: 60_000 },
      },
      {
        // The module's toolchain for real (containers, registry, local chain): root and the packages and
        // base images scripts/ci-containers.sh installs; 3 to 6 minutes on 2 cores.
        test: { name: 'toolchain', include: ['test/**/*.toolchain.ts'], sequence: { groupOrder: 3 }, ...SLOW },
      },
      {
        // The kit's local iExec network driven by the real iexec CLIs, 9.0.1 and 8.24.0, installed from
        // npm into node_modules/.cache on the first run, with anvil and PoCo's package (kit/test/localnet/);
        // the same network from a module owner's seat, through the generated modules' own scripts, the
        // published image through Podman and a loopback registry (test/localnet/README.md).
        test: {
          name: 'localnet',
          include: ['kit/test/**/*.localnet.ts', 'test/**/*.localnet.ts'],
          env: { IEXEC_LOCALNET_TESTS: '1' },
          // One network at a time: the suites print their start and task times, which a second one would skew.
          fileParallelism: false,
          sequence: { groupOrder: 4 },
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        // Real registries and cold installs: the release to a loopback verdaccio, then every `create`.
        test: { name: 'registry', include: ['test/**/*.registry.ts'], sequence: { groupOrder: 5 }, ...SLOW },
      },
    ],
  },
});
