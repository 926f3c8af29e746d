import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localCredentials } from '#runtime/clients.ts';
import { ENV } from '#runtime/env.ts';
import { FUNCTIONS, type FunctionSpec, type StreamConsumer } from '../manifest.ts';
import { lambdaContext, loadHandler } from './lambda-runtime.ts';

/**
 * The local twin of Lambda's DynamoDB event source mapping: reads the table's stream from DynamoDB Local, builds
 * the event Lambda would, and calls the function's handler with the manifest's settings: batch size, batching
 * window, filter patterns, partial batch failures (resume from the failed record), bisection on error, a retry
 * limit, a maximum record age, and an on-failure destination (a JSONL file you can read). Parent shards are
 * finished before their children. With a data folder, checkpoints survive a restart.
 */

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPollerOptions {
  endpoint: string;
  streamArn: string;
  fn: FunctionSpec & { stream: StreamConsumer };
  /** Checkpoints go to `<dataDir>/stream-checkpoints/<fn>.json`; without it they live in memory. */
  dataDir?: string;
  /** The on-failure destination: batches given up on are appended here as JSON lines. */
  failurePath: string;
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** How long an idle shard waits before reading again. */
  pollIntervalMs?: number;
  /** Defaults to importing `fn.entry`. */
  handler?: StreamHandler;
  log?: (line: string) => void;
}

export interface StreamPoller {
  /** Resolves once every record written before the call has been handed to the function (or given up on). */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

interface ShardState {
  /** The last sequence number done with (processed, filtered out, or sent to the on-failure destination). */
  checkpoint?: string;
  finished?: boolean;
}

const RETRY_BACKOFF_MS = 200;

/** Lambda event filtering, for the operators the manifest uses: exact values, prefix, exists, anything-but. */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((rule) => {
      if (rule !== null && typeof rule === 'object') {
        const r = rule as Record<string, unknown>;
        if ('prefix' in r) return typeof value === 'string' && value.startsWith(String(r.prefix));
        if ('exists' in r) return (value !== undefined) === r.exists;
        if ('anything-but' in r) return ![r['anything-but']].flat().includes(value);
        return false;
      }
      return value === rule;
    });
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (value === null || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([name, sub]) => matchesPattern((value as Record<string, unknown>)[name], sub));
  }
  return value === pattern;
}

