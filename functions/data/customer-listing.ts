import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeCursor, decodeCursor } from '#core/cursors.ts';
import { batchGet, byKey, type Db, type Item } from './db.ts';
import { toCustomer, type Customer } from './customers.ts';
import { CADENCE_SHARDS, cadencePartition, customerAddressPartition, keys } from './keys.ts';

export interface CustomerPage {
  items: Customer[];
  nextCursor?: string;
}

/**
 * Where a listing stands: with `email`, after a customer id under that address (gsi4); without, after a sort key of
 * one cadence shard (gsi3, where every customer is: the whole base, a shard after another, without a scan).
 */
export type CustomerListPosition = { email: true; after: string } | { email: false; shard: number; after: string };

const encode = (position: CustomerListPosition): string =>
  encodeCursor(position.email ? ['email', position.after] : ['all', position.shard, position.after]);

/** The position a cursor names, if it is one this listing (with or without `email`, as now) made; else undefined. */
export function decodeCustomerCursor(cursor: string, byEmail: boolean): CustomerListPosition | undefined {
  const value = decodeCursor(cursor, 600);
  if (!Array.isArray(value)) return undefined;
  // An empty `after` in the whole-base listing: the start of the shard (the page before ended the one before it).
  const text = (v: unknown): v is string => typeof v === 'string' && v.length <= 300;
  const position: CustomerListPosition | undefined =
    value.length === 2 && value[0] === 'email' && text(value[1]) && value[1] !== ''
      ? { email: true, after: value[1] }
      : value.length === 3 && value[0] === 'all' && Number.isInteger(value[1]) && text(value[2])
        ? { email: false, shard: value[1] as number, after: value[2] }
        : undefined;
  if (!position || position.email !== byEmail) return undefined;
  if (!position.email && (position.shard < 0 || position.shard >= CADENCE_SHARDS)) return undefined;
  return encode(position) === cursor ? position : undefined;
}

/**
 * A page of customers: those whose address is `email` (as the customer write normalises it: case and surrounding
 * spaces do not count), by id; or, without it, the whole base in cadence-index order. One query a page with
 * `email`; without, one per shard the page spans (at most CADENCE_SHARDS). Each page's addresses are read in one
 * batch, for the unsubscribed and suppressed flags.
 */
export async function listCustomers(
  db: Db,
  options: { email?: string; limit: number; after?: CustomerListPosition },
): Promise<CustomerPage> {
  const { email, limit, after } = options;
  const found: Item[] = [];
  let next: CustomerListPosition | undefined;
  if (email !== undefined) {
    const page = await query(db, 'gsi4', customerAddressPartition(email), after?.after, limit);
    found.push(...page.items);
    if (page.more) next = { email: true, after: String(found.at(-1)!.gsi4sk) };
  } else {
    let shard = after && !after.email ? after.shard : 0;
    let from = after?.after;
    while (shard < CADENCE_SHARDS) {
      const page = await query(db, 'gsi3', cadencePartition(shard), from, limit - found.length);
      found.push(...page.items);
      if (found.length >= limit) {
        // A full page that ended its shard continues with the next shard that has anyone (none: no cursor).
        next = page.more
          ? { email: false, shard, after: String(found.at(-1)!.gsi3sk) }
          : await nextShardWithCustomers(db, shard + 1);
        break;
      }
      shard++;
      from = undefined;
    }
  }
  // One key per address (spellings that normalise alike share it: a batch may not name a key twice).
  const addressKeys = new Map(found.map((c) => keys.address(String(c.email))).map((key) => [key.pk, key]));
  const addresses = byKey(await batchGet(db, [...addressKeys.values()]));
  const items = found.map((c) => toCustomer(c, addresses(keys.address(String(c.email)))));
  return next ? { items, nextCursor: encode(next) } : { items };
}

/**
 * Up to `limit` items of an index partition after a sort key, in order; `more`: others follow them. One more item is
 * read to know (DynamoDB hands back a LastEvaluatedKey whenever a page fills, even when nothing follows).
 */
async function query(db: Db, index: 'gsi3' | 'gsi4', partition: string, after: string | undefined, limit: number) {
  const { Items = [] } = await db.client.send(
    new QueryCommand({
      TableName: db.table,
      IndexName: index,
      KeyConditionExpression: after ? `${index}pk = :pk AND ${index}sk > :after` : `${index}pk = :pk`,
      ExpressionAttributeValues: { ':pk': partition, ...(after ? { ':after': after } : {}) },
      Limit: limit + 1,
    }),
  );
  return { items: Items.slice(0, limit), more: Items.length > limit };
}

/** The start of the first shard from `shard` on that holds a customer, if any. */
async function nextShardWithCustomers(db: Db, shard: number): Promise<CustomerListPosition | undefined> {
  for (let s = shard; s < CADENCE_SHARDS; s++) {
    if ((await query(db, 'gsi3', cadencePartition(s), undefined, 1)).items.length > 0) {
      return { email: false, shard: s, after: '' };
    }
  }
  return undefined;
}
