import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../functions/data/db.ts';
import { groupCommit, TRANSACTION_ITEMS, type TransactItem } from '../../functions/data/group-commit.ts';
import { dynamoDbClient } from '../../functions/runtime/clients.ts';
import { uniqueId } from '../support/factories.ts';

/** The group commit on DynamoDB Local: writes made together share transactions, and each still wins or loses alone. */

/** A table handle of its own (a client of its own, so a group commit of its own) that counts its write requests. */
function countingDb(): { db: Db; requests: Record<string, number> } {
  const db: Db = { client: dynamoDbClient(), table: process.env.TABLE_NAME! };
  const requests: Record<string, number> = {};
  db.client.middlewareStack.add(
    (next, context) => (args) => {
      requests[context.commandName!] = (requests[context.commandName!] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { db, requests };
}

const put = (db: Db, pk: string, value: number): TransactItem => ({
  Put: { TableName: db.table, Item: { pk, sk: 'x', value }, ConditionExpression: 'attribute_not_exists(pk)' },
});
const check = (db: Db, pk: string): TransactItem => ({
  ConditionCheck: { TableName: db.table, Key: { pk, sk: 'x' }, ConditionExpression: 'attribute_exists(pk)' },
});
const read = async (db: Db, pk: string) =>
  (await db.client.send(new GetCommand({ TableName: db.table, Key: { pk, sk: 'x' }, ConsistentRead: true }))).Item;
const total = (requests: Record<string, number>) => Object.values(requests).reduce((sum, n) => sum + n, 0);

describe('group commit', () => {
  it('writes 200 concurrent claims in a handful of requests, every one of them', async () => {
    const { db, requests } = countingDb();
    const commit = groupCommit(db);
    const prefix = uniqueId('gc');
    for (let i = 0; i < 200; i++) expect(await commit([put(db, `${prefix}#anchor#${i}`, 0)])).toBe(true);
    const before = total(requests);
    // Claims like the mail pipeline's: a check on an item that exists, and a conditional put.
    const won = await Promise.all(
      Array.from({ length: 200 }, (_, i) => commit([check(db, `${prefix}#anchor#${i}`), put(db, `${prefix}#${i}`, i)])),
    );
    expect(won.every(Boolean)).toBe(true);
    for (const i of [0, 57, 199]) expect((await read(db, `${prefix}#${i}`))?.value).toBe(i);
    // One by one, 200 requests; together, at least 4 (100 items each), and a few more while the queue fills.
    expect(total(requests) - before).toBeGreaterThanOrEqual(Math.ceil(400 / TRANSACTION_ITEMS));
    expect(total(requests) - before).toBeLessThan(30);
  });

  it('a group whose condition fails loses alone: the others sharing its transaction are written', async () => {
    const { db, requests } = countingDb();
    const commit = groupCommit(db);
    const prefix = uniqueId('gc');
    for (let i = 0; i < 60; i += 3) expect(await commit([put(db, `${prefix}#taken#${i}`, -1)])).toBe(true);
    // Every third group checks an item that is not there, or puts over one that is: it loses, whole.
    const groups = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0
        ? [put(db, `${prefix}#${i}`, i), put(db, `${prefix}#taken#${i}`, i)]
        : [put(db, `${prefix}#${i}`, i), put(db, `${prefix}#pair#${i}`, i)],
    );
    const before = total(requests);
    const won = await Promise.all(groups.map((items) => commit(items)));
    expect(won).toEqual(groups.map((_, i) => i % 3 !== 0));
    // Losers were told apart by the cancellation reasons, not by writing all 60 one at a time.
    expect(total(requests) - before).toBeLessThan(60);
    for (let i = 0; i < 60; i++) {
      const item = await read(db, `${prefix}#${i}`);
      if (i % 3 === 0) {
        expect(item).toBeUndefined(); // nothing of a losing group is written
        expect((await read(db, `${prefix}#taken#${i}`))?.value).toBe(-1);
      } else {
        expect(item?.value).toBe(i);
        expect((await read(db, `${prefix}#pair#${i}`))?.value).toBe(i);
      }
    }
  });

  it('groups on one item never share a transaction: of 20 claims of one key, exactly one wins', async () => {
    const { db } = countingDb();
    const sizes: number[] = [];
    db.client.middlewareStack.add(
      (next) => (args) => {
        const items = (args.input as { TransactItems?: unknown[] }).TransactItems;
        if (items) sizes.push(items.length);
        return next(args);
      },
      { step: 'initialize', name: 'transactionSizes' },
    );
    const commit = groupCommit(db);
    const pk = uniqueId('gc-one');
    const won = await Promise.all(Array.from({ length: 20 }, (_, i) => commit([put(db, pk, i)])));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await read(db, pk))?.value).toBe(won.indexOf(true));
    // Each went in a transaction of its own: sharing one, DynamoDB would refuse the request (ValidationException).
    expect(sizes).toEqual(Array.from({ length: 20 }, () => 1));
  });

  it('a single update alone is a plain conditional write, not a transaction', async () => {
    const { db, requests } = countingDb();
    const pk = uniqueId('gc-single');
    const bump = (from: number): TransactItem => ({
      Update: {
        TableName: db.table,
        Key: { pk, sk: 'x' },
        UpdateExpression: 'SET #value = :to',
        ConditionExpression: 'attribute_not_exists(pk) OR #value = :from',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':from': from, ':to': from + 1 },
      },
    });
    expect(await groupCommit(db)([bump(0)])).toBe(true);
    expect(await groupCommit(db)([bump(0)])).toBe(false);
    expect(requests).toEqual({ UpdateItemCommand: 2 });
    expect((await read(db, pk))?.value).toBe(1);
  });
});
