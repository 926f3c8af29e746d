import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { encodeCursor, decodeCursor } from '#core/cursors.ts';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PublishWebhookEvent, WebhookEvent, WebhookEventType } from '#core/webhook-events.ts';
import { deliveryIdOf, type WebhookFormat } from '#core/webhooks.ts';
import { webhookQueueFromEnv, type WebhookQueue } from '#runtime/webhook-queue.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { isConditionFailure, queryAll, type Db, type Item } from './db.ts';
import { keys, webhookDeliveriesIndex, webhookDeliveriesPartition } from './keys.ts';

// ---- Webhooks ---------------------------------------------------------------------------------------------------

/** A webhook as the API shows it: never its secret after creation. */
export interface Webhook {
  webhookId: string;
  url: string;
  events: WebhookEventType[];
  format: WebhookFormat;
  createdAt: string;
  updatedAt: string;
}

/** As stored: with the secret the deliverer signs with (the table is encrypted at rest; the secret is never logged). */
export interface StoredWebhook extends Webhook {
  secret: string;
}

const publicWebhook = (item: Item): Webhook => {
  const { webhookId, url, events, format, createdAt, updatedAt } = item as StoredWebhook;
  return { webhookId, url, events, format, createdAt, updatedAt };
};

/**
 * Creates the webhook with `secret`, or changes an existing one's url, events and format (its secret stays).
 * `created` says which; the caller shows the secret only then.
 */
export async function putWebhook(
  db: Db,
  input: Pick<Webhook, 'webhookId' | 'url' | 'events' | 'format'>,
  secret: string,
  now: string,
): Promise<{ webhook: Webhook; created: boolean }> {
  try {
    const item = { ...keys.webhook(input.webhookId), type: 'webhook', ...input, secret, createdAt: now, updatedAt: now };
    await db.client.send(new PutCommand({ TableName: db.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return { webhook: publicWebhook(item), created: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const { Attributes } = await db.client.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.webhook(input.webhookId),
      UpdateExpression: 'SET #url = :url, events = :events, #format = :format, updatedAt = :now',
      ExpressionAttributeNames: { '#url': 'url', '#format': 'format' },
      ExpressionAttributeValues: { ':url': input.url, ':events': input.events, ':format': input.format, ':now': now },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return { webhook: publicWebhook(Attributes!), created: false };
}

export async function getWebhook(db: Db, webhookId: string): Promise<Webhook | undefined> {
  const stored = await getStoredWebhook(db, webhookId);
  return stored && publicWebhook(stored);
}

/** With its secret: the deliverer's read. */
export async function getStoredWebhook(db: Db, webhookId: string): Promise<StoredWebhook | undefined> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.webhook(webhookId), ConsistentRead: true }),
  );
  return Item && { ...publicWebhook(Item), secret: Item.secret as string };
}

/** Every webhook, by id, without secrets. */
export async function listWebhooks(db: Db): Promise<Webhook[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.webhooks().pk },
    ConsistentRead: true,
  });
  return items.map(publicWebhook);
}

