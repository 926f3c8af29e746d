import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, scanPages, type Db, type Item } from './db.ts';
import { customerAddressIndex, customerEmailsIndex } from './keys.ts';

/**
 * Gives items stored before issue 10's indexes their keys (every write sets them now): email ledger entries their
 * place on the customer's timeline (gsi2 `EMAILS#<customerId>`), customers their place under their address (gsi4,
 * `GET /v1/customers?email=`). An admin tool: it scans the table once, reading only the items without the keys, and
 * may be run again at any time; a write that moved an item meanwhile wins (the conditions).
 */
export async function backfillTimelineIndexes(
  db: Db,
  progress?: (counts: { emails: number; customers: number }) => void,
): Promise<{ emails: number; customers: number }> {
  const counts = { emails: 0, customers: 0 };
  const pages = scanPages(db, {
    FilterExpression: '(#type = :customer AND attribute_not_exists(gsi4pk)) OR (#type = :email AND attribute_not_exists(gsi2pk))',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':customer': 'customer', ':email': 'email' },
    ProjectionExpression: 'pk, sk, #type, customerId, email, campaignId, period, claimedAt',
  });
  for await (const items of pages) {
    for (const item of items) {
      try {
        if (item.type === 'customer') {
          await setIndex(db, item, customerAddressIndex(String(item.email), String(item.customerId)), 'email');
          counts.customers++;
        } else if (typeof item.claimedAt === 'string') {
          const { customerId, claimedAt, campaignId, period } = item;
          await setIndex(
            db,
            item,
            customerEmailsIndex(String(customerId), claimedAt, String(campaignId), String(period)),
            'claimedAt',
          );
          counts.emails++;
        }
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    progress?.(counts);
  }
  return counts;
}

/** Sets an item's index keys if it still exists with the same `field` (never brings back a deleted item). */
function setIndex(db: Db, item: Item, index: Record<string, string>, field: string) {
  const names = Object.keys(index);
  return db.client.send(
    new UpdateCommand({
      TableName: db.table,
      Key: { pk: String(item.pk), sk: String(item.sk) },
      UpdateExpression: `SET ${names.map((name) => `${name} = :${name}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND #field = :field',
      ExpressionAttributeNames: { '#field': field },
      ExpressionAttributeValues: {
        ':field': String(item[field]),
        ...Object.fromEntries(names.map((name): [string, string] => [`:${name}`, index[name]!])),
      },
    }),
  );
}
