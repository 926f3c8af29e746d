import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, type Db } from './db.ts';
import { keys, lastResponseIndex } from './keys.ts';

/**
 * What the mail path keeps on the customer item: its place in the last-response index (win-back's selection), and
 * the flags that stop every email (unsubscribed, suppressed). The ledger is in mail-ledger.ts, the selection in
 * campaign-selection.ts, the campaign store adapter in campaign-store.ts.
 */

/**
 * Moves a customer's place in the customers-by-last-response index forward (never back). A customer without a
 * profile is not indexed: win-back needs an address, and the profile's PUT indexes them later.
 */
export async function noteLatestResponse(db: Db, customerId: string, submittedAt: string): Promise<void> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.customer(customerId),
        UpdateExpression: 'SET lastResponseAt = :at, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastResponseAt) OR lastResponseAt < :at)',
        ExpressionAttributeValues: { ':at': submittedAt, ...prefixValues(lastResponseIndex(customerId, submittedAt)) },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

const prefixValues = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [`:${name}`, value]));

/** Marks a customer as opted out of appreciation emails; idempotent. False when there is no such customer. */
export async function unsubscribeCustomer(db: Db, customerId: string, now: string): Promise<boolean> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.customer(customerId),
        UpdateExpression: 'SET unsubscribed = :true, unsubscribedAt = if_not_exists(unsubscribedAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Marks a customer as suppressed after SES reported a permanent bounce or a complaint; idempotent. */
export async function suppressCustomer(
  db: Db,
  customerId: string,
  reason: 'bounce' | 'complaint',
  now: string,
): Promise<boolean> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.customer(customerId),
        UpdateExpression:
          'SET suppressed = :true, suppressedReason = if_not_exists(suppressedReason, :reason), suppressedAt = if_not_exists(suppressedAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':reason': reason, ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
