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
const anUpdate: TransactItem = {
  Update: {
    TableName: 'feedback',
    Key: { pk: 'c', sk: 'x' },
    UpdateExpression: 'SET a = :a',
    ExpressionAttributeValues: { ':a': 1 },
  },
};
const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const sizes = (dynamo: ReturnType<typeof newDb>['dynamo']) =>
  dynamo.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems!.length);

/** The first shared transaction is cancelled with `code` on the item `pk`; every other write succeeds. */
function cancelFirstShared(dynamo: ReturnType<typeof newDb>['dynamo'], pk: string, code: string) {
  let shared = 0;
  dynamo.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
    const items = input.TransactItems!;
    if (items.length > 2 && shared++ === 0) throw cancelled(items.map((item) => (item.Put!.Item!.pk === pk ? code : 'None')));
    return {};
  });
}

let setup: ReturnType<typeof newDb>;
beforeEach(() => {
  setup = newDb();
});

describe('group commit, faults', () => {
  it('a shared transaction failing with no cancellation reasons (it may have been written) sends nothing again', async () => {
    const { db, dynamo } = setup;
    dynamo.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      if (input.TransactItems!.length > 2)
        throw new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
      return {};
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => groupCommit(db)(pair(i))));
    // IN_FLIGHT went alone at once and were written; the rest shared one transaction, and each caller gets its error.
    expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value)).toHaveLength(IN_FLIGHT);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(12 - IN_FLIGHT);
    expect(sizes(dynamo)).toEqual([...Array.from({ length: IN_FLIGHT }, () => 2), 2 * (12 - IN_FLIGHT)]);
  });

  it('groups throttled in a shared transaction go alone, with the backoff; the others go again together', async () => {
    const { db, dynamo } = setup;
    cancelFirstShared(dynamo, 'a#5', 'ThrottlingError');
    const won = await Promise.all(Array.from({ length: 10 }, (_, i) => groupCommit(db)(pair(i))));
    expect(won.every(Boolean)).toBe(true);
    // The shared one, then the others again without group 5, and group 5 alone besides the first IN_FLIGHT.
    expect(sizes(dynamo).filter((n) => n > 2)).toEqual([2 * (10 - IN_FLIGHT), 2 * (10 - IN_FLIGHT) - 2]);
    expect(sizes(dynamo).filter((n) => n === 2)).toHaveLength(IN_FLIGHT + 1);
  });

  it('a group touching an item a write under way holds waits for it, rather than conflicting with it', async () => {
    const { db, dynamo } = setup;
    const inFlight: string[][] = [];
    let running: string[] = [];
    dynamo.on(TransactWriteCommand).callsFake(async (input: TransactWriteCommandInput) => {
      const keys = input.TransactItems!.map((item) => String(item.Put!.Item!.pk));
      inFlight.push([...running.filter((k) => keys.includes(k))]);
      running.push(...keys);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running = running.filter((k) => !keys.includes(k));
      return {};
    });
    // Every group shares item b#0 with the others.
    const shared = (i: number): TransactItem[] => [pair(i)[0]!, pair(0)[1]!];
    const won = await Promise.all(Array.from({ length: 6 }, (_, i) => groupCommit(db)(shared(i))));
    expect(won.every(Boolean)).toBe(true);
    expect(inFlight).toHaveLength(6); // one at a time: no transaction held b#0 twice, nor beside another holding it
    expect(inFlight.every((overlap) => overlap.length === 0)).toBe(true);
  });

  it('a plain update that meets a transaction on its item (TransactionConflictException) is retried', async () => {
    const { db, dynamo } = setup;
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(Object.assign(new Error('Transaction is ongoing for the item'), { name: 'TransactionConflictException' }))
      .resolves({});
    expect(await groupCommit(db)([anUpdate])).toBe(true);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(2);
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
    // Of the queued groups, group 6's second item fails its condition.
    cancelFirstShared(dynamo, 'b#6', 'ConditionalCheckFailed');
    const won = await Promise.all(Array.from({ length: 10 }, (_, i) => groupCommit(db)(pair(i))));
    expect(won).toEqual(Array.from({ length: 10 }, (_, i) => i !== 6));
    expect(sizes(dynamo).filter((n) => n > 2)).toEqual([2 * (10 - IN_FLIGHT), 2 * (10 - IN_FLIGHT) - 2]);
  });

  it('an error that is no loss reaches the caller of that group', async () => {
    const { db, dynamo } = setup;
    dynamo.on(UpdateCommand).rejects(new Error('socket hang up'));
    await expect(groupCommit(db)([anUpdate])).rejects.toThrow('socket hang up');
  });

  it('refuses a group too big for one transaction instead of waiting for ever', async () => {
    const { db, dynamo } = setup;
    const items = Array.from({ length: 51 }, (_, i) => pair(i)).flat();
    await expect(groupCommit(db)(items)).rejects.toThrow('A group holds 102 items; at most 100');
    expect(dynamo.calls()).toHaveLength(0);
  });
});
