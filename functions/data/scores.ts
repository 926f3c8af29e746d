import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { BucketKey, Contribution, Counts } from '#core/scores.ts';
import { batchGet, cancellationCodes, queryAll, type Db } from './db.ts';
import { keys, scoreDayRange } from './keys.ts';

/** DynamoDB's cap on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;
/** Claims outlive the stream's 24-hour retention, so no record can come back after its claim is gone. */
export const CLAIM_TTL_SECONDS = 48 * 60 * 60;

export interface ScoreChunk {
  /** Stream records this chunk applies, each claimed in the same transaction; poison is claimed as pending the DLQ. */
  claims: Array<{ eventId: string; pendingDlq?: boolean }>;
  /** The chunk's records netted per aggregate. */
  contributions: Contribution[];
}

export type ChunkOutcome =
  /** `consumedWriteUnits` as DynamoDB reports it; `items` written (each ≤ 1 KB: 2 write units in a transaction). */
  | { kind: 'applied'; consumedWriteUnits: number; items: number }
  /** Nothing was written: these claims exist already, i.e. their records were applied by an earlier delivery. */
  | { kind: 'already_claimed'; eventIds: string[] };

function aggregateUpdate(db: Db, key: BucketKey, counts: Counts) {
  const names: Record<string, string> = { '#type': 'type', '#day': 'day', '#dimension': 'dimension', '#segment': 'segment' };
  const values: Record<string, unknown> = {
    ':type': 'score-day',
    ':surveyId': key.surveyId,
    ':day': key.day,
    ':dimension': key.dimension,
    ':segment': key.segment,
  };
  const adds = Object.entries(counts).map(([counter, delta], i) => {
    names[`#c${i}`] = counter;
    values[`:c${i}`] = delta;
    return `#c${i} :c${i}`;
  });
  return {
    TableName: db.table,
    Key: keys.scoreDay(key.surveyId, key.day, key.dimension, key.segment),
    UpdateExpression: `SET #type = :type, surveyId = :surveyId, #day = :day, #dimension = :dimension, #segment = :segment ADD ${adds.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

const sumWriteUnits = (capacity: ConsumedCapacity[] | undefined) =>
  (capacity ?? []).reduce((sum, c) => sum + (c.WriteCapacityUnits ?? c.CapacityUnits ?? 0), 0);

/**
 * Applies a chunk atomically: every claim is created (it must not exist) and every aggregate moves by its net
 * counts, or nothing happens. A claim that exists already cancels the transaction: the caller drops those records
 * and tries again with the rest. Other errors are thrown: a conflict or throttling cancellation for the caller's
 * retryTransient, anything else (the SDK retried throttling already) to fail the batch.
 */
export async function applyScoreChunk(db: Db, chunk: ScoreChunk, nowMs: number): Promise<ChunkOutcome> {
  if (chunk.claims.length + chunk.contributions.length > MAX_TRANSACTION_ITEMS) {
    throw new Error(`A score chunk holds at most ${MAX_TRANSACTION_ITEMS} items.`);
  }
  const ttl = Math.floor(nowMs / 1000) + CLAIM_TTL_SECONDS;
  const claimItems = chunk.claims.map(({ eventId, pendingDlq }) => ({
    Put: {
      TableName: db.table,
      Item: { ...keys.scoreClaim(eventId), type: 'score-claim', ttl, ...(pendingDlq ? { dlq: 'pending' } : {}) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
  try {
    const items = [...claimItems, ...chunk.contributions.map((c) => ({ Update: aggregateUpdate(db, c.key, c.counts) }))];
    const { ConsumedCapacity } = await db.client.send(
      new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }),
    );
    return { kind: 'applied', consumedWriteUnits: sumWriteUnits(ConsumedCapacity), items: items.length };
  } catch (error) {
    const codes = cancellationCodes(error);
    const claimed = chunk.claims.filter((_, i) => codes[i] === 'ConditionalCheckFailed').map((c) => c.eventId);
    if (claimed.length > 0) return { kind: 'already_claimed', eventIds: claimed };
    throw error;
  }
}

export interface ExistingClaim {
  /** A poison record whose claim committed but whose DLQ send did not finish. */
  pendingDlq: boolean;
}

/** The claims that exist among these stream records (consistent reads; unprocessed keys retried with the one backoff). */
export async function existingClaims(db: Db, eventIds: readonly string[]): Promise<Map<string, ExistingClaim>> {
  const items = await batchGet(db, eventIds.map(keys.scoreClaim), { consistent: true, projection: 'pk, dlq' });
  const prefix = keys.scoreClaim('').pk;
  return new Map(items.map((item) => [String(item.pk).slice(prefix.length), { pendingDlq: item.dlq === 'pending' }]));
}

export async function markPoisonSent(db: Db, eventId: string): Promise<void> {
  await db.client.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.scoreClaim(eventId),
      UpdateExpression: 'SET dlq = :sent',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':sent': 'sent' },
    }),
  );
}

export interface ScoreDay extends BucketKey {
  counts: Counts;
}

const BOOKKEEPING = new Set(['pk', 'sk', 'type', 'surveyId', 'day', 'dimension', 'segment']);

export function toScoreDay(item: Record<string, unknown>): ScoreDay {
  const counts: Counts = {};
  for (const [name, value] of Object.entries(item)) {
    if (!BOOKKEEPING.has(name) && typeof value === 'number' && value !== 0) counts[name] = value;
  }
  return {
    surveyId: item.surveyId as string,
    day: item.day as string,
    dimension: item.dimension as string,
    segment: item.segment as string,
    counts,
  };
}

/**
 * One dimension's score days of a survey in [from, to]: one key-range query (paged) that reads exactly the items it
 * returns, whatever other dimensions and segments the survey has; never a scan of responses.
 */
export async function readScoreDays(db: Db, surveyId: string, dimension: string, from: string, to: string): Promise<ScoreDay[]> {
  const range = scoreDayRange(surveyId, dimension, from, to);
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': range.pk, ':from': range.skFrom, ':to': range.skTo },
  });
  return items.map(toScoreDay);
}
