import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A table handle: the client and the table's name, wired once per function. */
export interface Db {
  client: DynamoDBDocumentClient;
  table: string;
}

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'ConditionalCheckFailedException' ||
    (error.name === 'TransactionCanceledException' && /ConditionalCheckFailed/.test(error.message)));
