import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localCredentials } from '#runtime/clients.ts';
import { ENV } from '#runtime/env.ts';
import { FUNCTIONS, type FunctionSpec, type StreamConsumer } from '../manifest.ts';
import { lambdaContext, loadHandler } from './lambda-runtime.ts';
import { appendFailure, checkpointStore, failureRecord } from './stream/checkpoints.ts';
import { backoffDelayMs, deliverBatch } from './stream/delivery.ts';
import { lambdaRecord, passesFilters } from './stream/lambda-event.ts';
import { idleSignal } from './stream/idle-signal.ts';
import { isReadable, iteratorStart, listShards, type StartingPosition } from './stream/shards.ts';

export { lambdaRecord, matchesPattern } from './stream/lambda-event.ts';

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
  startingPosition?: StartingPosition;
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

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { fn, streamArn } = options;
  const settings = fn.stream;
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const log = options.log ?? (() => undefined);
  const pollInterval = options.pollIntervalMs ?? 200;
  const client = new DynamoDBStreamsClient({ endpoint: options.endpoint, region, credentials: localCredentials });
  const handler: StreamHandler = options.handler ?? (await loadHandler<StreamHandler>(fn));

  const checkpointFile = options.dataDir && join(options.dataDir, 'stream-checkpoints', `${fn.name}.json`);
  const checkpoints = await checkpointStore(checkpointFile);
  const { shards } = checkpoints;
  const saveCheckpoints = () => checkpoints.save();

  const sendToFailureDestination = async (shardId: string, records: DynamoDBRecord[], condition: string) => {
    log(`${fn.name}: gave up on ${records.length} records of ${shardId} (${condition}); see ${options.failurePath}`);
    await appendFailure(
      options.failurePath,
      failureRecord({ functionName: fn.name, streamArn, shardId, records, condition, at: new Date() }),
    );
  };

  /** One batch through the function (retries, bisection, record age, on-failure destination): see delivery.ts. */
  const deliver = (shardId: string, batch: DynamoDBRecord[]): Promise<boolean> =>
    deliverBatch(batch, {
      settings,
      invoke: (records) => handler({ Records: records }, lambdaContext(fn)),
      giveUp: (records, condition) => sendToFailureDestination(shardId, records, condition),
      stopping: () => stopping,
      backoff: (retry) => new Promise((r) => setTimeout(r, backoffDelayMs(retry))),
      log: (line) => log(`${fn.name}: ${line}`),
    });

  let stopping = false;
  const idle = idleSignal();

  /** After the checkpoint; else at `at` (records read before the first checkpoint); else the starting position. */
  const iteratorFor = async (shardId: string, at?: string): Promise<string | undefined> => {
    const checkpoint = shards[shardId]?.checkpoint;
    const request = client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...iteratorStart(checkpoint, at, options.startingPosition ?? 'TRIM_HORIZON'),
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
          if (!passesFilters(record, settings)) continue;
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
        const all = await listShards(client, streamArn);
        const known = new Set(all.map((s) => s.ShardId!));
        for (const shard of all) {
          const id = shard.ShardId!;
          if (!isReadable(shard, known, (shardId) => !!shards[shardId]?.finished)) continue;
          if (!iterators.has(id)) iterators.set(id, {});
          if ((await pollShard(id, iterators.get(id)!)) === 'finished') iterators.delete(id);
        }
        idle.passCompleted(started);
      } catch (error) {
        log(`${fn.name}: stream polling failed, retrying: ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise((r) => setTimeout(r, pollInterval));
    }
  })();

  return {
    drained: () => idle.wait(),
    stop: async () => {
      stopping = true;
      await loop;
      idle.releaseAll();
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
