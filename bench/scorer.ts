#!/usr/bin/env node
/**
 * The scorer's cost and speed against DynamoDB Local (not a timed test):
 *   1. write units per response, from ReturnConsumedCapacity, for the batched, claimed transactions the scorer
 *      writes, and in the same run for the per-record baseline (one transaction per record: its claim and one
 *      update per aggregate it touches); the ratio of the two;
 *   2. drain time: 1,500 responses accepted over HTTP, then the time from the last accept until the scores API
 *      counts all of them (local API server and stream poller, as `npm start` runs them).
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { startBenchEnvironment } from './support/local-env.ts';

const TABLE = 'feedback-bench';
const RESPONSES_FOR_UNITS = 1_000;

const RESPONSES_FOR_DRAIN = 1_500;

const { dynamo, adminToken: ADMIN } = await startBenchEnvironment(TABLE);

// Loaded after the env: modules read it once, at load.
const { createTable } = await import('../lib/local/create-table.ts');
const { localCredentials } = await import('../functions/runtime/clients.ts');
const { tableFromEnv } = await import('../functions/runtime/wiring.ts');
const { keys } = await import('../functions/data/keys.ts');
const { applyScoreChunk, existingClaims, markPoisonSent } = await import('../functions/data/scores.ts');
const { bucketsOf, readResponseImage } = await import('../functions/core/scores.ts');
const { scoreBatch } = await import('../functions/score-responses/score-batch.ts');
const { startApi } = await import('../lib/local/http-server.ts');
const { startStreamPoller } = await import('../lib/local/stream-poller.ts');
const { FUNCTIONS } = await import('../lib/manifest.ts');

const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
const { streamArn } = await createTable(raw, TABLE);
const db = tableFromEnv();
const SEGMENT_BY = ['plan'];
/** Lambda's batch size, as the manifest sets it. */
const BATCH_SIZE = FUNCTIONS.find((fn) => fn.stream)!.stream!.batchSize;

/** A day of responses as the stream delivers them: one survey, three channels, three plans, today. */
function insertRecords(surveyId: string, count: number): DynamoDBRecord[] {
  const today = new Date().toISOString().slice(0, 10);
  return Array.from({ length: count }, (_, n) => {
    const responseId = `${surveyId}-${n}`;
    const item = {
      ...keys.response(responseId),
      type: 'response',
      responseId,
      surveyId,
      submittedAt: `${today}T${String(n % 24).padStart(2, '0')}:00:00.000Z`,
      nps: n % 11,
      csat: 1 + (n % 5),
      channel: ['email', 'web', 'sms'][n % 3],
      attributes: { plan: ['free', 'pro', 'team'][n % 3 === 0 ? 0 : n % 7 === 0 ? 2 : 1] },
      version: 1,
    };
    return {
      eventID: randomBytes(16).toString('hex'),
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall(keys.response(responseId)) as never,
        NewImage: marshall(item) as never,
        SequenceNumber: String(n + 1).padStart(21, '0'),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    } satisfies DynamoDBRecord;
  });
}

