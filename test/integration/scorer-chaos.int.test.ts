import { describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { invitationContributions, readInvitationImage } from '../../functions/core/invitations/response-rate.ts';
import { changeContributions, mergeContributions, readResponseImage, type Contribution } from '../../functions/core/scores.ts';
import { applyScoreChunk, existingClaims, markPoisonSent } from '../../functions/data/scores.ts';
import { differences, recountScores, storedScores } from '../../functions/data/score-recount.ts';
import { keys } from '../../functions/data/keys.ts';
import type { DlqMessage } from '../../functions/runtime/dlq.ts';
import { tableFromEnv } from '../../functions/runtime/wiring.ts';
import { scoreBatch, type ScorerPorts } from '../../functions/score-responses/score-batch.ts';
import { uniqueId } from '../support/factories.ts';

/**
 * The chaos suite: 10,000 responses with edits, deletes and poison, and invitations sent, reminded, answered and
 * expired, through the scorer, delivered the way an at-least-once event source mapping may deliver them, and worse.
 * At the end every aggregate equals a recount.
 */

const db = tableFromEnv();
const RESPONSES = Number(process.env.CHAOS_RESPONSES ?? 10_000);
const INVITATIONS = Math.ceil(RESPONSES / 40);

/** A seeded generator (mulberry32): the same run every time. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const rng = seeded(20261124);
const pick = <T>(items: readonly T[]) => items[Math.floor(rng() * items.length)]!;
const chance = (p: number) => rng() < p;
const int = (low: number, high: number) => low + Math.floor(rng() * (high - low + 1));

const run = uniqueId('chaos');
const SURVEYS = [
  { surveyId: `${run}-a`, segmentBy: ['plan'] },
  { surveyId: `${run}-b`, segmentBy: ['plan', 'region'] },
  { surveyId: `${run}-c`, segmentBy: [] as string[] },
  { surveyId: `${run}-d`, segmentBy: ['region'] },
];
const segmentBy = new Map(SURVEYS.map((s) => [s.surveyId, s.segmentBy]));

type Item = Record<string, unknown>;

function aResponse(responseId: string, version: number): Item {
  const day = `2026-11-${String(int(18, 24)).padStart(2, '0')}`;
  const item: Item = {
    ...keys.response(responseId),
    type: 'response',
    responseId,
    surveyId: pick(SURVEYS).surveyId,
    submittedAt: `${day}T${String(int(0, 23)).padStart(2, '0')}:30:00.000Z`,
    receivedAt: '2026-11-24T00:00:00.000Z',
    createdAt: '2026-11-24T00:00:00.000Z',
    version,
    comment: 'fine',
  };
  if (chance(0.85)) item.nps = int(0, 10);
  if (chance(0.5) || item.nps === undefined) item.csat = int(1, 5);
  if (chance(0.4)) item.ces = int(1, 7);
  if (chance(0.8)) item.channel = pick(['email', 'web', 'sms']);
  if (chance(0.9))
    item.attributes = { plan: pick(['free', 'pro', 'team']), ...(chance(0.7) ? { region: pick(['eu', 'us']) } : {}) };
  return item;
}

interface Stream {
  records: DynamoDBRecord[];
  poison: Set<string>;
  final: Map<string, Item>;
}

/** The table's stream as Lambda would deliver it, and the table's final state. */
function generateStream(): Stream {
  const records: DynamoDBRecord[] = [];
  const poison = new Set<string>();
  const live = new Map<string, Item>();
  const ids: string[] = [];
  let sequence = 1000;
  const emit = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', key: Item, before?: Item, after?: Item, isPoison = false) => {
    const eventID = Array.from({ length: 32 }, () => int(0, 15).toString(16)).join('');
    if (isPoison) poison.add(eventID);
    records.push({
      eventID,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: 1_764_000_000,
        Keys: marshall({ pk: key.pk, sk: key.sk }) as never,
        ...(after ? { NewImage: marshall(after, { removeUndefinedValues: true }) as never } : {}),
        ...(before ? { OldImage: marshall(before, { removeUndefinedValues: true }) as never } : {}),
        SequenceNumber: String(sequence++).padStart(21, '0'),
        SizeBytes: 200,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/feedback/stream/2026-11-24T00:00:00.000',
    });
  };
  const isValid = (item: Item | undefined) => {
    if (!item) return true;
    try {
      readResponseImage(item);
      return true;
    } catch {
      return false;
    }
  };
  const change = (id: string, after: Item | undefined) => {
    const before = live.get(id);
    const key = keys.response(id);
    if (after) live.set(id, after);
    else live.delete(id);
    emit(before ? (after ? 'MODIFY' : 'REMOVE') : 'INSERT', key, before, after, !isValid(before) || !isValid(after));
  };

  for (let n = 0; n < RESPONSES; n++) {
    const id = `${run}-r${n}`;
    ids.push(id);
    change(id, aResponse(id, 1));
    const roll = rng();
    if (roll < 0.04) {
      // Poison that never scores: an answer out of scale on a fresh item.
      const bad = `${run}-p${n}`;
      change(bad, { ...aResponse(bad, 1), nps: 42 });
    } else if (roll < 0.05) {
      // Poison that cannot even be read: no keys at all.
      const eventID = `nokeys-${n}`;
      poison.add(eventID);
      records.push({
        eventID,
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        dynamodb: { SequenceNumber: String(sequence++).padStart(21, '0') },
      });
    } else if (roll < 0.2) {
      const target = pick(ids);
      const current = live.get(target);
      if (current && chance(0.1))
        change(target, undefined); // a delete
      // eslint-disable-next-line no-dupe-else-if -- chance() is a new roll each time
      else if (current && chance(0.1))
        change(target, { ...current, csat: 0, version: (current.version as number) + 1 }); // becomes poison
      else if (current) change(target, { ...aResponse(target, (current.version as number) + 1), createdAt: current.createdAt });
    } else if (roll < 0.23) {
      // Not a response: the scorer must skip it.
      emit('MODIFY', keys.survey(pick(SURVEYS).surveyId), { name: 'old' }, { name: 'new' });
    }
  }
  // Invitations, interleaved with more response edits: scheduled → sent → (reminded) → answered or expired, a few
  // deleted. Only sends and answers move counters, on the day of sending.
  const invitations = new Map<string, Item>();
  const countable = (item: Item | undefined) => {
    try {
      if (item) readInvitationImage(item);
      return true;
    } catch {
      return false;
    }
  };
  const changeInvitation = (id: string, after: Item | undefined) => {
    const before = invitations.get(id);
    if (after) invitations.set(id, after);
    else invitations.delete(id);
    const isPoison = !countable(before) || !countable(after);
    emit(before ? (after ? 'MODIFY' : 'REMOVE') : 'INSERT', keys.invitation(id), before, after, isPoison);
  };
  for (let n = 0; n < INVITATIONS; n++) {
    const id = `${run}-i${n}`;
    const scheduled: Item = {
      ...keys.invitation(id),
      type: 'invitation',
      invitationId: id,
      surveyId: pick(SURVEYS).surveyId,
      customerId: `c-${n}`,
      trigger: 'manual',
      status: 'scheduled',
      sendAt: '2026-11-18T09:00:00.000Z',
      createdAt: '2026-11-17T00:00:00.000Z',
    };
    changeInvitation(id, scheduled);
    if (chance(0.1)) continue; // never sent
    const sent = {
      ...scheduled,
      status: 'sent',
      sentAt: `2026-11-${String(int(18, 24)).padStart(2, '0')}T${String(int(0, 23)).padStart(2, '0')}:05:00.000Z`,
    };
    changeInvitation(id, sent);
    if (chance(0.15)) {
      // Poison for a moment: a sentAt that cannot be read, then mended (each side that can be read still counts).
      changeInvitation(id, { ...sent, sentAt: 'soon' });
      changeInvitation(id, sent);
    }
    if (chance(0.3)) changeInvitation(id, { ...sent, remindedAt: '2026-11-25T10:00:00.000Z' });
    const roll = rng();
    if (roll < 0.5) changeInvitation(id, { ...invitations.get(id), status: 'answered', answeredAt: '2026-11-26T10:00:00.000Z' });
    else if (roll < 0.7) changeInvitation(id, { ...invitations.get(id), status: 'expired' });
    if (chance(0.03)) changeInvitation(id, undefined);
    const target = pick(ids);
    const current = live.get(target);
    if (current && isValid(current) && chance(0.5))
      change(target, { ...aResponse(target, (current.version as number) + 1), createdAt: current.createdAt });
  }
  for (const [id, item] of invitations) live.set(id, item);
  return { records, poison, final: live };
}

