import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, TransactWriteCommand, BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient, TransactionCanceledException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { isTransientCancellation } from '../../functions/data/db.ts';
import { applyScoreChunk, existingClaims, markPoisonSent } from '../../functions/data/scores.ts';
import { MAX_WRITE_ATTEMPTS, scoreBatch, type ScorerPorts } from '../../functions/score-responses/score-batch.ts';
import type { DlqMessage } from '../../functions/runtime/dlq.ts';

/** The scorer against a mocked DynamoDB: the conflicts and throttling DynamoDB Local never raises. */

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const dynamo = mockClient(client);
const db = { client, table: 'feedback' };

let sequence = 100;
function insert(image: Record<string, unknown>, eventID = `e${sequence}`): DynamoDBRecord {
  const responseId = (image.responseId as string | undefined) ?? `R${sequence}`;
  return {
    eventID,
    eventName: 'INSERT',
    dynamodb: {
      Keys: marshall({ pk: `RESPONSE#${responseId}`, sk: '#RESPONSE' }) as never,
      NewImage: marshall({ surveyId: 's-1', submittedAt: '2026-11-24T10:00:00Z', ...image }) as never,
      SequenceNumber: String(sequence++),
    },
  };
}

function ports(overrides: Partial<ScorerPorts> = {}): ScorerPorts & { dlq: DlqMessage[]; sleeps: number[] } {
  const dlq: DlqMessage[] = [];
  const sleeps: number[] = [];
  return {
    dlq,
    sleeps,
    applyChunk: (chunk) => applyScoreChunk(db, chunk, Date.UTC(2026, 10, 24)),
    segmentsOf: async () => () => [],
    existingClaims: (ids) => existingClaims(db, ids),
    markPoisonSent: (id) => markPoisonSent(db, id),
    markAnswered: async () => false,
    sendToDlq: async (m) => void dlq.push(m),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    ...overrides,
  };
}

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

beforeEach(() => {
  dynamo.reset();
  dynamo.on(BatchGetCommand).resolves({ Responses: { feedback: [] } });
});

describe('scoreBatch', () => {
  it('retries conflicts and throttling with growing backoff, then applies the chunk once', async () => {
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .rejectsOnce(cancelled('None', 'ProvisionedThroughputExceeded'))
      .resolves({ ConsumedCapacity: [{ TableName: 'feedback', CapacityUnits: 6 }] });
    const p = ports();
    const result = await scoreBatch([insert({ nps: 9, channel: 'email' })], p);
    expect(result.batchItemFailures).toEqual([]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(3);
    expect(p.sleeps).toHaveLength(2);
    expect(p.sleeps[1]!).toBeGreaterThan(p.sleeps[0]! / 2);
  });

  it('leaves throttling errors to the SDK, which retried them already: the batch fails at once', async () => {
    dynamo.on(TransactWriteCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const records = [insert({ nps: 9 })];
    const p = ports();
    const result = await scoreBatch(records, p);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber }]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(p.sleeps).toEqual([]);
  });

  it('writes one claim per record and each aggregate once per batch, netted', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const records = [insert({ nps: 9, channel: 'email' }), insert({ nps: 10, channel: 'email' }), insert({ nps: 3 })];
    await scoreBatch(records, ports());
    const [call] = dynamo.commandCalls(TransactWriteCommand);
    const items = call!.args[0].input.TransactItems!;
    expect(items.filter((i) => i.Put)).toHaveLength(3);
    const updates = items.filter((i) => i.Update).map((i) => [i.Update!.Key!.sk, i.Update!.ExpressionAttributeValues]);
    expect(updates).toHaveLength(2); // all, channel=email
    expect(updates[0]![1]).toMatchObject({ ':c0': 3, ':c1': 1, ':c2': 1, ':c3': 1 });
  });

  it('gives up after the retry budget and reports the first unapplied record', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled('TransactionConflict'));
    const records = [insert({ nps: 9 }), insert({ nps: 8 })];
    const result = await scoreBatch(records, ports());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber }]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(MAX_WRITE_ATTEMPTS);
  });

  it('drops records whose claim exists (an earlier delivery applied them) and applies the rest', async () => {
    const records = [insert({ nps: 9 }), insert({ nps: 1 })];
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None', 'None'))
      .resolves({});
    await scoreBatch(records, ports());
    const second = dynamo.commandCalls(TransactWriteCommand)[1]!.args[0].input.TransactItems!;
    expect(second.filter((i) => i.Put).map((i) => i.Put!.Item!.pk)).toEqual([`SCORECLAIM#${records[1]!.eventID}`]);
    expect(second.find((i) => i.Update)!.Update!.ExpressionAttributeValues).toMatchObject({ ':c0': 1, ':c1': 1 });
  });

  it('sends poison to the DLQ once, without blocking the records after it, and skips other items', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const survey: DynamoDBRecord = {
      eventID: 'survey',
      dynamodb: { Keys: marshall({ pk: 'SURVEY#s-1', sk: '#SURVEY' }) as never, SequenceNumber: '1' },
    };
    const records = [insert({ nps: 42 }), survey, insert({ nps: 7 })];
    const p = ports();
    const result = await scoreBatch(records, p);
    expect(result.batchItemFailures).toEqual([]);
    expect(p.dlq.map((m) => m.eventId)).toEqual([records[0]!.eventID]);
    const items = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.filter((i) => i.Put).map((i) => i.Put!.Item!.dlq ?? 'applied')).toEqual(['pending', 'applied']);
  });

  it('does not treat validation errors as retryable', () => {
    expect(isTransientCancellation(Object.assign(new Error('bad'), { name: 'ValidationException' }))).toBe(false);
    expect(isTransientCancellation(cancelled('ConditionalCheckFailed'))).toBe(false);
    expect(isTransientCancellation(cancelled('None', 'ThrottlingError'))).toBe(true);
  });
});