// 1a. The scorer: pre-aggregated, claimed chunks.
let scorerUnits = 0;
let scorerItems = 0;
const records = insertRecords('bench-batched', RESPONSES_FOR_UNITS);
const started = Date.now();
for (let i = 0; i < records.length; i += BATCH_SIZE) {
  const result = await scoreBatch(records.slice(i, i + BATCH_SIZE), {
    applyChunk: async (chunk) => {
      const outcome = await applyScoreChunk(db, chunk, Date.now());
      if (outcome.kind === 'applied') {
        scorerUnits += outcome.consumedWriteUnits;
        scorerItems += outcome.items;
      }
      return outcome;
    },
    segmentsOf: async () => () => SEGMENT_BY,
    existingClaims: (ids) => existingClaims(db, ids),
    markPoisonSent: (id) => markPoisonSent(db, id),
    markAnswered: async () => false, // the bench's responses answer no invitation
    sendToDlq: async () => undefined,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  if (result.batchItemFailures.length) throw new Error('the scorer reported a failure in the bench');
}
const scorerMs = Date.now() - started;

// 1b. The baseline: one transaction per record, its claim and one update per aggregate it touches.
let baselineUnits = 0;
let baselineItems = 0;
const baselineRecords = insertRecords('bench-per-record', RESPONSES_FOR_UNITS);
const baselineStarted = Date.now();
for (const record of baselineRecords) {
  const response = readResponseImage(unmarshall(record.dynamodb!.NewImage as never));
  const counters = { responses: 1, [`nps${response.nps}`]: 1, [`csat${response.csat}`]: 1 };
  const buckets = bucketsOf(response, SEGMENT_BY);
  baselineItems += 1 + buckets.length;
  const { ConsumedCapacity } = await db.client.send(
    new TransactWriteCommand({
      ReturnConsumedCapacity: 'TOTAL',
      TransactItems: [
        {
          Put: {
            TableName: TABLE,
            Item: { ...keys.scoreClaim(`base-${record.eventID}`), type: 'score-claim' },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...buckets.map((key) => ({
          Update: {
            TableName: TABLE,
            Key: keys.scoreDay(key.surveyId, key.day, key.dimension, `${key.segment}`),
            UpdateExpression: `ADD ${Object.keys(counters)
              .map((_, i) => `#c${i} :c${i}`)
              .join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(Object.keys(counters).map((c, i) => [`#c${i}`, c])),
            ExpressionAttributeValues: Object.fromEntries(Object.values(counters).map((v, i) => [`:c${i}`, v])),
          },
        })),
      ],
    }),
  );
  baselineUnits += (ConsumedCapacity ?? []).reduce((sum, c) => sum + (c.WriteCapacityUnits ?? c.CapacityUnits ?? 0), 0);
}
const baselineMs = Date.now() - baselineStarted;

// 2. Drain time through the local API and the stream poller.
const scorer = FUNCTIONS.find((fn) => fn.stream)!;
const api = await startApi({ port: 0 });
const poller = await startStreamPoller({
  endpoint: dynamo.endpoint,
  streamArn,
  fn: scorer as typeof scorer & { stream: NonNullable<typeof scorer.stream> },
  failurePath: join(tmpdir(), `feedback-bench-failures-${process.pid}.jsonl`),
  startingPosition: 'LATEST',
});
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(api.url + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
};
const surveyId = `bench-drain-${randomBytes(3).toString('hex')}`;
await call('PUT', `/v1/surveys/${surveyId}`, { name: 'Bench', questions: ['nps', 'csat'], segmentBy: ['plan'] });
let next = 0;
const submitStarted = Date.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < RESPONSES_FOR_DRAIN) {
      const n = next++;
      const res = await call('POST', '/v1/responses', {
        surveyId,
        customerId: `c-${n}`,
        nps: n % 11,
        csat: 1 + (n % 5),
        channel: ['email', 'web'][n % 2],
        attributes: { plan: n % 3 ? 'pro' : 'free' },
      });
      if (res.status !== 201) throw new Error(`submission failed: ${JSON.stringify(res.body)}`);
    }
  }),
);
const lastAccept = Date.now();
let counted = 0;
while (counted < RESPONSES_FOR_DRAIN && Date.now() - lastAccept < 120_000) {
  counted = (await call('GET', `/v1/surveys/${surveyId}/scores?interval=total`)).body.total.responses;
  if (counted < RESPONSES_FOR_DRAIN) await new Promise((r) => setTimeout(r, 100));
}
const drainMs = Date.now() - lastAccept;

await poller.stop();
await api.stop();
raw.destroy();
await dynamo.stop();

// DynamoDB Local reports a flat 2 units per transaction, whatever its size; DynamoDB bills 2 per item of up to
// 1 KB in a transaction (claims and aggregates are well under), so both figures are printed.
const TRANSACTIONAL_UNITS_PER_ITEM = 2;
const billed = (scorerItems * TRANSACTIONAL_UNITS_PER_ITEM) / RESPONSES_FOR_UNITS;
const baselineBilled = (baselineItems * TRANSACTIONAL_UNITS_PER_ITEM) / RESPONSES_FOR_UNITS;
const reported = scorerUnits / RESPONSES_FOR_UNITS;
const baselineReported = baselineUnits / RESPONSES_FOR_UNITS;
console.log(
  `write units per response (${RESPONSES_FOR_UNITS} responses of one day, 3 channels, 3 plans, batches of ${BATCH_SIZE}):`,
);
console.log(
  `  scorer    ${billed.toFixed(2)} as DynamoDB bills them (${scorerItems} transactional items); ${reported.toFixed(2)} as DynamoDB Local reports them (ReturnConsumedCapacity); ${scorerMs} ms`,
);
console.log(
  `  baseline  ${baselineBilled.toFixed(2)} as billed (${baselineItems} items, one transaction per record); ${baselineReported.toFixed(2)} as DynamoDB Local reports; ${baselineMs} ms`,
);
console.log(
  `  ratio     the baseline writes ${(baselineBilled / billed).toFixed(1)}× as much (${(baselineReported / reported).toFixed(1)}× by DynamoDB Local's report)`,
);
console.log(
  `drain: ${counted}/${RESPONSES_FOR_DRAIN} responses counted ${(drainMs / 1000).toFixed(1)} s after the last accept (submitting took ${((lastAccept - submitStarted) / 1000).toFixed(1)} s)`,
);
console.log(
  JSON.stringify({
    bench: 'scorer',
    writeUnitsPerResponse: Number(billed.toFixed(3)),
    baselineWriteUnitsPerResponse: Number(baselineBilled.toFixed(3)),
    ratio: Number((baselineBilled / billed).toFixed(2)),
    reportedByDynamoDbLocal: { scorer: Number(reported.toFixed(3)), baseline: Number(baselineReported.toFixed(3)) },
    drainSeconds: Number((drainMs / 1000).toFixed(2)),
    drained: counted === RESPONSES_FOR_DRAIN,
  }),
);
process.exit(counted === RESPONSES_FOR_DRAIN ? 0 : 1);
