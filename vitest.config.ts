import { defineConfig } from 'vitest/config';

/** Kinds of test, one project each: `vitest run --project unit` runs the pure ones with neither Java nor Chromium. */
const unitEnv = ['test/setup-unit-env.ts'];
// Starts DynamoDB Local and the local SES once per project that needs them; their endpoints reach tests via setup-env.
const localStack = { globalSetup: ['test/global-setup.ts'], setupFiles: ['test/setup-env.ts'] };

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: two workers keep DynamoDB Local's JVM responsive.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: unitEnv } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], setupFiles: unitEnv } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts', 'test/http/**/*.test.ts'], ...localStack },
      },
      // Pages in Chromium, against the local stack.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...localStack } },
    ],
  },
});
