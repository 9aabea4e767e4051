import { defineConfig } from 'vitest/config';

// `npm test`: everything that needs no package install and no network, in about a minute.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'kit/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
