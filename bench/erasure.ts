#!/usr/bin/env node
/**
 * Erasing a customer with RESPONSES responses through the real API on DynamoDB Local (not a timed test): how long the
 * DELETE takes to remove every item (its erasure mark says `erased`) and how long until the scorer has moved the
 * scores back to 0, against the same number of response items deleted raw with `BatchWriteItem` in the same run.
 * Goal (issue 11): done within 60 s locally.
 */
import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startBenchEnvironment } from './support/local-env.ts';

const TABLE = 'feedback-bench-erasure';
const RESPONSES = Number(process.env.BENCH_ERASURE_RESPONSES ?? 1_000);

const { dynamo, adminToken } = await startBenchEnvironment(TABLE);

// Loaded after the env: modules read it once, at load.
const { createTable } = await import('../lib/local/create-table.ts');
const { localCredentials } = await import('../functions/runtime/clients.ts');
const { keys } = await import('../functions/data/keys.ts');
const { startApi } = await import('../lib/local/http-server.ts');
const { startStreamConsumers } = await import('../lib/local/stream-poller.ts');

const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
const { streamArn } = await createTable(raw, TABLE);
const api = await startApi({ port: 0 });
const consumers = await startStreamConsumers({ endpoint: dynamo.endpoint, streamArn });

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(api.url + path, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer: any = await res.json().catch(() => undefined);
  return { status: res.status, body: answer };
}

async function until(check: () => Promise<boolean>, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const totalResponses = async (surveyId: string) =>
  (await call('GET', `/v1/surveys/${surveyId}/scores?interval=total`)).body?.total?.responses ?? 0;

// The baseline: as many response items deleted with BatchWriteItem, 25 at a time, nothing else.
async function rawDeleteMs(): Promise<number> {
  const ids = Array.from({ length: RESPONSES }, (_, n) => `RAW${String(n).padStart(6, '0')}`);
  for (let i = 0; i < ids.length; i += 25) {
    const PutRequests = ids.slice(i, i + 25).map((id) => ({
      PutRequest: { Item: { pk: { S: `RAWBENCH#${id}` }, sk: { S: '#RESPONSE' }, nps: { N: '9' } } },
    }));
    await raw.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: PutRequests } }));
  }
  const started = performance.now();
  for (let i = 0; i < ids.length; i += 25) {
    const deletes = ids.slice(i, i + 25).map((id) => ({
      DeleteRequest: { Key: { pk: { S: `RAWBENCH#${id}` }, sk: { S: '#RESPONSE' } } },
    }));
    await raw.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: deletes } }));
  }
  return performance.now() - started;
}

const surveyId = 'bench-erasure';
const customerId = 'c-bench-erasure';
await call('PUT', `/v1/surveys/${surveyId}`, { name: 'Erasure bench', questions: ['nps', 'comment'] });
await call('PUT', `/v1/customers/${customerId}`, { email: 'erase-me@example.com', name: 'Erase Me' });
process.stderr.write(`[erasure] storing ${RESPONSES} responses`);
for (let i = 0; i < RESPONSES; i += 10) {
  const batch = Array.from({ length: Math.min(10, RESPONSES - i) }, (_, j) =>
    call('POST', '/v1/responses', { surveyId, customerId, nps: (i + j) % 11, comment: `answer ${i + j}` }),
  );
  for (const res of await Promise.all(batch)) if (res.status !== 201) throw new Error(`submission: ${res.status}`);
  if (i % 200 === 0) process.stderr.write('.');
}
process.stderr.write('\n');
await until(async () => (await totalResponses(surveyId)) === RESPONSES);

const started = performance.now();
const accepted = await call('DELETE', `/v1/customers/${customerId}`);
if (accepted.status !== 202) throw new Error(`DELETE answered ${accepted.status}`);
const mark = keys.erasure(customerId);
await until(async () => {
  const { Item } = await raw.send(
    new GetItemCommand({ TableName: TABLE, Key: { pk: { S: mark.pk }, sk: { S: mark.sk } }, ConsistentRead: true }),
  );
  return Item?.status?.S === 'erased';
});
const deletedMs = performance.now() - started;
await until(async () => (await totalResponses(surveyId)) === 0);
const scoresBackMs = performance.now() - started;
const baselineMs = await rawDeleteMs();

console.log(
  JSON.stringify(
    {
      bench: 'erasure',
      responses: RESPONSES,
      itemsDeletedMs: Math.round(deletedMs),
      scoresBackToZeroMs: Math.round(scoresBackMs),
      rawBatchDeleteMs: Math.round(baselineMs),
      ratioToRaw: Number((deletedMs / baselineMs).toFixed(2)),
      goal: 'done within 60 s locally',
      met: scoresBackMs <= 60_000,
    },
    null,
    2,
  ),
);

await consumers.stop();
await api.stop();
raw.destroy();
await dynamo.stop();
