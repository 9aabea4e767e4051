import { defineConfig } from 'vitest/config';

// The module's args splitter against the real Java classes the iExec worker uses: `npm run test:fidelity`.
// Needs a JDK and Debian's maven-shared-utils and commons-lang3, which scripts/ci-java.sh installs.
export default defineConfig({
  test: {
    include: ['test/fidelity/**/*.fidelity.ts'],
    testTimeout: 60_000,
  },
});
