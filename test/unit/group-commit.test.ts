import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDBDocumentClient,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient, ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { groupCommit, IN_FLIGHT, type TransactItem } from '../../functions/data/group-commit.ts';

/** The group commit against a mocked DynamoDB: throttling and conflicts, which DynamoDB Local never raises. */

const newDb = () => {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );
  return { db: { client, table: 'feedback' }, dynamo: mockClient(client) };
};

const pair = (i: number): TransactItem[] => [
  { Put: { TableName: 'feedback', Item: { pk: `a#${i}`, sk: 'x' }, ConditionExpression: 'attribute_not_exists(pk)' } },
  { Put: { TableName: 'feedback', Item: { pk: `b#${i}`, sk: 'x' }, ConditionExpression: 'attribute_not_exists(pk)' } },
];
const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const sizes = (dynamo: ReturnType<typeof newDb>['dynamo']) =>
  dynamo.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems!.length);

let setup: ReturnType<typeof newDb>;
beforeEach(() => {
  setup = newDb();
});

describe('group commit, faults', () => {
  it('a shared transaction throttled past the SDK retries: each group goes alone, and all are written', async () => {
    const { db, dynamo } = setup;
    dynamo.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      if (input.TransactItems!.length > 2)
        throw new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
      return {};
    });
    const won = await Promise.all(Array.from({ length: 12 }, (_, i) => groupCommit(db)(pair(i))));
    expect(won.every(Boolean)).toBe(true);
    // IN_FLIGHT went alone at once; the rest queued, shared one transaction, refused, then went alone.
    expect(sizes(dynamo).filter((n) => n > 2)).toEqual([2 * (12 - IN_FLIGHT)]);
    expect(sizes(dynamo).filter((n) => n === 2)).toHaveLength(12);
  });

  it('conflicts cancel a shared transaction: the groups go again together, then alone, none lost or lost twice', async () => {
    const { db, dynamo } = setup;
    // Every shared transaction conflicts on its first item; a group alone is written.
    dynamo.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      const n = input.TransactItems!.length;
      if (n > 2) throw cancelled(['TransactionConflict', ...Array.from({ length: n - 1 }, () => 'None')]);
      return {};
    });
    const won = await Promise.all(Array.from({ length: 10 }, (_, i) => groupCommit(db)(pair(i))));
    expect(won.every(Boolean)).toBe(true);
    // The queued shared a transaction 3 times (the rounds together), then each went alone.
    const queued = 2 * (10 - IN_FLIGHT);
    expect(sizes(dynamo).filter((n) => n > 2)).toEqual([queued, queued, queued]);
    expect(sizes(dynamo).filter((n) => n === 2)).toHaveLength(10);
  });

  it('a condition failing in a shared transaction loses that group only; the rest are written next time', async () => {
    const { db, dynamo } = setup;
    let shared = 0;
    dynamo.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      const items = input.TransactItems!;
      if (items.length > 2 && shared++ === 0) {
        // Of the queued groups, group 6's second item fails its condition.
        throw cancelled(items.map((item) => (item.Put!.Item!.pk === 'b#6' ? 'ConditionalCheckFailed' : 'None')));
      }
      return {};
    });
    const won = await Promise.all(Array.from({ length: 10 }, (_, i) => groupCommit(db)(pair(i))));
    expect(won).toEqual(Array.from({ length: 10 }, (_, i) => i !== 6));
    expect(sizes(dynamo).filter((n) => n > 2)).toEqual([2 * (10 - IN_FLIGHT), 2 * (10 - IN_FLIGHT) - 2]);
  });

  it('an error that is no loss reaches the caller of that group', async () => {
    const { db, dynamo } = setup;
    dynamo.on(UpdateCommand).rejects(new Error('socket hang up'));
    const single: TransactItem = {
      Update: {
        TableName: 'feedback',
        Key: { pk: 'c', sk: 'x' },
        UpdateExpression: 'SET a = :a',
        ExpressionAttributeValues: { ':a': 1 },
      },
    };
    await expect(groupCommit(db)([single])).rejects.toThrow('socket hang up');
  });

  it('refuses a group too big for one transaction instead of waiting for ever', async () => {
    const { db, dynamo } = setup;
    const items = Array.from({ length: 51 }, (_, i) => pair(i)).flat();
    await expect(groupCommit(db)(items)).rejects.toThrow('A group holds 102 items; at most 100');
    expect(dynamo.calls()).toHaveLength(0);
  });
});