/** False when there was no such webhook. Its deliveries stay listed until they expire; pending ones are not sent. */
export async function deleteWebhook(db: Db, webhookId: string): Promise<boolean> {
  try {
    await db.client.send(
      new DeleteCommand({ TableName: db.table, Key: keys.webhook(webhookId), ConditionExpression: 'attribute_exists(pk)' }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

// ---- Publishing -------------------------------------------------------------------------------------------------

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event for one webhook, as stored: its body's event, and how its attempts went. */
export interface Delivery {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  eventType: WebhookEventType;
  status: DeliveryStatus;
  /** Attempts made (claimed) so far. */
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  createdAt: string;
  lastAttemptAt?: string;
  /** Epoch ms of the next attempt while retrying. */
  nextAttemptAt?: number;
  deliveredAt?: string;
  /** The attempt whose message was queued last (1 until a retry is queued): tells a duplicate from a lost message. */
  queuedAttempt?: number;
}

/** Deliveries are listed for 30 days, beyond their 26 hours of retries. */
const DELIVERY_TTL_SECONDS = 30 * 24 * 60 * 60;

/**
 * Fans an event out to the webhooks subscribed to its type: one delivery item each, written only if absent (the
 * id is derived from the webhook and the event), then one queue message per new delivery. A repeat of the event
 * writes nothing and sends nothing, unless its first publication stored the delivery but failed to enqueue it.
 */
export async function publishEvent(db: Db, queue: WebhookQueue, event: WebhookEvent, nowMs = Date.now()): Promise<void> {
  const subscribers = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: 'contains(events, :type)',
    ExpressionAttributeValues: { ':pk': keys.webhooks().pk, ':type': event.type },
    ProjectionExpression: 'webhookId',
    ConsistentRead: true,
  });
  const createdAt = new Date(nowMs).toISOString();
  // One conditional put per subscriber, side by side: a failure fails the publication, and publishing again is safe.
  const toSend = await Promise.all(
    (subscribers as Array<{ webhookId: string }>).map(async ({ webhookId }) => {
      const deliveryId = deliveryIdOf(webhookId, event.id);
      try {
        await db.client.send(
          new PutCommand({
            TableName: db.table,
            Item: {
              ...keys.webhookDelivery(deliveryId),
              ...webhookDeliveriesIndex(webhookId, createdAt, deliveryId),
              type: 'webhookDelivery',
              deliveryId,
              webhookId,
              eventId: event.id,
              eventType: event.type,
              event,
              status: 'pending',
              attempts: 0,
              createdAt,
              ttl: Math.floor(nowMs / 1000) + DELIVERY_TTL_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return deliveryId;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Published before: sent again only if no attempt was made yet (its message may never have reached the
        // queue); a second message is harmless, as each attempt is claimed once.
        const old = oldItem(error);
        return old && old.status === 'pending' && old.attempts === 0 ? deliveryId : undefined;
      }
    }),
  ).then((ids) => ids.filter((id) => id !== undefined));
  if (toSend.length) await queue.send(toSend.map((deliveryId) => ({ deliveryId, attempt: 1 })));
}

/** The item a failed condition found (ReturnValuesOnConditionCheckFailure), in the document client's form. */
function oldItem(error: unknown): Item | undefined {
  const item = (error as { Item?: Record<string, unknown> }).Item;
  // The document client unmarshalls results, not the item carried by an exception.
  return item && typeof item.status === 'object' ? unmarshall(item as Record<string, AttributeValue>) : item;
}

/** A publisher on a given table and queue (tests, the bench). */
export const webhookPublisher =
  (db: Db, queue: WebhookQueue): PublishWebhookEvent =>
  (event) =>
    publishEvent(db, queue, event);

let wired: PublishWebhookEvent | undefined;
/**
 * What producers call: wired from the env on first use (TABLE_NAME, and WEBHOOK_QUEUE_URL deployed, which the
 * manifest's `access.webhookQueue` sets; locally the in-process queue).
 */
export const publishWebhookEvent: PublishWebhookEvent = (event) => {
  wired ??= webhookPublisher(tableFromEnv(), webhookQueueFromEnv());
  return wired(event);
};

// ---- Delivering -------------------------------------------------------------------------------------------------

/** A delivery with the event it carries: the deliverer's read. */
export async function getDelivery(db: Db, deliveryId: string): Promise<(Delivery & { event: WebhookEvent }) | undefined> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.webhookDelivery(deliveryId), ConsistentRead: true }),
  );
  return Item as (Delivery & { event: WebhookEvent }) | undefined;
}

/**
 * Claims attempt `attempt` (attempts was `attempt - 1`, and the delivery still open): the one consumer that wins
 * makes it, so a duplicate message never sends twice. `retryAt` is written now, as if the attempt will fail: a
 * crash before its outcome is recorded still leaves the next attempt's time. False when someone else claimed it.
 */
export async function claimAttempt(
  db: Db,
  deliveryId: string,
  attempt: number,
  nowMs: number,
  retryAt?: number,
): Promise<boolean> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.webhookDelivery(deliveryId),
        UpdateExpression: `SET attempts = :attempt, lastAttemptAt = :now${retryAt === undefined ? ' REMOVE nextAttemptAt' : ', nextAttemptAt = :retryAt'}`,
        ConditionExpression: 'attempts = :previous AND #status IN (:pending, :retrying)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':attempt': attempt,
          ':previous': attempt - 1,
          ':now': new Date(nowMs).toISOString(),
          ':pending': 'pending',
          ':retrying': 'retrying',
          ...(retryAt === undefined ? {} : { ':retryAt': retryAt }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export interface AttemptOutcome {
  status: Extract<DeliveryStatus, 'retrying' | 'delivered' | 'failed'>;
  httpStatus?: number;
  error?: string;
  at: string;
  /** The attempt whose message is in the queue now (a retry's): a duplicate of an older message then does nothing. */
  queuedAttempt?: number;
  /** Epoch ms: when the queued retry is due. */
  nextAttemptAt?: number;
}

/** Records how attempt `attempt` went, if no later attempt was claimed since. */
export async function recordOutcome(db: Db, deliveryId: string, attempt: number, outcome: AttemptOutcome): Promise<void> {
  const set = ['#status = :status'];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ':status': outcome.status, ':attempt': attempt };
  const optional = (name: string, value: unknown) => {
    if (value === undefined) remove.push(name);
    else {
      set.push(`${name} = :${name}`);
      values[`:${name}`] = value;
    }
  };
  optional('lastStatus', outcome.httpStatus);
  optional('lastError', outcome.error);
  if (outcome.status === 'delivered') optional('deliveredAt', outcome.at);
  if (outcome.status === 'retrying') optional('nextAttemptAt', outcome.nextAttemptAt);
  else remove.push('nextAttemptAt');
  if (outcome.queuedAttempt !== undefined) optional('queuedAttempt', outcome.queuedAttempt);
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.webhookDelivery(deliveryId),
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: 'attempts = :attempt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

// ---- Listing ----------------------------------------------------------------------------------------------------

/** A delivery as listed: its times as ISO 8601 (nextAttemptAt only while retrying), never the event it carries. */
export type ListedDelivery = Omit<Delivery, 'nextAttemptAt'> & { nextAttemptAt?: string };

const listedDelivery = (item: Item): ListedDelivery => {
  const stored = item as Delivery;
  const { deliveryId, webhookId, eventId, eventType, status, attempts, createdAt } = stored;
  const { lastStatus, lastError, lastAttemptAt, nextAttemptAt, deliveredAt } = stored;
  return {
    deliveryId,
    webhookId,
    eventId,
    eventType,
    status,
    attempts,
    createdAt,
    ...(lastStatus === undefined ? {} : { lastStatus }),
    ...(lastError === undefined ? {} : { lastError }),
    ...(lastAttemptAt === undefined ? {} : { lastAttemptAt }),
    ...(nextAttemptAt === undefined || status !== 'retrying' ? {} : { nextAttemptAt: new Date(nextAttemptAt).toISOString() }),
    ...(deliveredAt === undefined ? {} : { deliveredAt }),
  };
};

/** A page of a webhook's deliveries, newest first; `after` must have passed `deliveryCursor` for the same webhook. */
export async function listDeliveries(
  db: Db,
  webhookId: string,
  options: { limit: number; after?: Item },
): Promise<{ items: ListedDelivery[]; nextCursor?: string }> {
  const page = await db.client.send(
    new QueryCommand({
      TableName: db.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': webhookDeliveriesPartition(webhookId) },
      ScanIndexForward: false,
      // One more than the page, to know whether another follows (DynamoDB hands back a LastEvaluatedKey whenever a
      // page fills, even when nothing follows).
      Limit: options.limit + 1,
      ExclusiveStartKey: options.after,
    }),
  );
  const found = page.Items ?? [];
  const items = found.slice(0, options.limit);
  if (found.length <= options.limit) return { items: items.map(listedDelivery) };
  const last = items.at(-1)!;
  const start = Object.fromEntries(['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => [name, String(last[name])]));
  return {
    items: items.map(listedDelivery),
    nextCursor: encodeCursor(start),
  };
}

/**
 * The start key a cursor names, if it is one of this webhook's deliveries listing (a forged one could otherwise
 * reach another partition, or make DynamoDB answer an error); else undefined.
 */
export function deliveryCursor(cursor: string, webhookId: string): Item | undefined {
  const key = decodeCursor(cursor, 1000);
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return undefined;
  const fields = key as Record<string, unknown>;
  if (Object.keys(fields).sort().join() !== 'gsi1pk,gsi1sk,pk,sk') return undefined;
  if (!Object.values(fields).every((v) => typeof v === 'string' && v.length <= 300)) return undefined;
  const deliveryId = String(fields.gsi1sk).split('#').pop()!;
  const valid =
    fields.gsi1pk === webhookDeliveriesPartition(webhookId) &&
    /^msg_[A-Za-z0-9_-]{27}$/.test(deliveryId) &&
    fields.pk === keys.webhookDelivery(deliveryId).pk &&
    fields.sk === keys.webhookDelivery(deliveryId).sk;
  return valid ? fields : undefined;
}
