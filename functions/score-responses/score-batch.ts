import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import {
  changeContributions,
  mergeContributions,
  readResponseImage,
  type Contribution,
  type ScoredResponse,
} from '#core/scores.ts';
import { RETRY, retryTransient, type Backoff } from '#data/db.ts';
import { RESPONSE_KEY_PREFIX } from '#data/keys.ts';
import type { ChunkOutcome, ExistingClaim, ScoreChunk } from '#data/scores.ts';
import { MAX_TRANSACTION_ITEMS } from '#data/scores.ts';
import type { DlqSender } from '#runtime/dlq.ts';

export interface ScorerPorts {
  /** Writes one chunk atomically (see applyScoreChunk). */
  applyChunk(chunk: ScoreChunk): Promise<ChunkOutcome>;
  /** The segmentBy attributes of each survey. */
  segmentsOf(surveyIds: readonly string[]): Promise<(surveyId: string) => readonly string[]>;
  /** The claims that exist among these records: they were applied by an earlier delivery. */
  existingClaims(eventIds: readonly string[]): Promise<Map<string, ExistingClaim>>;
  markPoisonSent(eventId: string): Promise<void>;
  sendToDlq: DlqSender;
  /** How a conflicted or throttled transaction waits before it runs again (the toolkit's one backoff; tests record it). */
  sleep?: Backoff['sleep'];
  random?: Backoff['random'];
  log: {
    info(message: string, extra?: Record<string, unknown>): void;
    warn(message: string, extra?: Record<string, unknown>): void;
    error(message: string, extra?: Record<string, unknown>): void;
  };
}

/** Attempts per chunk: the toolkit's bound (throttling and server errors were retried by the SDK inside each). */
export const MAX_WRITE_ATTEMPTS = RETRY.attempts;

type Image = ScoredResponse | undefined | 'invalid';

interface Decoded {
  record: DynamoDBRecord;
  eventId?: string;
  sequenceNumber?: string;
  /** Why the record (or one of its images) cannot be scored; its valid side still counts. */
  poison?: string;
  before?: ScoredResponse;
  after?: ScoredResponse;
}

function decodeImage(image: Record<string, unknown> | undefined): Image {
  if (image === undefined) return undefined;
  try {
    return readResponseImage(unmarshall(image as Record<string, SdkAttributeValue>));
  } catch {
    return 'invalid'; // not unmarshallable, or an InvalidResponseImage: either way it cannot be scored
  }
}

/** Response items only: the table also holds surveys, customers, claims, aggregates, ledgers. Undefined: skip. */
function decode(record: DynamoDBRecord): Decoded | undefined {
  const base = { record, eventId: record.eventID, sequenceNumber: record.dynamodb?.SequenceNumber };
  const stream = record.dynamodb;
  if (!stream || typeof stream !== 'object' || !stream.Keys) return { ...base, poison: 'the record has no keys' };
  const pk = (stream.Keys as Record<string, { S?: string }>).pk?.S;
  if (typeof pk !== 'string') return { ...base, poison: 'the record has no string pk' };
  if (!pk.startsWith(RESPONSE_KEY_PREFIX)) return undefined;
  const before = decodeImage(stream.OldImage);
  const after = decodeImage(stream.NewImage);
  const decoded: Decoded = { ...base };
  if (before === 'invalid' || after === 'invalid')
    decoded.poison = `the ${before === 'invalid' ? 'old' : 'new'} image cannot be scored`;
  if (before !== 'invalid' && before) decoded.before = before;
  if (after !== 'invalid' && after) decoded.after = after;
  if (!base.eventId) decoded.poison ??= 'the record has no eventID';
  return decoded;
}

interface Planned extends Decoded {
  contributions: Map<string, Contribution>;
}

interface Chunk {
  records: Planned[];
}

/** Greedy chunks in stream order, each within one transaction's item limit (a claim per record + its aggregates). */
function chunksOf(records: Planned[]): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Planned[] = [];
  let buckets = new Set<string>();
  for (const record of records) {
    const nextBuckets = new Set([...buckets, ...record.contributions.keys()]);
    if (current.length > 0 && current.length + 1 + nextBuckets.size > MAX_TRANSACTION_ITEMS) {
      chunks.push({ records: current });
      current = [];
      buckets = new Set(record.contributions.keys());
    } else buckets = nextBuckets;
    current.push(record);
  }
  if (current.length > 0) chunks.push({ records: current });
  return chunks;
}

function transactionOf(records: Planned[]): ScoreChunk {
  const total = new Map<string, Contribution>();
  for (const r of records) mergeContributions(total, r.contributions);
  return {
    claims: records.map((r) => ({ eventId: r.eventId!, ...(r.poison ? { pendingDlq: true } : {}) })),
    contributions: [...total.values()],
  };
}

