import { defineConfig } from 'vitest/config';

/**
 * Three lanes, each runnable alone (`npm run test:unit|test:integration|test:e2e`);
 * `npm test` runs all three.
 * - unit: colocated `src/**\/*.test.ts` and `test/unit/`; no database, no global setup.
 * - integration: the rest of `test/`, against one PostgreSQL per run
 *   (TEST_DATABASE_URL, else an embedded cluster) started by test/global-setup.ts.
 * - e2e: `test/e2e/`, Wardroom as spawned processes; the console is built once first.
 * Types are checked by `npm run typecheck` (tsc), not by Vitest.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/e2e/**'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/build-console.ts'],
        },
      },
    ],
  },
});
