import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'kit/test/**/*.test.ts'],
    // The end-to-end files install real modules: minutes, not milliseconds.
    testTimeout: 30_000,
    hookTimeout: 600_000,
  },
});