/**
 * One batch of the table's stream through the scorer, exactly once in effect.
 *
 * Records are decoded in order and pre-aggregated into chunks; each chunk is one transaction that creates a claim
 * per record it applies and moves each touched aggregate once. A claim that exists already cancels the
 * transaction, and the chunk is retried without the records it names. So however often a record comes back
 * (whole-batch retries, redelivery after a reported failure, bisection, a crash after the write), its effect
 * lands once. The first chunk that cannot be written stops the batch and is reported as the failure point.
 */
export async function scoreBatch(records: readonly DynamoDBRecord[], ports: ScorerPorts): Promise<DynamoDBBatchResponse> {
  const decoded: Decoded[] = [];
  for (const record of records) {
    const d = decode(record);
    if (d) decoded.push(d);
  }
  const surveyIds = [...new Set(decoded.flatMap((d) => [d.before?.surveyId, d.after?.surveyId]).filter((s) => s !== undefined))];
  const segmentsOf = surveyIds.length ? await ports.segmentsOf(surveyIds) : () => [];

  const planned: Planned[] = [];
  for (const d of decoded) {
    const contributions = changeContributions(d.before, d.after, segmentsOf);
    if (!d.eventId) {
      // Without an eventID nothing can be claimed: report it, apply nothing.
      ports.log.error('PoisonRecord', { reason: d.poison, sequenceNumber: d.sequenceNumber });
      try {
        await ports.sendToDlq({ sequenceNumber: d.sequenceNumber, reason: d.poison ?? 'unknown', record: d.record });
      } catch (error) {
        ports.log.error('PoisonNotSent', { error: error as Error, sequenceNumber: d.sequenceNumber });
        return failureAt(d);
      }
      continue;
    }
    // A change that moves no counter (a comment edit, a non-scored field) needs no claim: applying it is a no-op.
    if (contributions.size > 0 || d.poison) planned.push({ ...d, contributions });
  }

  // A redelivered batch (its first record applied already) is filtered with reads rather than cancelled writes.
  let fresh = planned;
  if (planned.length > 0 && (await ports.existingClaims([planned[0]!.eventId!])).size > 0) {
    const claimed = await ports.existingClaims(planned.map((r) => r.eventId!));
    const unsent = await sendPendingPoison(
      planned.filter((r) => claimed.get(r.eventId!)?.pendingDlq),
      ports,
    );
    if (unsent) return failureAt(unsent);
    fresh = planned.filter((r) => !claimed.has(r.eventId!));
  }

  let writeUnits = 0;
  let applied = 0;
  for (const chunk of chunksOf(fresh)) {
    let pending = chunk.records;
    while (pending.length > 0) {
      let outcome: ChunkOutcome;
      let attempts = 0;
      try {
        const transaction = transactionOf(pending);
        outcome = await retryTransient(
          (attempt) => {
            attempts = attempt;
            return ports.applyChunk(transaction);
          },
          { sleep: ports.sleep, random: ports.random },
        );
      } catch (error) {
        const failed = pending[0]!;
        ports.log.error('ScoreChunkFailed', {
          error: error as Error,
          attempts,
          sequenceNumber: failed.sequenceNumber,
          records: pending.length,
        });
        return failureAt(failed);
      }
      if (outcome.kind === 'already_claimed') {
        const done = new Set(outcome.eventIds);
        const claimed = await ports.existingClaims(outcome.eventIds);
        const unsent = await sendPendingPoison(
          pending.filter((r) => claimed.get(r.eventId!)?.pendingDlq),
          ports,
        );
        if (unsent) return failureAt(unsent);
        pending = pending.filter((r) => !done.has(r.eventId!));
        continue;
      }
      writeUnits += outcome.consumedWriteUnits;
      applied += pending.length;
      const unsent = await sendPendingPoison(pending, ports);
      if (unsent) return failureAt(unsent);
      pending = [];
    }
  }
  ports.log.info('ScoresUpdated', { records: records.length, responseRecords: decoded.length, applied, writeUnits });
  return { batchItemFailures: [] };
}

const failureAt = (record: Decoded): DynamoDBBatchResponse => ({
  batchItemFailures: [{ itemIdentifier: record.sequenceNumber ?? record.eventId! }],
});

/**
 * Poison reaches the DLQ after its claim committed: a crash between the two leaves the claim marked pending, and
 * the redelivered record finds it so and sends it then. Returns the record whose send failed, if one did.
 */
async function sendPendingPoison(records: Planned[], ports: ScorerPorts): Promise<Planned | undefined> {
  for (const r of records) {
    if (!r.poison) continue;
    try {
      ports.log.warn('PoisonRecord', { reason: r.poison, eventId: r.eventId, sequenceNumber: r.sequenceNumber });
      await ports.sendToDlq({ eventId: r.eventId, sequenceNumber: r.sequenceNumber, reason: r.poison, record: r.record });
      await ports.markPoisonSent(r.eventId!);
    } catch (error) {
      ports.log.error('PoisonNotSent', { error: error as Error, eventId: r.eventId, sequenceNumber: r.sequenceNumber });
      return r;
    }
  }
  return undefined;
}
