#!/usr/bin/env node
/**
 * Score reads under hostile traffic, against DynamoDB Local (not a timed test), in one run: the scores API's
 * latency for totals (`interval=day`, the default 30 days) and for `by=channel`, before and after SPAM anonymous
 * answers that each bring a new channel, and the ratio of the two. The local API server and the stream poller run
 * as `npm start` runs them; the reads start once the scorer has counted every answer.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startBenchEnvironment } from './support/local-env.ts';

const TABLE = 'feedback-bench-score-reads';
/** Ordinary answers first, over three channels, so the reads have something to sum. */
const ORDINARY = 300;
const SPAM = 5_000;
const CLIENTS = 8;
const READS = 100;

const { dynamo, adminToken: ADMIN } = await startBenchEnvironment(TABLE);

// Loaded after the env: modules read it once, at load.
const { createTable } = await import('../lib/local/create-table.ts');
const { localCredentials } = await import('../functions/runtime/clients.ts');
const { tableFromEnv } = await import('../functions/runtime/wiring.ts');
const { storedAggregates } = await import('../functions/data/score-recount.ts');
const { startApi } = await import('../lib/local/http-server.ts');
const { startStreamPoller } = await import('../lib/local/stream-poller.ts');
const { FUNCTIONS } = await import('../lib/manifest.ts');

const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
const { streamArn } = await createTable(raw, TABLE);
const scorer = FUNCTIONS.find((fn) => fn.stream)!;
const api = await startApi({ port: 0 });
const poller = await startStreamPoller({
  endpoint: dynamo.endpoint,
  streamArn,
  fn: scorer as typeof scorer & { stream: NonNullable<typeof scorer.stream> },
  failurePath: join(tmpdir(), `feedback-bench-failures-${process.pid}.jsonl`),
  startingPosition: 'LATEST',
});

const call = async (method: string, path: string, body?: unknown, admin = true) => {
  const res = await fetch(api.url + path, {
    method,
    headers: { ...(admin ? { authorization: `Bearer ${ADMIN}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as { total: { responses: number }; segments?: unknown[] } };
};

const surveyId = `bench-reads-${randomBytes(3).toString('hex')}`;
await call('PUT', `/v1/surveys/${surveyId}`, { name: 'Bench', questions: ['nps', 'csat'], anonymous: true });

/** Submits `count` anonymous answers, CLIENTS at a time, and waits until the scores count `expected` in all. */
async function answer(count: number, channel: (n: number) => string, expected: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < count) {
        const n = next++;
        const res = await call('POST', '/v1/responses', { surveyId, nps: n % 11, csat: 1 + (n % 5), channel: channel(n) }, false);
        if (res.status !== 201) throw new Error(`submission failed: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }),
  );
  await poller.drained();
  const counted = (await call('GET', `/v1/surveys/${surveyId}/scores?interval=total`)).body.total.responses;
  if (counted !== expected) throw new Error(`the scores count ${counted} answers, not ${expected}`);
}

/** READS sequential reads of one query (after a few to warm up): median and 95th percentile in ms. */
async function latency(query: string) {
  const read = async () => {
    const res = await call('GET', `/v1/surveys/${surveyId}/scores${query}`);
    if (res.status !== 200) throw new Error(`read failed: ${res.status}`);
    return res.body;
  };
  for (let i = 0; i < 30; i++) await read();
  const times: number[] = [];
  let segments = 0;
  for (let i = 0; i < READS; i++) {
    const started = performance.now();
    segments = (await read()).segments?.length ?? 0;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2));
  return { medianMs: at(0.5), p95Ms: at(0.95), segments };
}

const measure = async () => ({ totals: await latency(''), byChannel: await latency('?by=channel') });
const scoreItems = async () => {
  const { current, stale } = await storedAggregates(tableFromEnv(), { surveyId });
  return current.size + stale.length;
};

await answer(ORDINARY, (n) => ['email', 'web', 'sms'][n % 3]!, ORDINARY);
const before = await measure();
const itemsBefore = await scoreItems();
const spamStarted = Date.now();
await answer(SPAM, (n) => `spam-${n}-${randomBytes(4).toString('hex')}`, ORDINARY + SPAM);
const spamSeconds = (Date.now() - spamStarted) / 1000;
const after = await measure();
const itemsAfter = await scoreItems();

await poller.stop();
await api.stop();
raw.destroy();
await dynamo.stop();

const ratio = (a: { medianMs: number }, b: { medianMs: number }) => Number((a.medianMs / b.medianMs).toFixed(2));
const line = (name: string, b: typeof before.totals, a: typeof after.totals) =>
  `[score-reads] ${name}: median ${b.medianMs} ms → ${a.medianMs} ms (${ratio(a, b)}x), p95 ${b.p95Ms} → ${a.p95Ms} ms` +
  (a.segments ? `, ${b.segments} → ${a.segments} segments` : '');
console.log(
  `[score-reads] ${SPAM} anonymous answers with distinct channels (${spamSeconds.toFixed(1)} s to accept and score): ` +
    `score items ${itemsBefore} → ${itemsAfter}; ${READS} sequential reads each`,
);
console.log(line('totals (interval=day, 30 days)', before.totals, after.totals));
console.log(line('by=channel', before.byChannel, after.byChannel));
console.log(
  JSON.stringify({
    bench: 'score-reads',
    spam: SPAM,
    scoreItems: { before: itemsBefore, after: itemsAfter },
    totals: { before: before.totals, after: after.totals, ratio: ratio(after.totals, before.totals) },
    byChannel: { before: before.byChannel, after: after.byChannel, ratio: ratio(after.byChannel, before.byChannel) },
  }),
);
