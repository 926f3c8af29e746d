import { inject } from 'vitest';
import { ENV } from '../functions/runtime/env.ts';

/** Handlers read their env at module load, so it is set before any test file imports one. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_KEYRING = { activeKid: 'test-1', 'test-1': 'test-signing-secret-0123456789' };

Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
  [ENV.tableName]: inject('tableName'),
  [ENV.dynamodbEndpoint]: inject('dynamoDbEndpoint'),
  [ENV.sesEndpoint]: inject('sesEndpoint'),
  [ENV.adminToken]: TEST_ADMIN_TOKEN,
  [ENV.signingKeys]: JSON.stringify(TEST_KEYRING),
  // The appreciation mailer's settings, as the stack would set them from cdk.json; a high rate keeps tests quick.
  [ENV.senderAddress]: 'feedback@example.com',
  [ENV.replyToAddress]: 'support@example.com',
  [ENV.teamAddress]: 'team@example.com',
  [ENV.maxSendRate]: '200',
  [ENV.campaignOffers]: JSON.stringify({ birthday: 'BDAY-10: 10% off your next order' }),
});
