import { inject } from 'vitest';
import { applyTestEnv } from './test-env.ts';

/** Integration kinds: the endpoints of the DynamoDB Local and local SES that test/global-setup.ts started. */
export { TEST_ADMIN_TOKEN, TEST_KEYRING } from './test-env.ts';

applyTestEnv({
  tableName: inject('tableName'),
  dynamoDbEndpoint: inject('dynamoDbEndpoint'),
  sesEndpoint: inject('sesEndpoint'),
});
