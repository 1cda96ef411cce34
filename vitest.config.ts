import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Unit tests (*.test.ts) run alone, on any machine; integration tests (*.int.test.ts) get radosgw and a
// production build from the global set-up, started only when one of them runs.
export default defineConfig({
  resolve: { alias: { '@': resolve(__dirname) } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // two cores: integration tests start servers of their own
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['lib/**/*.test.ts', 'app/**/*.test.ts', 'scripts/**/*.test.ts'], exclude: ['**/*.int.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['lib/**/*.int.test.ts', 'app/**/*.int.test.ts', 'scripts/**/*.int.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
