import { afterAll, beforeAll } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys, surveyResponsesIndex } from '../../functions/data/keys.ts';
import { startApi } from '../../lib/local/http-server.ts';
import { localCredentials } from '../../functions/runtime/clients.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { TEST_ADMIN_TOKEN } from '../setup-env.ts';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  /** Sent as is when a string (as JSON) or bytes (with no content type unless a header gives one); else JSON-encoded. */
  body?: unknown;
  headers?: Record<string, string>;
  admin?: boolean;
}

/** Starts the local API server (the real handlers) for this test file and returns a small client. */
export function useApi() {
  let api: { url: string; stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    api = await startApi({ port: 0 });
  });
  afterAll(async () => api?.stop());

  return {
    get url() {
      return api!.url;
    },
    async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
      const bytes = options.body instanceof Uint8Array;
      const headers: Record<string, string> = {};
      if (options.body !== undefined && !bytes) headers['content-type'] = 'application/json';
      if (options.admin) headers.authorization = `Bearer ${TEST_ADMIN_TOKEN}`;
      Object.assign(headers, options.headers);
      const res = await fetch(api!.url + path, {
        method,
        headers,
        body:
          options.body === undefined || bytes || typeof options.body === 'string'
            ? (options.body as BodyInit | undefined)
            : JSON.stringify(options.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, headers: res.headers, body: body as T, text };
    },
  };
}

export const testDb = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: process.env[ENV.dynamodbEndpoint], region: 'local', credentials: localCredentials }),
  );

export const table = () => process.env[ENV.tableName]!;

/** Every item of one partition (a customer with its ledger and mail state, say): one Query, whatever the table holds. */
export async function itemsInPartition(pk: string) {
  const { Items } = await testDb().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

export const storedSurvey = (surveyId: string) => itemsInPartition(keys.survey(surveyId).pk);
export const storedCustomer = (customerId: string) => itemsInPartition(keys.customer(customerId).pk);
export const responsePartition = (responseId: string) => itemsInPartition(keys.response(responseId).pk);
export const storedResponse = async (responseId: string) => (await responsePartition(responseId))[0];

/** A survey's responses, through its listing index (gsi1): one Query, whatever the table holds. */
export async function storedResponsesOf(surveyId: string) {
  const { gsi1pk } = surveyResponsesIndex(surveyId, '', '');
  const { Items } = await testDb().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': gsi1pk },
    }),
  );
  return Items ?? [];
}

export async function getItem(pk: string, sk: string) {
  const { Item } = await testDb().send(new GetCommand({ TableName: table(), Key: { pk, sk }, ConsistentRead: true }));
  return Item;
}
