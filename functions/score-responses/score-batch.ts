import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { invitationContributions, readInvitationImage } from '#core/invitations/response-rate.ts';
import {
  changeContributions,
  isProfileBackfill,
  mergeContributions,
  readResponseImage,
  type Contribution,
} from '#core/scores.ts';
import { RETRY, retryTransient, type Backoff } from '#data/db.ts';
import { INVITATION_KEY_PREFIX, RESPONSE_KEY_PREFIX } from '#data/keys.ts';
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
  /** Moves an invitation to answered (out of the due index); false when it had moved on (answered already, expired). */
  markAnswered(answer: InvitationAnswer): Promise<boolean>;
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

/** A response through an invitation's link (its token carried the invitation id). */
export interface InvitationAnswer {
  invitationId: string;
  surveyId: string;
  customerId: string;
  /** When the link's first answer was received. */
  answeredAt: string;
}

/** Attempts per chunk: the toolkit's bound (throttling and server errors were retried by the SDK inside each). */
export const MAX_WRITE_ATTEMPTS = RETRY.attempts;

interface Decoded {
  record: DynamoDBRecord;
  eventId?: string;
  sequenceNumber?: string;
  /** Why the record (or one of its images) cannot be scored; its valid side still counts. */
  poison?: string;
  /** The surveys whose segmentBy the change needs. */
  surveyIds: string[];
  /** What the change does to the aggregates. */
  contributionsOf(segmentsOf: (surveyId: string) => readonly string[]): Map<string, Contribution>;
  /** A first answer through an invitation's link: the invitation becomes answered. */
  answer?: InvitationAnswer;
}

type Image = Record<string, unknown> | undefined | 'invalid';

function unmarshalled(image: Record<string, unknown> | undefined): Image {
  if (image === undefined) return undefined;
  try {
    return unmarshall(image as Record<string, SdkAttributeValue>);
  } catch {
    return 'invalid';
  }
}

/** Both images read for counting; a side that cannot be read makes the record poison, and the other side still counts. */
function readBoth<T>(old: Image, current: Image, read: (item: Record<string, unknown>) => T | undefined) {
  const readOne = (image: Image): T | undefined | 'invalid' => {
    if (image === undefined || image === 'invalid') return image;
    try {
      return read(image);
    } catch {
      return 'invalid'; // an invalid image (InvalidResponseImage, InvalidInvitationImage): it cannot be counted
    }
  };
  const before = readOne(old);
  const after = readOne(current);
  return {
    before: before === 'invalid' ? undefined : before,
    after: after === 'invalid' ? undefined : after,
    poison:
      before === 'invalid' || after === 'invalid'
        ? `the ${before === 'invalid' ? 'old' : 'new'} image cannot be scored`
        : undefined,
  };
}

/** The invitation a response answers, when this write is the first to carry the link's invitationId. */
function answerOf(old: Image, current: Image): InvitationAnswer | undefined {
  if (current === undefined || current === 'invalid' || typeof current.invitationId !== 'string') return undefined;
  if (typeof old === 'object' && old.invitationId !== undefined) return undefined; // answered by an earlier write
  const { invitationId, surveyId, customerId, createdAt } = current;
  if (typeof surveyId !== 'string' || typeof customerId !== 'string' || typeof createdAt !== 'string') return undefined;
  return { invitationId, surveyId, customerId, answeredAt: createdAt };
}

/**
 * Response and invitation items only: the table also holds surveys, customers, claims, aggregates, ledgers.
 * Undefined: skip.
 */
function decode(record: DynamoDBRecord): Decoded | undefined {
  const base = { record, eventId: record.eventID, sequenceNumber: record.dynamodb?.SequenceNumber };
  const none = { surveyIds: [], contributionsOf: () => new Map<string, Contribution>() };
  const stream = record.dynamodb;
  if (!stream || typeof stream !== 'object' || !stream.Keys) return { ...base, ...none, poison: 'the record has no keys' };
  const pk = (stream.Keys as Record<string, { S?: string }>).pk?.S;
  if (typeof pk !== 'string') return { ...base, ...none, poison: 'the record has no string pk' };
  const old = unmarshalled(stream.OldImage);
  const current = unmarshalled(stream.NewImage);
  let decoded: Decoded;
  if (pk.startsWith(RESPONSE_KEY_PREFIX)) {
    if (typeof old === 'object' && typeof current === 'object' && isProfileBackfill(old, current)) return undefined;
    const { before, after, poison } = readBoth(old, current, readResponseImage);
    decoded = {
      ...base,
      poison,
      surveyIds: [before?.surveyId, after?.surveyId].filter((s) => s !== undefined),
      contributionsOf: (segmentsOf) => changeContributions(before, after, segmentsOf),
    };
    const answer = after ? answerOf(old, current) : undefined;
    if (answer) decoded.answer = answer;
  } else if (pk.startsWith(INVITATION_KEY_PREFIX)) {
    const { before, after, poison } = readBoth(old, current, readInvitationImage);
    decoded = { ...base, poison, surveyIds: [], contributionsOf: () => invitationContributions(before, after) };
  } else return undefined;
  if (!decoded.poison) delete decoded.poison;
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
  const unanswered = await markAnswered(decoded, ports);
  if (unanswered) decoded.length = decoded.indexOf(unanswered); // score what comes before it; the rest comes back

  const surveyIds = [...new Set(decoded.flatMap((d) => d.surveyIds))];
  const segmentsOf = surveyIds.length ? await ports.segmentsOf(surveyIds) : () => [];

  const planned: Planned[] = [];
  for (const d of decoded) {
    const contributions = d.contributionsOf(segmentsOf);
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
  return unanswered ? failureAt(unanswered) : { batchItemFailures: [] };
}

/**
 * Marks the invitations these records answer, in stream order. Idempotent (an answered one moves no more), so a
 * record that comes back marks nothing twice. Returns the record whose mark failed, if one did.
 */
async function markAnswered(decoded: readonly Decoded[], ports: ScorerPorts): Promise<Decoded | undefined> {
  for (const d of decoded) {
    if (!d.answer) continue;
    try {
      const moved = await retryTransient(() => ports.markAnswered(d.answer!), { sleep: ports.sleep, random: ports.random });
      if (moved) ports.log.info('InvitationAnswered', { invitationId: d.answer.invitationId, surveyId: d.answer.surveyId });
    } catch (error) {
      ports.log.error('InvitationNotMarked', { error: error as Error, eventId: d.eventId, sequenceNumber: d.sequenceNumber });
      return d;
    }
  }
  return undefined;
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
