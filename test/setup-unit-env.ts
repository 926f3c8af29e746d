import { applyTestEnv } from './test-env.ts';

/**
 * Pure kinds (unit, infra): no DynamoDB Local, no SES. The endpoints point at a closed port, so a test that
 * reaches for real I/O by mistake fails at once instead of waiting on AWS.
 */
const NOWHERE = 'http://127.0.0.1:9';

applyTestEnv({ tableName: 'feedback-unit', dynamoDbEndpoint: NOWHERE, sesEndpoint: NOWHERE });
