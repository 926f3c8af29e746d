import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Recipient } from '#core/mail/ports.ts';
import type { Db } from './db.ts';
import { keys } from './keys.ts';

/** A customer item as the mail path reads it. */
export const asRecipient = (item: Record<string, unknown>): Recipient => ({
  customerId: String(item.customerId),
  email: String(item.email),
  name: item.name as string | undefined,
  locale: item.locale as string | undefined,
  timezone: item.timezone as string | undefined,
  birthday: item.birthday as string | undefined,
  unsubscribed: item.unsubscribed === true,
  suppressed: item.suppressed === true,
  lastResponseAt: item.lastResponseAt as string | undefined,
});

/** Gets items by key in chunks of 100, retrying what DynamoDB leaves unprocessed; looks them up by key. */
export async function batchGet(db: Db, keyList: ReadonlyArray<{ pk: string; sk: string }>, consistent = false) {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keyList.length; i += 100) {
    let request: Record<string, { Keys: Array<Record<string, unknown>>; ConsistentRead: boolean }> | undefined = {
      [db.table]: { Keys: keyList.slice(i, i + 100), ConsistentRead: consistent },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const { Responses, UnprocessedKeys } = await db.client.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of Responses?.[db.table] ?? []) found.set(`${item.pk}\u0000${item.sk}`, item);
      request = UnprocessedKeys as typeof request;
    }
  }
  return (key: { pk: string; sk: string }) => found.get(`${key.pk}\u0000${key.sk}`);
}

/** The profiles of these customers (those that exist). */
export async function getRecipients(db: Db, customerIds: readonly string[]): Promise<Map<string, Recipient>> {
  const lookup = await batchGet(db, customerIds.map(keys.customer));
  const out = new Map<string, Recipient>();
  for (const id of customerIds) {
    const item = lookup(keys.customer(id));
    if (item) out.set(id, asRecipient(item));
  }
  return out;
}
