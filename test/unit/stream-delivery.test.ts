import { describe, expect, it } from 'vitest';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { deliverBatch, firstFailure, isTooOld, type DeliveryPorts } from '../../lib/local/stream/delivery.ts';
import { idleSignal } from '../../lib/local/stream/idle-signal.ts';
import { isReadable, iteratorStart } from '../../lib/local/stream/shards.ts';
import { lambdaRecord, matchesPattern } from '../../lib/local/stream/lambda-event.ts';
import { unmarshall } from '@aws-sdk/util-dynamodb';

const NOW = 1_800_000_000;
const record = (seq: number, createdSecondsAgo = 0): DynamoDBRecord => ({
  eventID: `e${seq}`,
  dynamodb: { SequenceNumber: String(seq), ApproximateCreationDateTime: NOW - createdSecondsAgo },
});
const seqs = (records: DynamoDBRecord[]) => records.map((r) => Number(r.dynamodb!.SequenceNumber));

/** A fake function that answers from a script, one reply per call, and a record of what happened. */
function harness(replies: Array<DynamoDBBatchResponse | Error | void>, settings: Partial<DeliveryPorts['settings']> = {}) {
  const calls: number[][] = [];
  const givenUp: Array<{ seqs: number[]; condition: string }> = [];
  const waits: number[] = [];
  const ports: DeliveryPorts = {
    settings: { retryAttempts: 2, maxRecordAgeSeconds: -1, bisectBatchOnError: false, ...settings },
    invoke: async (records) => {
      calls.push(seqs(records));
      const reply = replies.shift();
      if (reply instanceof Error) throw reply;
      return reply;
    },
    giveUp: async (records, condition) => void givenUp.push({ seqs: seqs(records), condition }),
    stopping: () => false,
    backoff: async (retry) => void waits.push(retry),
    nowSeconds: () => NOW,
  };
  return { ports, calls, givenUp, waits };
}
const failAt = (seq: number): DynamoDBBatchResponse => ({ batchItemFailures: [{ itemIdentifier: String(seq) }] });

describe('deliverBatch, as the event source mapping delivers a batch', () => {
  const batch = [record(1), record(2), record(3), record(4)];

  it('calls the function once when it succeeds', async () => {
    const h = harness([undefined]);
    expect(await deliverBatch(batch, h.ports)).toBe(true);
    expect(h.calls).toEqual([[1, 2, 3, 4]]);
    expect(h.givenUp).toEqual([]);
  });

  it('resumes from the first failed record after a partial failure', async () => {
    const h = harness([failAt(3), undefined]);
    expect(await deliverBatch(batch, h.ports)).toBe(true);
    expect(h.calls).toEqual([
      [1, 2, 3, 4],
      [3, 4],
    ]);
    expect(h.waits).toEqual([1]);
  });

  it('fails the whole batch for an identifier it does not hold', async () => {
    expect(firstFailure(batch, failAt(99))).toBe(0);
    expect(firstFailure(batch, { batchItemFailures: [] })).toBeUndefined();
  });

  it('gives up after retryAttempts retries, sending the failed records on', async () => {
    const h = harness([failAt(2), failAt(2), failAt(2)]);
    expect(await deliverBatch(batch, h.ports)).toBe(true);
    expect(h.calls).toHaveLength(3);
    expect(h.givenUp).toEqual([{ seqs: [2, 3, 4], condition: 'RetryAttemptsExhausted' }]);
  });

  it('bisects on a function error when asked to', async () => {
    const h = harness([new Error('boom'), undefined, undefined], { bisectBatchOnError: true });
    expect(await deliverBatch(batch, h.ports)).toBe(true);
    expect(h.calls).toEqual([
      [1, 2, 3, 4],
      [1, 2],
      [3, 4],
    ]);
  });

  it('sends records older than maxRecordAgeSeconds on without calling the function', async () => {
    const h = harness([], { maxRecordAgeSeconds: 60 });
    expect(await deliverBatch([record(1, 61), record(2)], h.ports)).toBe(true);
    expect(h.calls).toEqual([]);
    expect(h.givenUp).toEqual([{ seqs: [1, 2], condition: 'RecordAgeExceeded' }]);
    expect(isTooOld(record(1, 60), 60, NOW)).toBe(false);
    expect(isTooOld(record(1, 1e6), -1, NOW)).toBe(false);
  });

  it('leaves the batch undelivered when the poller is stopping', async () => {
    const h = harness([undefined]);
    expect(await deliverBatch(batch, { ...h.ports, stopping: () => true })).toBe(false);
    expect(h.calls).toEqual([]);
  });
});

