import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Bundles the app once for every test file (tests/global-setup.ts).
  test: { globalSetup: 'tests/global-setup.ts' },
});
