import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Starts DynamoDB Local and the local SES once for the whole run; their endpoints reach tests via setup-env.
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-env.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: two workers keep DynamoDB Local's JVM responsive.
    maxWorkers: 2,
  },
});