describe('scoreBatch with invitations', () => {
  function invitationChange(before: Record<string, unknown> | undefined, after: Record<string, unknown>): DynamoDBRecord {
    const image = (fields: Record<string, unknown>) =>
      marshall({ type: 'invitation', invitationId: 'i-1', surveyId: 's-1', customerId: 'c-1', ...fields }) as never;
    return {
      eventID: `e${sequence}`,
      eventName: before ? 'MODIFY' : 'INSERT',
      dynamodb: {
        Keys: marshall({ pk: 'INVITATION#i-1', sk: '#INVITATION' }) as never,
        ...(before ? { OldImage: image(before) } : {}),
        NewImage: image(after),
        SequenceNumber: String(sequence++),
      },
    };
  }
  const answers: unknown[] = [];
  const recording = (overrides: Partial<ScorerPorts> = {}) =>
    ports({ markAnswered: async (a) => (answers.push(a), true), ...overrides });
  beforeEach(() => void (answers.length = 0));

  it('counts a send and an answer on the day of sending, claimed like responses; other changes claim nothing', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const sentAt = '2026-11-20T22:00:00Z';
    const records = [
      invitationChange(undefined, { status: 'scheduled' }),
      invitationChange({ status: 'scheduled' }, { status: 'sent', sentAt }),
      invitationChange({ status: 'sent', sentAt }, { status: 'sent', sentAt, remindedAt: '2026-11-23T10:00:00Z' }),
      invitationChange({ status: 'sent', sentAt }, { status: 'answered', sentAt, answeredAt: '2026-11-24T10:00:00Z' }),
    ];
    expect((await scoreBatch(records, recording())).batchItemFailures).toEqual([]);
    const items = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.filter((i) => i.Put).map((i) => i.Put!.Item!.pk)).toEqual([
      `SCORECLAIM#${records[1]!.eventID}`,
      `SCORECLAIM#${records[3]!.eventID}`,
    ]);
    const [update] = items.filter((i) => i.Update).map((i) => i.Update!);
    expect(update!.Key).toEqual({ pk: 'SCORES#s-1', sk: 'all#2026-11-20#*' });
    const counts = Object.fromEntries(
      Object.entries(update!.ExpressionAttributeNames!)
        .filter(([alias]) => alias.startsWith('#c'))
        .map(([alias, name]) => [name, update!.ExpressionAttributeValues![`:${alias.slice(1)}`]]),
    );
    expect(counts).toEqual({ invitationsSent: 1, invitationsAnswered: 1 });
    expect(answers).toEqual([]);
  });

  it("marks the invitation of a link's first answer answered, as of the response's first receipt, and not on resubmission", async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const first = insert({ nps: 9, invitationId: 'i-7', customerId: 'c-7', createdAt: '2026-11-24T10:00:00Z' });
    const again: DynamoDBRecord = {
      ...insert({}),
      eventName: 'MODIFY',
      dynamodb: {
        ...first.dynamodb,
        OldImage: first.dynamodb!.NewImage,
        NewImage: marshall({
          surveyId: 's-1',
          submittedAt: '2026-11-24T10:05:00Z',
          nps: 3,
          invitationId: 'i-7',
          customerId: 'c-7',
          createdAt: '2026-11-24T10:00:00Z',
        }) as never,
        SequenceNumber: String(sequence++),
      },
    };
    const plain = insert({ nps: 8, customerId: 'c-8', createdAt: '2026-11-24T10:00:00Z' });
    expect((await scoreBatch([first, again, plain], recording())).batchItemFailures).toEqual([]);
    expect(answers).toEqual([{ invitationId: 'i-7', surveyId: 's-1', customerId: 'c-7', answeredAt: '2026-11-24T10:00:00Z' }]);
  });

  it('scores the records before an answer it could not mark, and reports that record as the failure point', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const records = [
      insert({ nps: 10 }),
      insert({ nps: 9, invitationId: 'i-8', customerId: 'c-8', createdAt: '2026-11-24T10:00:00Z' }),
      insert({ nps: 1 }),
    ];
    const p = recording({
      markAnswered: async () => {
        throw Object.assign(new Error('service unavailable'), { name: 'InternalServerError' });
      },
    });
    const result = await scoreBatch(records, p);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }]);
    const calls = dynamo.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.TransactItems!.filter((i) => i.Put).map((i) => i.Put!.Item!.pk)).toEqual([
      `SCORECLAIM#${records[0]!.eventID}`,
    ]);
  });

  it('retries a conflicted mark with the one backoff', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    let calls = 0;
    const p = recording({
      markAnswered: async () => {
        if (++calls < 3) throw cancelled('None', 'TransactionConflict');
        return true;
      },
    });
    const record = insert({ nps: 9, invitationId: 'i-9', customerId: 'c-9', createdAt: '2026-11-24T10:00:00Z' });
    expect((await scoreBatch([record], p)).batchItemFailures).toEqual([]);
    expect(calls).toBe(3);
    expect(p.sleeps).toHaveLength(2);
  });
});

