#!/usr/bin/env node
/**
 * The detractor alert's latency locally (not a timed test): 20 detractors answer through their links over HTTP, one
 * after another; for each, the time from the API's 201 until the team's email is in the local SES (the stream
 * poller feeding the notifier, as `npm start` runs it). Goal: ≤ 10 s locally (≤ 60 s deployed by construction: the
 * stream's batching window is 1 s and Lambda polls the stream continuously).
 */
import { startSesLocal } from '../lib/local/ses-local.ts';
import { freePort } from '../lib/local/ports.ts';
import { startBenchEnvironment } from './support/local-env.ts';

const TABLE = 'feedback-bench-alerts';
const DETRACTORS = 20;
const GOAL_MS = 10_000;

const { dynamo, adminToken } = await startBenchEnvironment(TABLE);
const ses = await startSesLocal({ port: await freePort() });
Object.assign(process.env, {
  SES_ENDPOINT: ses.endpoint,
  SENDER_ADDRESS: 'feedback@example.com',
  TEAM_ADDRESS: 'team@example.com',
  PUBLIC_BASE_URL: 'http://127.0.0.1',
});

// Loaded after the env: modules read it once, at load.
const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
const { createTable } = await import('../lib/local/create-table.ts');
const { localCredentials } = await import('../functions/runtime/clients.ts');
const { startApi } = await import('../lib/local/http-server.ts');
const { startStreamConsumers } = await import('../lib/local/stream-poller.ts');

const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
const { streamArn } = await createTable(raw, TABLE);
raw.destroy();
const api = await startApi({ port: 0 });
const consumers = await startStreamConsumers({ endpoint: dynamo.endpoint, streamArn });

async function call(method: string, path: string, body: unknown, admin = true) {
  const res = await fetch(api.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${adminToken}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** How long until the team's email naming this response is in the local SES. */
async function waitForAlert(responseId: string, acceptedAt: number): Promise<number> {
  for (;;) {
    const { emails } = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: Array<{ body: { text?: string } }> };
    if (emails.some((e) => e.body.text?.includes(responseId))) return Date.now() - acceptedAt;
    if (Date.now() - acceptedAt > 60_000) throw new Error(`no alert for ${responseId} within 60 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const surveyId = 'bench-alerts';
await call('PUT', `/v1/surveys/${surveyId}`, { name: 'Bench', questions: ['nps', 'comment'] });
const latencies: number[] = [];
for (let n = 0; n < DETRACTORS; n++) {
  const customerId = `bench-${n}`;
  await call('PUT', `/v1/customers/${customerId}`, { email: `bench-${n}@example.com`, name: `Customer ${n}` });
  const { token } = (await call('POST', `/v1/surveys/${surveyId}/links`, { customerId })) as { token: string };
  const accepted = (await call('POST', '/v1/responses', { surveyId, token, nps: n % 7, comment: `Not good ${n}` }, false)) as {
    responseId: string;
  };
  latencies.push(await waitForAlert(accepted.responseId, Date.now()));
}

await consumers.stop();
await api.stop();
await ses.stop();
await dynamo.stop();

const sorted = [...latencies].sort((a, b) => a - b);
const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
console.log(
  JSON.stringify(
    {
      bench: 'alerts',
      detractorAlert: {
        detractors: DETRACTORS,
        acceptToInboxMs: { p50: percentile(50), p95: percentile(95), max: sorted.at(-1) },
        goalMs: GOAL_MS,
        withinGoal: percentile(95) <= GOAL_MS,
      },
    },
    null,
    2,
  ),
);