/** The record exactly as Lambda hands it over: epoch seconds for the creation time, the stream's ARN and region. */
export function lambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    // DynamoDB Local says "ddblocal"; Lambda gives the table's region.
    awsRegion: region,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: d.Keys,
      ...(d.NewImage ? { NewImage: d.NewImage } : {}),
      ...(d.OldImage ? { OldImage: d.OldImage } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    } as DynamoDBRecord['dynamodb'],
    eventSourceARN: streamArn,
  };
}

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { fn, streamArn } = options;
  const settings = fn.stream;
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const log = options.log ?? (() => undefined);
  const pollInterval = options.pollIntervalMs ?? 200;
  const client = new DynamoDBStreamsClient({ endpoint: options.endpoint, region, credentials: localCredentials });
  const handler: StreamHandler = options.handler ?? (await loadHandler<StreamHandler>(fn));

  const checkpointFile = options.dataDir && join(options.dataDir, 'stream-checkpoints', `${fn.name}.json`);
  const shards: Record<string, ShardState> = checkpointFile
    ? await readFile(checkpointFile, 'utf8').then(
        (text) => JSON.parse(text) as Record<string, ShardState>,
        () => ({}),
      )
    : {};
  const saveCheckpoints = async () => {
    if (!checkpointFile) return;
    await mkdir(dirname(checkpointFile), { recursive: true });
    await writeFile(`${checkpointFile}.tmp`, JSON.stringify(shards));
    await rename(`${checkpointFile}.tmp`, checkpointFile);
  };

  const sendToFailureDestination = async (shardId: string, records: DynamoDBRecord[], condition: string) => {
    const first = records[0]?.dynamodb?.SequenceNumber;
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    log(`${fn.name}: gave up on ${records.length} records of ${shardId} (${condition}); see ${options.failurePath}`);
    await mkdir(dirname(options.failurePath), { recursive: true });
    await appendFile(
      options.failurePath,
      `${JSON.stringify({
        // The shape of Lambda's on-failure record for stream sources, with the records themselves added.
        requestContext: { condition, functionArn: `arn:aws:lambda:local:000000000000:function:local-${fn.name}` },
        timestamp: new Date().toISOString(),
        DDBStreamBatchInfo: {
          shardId,
          startSequenceNumber: first,
          endSequenceNumber: last,
          batchSize: records.length,
          streamArn,
        },
        records,
      })}\n`,
    );
  };

  const isTooOld = (record: DynamoDBRecord) =>
    settings.maxRecordAgeSeconds >= 0 &&
    record.dynamodb?.ApproximateCreationDateTime !== undefined &&
    Date.now() / 1000 - record.dynamodb.ApproximateCreationDateTime > settings.maxRecordAgeSeconds;

  /**
   * One batch through the function, as the event source mapping would: until done, retried out, or too old.
   * Resolves true when the batch is done with (processed, or sent to the on-failure destination), false when the
   * poller stopped first: then the batch must not be checkpointed, or a restart with --persist would skip it.
   */
  const deliver = async (shardId: string, batch: DynamoDBRecord[]): Promise<boolean> => {
    let pending = batch;
    let retries = 0;
    while (pending.length > 0) {
      if (stopping) return false;
      if (isTooOld(pending[0]!)) {
        await sendToFailureDestination(shardId, pending, 'RecordAgeExceeded');
        return true;
      }
      let failedFrom: number | undefined;
      let functionError = false;
      try {
        const result = await handler({ Records: pending }, lambdaContext(fn));
        const failures = result?.batchItemFailures ?? [];
        if (failures.length > 0) {
          const ids = failures.map((f) => f.itemIdentifier);
          const index = pending.findIndex((r) => ids.includes(r.dynamodb?.SequenceNumber ?? ''));
          failedFrom = index < 0 ? 0 : index; // an unknown identifier fails the whole batch, as on Lambda
        }
      } catch (error) {
        functionError = true;
        log(
          `${fn.name}: the function failed on a batch of ${pending.length}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (!functionError && failedFrom === undefined) return true;
      retries++;
      if (retries > settings.retryAttempts) {
        await sendToFailureDestination(shardId, functionError ? pending : pending.slice(failedFrom), 'RetryAttemptsExhausted');
        return true;
      }
      if (functionError && settings.bisectBatchOnError && pending.length > 1) {
        const half = Math.ceil(pending.length / 2);
        return (await deliver(shardId, pending.slice(0, half))) && deliver(shardId, pending.slice(half));
      }
      if (failedFrom !== undefined) pending = pending.slice(failedFrom);
      await new Promise((r) => setTimeout(r, RETRY_BACKOFF_MS * Math.min(retries, 10)));
    }
    return true;
  };

  const passesFilters = (record: DynamoDBRecord) =>
    !settings.filterPatterns?.length || settings.filterPatterns.some((pattern) => matchesPattern(record, pattern));

  let stopping = false;
  let lastIdleAt = 0;
  let idleWaiters: Array<{ since: number; resolve: () => void }> = [];

  /** After the checkpoint; else at `at` (records read before the first checkpoint); else the starting position. */
  const iteratorFor = async (shardId: string, at?: string): Promise<string | undefined> => {
    const checkpoint = shards[shardId]?.checkpoint;
    const request = client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(checkpoint
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint }
          : at
            ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: at }
            : { ShardIteratorType: options.startingPosition ?? 'TRIM_HORIZON' }),
      }),
    );
    try {
      return (await request).ShardIterator;
    } catch (error) {
      if (!checkpoint && at) return iteratorFor(shardId);
      if (!checkpoint) throw error;
      // A checkpoint the stream no longer knows (data reset): start over; the scorer is idempotent.
      log(`${fn.name}: checkpoint of ${shardId} not found in the stream; reading it from the start`);
      shards[shardId] = {};
      return iteratorFor(shardId);
    }
  };

  const listShards = async (): Promise<Shard[]> => {
    const all: Shard[] = [];
    let ExclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId }));
      all.push(...(StreamDescription?.Shards ?? []));
      ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (ExclusiveStartShardId);
    return all;
  };

  /**
   * Reads one shard to its current end (or to its close), delivering batches; returns whether it is finished.
   * The checkpoint only ever moves past records that were delivered (or filtered out before them). Whenever that
   * cannot be vouched for (the poller stopped mid-batch, a read or a delivery failed), the shard's iterator is
   * dropped, so the next read starts again after the checkpoint instead of after records that never got through.
   */
  const pollShard = async (shardId: string, iterator: { value?: string; at?: string }): Promise<'idle' | 'finished'> => {
    let buffer: DynamoDBRecord[] = [];
    let lastSequence: string | undefined;
    /** The first record read since the last checkpoint was saved. */
    let firstUnsaved: string | undefined;
    let windowEnds = 0;
    /** Forgets what was read since the checkpoint, so the next read starts again right after it. */
    const restartFromCheckpoint = () => {
      iterator.value = undefined;
      // No checkpoint yet (a LATEST start): LATEST again would skip these records, so start at the first of them.
      if (!shards[shardId]?.checkpoint && firstUnsaved) iterator.at = firstUnsaved;
      buffer = [];
      lastSequence = undefined;
      firstUnsaved = undefined;
    };
    /** Delivers the buffer and checkpoints it; false when the poller stopped before the batch got through. */
    const flush = async (): Promise<boolean> => {
      if (buffer.length > 0 && !(await deliver(shardId, buffer))) {
        restartFromCheckpoint();
        return false;
      }
      buffer = [];
      if (lastSequence) {
        shards[shardId] = { ...shards[shardId], checkpoint: lastSequence };
        await saveCheckpoints();
        lastSequence = undefined;
        firstUnsaved = undefined;
        iterator.at = undefined;
      }
      return true;
    };
    try {
      for (;;) {
        if (stopping) {
          // Read but not delivered: read them again (after the checkpoint) next time.
          if (firstUnsaved) restartFromCheckpoint();
          return 'idle';
        }
        iterator.value ??= await iteratorFor(shardId, iterator.at);
        if (!iterator.value) {
          return (await flush()) ? 'finished' : 'idle';
        }
        let page;
        try {
          page = await client.send(new GetRecordsCommand({ ShardIterator: iterator.value, Limit: settings.batchSize }));
        } catch (error) {
          if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
            // Start again after the checkpoint: that reads the buffered records again, so drop this copy of them.
            restartFromCheckpoint();
            continue;
          }
          throw error;
        }
        iterator.value = page.NextShardIterator;
        for (const raw of page.Records ?? []) {
          const record = lambdaRecord(raw, streamArn, region);
          lastSequence = record.dynamodb?.SequenceNumber;
          firstUnsaved ??= lastSequence;
          if (!passesFilters(record)) continue;
          if (buffer.length === 0) windowEnds = Date.now() + settings.maxBatchingWindowSeconds * 1000;
          buffer.push(record);
          if (buffer.length >= settings.batchSize && !(await flush())) return 'idle';
        }
        if (!page.NextShardIterator) {
          if (!(await flush())) return 'idle';
          shards[shardId] = { ...shards[shardId], finished: true };
          await saveCheckpoints();
          return 'finished';
        }
        if ((page.Records ?? []).length === 0) {
          if (buffer.length === 0 || Date.now() >= windowEnds) {
            await flush();
            return 'idle';
          }
          await new Promise((r) => setTimeout(r, Math.min(pollInterval, Math.max(0, windowEnds - Date.now()))));
        }
      }
    } catch (error) {
      // The iterator may already be past records that are buffered here (GetRecords failed mid-window) or that a
      // failed delivery or checkpoint write left unaccounted for: they are lost with this call unless the next
      // read starts again after the checkpoint. (Nothing read since the checkpoint: the iterator is still good.)
      if (firstUnsaved) restartFromCheckpoint();
      throw error;
    }
  };

  const iterators = new Map<string, { value?: string }>();
  const loop = (async () => {
    while (!stopping) {
      const started = Date.now();
      try {
        const all = await listShards();
        const known = new Set(all.map((s) => s.ShardId!));
        for (const shard of all) {
          const id = shard.ShardId!;
          if (shards[id]?.finished) continue;
          // A child waits for its parent: records of an item stay in order across a shard split.
          const parent = shard.ParentShardId;
          if (parent && known.has(parent) && !shards[parent]?.finished) continue;
          if (!iterators.has(id)) iterators.set(id, {});
          if ((await pollShard(id, iterators.get(id)!)) === 'finished') iterators.delete(id);
        }
        lastIdleAt = started;
        idleWaiters = idleWaiters.filter((w) => (w.since <= lastIdleAt ? (w.resolve(), false) : true));
      } catch (error) {
        log(`${fn.name}: stream polling failed, retrying: ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise((r) => setTimeout(r, pollInterval));
    }
  })();

  return {
    drained: () => new Promise<void>((resolveDrained) => idleWaiters.push({ since: Date.now(), resolve: resolveDrained })),
    stop: async () => {
      stopping = true;
      await loop;
      for (const w of idleWaiters) w.resolve();
      client.destroy();
    },
  };
}

