import { defineConfig } from 'vitest/config';

/** Kinds of test, one project each: `vitest run --project unit` runs the pure ones with neither Java nor Chromium. */
const unitEnv = ['test/setup-unit-env.ts'];
// The local SES once per project that needs it; a DynamoDB Local per test file (test/setup-integration.ts).
const localStack = { globalSetup: ['test/global-setup.ts'], setupFiles: ['test/setup-integration.ts'] };

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One test file at a time: two heavy files side by side (the scorer's chaos suite, a 1,000-response erasure, 50
    // concurrent submissions) starve each other into the handlers' timeouts on a 2-core machine. Within a file,
    // tests still run their own concurrency.
    maxWorkers: 1,
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
