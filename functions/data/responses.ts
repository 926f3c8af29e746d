import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Answers } from '#core/questions/index.ts';
import { cancellationCodes, isTransactionCanceled, queryPages, userKeyedMap, type Db } from './db.ts';
import { keys, npsDayIndex, publicFields, surveyResponsesIndex, timelineIndex } from './keys.ts';
import { idempotencyCompletion, type IdempotentResult } from './idempotency.ts';

/** A response: its answers (a field per question type, see core/questions) and the facts around them. */
export interface FeedbackResponse extends Answers {
  responseId: string;
  surveyId: string;
  customerId?: string;
  channel?: string;
  attributes?: Record<string, string>;
  /** When the answers were given: the period they count in. */
  submittedAt: string;
  /** When the service received this version of the answers. */
  receivedAt: string;
  /** When the first version was received. */
  createdAt: string;
}

interface StoredResponse extends FeedbackResponse {
  version: number;
}

export async function getResponse(db: Db, responseId: string): Promise<StoredResponse | undefined> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.response(responseId), ConsistentRead: true }),
  );
  return Item ? ({ ...publicFields(Item), version: Item.version as number } as StoredResponse) : undefined;
}

function responseItem(response: FeedbackResponse, version: number) {
  const { responseId, surveyId, customerId, submittedAt, nps } = response;
  return {
    ...keys.response(responseId),
    type: 'response',
    ...response,
    ...(response.attributes ? { attributes: userKeyedMap(response.attributes) } : {}),
    version,
    ...surveyResponsesIndex(surveyId, submittedAt, responseId),
    ...(customerId ? timelineIndex(customerId, submittedAt, responseId) : {}),
    ...(customerId && nps !== undefined ? npsDayIndex(submittedAt, nps, customerId, responseId) : {}),
  };
}

/**
 * `raced`: another submission of the same link wrote first (the caller re-reads and retries).
 * `claim_lost`: the idempotency key is no longer ours (its lease ran out and another request took it over).
 */
export type SaveOutcome = 'saved' | 'raced' | 'claim_lost';

/**
 * Writes a response if its stored version is still `expectedVersion` (0: it must not exist yet), and, when an
 * idempotency key was claimed, completes that key with the answer in the same transaction.
 */
export async function saveResponse(
  db: Db,
  response: FeedbackResponse,
  expectedVersion: number,
  idempotency?: { key: string; owner: string; result: IdempotentResult },
): Promise<SaveOutcome> {
  try {
    await writeResponse(db, response, expectedVersion, idempotency);
    return 'saved';
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    if (error.name === 'ConditionalCheckFailedException' || error.name === 'TransactionConflictException') return 'raced';
    if (!isTransactionCanceled(error)) throw error;
    // Codes follow TransactItems: [0] the response, [1] the idempotency key.
    const codes = cancellationCodes(error);
    if (codes[1] === 'ConditionalCheckFailed') return 'claim_lost';
    if (codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) return 'raced';
    throw error;
  }
}

async function writeResponse(
  db: Db,
  response: FeedbackResponse,
  expectedVersion: number,
  idempotency?: { key: string; owner: string; result: IdempotentResult },
): Promise<void> {
  const put = {
    TableName: db.table,
    Item: responseItem(response, expectedVersion + 1),
    ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
    ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
  };
  if (!idempotency) {
    await db.client.send(new PutCommand(put));
    return;
  }
  await db.client.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: put },
        { Update: idempotencyCompletion(db, idempotency.key, idempotency.owner, idempotency.result) },
      ],
    }),
  );
}

/** Whether the customer answered the survey at or after `since` (pages through their timeline, filtered). */
export async function answeredSince(db: Db, customerId: string, surveyId: string, since: string): Promise<boolean> {
  const pages = queryPages(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk >= :since',
    FilterExpression: 'surveyId = :surveyId',
    ExpressionAttributeValues: { ':pk': timelineIndex(customerId, '', '').gsi2pk, ':since': since, ':surveyId': surveyId },
    ProjectionExpression: 'responseId',
  });
  for await (const items of pages) if (items.length > 0) return true;
  return false;
}

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

/** A customer's responses, newest first. */
export async function customerTimeline(
  db: Db,
  customerId: string,
  options: { limit?: number } = {},
): Promise<FeedbackResponse[]> {
  const { Items = [] } = await db.client.send(
    new QueryCommand({
      TableName: db.table,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': timelineIndex(customerId, '', '').gsi2pk },
      ScanIndexForward: false,
      Limit: options.limit ?? 100,
    }),
  );
  return Items.map((item) => publicFields(item) as FeedbackResponse);
}
