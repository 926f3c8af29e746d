#!/usr/bin/env node
/**
 * `npm run import -- customers` against DynamoDB Local: 10,000 customers from a JSONL file, in customers per
 * second, against raw BatchWriteItem of the same items (25 a request, as many requests in flight as the import
 * has at most) into a table of their own, in the same run. Goal: the import at least half as fast as raw.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startBenchEnvironment } from './support/local-env.ts';

const TABLE = 'feedback-bench-import';
/** Raw writes go before and after the import, each into a fresh table: the machine's load varies during a run. */
const RAW_TABLES = ['feedback-bench-import-raw-1', 'feedback-bench-import-raw-2'];
const CUSTOMERS = 10_000;

const { dynamo } = await startBenchEnvironment(TABLE);

// Loaded after the env: modules read it once, at load.
const { createTable } = await import('../lib/local/create-table.ts');
const { dynamoDbClient, localCredentials } = await import('../functions/runtime/clients.ts');
const { newCustomerItem } = await import('../functions/data/customers.ts');
const { runImport, CONCURRENCY, CHUNK } = await import('../scripts/import-run.ts');
/** As many BatchWriteItem requests in flight as the import has at most: its chunks, each in 25-item requests. */
const IN_FLIGHT = CONCURRENCY * Math.ceil(CHUNK.customers / 25);

const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
await createTable(raw, TABLE);
for (const table of RAW_TABLES) await createTable(raw, table);
const client = dynamoDbClient();

const run = randomBytes(3).toString('hex');
const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({
  customerId: `bench-${run}-${i}`,
  email: `customer-${run}-${i}@example.com`,
  name: `Customer ${i}`,
  locale: i % 2 ? 'tr' : 'sr-Latn',
  timezone: 'Europe/Istanbul',
  ...(i % 3 ? { birthday: `${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}` } : {}),
  attributes: { plan: i % 4 ? 'free' : 'pro', seats: i % 50 },
}));

async function rawBatchWrites(table: string): Promise<number> {
  const now = new Date().toISOString();
  const items = customers.map(({ customerId, ...input }) => newCustomerItem(customerId, input, now));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < items.length) {
        let requests = items.slice(next, (next += 25)).map((Item) => ({ PutRequest: { Item } }));
        while (requests.length) {
          const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }
    }),
  );
  return performance.now() - started;
}

async function imported(): Promise<{ ms: number; created: number; bad: number }> {
  const bytes = Buffer.from(customers.map((c) => JSON.stringify(c)).join('\n'));
  const started = performance.now();
  const summary = await runImport({
    db: { client, table: TABLE },
    kind: 'customers',
    format: 'jsonl',
    bytes,
    report: (bad) => console.error(`line ${bad.line}: ${bad.reasons.join('; ')}`),
  });
  if ('header' in summary) throw new Error(summary.header);
  return { ms: performance.now() - started, created: summary.created, bad: summary.bad };
}

try {
  const rawBefore = await rawBatchWrites(RAW_TABLES[0]!);
  const importRun = await imported();
  const rawMs = (rawBefore + (await rawBatchWrites(RAW_TABLES[1]!))) / 2;
  if (importRun.created !== CUSTOMERS || importRun.bad) throw new Error(`imported ${importRun.created}, ${importRun.bad} bad`);
  const rerunStarted = performance.now();
  await imported();
  const rerunMs = performance.now() - rerunStarted;
  const perSecond = (ms: number) => Math.round((CUSTOMERS / ms) * 1000);
  const ratio = perSecond(importRun.ms) / perSecond(rawMs);
  console.log(
    JSON.stringify({
      bench: 'import-customers',
      customers: CUSTOMERS,
      rawBatchWritePerSecond: perSecond(rawMs),
      importPerSecond: perSecond(importRun.ms),
      ratio: Math.round(ratio * 100) / 100,
      goal: '>= 0.5',
      rerunUnchangedPerSecond: perSecond(rerunMs),
    }),
  );
  if (ratio < 0.5) process.exitCode = 1;
} finally {
  client.destroy();
  raw.destroy();
  await dynamo.stop();
}
