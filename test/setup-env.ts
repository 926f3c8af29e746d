/** What integration tests import about their env; test/setup-integration.ts sets it up, once per file. */
export { TEST_ADMIN_TOKEN, TEST_KEYRING } from './test-env.ts';
