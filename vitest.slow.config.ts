import { defineConfig } from 'vitest/config';

// Suites too slow for `npm test` (real registries, cold installs): `npm run test:registry`.
export default defineConfig({
  test: {
    include: ['test/**/*.slow.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
