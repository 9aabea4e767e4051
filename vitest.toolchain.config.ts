import { defineConfig } from 'vitest/config';

// The module's toolchain for real (containers, registry, local chain): `npm run test:toolchain`.
// Needs root and the packages and base images scripts/ci-containers.sh installs; 3 to 6 minutes on 2 cores.
export default defineConfig({
  test: {
    include: ['test/toolchain/**/*.toolchain.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
