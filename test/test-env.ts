import { ENV } from '../functions/runtime/env.ts';

/** The env every test kind shares; handlers read their env at module load, so a setup file sets it first. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_KEYRING = { activeKid: 'test-1', 'test-1': 'test-signing-secret-0123456789' };

/** Integration kinds: the env var holding the stream of the file's table (test/setup-integration.ts sets it). */
export const TEST_STREAM_ARN_ENV = 'TEST_STREAM_ARN';
export const testStreamArn = (): string => {
  const arn = process.env[TEST_STREAM_ARN_ENV];
  if (!arn) throw new Error('No test table stream: only integration and e2e tests (test/setup-integration.ts) have one.');
  return arn;
};

export interface TestEndpoints {
  tableName: string;
  dynamoDbEndpoint: string;
  sesEndpoint: string;
}

export function applyTestEnv(endpoints: TestEndpoints) {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
    [ENV.tableName]: endpoints.tableName,
    [ENV.dynamodbEndpoint]: endpoints.dynamoDbEndpoint,
    [ENV.sesEndpoint]: endpoints.sesEndpoint,
    [ENV.adminToken]: TEST_ADMIN_TOKEN,
    [ENV.signingKeys]: JSON.stringify(TEST_KEYRING),
    // The appreciation mailer's settings, as the stack would set them from cdk.json; a high rate keeps tests quick.
    [ENV.senderAddress]: 'feedback@example.com',
    [ENV.replyToAddress]: 'support@example.com',
    [ENV.teamAddress]: 'team@example.com',
    [ENV.maxSendRate]: '200',
    [ENV.surveyThrottleDays]: '30',
    // Webhook receivers in tests listen on 127.0.0.1, as lib/local allows.
    [ENV.localWebhooks]: '1',
    [ENV.campaignOffers]: JSON.stringify({ birthday: 'BDAY-10: 10% off your next order' }),
  });
}
