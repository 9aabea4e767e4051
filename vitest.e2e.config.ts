import { defineConfig } from 'vitest/config';

// Modules installed for real, then built, tested and run (`npm run test:e2e`): minutes, and the npm registry.
export default defineConfig({
  test: {
    include: ['test/**/*.e2e.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
