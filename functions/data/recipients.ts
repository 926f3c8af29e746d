import type { Recipient } from '#core/mail/ports.ts';
import { batchGet, byKey, type Db } from './db.ts';
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

/** The profiles of these customers (those that exist); an id may come twice. */
export async function getRecipients(db: Db, customerIds: readonly string[]): Promise<Map<string, Recipient>> {
  const lookup = byKey(await batchGet(db, [...new Set(customerIds)].map(keys.customer))); // BatchGetItem refuses twice
  const out = new Map<string, Recipient>();
  for (const id of customerIds) {
    const item = lookup(keys.customer(id));
    if (item) out.set(id, asRecipient(item));
  }
  return out;
}
