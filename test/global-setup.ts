import type { TestProject } from 'vitest/node';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '../lib/local/create-table.ts';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { startSesLocal } from '../lib/local/ses-local.ts';
import { localCredentials } from '../functions/runtime/clients.ts';
import { freePort } from '../lib/local/ports.ts';

export { freePort };

export const TEST_TABLE = 'feedback-test';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    sesEndpoint: string;
    tableName: string;
    streamArn: string;
  }
}

export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const ses = await startSesLocal({ port: await freePort() });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
  const { streamArn } = await createTable(client, TEST_TABLE);
  client.destroy();
  project.provide('dynamoDbEndpoint', dynamo.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  project.provide('tableName', TEST_TABLE);
  project.provide('streamArn', streamArn);
  return async () => {
    await ses.stop();
    await dynamo.stop();
  };
}
