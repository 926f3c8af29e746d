import { afterAll, inject } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '../lib/local/create-table.ts';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { freePort } from '../lib/local/ports.ts';
import { localCredentials } from '../functions/runtime/clients.ts';
import { applyTestEnv, TEST_STREAM_ARN_ENV } from './test-env.ts';

/**
 * Integration kinds: a DynamoDB Local of this test file's own, with the table and its stream, and the run's local
 * SES (test/global-setup.ts). A database per file, not per run: DynamoDB Local does its stream bookkeeping on
 * every write in one SQLite queue, and that work grows with everything written before, so one file's volume (the
 * scorer's chaos suite writes 10,000 responses) would stall every later file's requests for seconds at a time.
 */
const TEST_TABLE = 'feedback-test';

const dynamo = await startDynamoDbLocal({ port: await freePort() });
afterAll(() => dynamo.stop());
const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
const { streamArn } = await createTable(client, TEST_TABLE);
client.destroy();
process.env[TEST_STREAM_ARN_ENV] = streamArn;

applyTestEnv({ tableName: TEST_TABLE, dynamoDbEndpoint: dynamo.endpoint, sesEndpoint: inject('sesEndpoint') });
