import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `source` export condition.
// `module` (a bundlers' condition) is left out, as Node does: @opentelemetry/api's `module` build
// has extensionless imports Node cannot load.
const conditions = ['source', ...defaultServerConditions.filter((name) => name !== 'module')];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{functions,eventing,scripts,sites,e2e}/**/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
          env: { SHOP_TEST_INFRA: 'embedded' },
          // Workers run file after file: one module graph per worker instead of per file, and
          // testDatabase() hands out the worker's PGlites again instead of starting new ones.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{functions,eventing,scripts,sites,e2e}/**/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
          env: { SHOP_TEST_INFRA: 'real' },
          globalSetup: ['./scripts/src/require-infra.ts'],
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Suites that disturb the shared infrastructure (they stop and restart Kafka) run
        // after all others, one file at a time.
        extends: true,
        test: {
          name: 'integration-disruptive',
          include: ['{functions,eventing,scripts,sites,e2e}/**/src/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          env: { SHOP_TEST_INFRA: 'real' },
          globalSetup: ['./scripts/src/require-infra.ts'],
          sequence: { groupOrder: 2 },
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
