import { defineConfig } from 'vitest/config';

// `npm test`: everything that needs no package install and no network, in about a minute.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'kit/test/**/*.test.ts'],
    // Modules as an older generator wrote them, to upgrade: their own tests run only inside them.
    exclude: ['test/fixtures/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
