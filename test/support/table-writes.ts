import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { isDeepStrictEqual } from 'node:util';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { localCredentials } from '../../functions/runtime/clients.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { listShards } from '../../lib/local/stream/shards.ts';
import { testStreamArn } from '../test-env.ts';

/** One change to the table, as its stream tells it: the item's key, what it was and what it became. */
export interface TableWrite {
  eventName: string;
  keys: Record<string, unknown>;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

const toItem = (image?: Record<string, AttributeValue>) => (image ? unmarshall(image) : undefined);

/**
 * Every write to the shared table from now on, read from its stream: whatever key it went to, whoever made it. The
 * cost is what was written while watching, never the size of the table, so a "stores nothing" check stays quick
 * however much other test files store (the old check scanned the table twice per case).
 */
export async function watchTableWrites() {
  const client = new DynamoDBStreamsClient({
    endpoint: process.env[ENV.dynamodbEndpoint],
    region: 'local',
    credentials: localCredentials,
  });
  const streamArn = testStreamArn();

  const iterator = async (ShardId: string, ShardIteratorType: 'LATEST' | 'TRIM_HORIZON') =>
    (await client.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType }))).ShardIterator;

  /** Reads from an iterator to the shard's current end. */
  const readToEnd = async (start: string | undefined) => {
    const records: StreamRecord[] = [];
    let next = start;
    while (next) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: next }));
      records.push(...(page.Records ?? []));
      if (!page.Records?.length) break;
      next = page.NextShardIterator;
    }
    return records;
  };

  /** Open shards (no ending sequence number) start at LATEST; a shard created later is read from its start. */
  const shardsAtStart = await listShards(client, streamArn);
  const seen = new Set(shardsAtStart.map((s) => s.ShardId!));
  const open = shardsAtStart.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
  const marks = await Promise.all(open.map((s) => iterator(s.ShardId!, 'LATEST')));

  return {
    /** The writes since the watch began; reads each shard once, so call it once. */
    async written(): Promise<TableWrite[]> {
      const records: StreamRecord[] = [];
      for (const start of marks) records.push(...(await readToEnd(start)));
      for (const shard of await listShards(client, streamArn)) {
        if (!seen.has(shard.ShardId!)) records.push(...(await readToEnd(await iterator(shard.ShardId!, 'TRIM_HORIZON'))));
      }
      client.destroy();
      return records.map((r) => ({
        eventName: r.eventName ?? '',
        keys: toItem(r.dynamodb?.Keys) ?? {},
        before: toItem(r.dynamodb?.OldImage),
        after: toItem(r.dynamodb?.NewImage),
      }));
    },
  };
}

/**
 * What the writes whose key or attributes contain one of the ids (in any case) left changed, item by item: the
 * state before the first of them and after the last. A lease taken and released again (an idempotency record of
 * a rejected request) nets to nothing, as the table is then as it was.
 */
export function writesNaming(writes: TableWrite[], ids: string[]) {
  const needles = [...new Set(ids.flatMap((id) => [id.toLowerCase(), id.toUpperCase()]))];
  const byItem = new Map<
    string,
    { keys: Record<string, unknown>; before?: Record<string, unknown>; after?: Record<string, unknown> }
  >();
  for (const w of writes) {
    const text = JSON.stringify([w.keys, w.before, w.after]);
    if (!needles.some((needle) => text.includes(needle))) continue;
    const id = JSON.stringify(w.keys);
    const seen = byItem.get(id);
    byItem.set(id, { keys: w.keys, before: seen ? seen.before : w.before, after: w.after });
  }
  return [...byItem.values()].filter((change) => !isDeepStrictEqual(change.before, change.after));
}
