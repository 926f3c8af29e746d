import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ANONYMOUS_SEGMENT_LIMIT, OTHER_SEGMENT } from '../../functions/core/scores.ts';
import { keys } from '../../functions/data/keys.ts';
import { differences, recountScores, rewriteScores, storedAggregates, storedScores } from '../../functions/data/score-recount.ts';
import { readScoreDays } from '../../functions/data/scores.ts';
import { localCredentials } from '../../functions/runtime/clients.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { responsePartition, table, testDb, useApi } from '../support/api.ts';
import { givenLink, givenSurvey } from '../support/factories.ts';
import { utcDay } from '../support/days.ts';
import { useScoringStack } from '../support/scoring-stack.ts';

/**
 * Hostile traffic: anonymous answers each with a new channel and segment value. What they add to the scores is
 * bounded (ANONYMOUS_SEGMENT_LIMIT values per dimension, the rest in OTHER_SEGMENT), the segments add up to the
 * total, the recount agrees, and a totals read touches only the items it returns.
 */
const scoring = useScoringStack();
const api = useApi();

const SPAM = 300;
const PARALLEL = 10;
/** No answer of this file is older than the day it was loaded; the server stamps them with its "now". */
const FIRST_DAY = utcDay();
/** From the first day to today: every answer so far, even if the run went past 00:00 UTC. */
const scores = (surveyId: string, query: string) =>
  api.request('GET', `/v1/surveys/${surveyId}/scores?from=${FIRST_DAY}&to=${utcDay()}&interval=total${query}`, {
    admin: true,
  });

/** A table handle whose client counts the items each Query read (ScannedCount), before any filter. */
function countingDb() {
  const client = new DynamoDBClient({
    endpoint: process.env[ENV.dynamodbEndpoint],
    region: 'local',
    credentials: localCredentials,
  });
  const read = { items: 0, queries: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as { ScannedCount?: number };
      if (output.ScannedCount !== undefined) {
        read.items += output.ScannedCount;
        read.queries++;
      }
      return result;
    },
    { step: 'initialize' },
  );
  return { db: { client: DynamoDBDocumentClient.from(client), table: table() }, read };
}

