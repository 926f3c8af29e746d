import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cadencePosition } from '#core/invitations/rules.ts';
import { isConditionFailure, scanPages, type Db } from './db.ts';
import { cadenceIndex, keys } from './keys.ts';

/**
 * Puts customers stored before the cadence index existed into it (a customer `PUT` does it too). An admin tool: it
 * scans the table once, reading only customer items without the index, and may be run again at any time.
 */
export async function indexCustomersForCadence(db: Db, progress?: (indexed: number) => void): Promise<{ indexed: number }> {
  let indexed = 0;
  const pages = scanPages(db, {
    FilterExpression: '#type = :customer AND attribute_not_exists(gsi3pk)',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':customer': 'customer' },
    ProjectionExpression: 'customerId',
  });
  for await (const items of pages) {
    for (const item of items) {
      const customerId = String(item.customerId);
      const index = cadenceIndex(customerId, cadencePosition(customerId));
      try {
        await db.client.send(
          new UpdateCommand({
            TableName: db.table,
            Key: keys.customer(customerId),
            UpdateExpression: 'SET gsi3pk = :pk, gsi3sk = :sk',
            // Never brings back a customer deleted meanwhile.
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':pk': index.gsi3pk, ':sk': index.gsi3sk },
          }),
        );
        indexed++;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    progress?.(indexed);
  }
  return { indexed };
}