/**
 * A poller for every manifest function that consumes the stream. Poison records the scorer rejects and batches
 * given up on go to files you can read: `<dataDir>/dlq/` with --persist, else a temporary folder (logged).
 */
export async function startStreamConsumers(options: {
  endpoint: string;
  streamArn: string;
  dataDir?: string;
  functions?: readonly FunctionSpec[];
  log?: (line: string) => void;
}): Promise<{ pollers: StreamPoller[]; dlqDir: string; drained(): Promise<void>; stop(): Promise<void> }> {
  const log = options.log ?? (() => undefined);
  const dlqDir = options.dataDir ? join(options.dataDir, 'dlq') : join(tmpdir(), `feedback-local-${process.pid}`, 'dlq');
  process.env[ENV.localDlqPath] ??= join(dlqDir, 'scorer-poison.jsonl');
  const consumers = (options.functions ?? FUNCTIONS).filter((fn): fn is FunctionSpec & { stream: StreamConsumer } => !!fn.stream);
  const pollers: StreamPoller[] = [];
  for (const fn of consumers) {
    pollers.push(
      await startStreamPoller({
        endpoint: options.endpoint,
        streamArn: options.streamArn,
        fn,
        dataDir: options.dataDir,
        failurePath: join(dlqDir, `${fn.name}-failures.jsonl`),
        log,
      }),
    );
  }
  if (consumers.length) log(`stream consumers: ${consumers.map((f) => f.name).join(', ')} (dead letters in ${dlqDir})`);
  return {
    pollers,
    dlqDir,
    drained: async () => void (await Promise.all(pollers.map((p) => p.drained()))),
    stop: async () => void (await Promise.all(pollers.map((p) => p.stop()))),
  };
}
