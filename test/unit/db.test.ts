import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  backoffDelay,
  batchGet,
  batchPut,
  byKey,
  cancellationCodes,
  cancellationReasons,
  isConditionFailure,
  isTransientCancellation,
  queryAll,
  queryPages,
  RETRY,
  retryTransient,
  scanPages,
  UnprocessedKeys,
} from '../../functions/data/db.ts';
import { DYNAMODB_MAX_ATTEMPTS, dynamoDbClient } from '../../functions/runtime/clients.ts';

/** The DynamoDB toolkit against a mocked DocumentClient: the retry policy, pagination, batch reads, reasons. */

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const dynamo = mockClient(client);
const db = { client, table: 'feedback' };

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const named = (name: string, message = name) => Object.assign(new Error(message), { name });

/** A recording sleep and a fixed random: the delays are exact. */
function recorder(random = 0.5) {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms), random: () => random };
}

beforeEach(() => dynamo.reset());

describe('cancellation reasons', () => {
  it('gives one code per item, None for the items that were fine, and nothing for other errors', () => {
    expect(cancellationCodes(cancelled('None', 'ConditionalCheckFailed'))).toEqual(['None', 'ConditionalCheckFailed']);
    expect(cancellationCodes(Object.assign(cancelled(), { CancellationReasons: [{}, { Code: 'TransactionConflict' }] }))).toEqual(
      ['None', 'TransactionConflict'],
    );
    expect(cancellationReasons(cancelled('TransactionConflict'))).toEqual([{ Code: 'TransactionConflict' }]);
    expect(cancellationCodes(named('ValidationException'))).toEqual([]);
    expect(cancellationCodes(undefined)).toEqual([]);
  });

  it('calls conflicts and throttling transient, and a lost condition or any other error not', () => {
    expect(isTransientCancellation(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(isTransientCancellation(cancelled('ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded'))).toBe(
      true,
    );
    expect(isTransientCancellation(cancelled('ConditionalCheckFailed', 'TransactionConflict'))).toBe(false);
    expect(isTransientCancellation(cancelled('None', 'ValidationError'))).toBe(false);
    expect(isTransientCancellation(named('TransactionCanceledException', 'cancelled [TransactionConflict]'))).toBe(true);
    expect(isTransientCancellation(named('TransactionCanceledException', 'cancelled [ConditionalCheckFailed]'))).toBe(false);
    // The SDK retried these itself: retrying them again would multiply its attempts.
    expect(isTransientCancellation(named('ProvisionedThroughputExceededException'))).toBe(false);
    expect(isTransientCancellation(named('ThrottlingException'))).toBe(false);
    expect(isTransientCancellation(named('ValidationException'))).toBe(false);
  });

  it('calls a failed condition a condition failure, on one item or in a transaction', () => {
    expect(isConditionFailure(named('ConditionalCheckFailedException'))).toBe(true);
    expect(isConditionFailure(cancelled('None', 'ConditionalCheckFailed'))).toBe(true);
    expect(isConditionFailure(cancelled('TransactionConflict'))).toBe(false);
  });
});

describe('retryTransient', () => {
  it('retries transient cancellations with growing, capped, jittered delays, then succeeds', async () => {
    const r = recorder();
    let calls = 0;
    const result = await retryTransient(async (attempt) => {
      calls++;
      expect(attempt).toBe(calls);
      if (calls < 4) throw cancelled('TransactionConflict');
      return 'done';
    }, r);
    expect(result).toBe('done');
    expect(r.sleeps).toEqual([50, 100, 200]); // half of 100, 200, 400 ms
  });

  it('gives up after RETRY.attempts attempts and throws the last error', async () => {
    const r = recorder();
    let calls = 0;
    const last = cancelled('ThrottlingError');
    await expect(
      retryTransient(async () => {
        calls++;
        throw calls === RETRY.attempts ? last : cancelled('TransactionConflict');
      }, r),
    ).rejects.toBe(last);
    expect(calls).toBe(RETRY.attempts);
    expect(r.sleeps).toHaveLength(RETRY.attempts - 1);
  });

  it('never retries a failed condition, nor what the SDK retried already', async () => {
    for (const error of [
      cancelled('ConditionalCheckFailed'),
      named('ConditionalCheckFailedException'),
      named('ProvisionedThroughputExceededException'),
    ]) {
      const r = recorder();
      let calls = 0;
      await expect(
        retryTransient(async () => {
          calls++;
          throw error;
        }, r),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
      expect(r.sleeps).toEqual([]);
    }
  });

  it('retries what the caller names transient, with the same bound', async () => {
    const r = recorder();
    let calls = 0;
    await expect(
      retryTransient(
        async () => {
          calls++;
          throw named('Raced');
        },
        { ...r, isTransient: (e) => (e as Error).name === 'Raced' },
      ),
    ).rejects.toThrow('Raced');
    expect(calls).toBe(RETRY.attempts);
  });

  it('keeps every delay under the cap, and full jitter reaches down to zero', () => {
    for (let retry = 1; retry < 20; retry++) {
      expect(backoffDelay(retry, () => 0)).toBe(0);
      expect(backoffDelay(retry, () => 0.999999)).toBeLessThan(RETRY.maxDelayMs);
    }
    expect(backoffDelay(1, () => 0.999999)).toBe(99);
    expect(backoffDelay(30, () => 0.5)).toBe(RETRY.maxDelayMs / 2);
  });
});

describe('queryAll and queryPages', () => {
  it('reads every page through the SDK paginator, on the table, with the caller input', async () => {
    const seen: unknown[] = [];
    dynamo.on(QueryCommand).callsFake((input: { ExclusiveStartKey?: { pk: string } }) => {
      seen.push(input.ExclusiveStartKey?.pk);
      const page = input.ExclusiveStartKey ? Number(input.ExclusiveStartKey.pk) : 0;
      return { Items: [{ pk: `item-${page}` }], ...(page < 2 ? { LastEvaluatedKey: { pk: String(page + 1) } } : {}) };
    });
    const items = await queryAll(db, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'x' } });
    expect(items.map((i) => i.pk)).toEqual(['item-0', 'item-1', 'item-2']);
    expect(seen).toEqual([undefined, '1', '2']);
    const input = dynamo.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ TableName: 'feedback', KeyConditionExpression: 'pk = :pk' });
  });

  it('stops reading when the caller stops iterating', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [{ pk: 'a' }], LastEvaluatedKey: { pk: 'a' } });
    for await (const page of queryPages(db, { KeyConditionExpression: 'pk = :pk' })) if (page.length) break;
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it('scans every page too', async () => {
    dynamo
      .on(ScanCommand)
      .resolvesOnce({ Items: [{ pk: 'a' }], LastEvaluatedKey: { pk: 'a' } })
      .resolves({ Items: [{ pk: 'b' }] });
    const pages: unknown[] = [];
    for await (const page of scanPages(db, {})) pages.push(page.map((i) => i.pk));
    expect(pages).toEqual([['a'], ['b']]);
  });
});

