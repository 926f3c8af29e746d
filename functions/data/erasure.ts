import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { customerItems } from './customer-export.ts';
import { batchDelete, queryPages, type Db } from './db.ts';
import { keys } from './keys.ts';

/** Long enough to outlive every link to the customer (a link lives at most 365 days): their old links stay refused. */
const ERASURE_TTL_SECONDS = 366 * 86_400;

/**
 * Starts (or, when an erasure of them is unfinished, resumes) a customer's erasure: marks it, then deletes the
 * profile, so the customer is 404 at once. `not_found` when there is no such customer and no erasure to finish.
 */
export async function beginErasure(db: Db, customerId: string, nowMs: number): Promise<'erasing' | 'not_found'> {
  const [{ Item: profile }, { Item: erasure }] = await Promise.all([
    db.client.send(new GetCommand({ TableName: db.table, Key: keys.customer(customerId), ConsistentRead: true })),
    db.client.send(new GetCommand({ TableName: db.table, Key: keys.erasure(customerId), ConsistentRead: true })),
  ]);
  if (!profile && erasure?.status !== 'erasing') return 'not_found';
  await markErasure(db, customerId, 'erasing', nowMs);
  await db.client.send(new DeleteCommand({ TableName: db.table, Key: keys.customer(customerId) }));
  return 'erasing';
}

function markErasure(db: Db, customerId: string, status: 'erasing' | 'erased', nowMs: number) {
  return db.client.send(
    new PutCommand({
      TableName: db.table,
      Item: {
        ...keys.erasure(customerId),
        type: 'erasure',
        status,
        updatedAt: new Date(nowMs).toISOString(),
        ttl: Math.floor(nowMs / 1000) + ERASURE_TTL_SECONDS,
      },
    }),
  );
}

export interface ErasureProgress {
  done: boolean;
  /** Items deleted by this call, by kind. */
  deleted: { responses: number; invitations: number; events: number; partition: number };
}

/**
 * Deletes the customer's items a page at a time until none is left or the deadline passes (then `done` is false:
 * call again, from anywhere, since each call starts from what is left). Deleting responses and invitations sends
 * their REMOVE records down the stream, so the scorer takes them out of the scores. Done, the erasure is marked so.
 */
export async function eraseSome(db: Db, customerId: string, deadlineMs: number, now = Date.now): Promise<ErasureProgress> {
  const deleted = { responses: 0, invitations: 0, events: 0, partition: 0 };
  const where = customerItems(customerId);
  for (const kind of ['responses', 'invitations', 'events', 'partition'] as const) {
    // Keys only, 100 a page (four batch writes): a page is deleted before the next is read.
    for await (const page of queryPages(db, { ...where[kind], ProjectionExpression: 'pk, sk', Limit: 100 })) {
      await batchDelete(
        db,
        page.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })),
      );
      deleted[kind] += page.length;
      if (now() > deadlineMs) return { done: false, deleted };
    }
  }
  await markErasure(db, customerId, 'erased', now());
  return { done: true, deleted };
}

/** Whether the customer was erased (or is being erased) within a link's lifetime: their links store nothing. */
export async function wasErased(db: Db, customerId: string): Promise<boolean> {
  const { Item } = await db.client.send(new GetCommand({ TableName: db.table, Key: keys.erasure(customerId) }));
  return Item !== undefined;
}