describe("scoreBatch and rebuild's profile backfill", () => {
  const modify = (old: Record<string, unknown>, current: Record<string, unknown>): DynamoDBRecord => ({
    eventID: `e${sequence}`,
    eventName: 'MODIFY',
    dynamodb: {
      Keys: marshall({ pk: 'RESPONSE#R-backfill', sk: '#RESPONSE' }) as never,
      OldImage: marshall({ surveyId: 's-1', submittedAt: '2026-11-24T10:00:00Z', nps: 9, ...old }) as never,
      NewImage: marshall({ surveyId: 's-1', submittedAt: '2026-11-24T10:00:00Z', nps: 9, ...current }) as never,
      SequenceNumber: String(sequence++),
    },
  });
  const byPlan = { segmentsOf: async () => () => ['plan'] };

  it('moves nothing for the snapshot rebuild gives a response (rebuild rewrites the aggregates itself)', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const backfill = modify(
      { customerId: 'c-1', version: 1 },
      { customerId: 'c-1', version: 1, scoredProfile: '{"plan":"pro"}' },
    );
    expect((await scoreBatch([backfill], ports(byPlan))).batchItemFailures).toEqual([]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('moves a submission that brings the snapshot into its segment', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const submission = modify(
      { customerId: 'c-1', version: 1 },
      { customerId: 'c-1', version: 2, scoredProfile: '{"plan":"pro"}' },
    );
    expect((await scoreBatch([submission], ports(byPlan))).batchItemFailures).toEqual([]);
    const [call] = dynamo.commandCalls(TransactWriteCommand);
    const updates = call!.args[0].input.TransactItems!.flatMap((item) => (item.Update ? [item.Update.Key] : []));
    expect(updates).toEqual([{ pk: 'SCORES#s-1', sk: 'attr.plan#2026-11-24#pro' }]);
  });
});
