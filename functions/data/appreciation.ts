import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, type Db } from './db.ts';
import { keys, lastResponseIndex } from './keys.ts';

/**
 * What the mail path keeps on the customer item: its place in the last-response index (win-back's selection). The
 * ledger, and the opt-out and suppression of addresses (copied onto the customer they were learnt through), are in
 * mail-ledger.ts, the selection in campaign-selection.ts, the campaign store adapter in campaign-store.ts.
 */

/**
 * Updates an existing customer's item; false when there is none (or `condition` does not hold), so nothing is
 * created for an id without a profile.
 */
async function updateCustomer(
  db: Db,
  customerId: string,
  update: string,
  values: Record<string, unknown>,
  condition = 'attribute_exists(pk)',
): Promise<boolean> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.customer(customerId),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Moves a customer's place in the customers-by-last-response index forward (never back). A customer without a
 * profile is not indexed: win-back needs an address, and the profile's PUT indexes them later.
 */
export async function noteLatestResponse(db: Db, customerId: string, submittedAt: string): Promise<void> {
  const index = lastResponseIndex(customerId, submittedAt);
  await updateCustomer(
    db,
    customerId,
    'SET lastResponseAt = :at, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
    { ':at': submittedAt, ':gsi2pk': index.gsi2pk, ':gsi2sk': index.gsi2sk },
    'attribute_exists(pk) AND (attribute_not_exists(lastResponseAt) OR lastResponseAt < :at)',
  );
}
