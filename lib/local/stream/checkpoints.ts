import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';

export interface ShardState {
  /** The last sequence number done with (processed, filtered out, or sent to the on-failure destination). */
  checkpoint?: string;
  finished?: boolean;
}

/** Where each shard was left: in a JSON file when given one (checkpoints survive a restart), else in memory. */
export async function checkpointStore(file?: string) {
  const shards: Record<string, ShardState> = file
    ? await readFile(file, 'utf8').then(
        (text) => JSON.parse(text) as Record<string, ShardState>,
        () => ({}),
      )
    : {};
  return {
    shards,
    async save() {
      if (!file) return;
      await mkdir(dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, JSON.stringify(shards));
      await rename(`${file}.tmp`, file);
    },
  };
}

/** The shape of Lambda's on-failure record for stream sources, with the records themselves added. */
export function failureRecord(options: {
  functionName: string;
  streamArn: string;
  shardId: string;
  records: DynamoDBRecord[];
  condition: string;
  at: Date;
}) {
  const { records } = options;
  return {
    requestContext: {
      condition: options.condition,
      functionArn: `arn:aws:lambda:local:000000000000:function:local-${options.functionName}`,
    },
    timestamp: options.at.toISOString(),
    DDBStreamBatchInfo: {
      shardId: options.shardId,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber,
      endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber,
      batchSize: records.length,
      streamArn: options.streamArn,
    },
    records,
  };
}

/** The on-failure destination: one JSON line per batch given up on. */
export async function appendFailure(path: string, record: ReturnType<typeof failureRecord>) {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${JSON.stringify(record)}\n`);
}
