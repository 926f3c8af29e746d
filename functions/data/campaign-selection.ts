import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { IndexQuery } from '#core/campaigns/campaign.ts';
import type { IndexItem, SelectionCursor, SelectionPage } from '#core/campaigns/store.ts';
import type { Db } from './db.ts';
import { birthdayPartition, LAST_RESPONSE_SHARDS, lastResponsePartition, npsDayIndex } from './keys.ts';
import { asRecipient } from './recipients.ts';

/** One index partition a selection reads, in order; a campaign's cursor walks them one after another. */
export interface Partition {
  index: 'gsi1' | 'gsi2' | 'gsi3';
  pk: string;
  /** Only sort keys below this. */
  skBefore?: string;
}

export function partitionsOf(queries: readonly IndexQuery[]): Partition[] {
  return queries.flatMap((q): Partition[] => {
    switch (q.index) {
      case 'npsDay':
        return [{ index: 'gsi3', pk: npsDayIndex(`${q.day}T00:00:00Z`, q.npsClass === 'promoter' ? 10 : 0, '', '').gsi3pk }];
      case 'birthday':
        return [{ index: 'gsi1', pk: birthdayPartition(q.monthDay) }];
      case 'lastResponse':
        return Array.from({ length: LAST_RESPONSE_SHARDS }, (_, shard) => ({
          index: 'gsi2' as const,
          pk: lastResponsePartition(shard),
          skBefore: q.before,
        }));
    }
  });
}

/**
 * Reads up to `limit` selection items from where the cursor stands; `next` is undefined once every partition is
 * read. Queries only: the indexes are made for these selections, nothing is scanned.
 */
export async function readSelectionPage(
  db: Db,
  partitions: readonly Partition[],
  cursor: SelectionCursor,
  limit: number,
): Promise<SelectionPage> {
  let { partition, after } = cursor;
  // Answers sort by customer in the npsDay index: a customer split across two pages was handled with the first page.
  const previous = typeof cursor.after?.gsi3sk === 'string' ? cursor.after.gsi3sk.split('#')[0] : undefined;
  const items: IndexItem[] = [];
  while (partition < partitions.length && items.length < limit) {
    const p = partitions[partition]!;
    const { Items = [], LastEvaluatedKey } = await db.client.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: p.index,
        KeyConditionExpression: p.skBefore ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': `${p.index}pk`, ...(p.skBefore ? { '#sk': `${p.index}sk` } : {}) },
        ExpressionAttributeValues: { ':pk': p.pk, ...(p.skBefore ? { ':before': p.skBefore } : {}) },
        ExclusiveStartKey: after,
        Limit: limit - items.length,
      }),
    );
    for (const item of Items) {
      if (item.type === 'response') {
        items.push({
          customerId: String(item.customerId),
          answer: { responseId: String(item.responseId), nps: Number(item.nps), comment: item.comment as string | undefined },
        });
      } else if (item.type === 'customer') {
        items.push({ customerId: String(item.customerId), customer: asRecipient(item) });
      }
    }
    if (LastEvaluatedKey) after = LastEvaluatedKey;
    else {
      partition++;
      after = undefined;
    }
  }
  return {
    items: previous === undefined ? items : items.filter((item) => item.customerId !== previous),
    next: partition < partitions.length ? { partition, after } : undefined,
  };
}
