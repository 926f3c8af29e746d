import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { StreamConsumer } from '../../manifest.ts';

/**
 * How Lambda's event source mapping gets one batch through a function: partial batch failures (resume from the
 * first failed record), bisection on a function error, a retry limit, a maximum record age, and an on-failure
 * destination. Plain logic over records: the function, the destination, the clock and the waits are passed in.
 */
export interface DeliveryPorts {
  settings: Pick<StreamConsumer, 'retryAttempts' | 'maxRecordAgeSeconds' | 'bisectBatchOnError'>;
  invoke: (records: DynamoDBRecord[]) => Promise<DynamoDBBatchResponse | void>;
  /** Records given up on, and why (Lambda's condition names: RetryAttemptsExhausted, RecordAgeExceeded). */
  giveUp: (records: DynamoDBRecord[], condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded') => Promise<void>;
  /** True once the poller is stopping: the batch is then left undelivered. */
  stopping: () => boolean;
  /** Waits before the retry-th retry. */
  backoff: (retry: number) => Promise<void>;
  nowSeconds?: () => number;
  log?: (line: string) => void;
}

export const RETRY_BACKOFF_MS = 200;
export const backoffDelayMs = (retry: number) => RETRY_BACKOFF_MS * Math.min(retry, 10);

/** Whether the record is older than the mapping's maximum record age (-1: no limit). */
export function isTooOld(record: DynamoDBRecord, maxRecordAgeSeconds: number, nowSeconds: number) {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return maxRecordAgeSeconds >= 0 && created !== undefined && nowSeconds - created > maxRecordAgeSeconds;
}

/**
 * Where a reply's batchItemFailures say the batch failed: the index of the first failed record, 0 for an
 * identifier not in the batch (it fails the whole batch, as on Lambda), undefined when nothing failed.
 */
export function firstFailure(batch: DynamoDBRecord[], result: DynamoDBBatchResponse | void): number | undefined {
  const failures = result?.batchItemFailures ?? [];
  if (failures.length === 0) return undefined;
  const ids = failures.map((f) => f.itemIdentifier);
  const index = batch.findIndex((r) => ids.includes(r.dynamodb?.SequenceNumber ?? ''));
  return index < 0 ? 0 : index;
}

/**
 * One batch through the function: until done, retried out, or too old. Resolves true when the batch is done with
 * (processed, or given up on), false when the poller stopped first: then the batch must not be checkpointed, or a
 * restart with --persist would skip it.
 */
export async function deliverBatch(batch: DynamoDBRecord[], ports: DeliveryPorts): Promise<boolean> {
  const { settings } = ports;
  const now = ports.nowSeconds ?? (() => Date.now() / 1000);
  let pending = batch;
  let retries = 0;
  while (pending.length > 0) {
    if (ports.stopping()) return false;
    if (isTooOld(pending[0]!, settings.maxRecordAgeSeconds, now())) {
      await ports.giveUp(pending, 'RecordAgeExceeded');
      return true;
    }
    let failedFrom: number | undefined;
    let functionError = false;
    try {
      failedFrom = firstFailure(pending, await ports.invoke(pending));
    } catch (error) {
      functionError = true;
      ports.log?.(
        `the function failed on a batch of ${pending.length}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!functionError && failedFrom === undefined) return true;
    retries++;
    if (retries > settings.retryAttempts) {
      await ports.giveUp(functionError ? pending : pending.slice(failedFrom), 'RetryAttemptsExhausted');
      return true;
    }
    if (functionError && settings.bisectBatchOnError && pending.length > 1) {
      const half = Math.ceil(pending.length / 2);
      return (await deliverBatch(pending.slice(0, half), ports)) && deliverBatch(pending.slice(half), ports);
    }
    if (failedFrom !== undefined) pending = pending.slice(failedFrom);
    await ports.backoff(retries);
  }
  return true;
}