describe('batchGet', () => {
  const keyOf = (n: number) => ({ pk: `K#${n}`, sk: '#K' });

  it('reads 100 keys a request and retries the unprocessed ones with the one backoff', async () => {
    const wanted = Array.from({ length: 150 }, (_, n) => keyOf(n));
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { feedback: wanted.slice(0, 60) },
        UnprocessedKeys: { feedback: { Keys: wanted.slice(60, 100) } },
      })
      .resolvesOnce({ Responses: { feedback: wanted.slice(60, 100) } })
      .resolvesOnce({ Responses: { feedback: wanted.slice(100) } });
    const r = recorder();
    const items = await batchGet(db, wanted, { consistent: true, projection: 'pk, sk', ...r });
    expect(items).toHaveLength(150);
    const calls = dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems!.feedback!);
    expect(calls.map((c) => c.Keys!.length)).toEqual([100, 40, 50]);
    expect(calls[0]).toMatchObject({ ConsistentRead: true, ProjectionExpression: 'pk, sk' });
    expect(r.sleeps).toEqual([50]);
    expect(byKey(items)(keyOf(149))).toEqual(keyOf(149));
    expect(byKey(items)(keyOf(150))).toBeUndefined();
  });

  it('stops after RETRY.attempts requests when keys stay unprocessed', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { feedback: [] }, UnprocessedKeys: { feedback: { Keys: [keyOf(1)] } } });
    const r = recorder();
    await expect(batchGet(db, [keyOf(1)], r)).rejects.toBeInstanceOf(UnprocessedKeys);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(RETRY.attempts);
    expect(r.sleeps).toEqual([50, 100, 200, 400, 800]);
  });

  it('sends nothing for no keys', async () => {
    expect(await batchGet(db, [])).toEqual([]);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(0);
  });
});

describe('batchPut', () => {
  const item = (n: number) => ({ pk: `K#${n}`, sk: '#K', n });

  it('writes 25 items a request and retries the unprocessed ones with the one backoff, bounded', async () => {
    const items = Array.from({ length: 30 }, (_, n) => item(n));
    dynamo
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { feedback: [{ PutRequest: { Item: item(3) } }] } })
      .resolvesOnce({})
      .resolvesOnce({});
    const r = recorder();
    await batchPut(db, items, r);
    const calls = dynamo.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems!.feedback!);
    expect(calls.map((c) => c.length)).toEqual([25, 1, 5]);
    expect(calls[1]![0]!.PutRequest!.Item).toEqual(item(3));
    expect(r.sleeps).toEqual([50]);

    dynamo.reset();
    dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: { feedback: [{ PutRequest: { Item: item(1) } }] } });
    await expect(batchPut(db, [item(1)], recorder())).rejects.toBeInstanceOf(UnprocessedKeys);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(RETRY.attempts);
  });
});

describe('the DynamoDB client', () => {
  it('retries with the standard strategy and a pinned number of attempts', async () => {
    const documentClient = dynamoDbClient({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:1', AWS_REGION: 'local' });
    expect(await documentClient.config.maxAttempts()).toBe(DYNAMODB_MAX_ATTEMPTS);
    expect(await documentClient.config.retryStrategy()).toMatchObject({ mode: 'standard' });
  });
});