describe('shard order and filters', () => {
  const finished = (ids: string[]) => (id: string) => ids.includes(id);
  const known = new Set(['p', 'c']);

  it('reads a child only once its parent is finished', () => {
    expect(isReadable({ ShardId: 'c', ParentShardId: 'p' }, known, finished([]))).toBe(false);
    expect(isReadable({ ShardId: 'c', ParentShardId: 'p' }, known, finished(['p']))).toBe(true);
    expect(isReadable({ ShardId: 'c', ParentShardId: 'gone' }, known, finished([]))).toBe(true);
    expect(isReadable({ ShardId: 'p' }, known, finished(['p']))).toBe(false);
  });

  it('matches Lambda filter patterns', () => {
    const r = { eventName: 'INSERT', dynamodb: { NewImage: { type: { S: 'response' } } } };
    expect(matchesPattern(r, { eventName: ['INSERT', 'MODIFY'] })).toBe(true);
    expect(matchesPattern(r, { dynamodb: { NewImage: { type: { S: [{ prefix: 'resp' }] } } } })).toBe(true);
    expect(matchesPattern(r, { eventName: [{ 'anything-but': 'INSERT' }] })).toBe(false);
    expect(matchesPattern(r, { dynamodb: { OldImage: [{ exists: false }] } })).toBe(true);
  });
});

describe('where a shard is read from, and when the poller is drained', () => {
  it('starts after the checkpoint, else at the first unsaved record, else at the starting position', () => {
    expect(iteratorStart('42', '40', 'LATEST')).toEqual({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '42' });
    expect(iteratorStart(undefined, '40', 'LATEST')).toEqual({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: '40' });
    expect(iteratorStart(undefined, undefined, 'LATEST')).toEqual({ ShardIteratorType: 'LATEST' });
  });

  it('releases a waiter only after a pass that started after it', async () => {
    let now = 100;
    const idle = idleSignal(() => now);
    let released = false;
    const waiting = idle.wait().then(() => (released = true));
    idle.passCompleted(99);
    await Promise.resolve();
    expect(released).toBe(false);
    now = 200;
    idle.passCompleted(100);
    await waiting;
    expect(released).toBe(true);
  });
});

describe('the record as Lambda hands it over', () => {
  it('types the empty maps DynamoDB Local writes as {}, at any depth, as DynamoDB Streams writes them', () => {
    // What DynamoDB Local's GetRecords answers for {m: {}, n: {x: {}}, l: [{}], e: []} (checked against its raw reply).
    const image = { pk: { S: 'a' }, m: {}, n: { M: { x: {} } }, l: { L: [{}] }, e: { L: [] } };
    const record = lambdaRecord(
      { eventID: '1', eventName: 'MODIFY', dynamodb: { Keys: { pk: { S: 'a' } }, NewImage: image, OldImage: image } } as never,
      'arn:aws:dynamodb:local:000000000000:table/t/stream/x',
      'local',
    );
    const expected = { pk: { S: 'a' }, m: { M: {} }, n: { M: { x: { M: {} } } }, l: { L: [{ M: {} }] }, e: { L: [] } };
    expect(record.dynamodb?.NewImage).toEqual(expected);
    expect(record.dynamodb?.OldImage).toEqual(expected);
    expect(unmarshall(record.dynamodb!.NewImage as never)).toEqual({ pk: 'a', m: {}, n: { x: {} }, l: [{}], e: [] });
  });
});
