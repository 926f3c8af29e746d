#!/usr/bin/env node
/**
 * The customer's timeline against DynamoDB Local (not a timed test): the latency of one page (limit=50) for a
 * customer with a short history and for one with a long one (HISTORY responses, events and emails each, stored as the
 * service stores them), at the newest page and deep in the history; and the worst case of `changed`, a page whose
 * oldest NPS answer has GAP answers without NPS before the one it is compared with. A page reads at most limit + 1
 * items per source, so the long history should cost about what the short one does.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startBenchEnvironment } from './support/local-env.ts';

const TABLE = 'feedback-bench-timeline';
const HISTORY = 2_000;
const GAP = 900;
const READS = 50;

const { dynamo, adminToken: ADMIN } = await startBenchEnvironment(TABLE);

// Loaded after the env: modules read it once, at load.
const { createTable } = await import('../lib/local/create-table.ts');
const { localCredentials } = await import('../functions/runtime/clients.ts');
const { tableFromEnv } = await import('../functions/runtime/wiring.ts');
const { batchPut } = await import('../functions/data/db.ts');
const { putCustomer } = await import('../functions/data/customers.ts');
const { customerEmailsIndex, customerEventsIndex, keys, surveyResponsesIndex, timelineIndex } =
  await import('../functions/data/keys.ts');
const { startApi } = await import('../lib/local/http-server.ts');

const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
await createTable(raw, TABLE);
const db = tableFromEnv();
const api = await startApi({ port: 0 });

const at = (n: number) => new Date(Date.parse('2024-01-01T00:00:00Z') + n * 60_000).toISOString();
const id = (n: number) => `01J${String(n).padStart(23, '0')}`;

/** A customer and their history: `count` responses (NPS on all but the `withoutNps` ones), events and emails. */
async function givenHistory(customerId: string, count: number, withoutNps: (n: number) => boolean = () => false) {
  await putCustomer(db, customerId, { email: `${customerId}@example.com` }, at(0));
  const items: Array<Record<string, unknown>> = [];
  for (let n = 0; n < count; n++) {
    const submittedAt = at(3 * n);
    items.push({
      ...keys.response(id(n)),
      type: 'response',
      responseId: id(n),
      surveyId: 'bench',
      customerId,
      submittedAt,
      receivedAt: submittedAt,
      createdAt: submittedAt,
      ...(withoutNps(n) ? { csat: 4 } : { nps: n % 11 }),
      version: 1,
      ...surveyResponsesIndex('bench', submittedAt, id(n)),
      ...timelineIndex(customerId, submittedAt, id(n)),
    });
    const eventId = `ev-${customerId}-${n}`;
    items.push({
      ...keys.event(eventId),
      type: 'event',
      eventId,
      customerId,
      eventType: 'purchase',
      occurredAt: at(3 * n + 1),
      receivedAt: at(3 * n + 1),
      ...customerEventsIndex(customerId, at(3 * n + 1), eventId),
    });
    const period = `p${n}`;
    items.push({
      ...keys.emailLedger(customerId, 'thanks', period),
      type: 'email',
      customerId,
      campaignId: 'thanks',
      period,
      status: 'sent',
      claimedAt: at(3 * n + 2),
      ...customerEmailsIndex(customerId, at(3 * n + 2), 'thanks', period),
    });
  }
  await batchPut(db, items);
}

const page = async (customerId: string, cursor?: string) => {
  const res = await fetch(`${api.url}/v1/customers/${customerId}/timeline?limit=50${cursor ? `&cursor=${cursor}` : ''}`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  if (res.status !== 200) throw new Error(`timeline read failed: ${res.status}`);
  return (await res.json()) as { items: Array<{ kind: string; changed?: unknown }>; nextCursor?: string };
};

/** READS sequential reads of one page (after a few to warm up): median and 95th percentile in ms. */
async function latency(customerId: string, cursor?: string) {
  for (let i = 0; i < 5; i++) await page(customerId, cursor);
  const times: number[] = [];
  for (let i = 0; i < READS; i++) {
    const started = performance.now();
    await page(customerId, cursor);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => Number(times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2));
  return { medianMs: q(0.5), p95Ms: q(0.95) };
}

/** The cursor `pages` pages into the timeline. */
async function cursorAfter(customerId: string, pages: number) {
  let cursor: string | undefined;
  for (let i = 0; i < pages; i++) cursor = (await page(customerId, cursor)).nextCursor;
  return cursor;
}

await givenHistory('short', 10);
await givenHistory('long', HISTORY);
// The newest response has NPS; the GAP before it have none; the one before those has NPS again.
await givenHistory('gap', GAP + 2, (n) => n > 0 && n <= GAP);

const figures = {
  short: await latency('short'),
  longNewest: await latency('long'),
  longDeep: await latency('long', await cursorAfter('long', 60)),
  gap: await latency('gap'),
};
const gapPage = await page('gap');

await api.stop();
raw.destroy();
await dynamo.stop();

const show = (f: { medianMs: number; p95Ms: number }) => `median ${f.medianMs} ms, p95 ${f.p95Ms} ms`;
console.log(`[timeline] limit=50, ${READS} sequential reads each`);
console.log(`[timeline] 10 responses, events and emails: ${show(figures.short)}`);
console.log(`[timeline] ${HISTORY} of each, newest page: ${show(figures.longNewest)}`);
console.log(`[timeline] ${HISTORY} of each, page 61: ${show(figures.longDeep)}`);
console.log(
  `[timeline] previous NPS answer ${GAP} answers back: ${show(figures.gap)} ` +
    `(changed found: ${gapPage.items.some((i) => i.changed !== undefined)})`,
);
console.log(JSON.stringify({ bench: 'timeline', history: HISTORY, gapAnswers: GAP, ...figures }));
