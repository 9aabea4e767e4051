import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// `npm test`: everything that needs no package install and no network, in about a minute.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'kit/test/**/*.test.ts'],
    // Modules as an older generator wrote them, to upgrade: their own tests run only inside them.
    // The local network's suites need minutes and the real iexec CLIs: `npm run test:localnet`.
    exclude: ['test/fixtures/**', 'kit/test/localnet-*.test.ts', '**/node_modules/**'],
    // The files wait on child processes (the CLI, bash, shellcheck, git) more than they compute:
    // vitest's default of one worker fewer than cores leaves a 2-core machine half idle.
    maxWorkers: availableParallelism() + 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
