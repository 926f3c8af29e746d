import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localCredentials } from '../../functions/runtime/clients.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { createTable } from '../../lib/local/create-table.ts';
import { startStreamConsumers } from '../../lib/local/stream-poller.ts';
import { sentTo, type StoredEmail } from './appreciation.ts';

/**
 * A table of this test file's own with every stream consumer of the manifest (the scorer and the notifier) fed from
 * its stream by the local pollers, as `npm start` runs them. Call before useApi(): handlers read the table name when
 * first loaded.
 */
export function useAlertsStack(options: { publicBaseUrl?: string } = {}) {
  const table = `feedback-alerts-${randomBytes(4).toString('hex')}`;
  process.env[ENV.tableName] = table;
  process.env[ENV.publicBaseUrl] = options.publicBaseUrl ?? 'https://feedback.example';
  let consumers: Awaited<ReturnType<typeof startStreamConsumers>> | undefined;
  beforeAll(async () => {
    const client = new DynamoDBClient({
      endpoint: process.env[ENV.dynamodbEndpoint],
      region: 'local',
      credentials: localCredentials,
    });
    const { streamArn } = await createTable(client, table);
    client.destroy();
    consumers = await startStreamConsumers({ endpoint: process.env[ENV.dynamodbEndpoint]!, streamArn });
  });
  afterAll(async () => consumers?.stop());
  return { table, drained: () => consumers!.drained() };
}

/** The team's emails in the local SES (shared by every test file: always filter, e.g. by a response id). */
export async function teamEmails(containing: string): Promise<StoredEmail[]> {
  return (await sentTo(TEAM_ADDRESS)).filter((e) => `${e.subject}\n${e.body.text ?? ''}`.includes(containing));
}

export const TEAM_ADDRESS = 'team@example.com';