/** An event source mapping gone wrong: duplicates, crashes after writes, failures mid-write, bisection, resumes. */
async function deliverWithChaos(stream: Stream, dlq: DlqMessage[]) {
  const stats = { invocations: 0, crashes: 0, reportedFailures: 0, injectedWriteErrors: 0 };
  const ports: ScorerPorts = {
    applyChunk: async (chunk) => {
      const roll = rng();
      if (roll < 0.04) {
        stats.injectedWriteErrors++;
        throw Object.assign(new Error('Transaction cancelled'), {
          name: 'TransactionCanceledException',
          CancellationReasons: [{ Code: 'TransactionConflict' }],
        });
      }
      if (roll < 0.06) {
        stats.injectedWriteErrors++;
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      }
      const outcome = await applyScoreChunk(db, chunk, Date.now());
      if (roll < 0.08) {
        stats.injectedWriteErrors++;
        throw Object.assign(new Error('response lost after the commit'), { name: 'TimeoutError' });
      }
      return outcome;
    },
    segmentsOf: async () => (surveyId) => segmentBy.get(surveyId) ?? [],
    existingClaims: (eventIds) => existingClaims(db, eventIds),
    markPoisonSent: (eventId) => markPoisonSent(db, eventId),
    markAnswered: async () => false,
    sendToDlq: async (message) => {
      if (chance(0.03)) throw new Error('SQS is unavailable');
      dlq.push(message);
    },
    sleep: async () => undefined,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };

  const { records } = stream;
  const indexOf = new Map(records.map((r, i) => [r.dynamodb?.SequenceNumber ?? r.eventID, i]));
  let position = 0;
  let nextSize: number | undefined;
  while (position < records.length) {
    const batch = records.slice(position, position + (nextSize ?? int(20, 100)));
    nextSize = undefined;
    let next = position + batch.length;
    const copies = int(1, 3);
    for (let copy = 0; copy < copies; copy++) {
      stats.invocations++;
      const result = await scoreBatch(batch, ports);
      if (chance(0.1)) {
        // Crashed after its writes, before returning: the whole batch comes back, or half of it (bisection).
        stats.crashes++;
        next = position;
        if (chance(0.5)) nextSize = Math.max(1, Math.ceil(batch.length / 2));
        break;
      }
      const failure = result.batchItemFailures[0];
      if (failure) {
        stats.reportedFailures++;
        const failedAt = indexOf.get(failure.itemIdentifier)!;
        expect(failedAt).toBeGreaterThanOrEqual(position);
        // Resume from the failed record, or from anywhere before it: a redelivered superset must change nothing.
        next = chance(0.7) ? failedAt : int(position, failedAt);
        break;
      }
    }
    position = next;
  }
  return stats;
}

