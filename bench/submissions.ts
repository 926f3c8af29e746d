#!/usr/bin/env node
/**
 * The submission path against DynamoDB Local (not a timed test), in one run:
 *   1. raw DynamoDB Local: PutItem of response-sized items with the low-level client, CLIENTS at a time, before and
 *      after the API phase (their mean is the baseline, so drift in the JVM shows as the gap between the two);
 *   2. the local API: POST /v1/responses over HTTP to an anonymous survey, CLIENTS at a time, as `npm start` serves
 *      it; throughput and its ratio to the raw baseline;
 *   3. DynamoDB round trips per submission, counted by a wrapper on the document client's `send` (every handler's
 *      calls go through it): anonymous, with an Idempotency-Key, and through a customer's link.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { startBenchEnvironment } from './support/local-env.ts';

const TABLE = 'feedback-bench-submissions';
const SUBMISSIONS = 2_000;
const RAW_PUTS = 1_000;
const CLIENTS = 8;
const WARM_UP = 200;
/** Smaller phases that only count round trips. */
const COUNTED = 100;

const { dynamo, adminToken: ADMIN } = await startBenchEnvironment(TABLE);

// Every DynamoDB call of the handlers goes through a document client's send: count them by command.
const calls = new Map<string, number>();
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with each client as `this`
const originalSend = DynamoDBDocumentClient.prototype.send;
DynamoDBDocumentClient.prototype.send = function (this: DynamoDBDocumentClient, ...args: Parameters<typeof originalSend>) {
  const name = (args[0] as { constructor: { name: string } }).constructor.name;
  calls.set(name, (calls.get(name) ?? 0) + 1);
  return originalSend.apply(this, args);
} as typeof originalSend;
const countCalls = () => {
  const byCommand = Object.fromEntries(calls);
  calls.clear();
  return { total: Object.values(byCommand).reduce((a, b) => a + b, 0), byCommand };
};

// Loaded after the env: modules read it once, at load.
const { createTable } = await import('../lib/local/create-table.ts');
const { localCredentials } = await import('../functions/runtime/clients.ts');
const { keys, surveyResponsesIndex } = await import('../functions/data/keys.ts');
const { startApi } = await import('../lib/local/http-server.ts');

const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
await createTable(raw, TABLE);
const api = await startApi({ port: 0 });

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(api.url + path, {
    method,
    headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};
const admin = { authorization: `Bearer ${ADMIN}` };

/** Runs `count` operations, `CLIENTS` at a time; returns operations per second. */
async function throughput(count: number, operation: (n: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < count) await operation(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const surveyId = `bench-${randomBytes(3).toString('hex')}`;
await call('PUT', `/v1/surveys/${surveyId}`, { name: 'Bench', questions: ['nps', 'csat', 'comment'], anonymous: true }, admin);
const answer = (n: number) => ({ surveyId, nps: n % 11, csat: 1 + (n % 5), channel: ['email', 'web'][n % 2], comment: 'Fine' });
const submit = async (n: number, headers: Record<string, string> = {}, body: unknown = answer(n)) => {
  const res = await call('POST', '/v1/responses', body, headers);
  if (res.status !== 201) throw new Error(`submission failed: ${res.status} ${JSON.stringify(res.body)}`);
};

/** An item the size and shape of a stored response, written with one PutItem. */
const rawPut = (prefix: string) => async (n: number) => {
  const responseId = `${prefix}-${n}`;
  const now = new Date().toISOString();
  await raw.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: marshall({
        ...keys.response(responseId),
        type: 'response',
        responseId,
        surveyId,
        nps: n % 11,
        csat: 1 + (n % 5),
        channel: 'web',
        comment: 'Fine',
        submittedAt: now,
        receivedAt: now,
        createdAt: now,
        version: 1,
        ...surveyResponsesIndex(surveyId, now, responseId),
      }),
    }),
  );
};

// Warm both paths up (JIT, the JVM, the handlers' first load), then measure.
await throughput(WARM_UP, (n) => submit(n));
await throughput(WARM_UP, rawPut('warm'));
countCalls();

const rawBefore = await throughput(RAW_PUTS, rawPut('raw-before'));
const apiRate = await throughput(SUBMISSIONS, (n) => submit(n));
const anonymousCalls = countCalls();
const rawAfter = await throughput(RAW_PUTS, rawPut('raw-after'));
const rawRate = (rawBefore + rawAfter) / 2;

// Round trips with an Idempotency-Key (claim, then the write that completes it), and through a link.
await throughput(COUNTED, (n) => submit(n, { 'idempotency-key': `bench-${n}` }));
const keyedCalls = countCalls();
const links: string[] = [];
for (let n = 0; n < COUNTED; n++) {
  const res = await call('POST', `/v1/surveys/${surveyId}/links`, { customerId: `c-${n}` }, admin);
  links.push(res.body.token!);
}
countCalls();
await throughput(COUNTED, (n) => submit(n, {}, { ...answer(n), token: links[n] }));
const linkCalls = countCalls();

await api.stop();
raw.destroy();
await dynamo.stop();

const perSubmission = (counted: { total: number; byCommand: Record<string, number> }, n: number) => ({
  roundTrips: Number((counted.total / n).toFixed(2)),
  byCommand: Object.fromEntries(Object.entries(counted.byCommand).map(([name, c]) => [name, Number((c / n).toFixed(2))])),
});
const round = (x: number) => Math.round(x);
console.log(
  `[submissions] local API ${round(apiRate)}/s against raw PutItem ${round(rawRate)}/s ` +
    `(${round(rawBefore)} before, ${round(rawAfter)} after): ${(apiRate / rawRate).toFixed(2)}x, ${CLIENTS} clients`,
);
console.log(
  `[submissions] DynamoDB round trips per submission: anonymous ${perSubmission(anonymousCalls, SUBMISSIONS).roundTrips}, ` +
    `with an Idempotency-Key ${perSubmission(keyedCalls, COUNTED).roundTrips}, through a link ${perSubmission(linkCalls, COUNTED).roundTrips}`,
);
console.log(
  JSON.stringify({
    bench: 'submissions',
    clients: CLIENTS,
    submissions: SUBMISSIONS,
    apiPerSecond: round(apiRate),
    rawPutItemPerSecond: round(rawRate),
    rawPutItemPerSecondBefore: round(rawBefore),
    rawPutItemPerSecondAfter: round(rawAfter),
    ratio: Number((apiRate / rawRate).toFixed(2)),
    roundTripsPerSubmission: {
      anonymous: perSubmission(anonymousCalls, SUBMISSIONS),
      idempotencyKey: perSubmission(keyedCalls, COUNTED),
      link: perSubmission(linkCalls, COUNTED),
    },
  }),
);
