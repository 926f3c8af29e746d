import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { freePort } from '../../lib/local/ports.ts';

/**
 * What every bench starts with: DynamoDB Local on a free port and the environment the handlers read at load
 * (so a bench imports them only after calling this). Returns the endpoint and the admin token it set.
 */
export async function startBenchEnvironment(table: string) {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const adminToken = `bench-admin-${randomBytes(8).toString('hex')}`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    TABLE_NAME: table,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    FEEDBACK_ADMIN_TOKEN: adminToken,
    SIGNING_KEYS: JSON.stringify({ activeKid: 'b1', b1: randomBytes(24).toString('hex') }),
    LOCAL_DLQ_PATH: join(mkdtempSync(join(tmpdir(), 'feedback-bench-')), 'poison.jsonl'),
  });
  return { dynamo, adminToken };
}