async function storeFinalState(final: Map<string, Item>) {
  const items = [...final.values()];
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await Promise.all(
    Array.from({ length: 4 }, async (_, worker) => {
      for (let i = worker; i < chunks.length; i += 4) {
        let requests = chunks[i]!.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length) {
          const { UnprocessedItems } = await db.client.send(new BatchWriteCommand({ RequestItems: { [db.table]: requests } }));
          requests = (UnprocessedItems?.[db.table] ?? []) as typeof requests;
        }
      }
    }),
  );
}

describe('the scorer under chaos', () => {
  it('keeps every aggregate equal to the recount, and sends exactly the poison to the DLQ', async () => {
    const stream = generateStream();
    expect(stream.records.length).toBeGreaterThan(RESPONSES);
    expect(stream.poison.size / stream.records.length).toBeGreaterThan(0.04);

    const dlq: DlqMessage[] = [];
    const stats = await deliverWithChaos(stream, dlq);
    expect(stats.crashes).toBeGreaterThan(10);
    expect(stats.reportedFailures).toBeGreaterThan(10);

    const expected = new Map<string, Contribution>();
    for (const item of stream.final.values()) {
      if (item.type === 'invitation') {
        mergeContributions(expected, invitationContributions(undefined, readInvitationImage(item)));
        continue;
      }
      let response;
      try {
        response = readResponseImage(item);
      } catch {
        continue;
      }
      mergeContributions(
        expected,
        changeContributions(undefined, response, (id) => segmentBy.get(id) ?? []),
      );
    }
    const stored = new Map<string, Contribution>();
    for (const { surveyId } of SURVEYS) for (const [id, c] of await storedScores(db, { surveyId })) stored.set(id, c);
    expect(stored.size).toBeGreaterThan(100);
    expect(differences(expected, stored)).toEqual([]);

    const sent = dlq.map((m) => m.eventId ?? '');
    expect(sent.length).toBe(new Set(sent).size);
    expect(new Set(sent)).toEqual(stream.poison);

    // `npm run scores -- verify` recounts from the table's responses: store the final state and ask it.
    for (const { surveyId, segmentBy: segments } of SURVEYS) {
      await db.client.send(
        new PutCommand({
          TableName: db.table,
          Item: { ...keys.survey(surveyId), type: 'survey', surveyId, segmentBy: segments },
        }),
      );
    }
    await storeFinalState(stream.final);
    const recount = await recountScores(db, { surveyIds: SURVEYS.map((s) => s.surveyId) });
    const invitations = [...stream.final.values()].filter((item) => item.type === 'invitation').length;
    expect(invitations).toBeGreaterThan(INVITATIONS / 2);
    expect(recount.invitations).toBe(invitations);
    expect(recount.responses).toBe([...expected.values()].length && stream.final.size - invitations - recount.unscorable);
    expect(recount.unscorable).toBeGreaterThan(0);
    expect(differences(recount.buckets, stored)).toEqual([]);
    console.info(`chaos: ${stream.records.length} records, ${stream.poison.size} poison, ${JSON.stringify(stats)}`);
  }, 600_000);
});
