import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '../lib/local/create-table.ts';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { startSesLocal } from '../lib/local/ses-local.ts';
import { localCredentials } from '../functions/runtime/clients.ts';

export const TEST_TABLE = 'feedback-test';

/** A free loopback port, so a test run never collides with `npm start` or another run. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

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
