import { DescribeStreamCommand, type DynamoDBStreamsClient, type Shard } from '@aws-sdk/client-dynamodb-streams';

/** Every shard of the stream, following DescribeStream's pages. */
export async function listShards(client: DynamoDBStreamsClient, streamArn: string): Promise<Shard[]> {
  const all: Shard[] = [];
  let ExclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId }));
    all.push(...(StreamDescription?.Shards ?? []));
    ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (ExclusiveStartShardId);
  return all;
}

/**
 * Whether to read the shard now: not finished, and not a child whose parent is still being read, so the records of
 * an item stay in order across a shard split. Asked shard by shard, so a parent finished earlier in the same pass
 * lets its child be read in that pass.
 */
export function isReadable(shard: Shard, known: ReadonlySet<string>, finished: (shardId: string) => boolean): boolean {
  if (finished(shard.ShardId!)) return false;
  const parent = shard.ParentShardId;
  return !(parent && known.has(parent) && !finished(parent));
}

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST';

/** Where to start reading a shard: after the checkpoint; else at `at` (records read before any checkpoint); else the starting position. */
export function iteratorStart(checkpoint: string | undefined, at: string | undefined, startingPosition: StartingPosition) {
  if (checkpoint) return { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint } as const;
  if (at) return { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: at } as const;
  return { ShardIteratorType: startingPosition } as const;
}