async function inParallel(count: number, task: (n: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

type Segment = { key: string | null; responses: number };

describe(`anonymous answers add at most ${ANONYMOUS_SEGMENT_LIMIT} segments per dimension`, () => {
  it('counts values beyond the limit in one overflow segment; segments add up; verify finds 0 differences', async () => {
    const surveyId = await givenSurvey(api, { anonymous: true, segmentBy: ['plan'] });
    const responseIds: string[] = [];
    /** The days the server stamped the answers with: one, or two if the run went past 00:00 UTC. */
    const days = new Set<string>();
    await inParallel(SPAM, async (n) => {
      const reply = await api.request('POST', '/v1/responses', {
        body: { surveyId, nps: n % 11, channel: `spam-${n}`, attributes: { plan: `plan-${n}`, other: `x-${n}` } },
      });
      expect(reply.status).toBe(201);
      responseIds[n] = reply.body.responseId;
      days.add(reply.body.receivedAt.slice(0, 10));
    });
    // A signed link's value is not limited: each link answers once.
    const { token } = await givenLink(api, surveyId);
    const linked = await api.request('POST', '/v1/responses', { body: { surveyId, token, nps: 9, channel: 'linked' } });
    expect(linked.status).toBe(201);
    days.add(linked.body.receivedAt.slice(0, 10));
    await scoring.drained();

    const byChannel = await scores(surveyId, '&by=channel');
    expect(byChannel.status).toBe(200);
    expect(byChannel.body.total.responses).toBe(SPAM + 1);
    const channels: Segment[] = byChannel.body.segments;
    expect(channels.length).toBeLessThanOrEqual(ANONYMOUS_SEGMENT_LIMIT + 2); // the limit, the overflow, the link's
    expect(channels.find((s) => s.key === OTHER_SEGMENT)?.responses).toBe(SPAM - ANONYMOUS_SEGMENT_LIMIT);
    expect(channels.find((s) => s.key === 'linked')?.responses).toBe(1);
    expect(channels.reduce((sum, s) => sum + s.responses, 0)).toBe(SPAM + 1);

    const byPlan = await scores(surveyId, '&by=attr.plan');
    const plans: Segment[] = byPlan.body.segments;
    expect(plans.length).toBe(ANONYMOUS_SEGMENT_LIMIT + 2); // the limit, the overflow, and `null`: the link's answer
    expect(plans.at(-1)).toMatchObject({ key: null, responses: 1 });
    expect(plans.reduce((sum, s) => sum + s.responses, 0)).toBe(SPAM + 1);

    // The stored response keeps what the caller sent; listings show it, and not where it was counted.
    const stored = (await responsePartition(responseIds[SPAM - 1]!))[0]!;
    expect(stored).toMatchObject({ channel: `spam-${SPAM - 1}`, attributes: { plan: `plan-${SPAM - 1}` } });
    const listed = await api.request('GET', `/v1/surveys/${surveyId}/responses?limit=1000`, { admin: true });
    const channelsListed = new Set(listed.body.items.map((r: { channel: string }) => r.channel));
    expect(channelsListed.size).toBe(SPAM + 1);
    expect(listed.body.items.some((r: Record<string, unknown>) => 'scoredSegments' in r)).toBe(false);

    // `npm run scores -- verify`: the recount reads the same placement from each response.
    const recount = await recountScores(testDbHandle(), { surveyIds: [surveyId] });
    expect(recount.responses).toBe(SPAM + 1);
    expect(differences(recount.buckets, await storedScores(testDbHandle(), { surveyId }))).toEqual([]);

    // A totals read reads the `all` item of each day and nothing else; a breakdown reads its dimension's items only.
    const answered = [...days].sort();
    const [first, last] = [answered[0]!, answered.at(-1)!];
    const counting = countingDb();
    const totals = await readScoreDays(counting.db, surveyId, 'all', first, last);
    expect(totals.map((t) => t.day)).toEqual(answered);
    expect(counting.read).toEqual({ items: answered.length, queries: 1 });
    const segments = await readScoreDays(counting.db, surveyId, 'channel', first, last);
    // One item per channel (per day it was answered on): every channel, and nothing but what is returned read.
    expect(new Set(segments.map((s) => s.segment)).size).toBe(channels.length);
    expect(counting.read).toEqual({ items: answered.length + segments.length, queries: 2 });
  }, 120_000);
});

const testDbHandle = () => ({ client: testDb(), table: table() });

describe('score aggregates under the earlier key layout', () => {
  it('are ignored by reads and verify, reported as stale, and deleted by rebuild', async () => {
    const surveyId = await givenSurvey(api, { anonymous: true });
    expect((await api.request('POST', '/v1/responses', { body: { surveyId, nps: 10, channel: 'web' } })).status).toBe(201);
    await scoring.drained();
    const db = testDbHandle();
    // What the scorer wrote before this layout: sort key `<day>#<dimension>#<segment>` (test data, not a key shape in use).
    const today = utcDay();
    const legacy = { pk: keys.scores(surveyId).pk, sk: `${today}#all#*` };
    await db.client.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...legacy, type: 'score-day', surveyId, day: today, dimension: 'all', segment: '*', responses: 7, nps10: 7 },
      }),
    );

    const totals = await scores(surveyId, '');
    expect(totals.body.total.responses).toBe(1);
    const before = await storedAggregates(db, { surveyId });
    expect(before.stale).toEqual([legacy]);
    const recount = await recountScores(db, { surveyIds: [surveyId] });
    const diffs = differences(recount.buckets, before.current);
    expect(diffs).toEqual([]);

    await rewriteScores(db, diffs, undefined, before.stale);
    const after = await storedAggregates(db, { surveyId });
    expect(after.stale).toEqual([]);
    expect(differences(recount.buckets, after.current)).toEqual([]);
    expect((await scores(surveyId, '')).body.total.responses).toBe(1);
  });
});

describe('anonymous segment values of any shape', () => {
  it('places an empty attribute value, and a channel named like the overflow, as given', async () => {
    const surveyId = await givenSurvey(api, { anonymous: true, segmentBy: ['plan'] });
    for (const body of [
      { surveyId, nps: 9, attributes: { plan: '' } },
      { surveyId, nps: 9, channel: OTHER_SEGMENT, attributes: { plan: '' } },
    ]) {
      expect((await api.request('POST', '/v1/responses', { body })).status).toBe(201);
    }
    await scoring.drained();
    expect((await scores(surveyId, '&by=attr.plan')).body.segments).toMatchObject([{ key: '', responses: 2 }]);
    expect((await scores(surveyId, '&by=channel')).body.segments).toMatchObject([
      { key: OTHER_SEGMENT, responses: 1 },
      { key: null, responses: 1 }, // the answer without a channel: not the empty string
    ]);
  });
});
