import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { RETRY } from '../../functions/data/db.ts';
import { claimIdempotencyKey, scopedIdempotencyKey } from '../../functions/data/idempotency.ts';

/** A key that changes hands between a failed claim and the read of its holder: the race DynamoDB Local rarely shows. */
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' }));
const mock = mockClient(documentClient);
const db = { client: documentClient, table: 't' };
const conditionFailed = () => Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' });

afterEach(() => {
  mock.reset();
  vi.useRealTimers();
});

describe('claimIdempotencyKey', () => {
  it('claims again when the key vanished after a failed claim', async () => {
    mock.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});
    mock.on(GetCommand).resolves({});
    vi.useFakeTimers();
    const claim = claimIdempotencyKey(db, 'k', 'hash', 0);
    await vi.runAllTimersAsync();
    expect(await claim).toMatchObject({ kind: 'claimed' });
    expect(mock.commandCalls(PutCommand)).toHaveLength(2);
  });

  it('answers in_progress when the key keeps vanishing, after the one policy’s attempts', async () => {
    mock.on(PutCommand).rejects(conditionFailed());
    mock.on(GetCommand).resolves({});
    vi.useFakeTimers();
    const claim = claimIdempotencyKey(db, 'k', 'hash', 0);
    await vi.runAllTimersAsync();
    expect(await claim).toEqual({ kind: 'in_progress' });
    expect(mock.commandCalls(PutCommand)).toHaveLength(RETRY.attempts);
  });

  it('replays a completed key, and does not retry other errors', async () => {
    mock.on(PutCommand).rejects(conditionFailed());
    mock.on(GetCommand).resolves({ Item: { bodyHash: 'hash', status: 'COMPLETED', result: { status: 201, body: '{}' } } });
    expect(await claimIdempotencyKey(db, 'k', 'hash', 0)).toEqual({ kind: 'replay', result: { status: 201, body: '{}' } });
    mock.reset();
    mock.on(PutCommand).rejects(Object.assign(new Error('bad'), { name: 'ValidationException' }));
    await expect(claimIdempotencyKey(db, 'k', 'hash', 0)).rejects.toThrow('bad');
    expect(mock.commandCalls(PutCommand)).toHaveLength(1);
  });
});

describe('scopedIdempotencyKey', () => {
  it('gives every caller a namespace of its own, which no key sent by another can reach', () => {
    const scoped = [
      scopedIdempotencyKey({ kind: 'admin' }, 'k'),
      scopedIdempotencyKey({ kind: 'anonymous' }, 'k'),
      scopedIdempotencyKey({ kind: 'customer', customerId: 'c-1' }, 'k'),
      scopedIdempotencyKey({ kind: 'customer', customerId: 'c-2' }, 'k'),
    ];
    expect(new Set(scoped).size).toBe(4);
    // A key that spells another namespace stays in its caller's own.
    expect(scopedIdempotencyKey({ kind: 'anonymous' }, 'admin#k')).not.toBe(scopedIdempotencyKey({ kind: 'admin' }, 'k'));
  });
});
