#!/usr/bin/env node
/**
 * Webhook deliveries (not a timed test), in two parts:
 *   1. throughput on this machine: WEBHOOKS webhooks subscribed to one type, EVENTS events published CLIENTS at a
 *      time through `publishWebhookEvent`, delivered by the local queue and the real deliverer to a node:http receiver
 *      on 127.0.0.1; deliveries per second from the first publication to the last delivery, and duplicates seen;
 *   2. a receiver down for an hour, on a fake clock: the deliverer's use case (the same `deliverMessage`) with an
 *      in-memory store and queue; OUTAGE_EVENTS events published during the hour, each retried on the schedule
 *      until the receiver is back; attempts per delivery, queue messages (hops included), the lag after recovery,
 *      and losses (must be 0).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBenchEnvironment } from './support/local-env.ts';

const TABLE = 'feedback-bench-webhooks';
const WEBHOOKS = 5;
const EVENTS = 200;
const CLIENTS = 8;
const OUTAGE_EVENTS = 500;
const HOUR = 3_600_000;

const { dynamo, adminToken } = await startBenchEnvironment(TABLE);
process.env.LOCAL_WEBHOOKS = '1';

// Loaded after the env: modules read it once, at load.
const { createTable } = await import('../lib/local/create-table.ts');
const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
const { localCredentials } = await import('../functions/runtime/clients.ts');
const { startApi } = await import('../lib/local/http-server.ts');
const { startLocalWebhookQueue } = await import('../lib/local/webhook-queue.ts');
const { publishWebhookEvent } = await import('../functions/data/webhooks.ts');
const { simulatedDelivery } = await import('../test/support/fake-webhook-delivery.ts');
const { newWebhookSecret } = await import('../functions/core/webhooks.ts');

const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
await createTable(raw, TABLE);
const api = await startApi({ port: 0 });
const queue = startLocalWebhookQueue();

// ---- 1. throughput ----
const seen = new Map<string, number>();
let lastAt = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const id = String(req.headers['webhook-id']);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    lastAt = performance.now();
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
for (let i = 0; i < WEBHOOKS; i++) {
  const res = await fetch(`${api.url}/v1/webhooks/bench-${i}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url, events: ['response.created'] }),
  });
  if (res.status !== 200) throw new Error(`PUT webhook: ${res.status}`);
}

const expected = WEBHOOKS * EVENTS;
const start = performance.now();
let next = 0;
const publishTimes: number[] = [];
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    while (next < EVENTS) {
      const n = next++;
      const t = performance.now();
      await publishWebhookEvent({
        id: `response.created:bench-${n}`,
        type: 'response.created',
        timestamp: new Date().toISOString(),
        data: { surveyId: 'bench', responseId: `r-${n}`, nps: n % 11 },
      });
      publishTimes.push(performance.now() - t);
    }
  }),
);
const published = performance.now();
const deadline = Date.now() + 120_000;
while (seen.size < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
const seconds = (lastAt - start) / 1000;
publishTimes.sort((a, b) => a - b);
const throughput = {
  webhooks: WEBHOOKS,
  events: EVENTS,
  deliveries: expected,
  received: seen.size,
  duplicates: [...seen.values()].filter((n) => n > 1).length,
  seconds: Number(seconds.toFixed(2)),
  deliveriesPerSecond: Math.round(seen.size / seconds),
  publishMs: {
    p50: Number(publishTimes[Math.floor(EVENTS / 2)]!.toFixed(1)),
    p95: Number(publishTimes[Math.floor(EVENTS * 0.95)]!.toFixed(1)),
  },
  publishedAfterSeconds: Number(((published - start) / 1000).toFixed(2)),
};
await queue.stop();
receiver.close();
await api.stop();
raw.destroy();
await dynamo.stop();

// ---- 2. a receiver down for an hour, on a fake clock ----
const sim = simulatedDelivery((_post, nowMs) => (nowMs < outageEnds ? { status: 503 } : { status: 200 }));
const outageStarts = sim.now();
const outageEnds = outageStarts + HOUR;
sim.addWebhook('down', { url: 'https://hooks.example.com/down', secret: newWebhookSecret() });
for (let i = 0; i < OUTAGE_EVENTS; i++) {
  await sim.advance(outageStarts + Math.floor((i * HOUR) / OUTAGE_EVENTS));
  await sim.publish('down', {
    id: `alert.detractor:${i}`,
    type: 'alert.detractor',
    timestamp: new Date(sim.now()).toISOString(),
    data: { i },
  });
}
await sim.run();
const deliveries = [...sim.deliveries.values()];
const attempts = deliveries.map((d) => d.attempts).sort((a, b) => a - b);
const deliveredAt = deliveries.map((d) => Date.parse(d.deliveredAt ?? '')).filter(Number.isFinite);
const outage = {
  events: OUTAGE_EVENTS,
  delivered: deliveries.filter((d) => d.status === 'delivered').length,
  lost: deliveries.filter((d) => d.status !== 'delivered').length,
  attempts: {
    total: attempts.reduce((a, b) => a + b, 0),
    mean: Number((attempts.reduce((a, b) => a + b, 0) / attempts.length).toFixed(2)),
    max: attempts.at(-1),
  },
  postsWhileDown: sim.posts.filter((p) => p.atMs < outageEnds).length,
  queueMessages: sim.messagesSent(),
  lastDeliveredMinutesAfterRecovery: Number(((Math.max(...deliveredAt) - outageEnds) / 60_000).toFixed(1)),
  duplicatesDelivered: sim.posts.filter((p) => p.answer.status === 200).length - OUTAGE_EVENTS,
};

console.log(JSON.stringify({ bench: 'webhooks', throughput, receiverDownForAnHour: outage }, null, 2));
if (throughput.received !== expected || throughput.duplicates || outage.lost || outage.duplicatesDelivered) process.exit(1);
