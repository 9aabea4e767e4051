import { defineConfig } from 'vitest/config';

// The module's toolchain for real (containers, registry, local chain): `npm run test:toolchain`.
// Needs root and the packages and base images scripts/ci-containers.sh installs; about 4 minutes.
export default defineConfig({
  test: {
    include: ['test/toolchain/**/*.toolchain.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
