import { defineConfig } from 'vitest/config';

/**
 * unit: pure code, beside the sources. integration/http/e2e: against a real PostgreSQL (embedded, or the
 * machine's via GRANARY_TEST_DATABASE_URL) started once in global setup.
 */
export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'web/src/**/*.test.ts', 'bench/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/http/**/*.test.ts', 'test/scenarios/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // The bill-run console test once (1 in ~6 runs) saw the approval not reach the page within 15 s;
          // not yet explained. One retry keeps CI honest about real failures (a retry must pass fully).
          retry: 1,
        },
      },
    ],
  },
});
