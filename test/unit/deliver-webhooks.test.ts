import { describe, expect, it } from 'vitest';
import type { WebhookEvent } from '../../functions/core/webhook-events.ts';
import { MAX_ATTEMPTS, newWebhookSecret, RETRY_DELAYS_SECONDS } from '../../functions/core/webhooks.ts';
import { deliverMessage } from '../../functions/deliver-webhooks/deliver.ts';
import { simulatedDelivery } from '../support/fake-webhook-delivery.ts';

const HOUR = 3_600_000;
const event: WebhookEvent = {
  id: 'alert.detractor:r1',
  type: 'alert.detractor',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { surveyId: 's', nps: 2 },
};

function given(receiver: Parameters<typeof simulatedDelivery>[0]) {
  const sim = simulatedDelivery(receiver);
  sim.addWebhook('crm', { url: 'https://hooks.example.com/x', secret: newWebhookSecret() });
  return sim;
}

describe('delivering one webhook message', () => {
  it('delivers once on a 2xx', async () => {
    const sim = given(() => ({ status: 204 }));
    const id = await sim.publish('crm', event);
    await sim.run();
    expect(sim.deliveries.get(id)).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 204 });
    expect(sim.posts).toHaveLength(1);
  });

  it('retries on the schedule with the same webhook-id, then succeeds', async () => {
    let calls = 0;
    const sim = given(() => (++calls < 3 ? { status: 500 } : { status: 200 }));
    const id = await sim.publish('crm', event);
    const start = sim.now();
    await sim.run();
    expect(sim.deliveries.get(id)).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(sim.posts.map((p) => p.atMs - start)).toEqual([0, 5_000, 35_000]);
    expect(new Set(sim.posts.map((p) => p.post.headers['webhook-id']))).toEqual(new Set([id]));
    expect(new Set(sim.posts.map((p) => p.post.headers['webhook-timestamp'])).size).toBe(3);
  });

  it('gives up after the last attempt, more than 24 hours on, and dead-letters the delivery', async () => {
    const sim = given(() => ({ error: 'no answer within 5000 ms' }));
    const id = await sim.publish('crm', event);
    const start = sim.now();
    await sim.run();
    expect(sim.deliveries.get(id)).toMatchObject({
      status: 'failed',
      attempts: MAX_ATTEMPTS,
      lastError: 'no answer within 5000 ms',
    });
    expect(sim.posts).toHaveLength(MAX_ATTEMPTS);
    const last = sim.posts.at(-1)!.atMs - start;
    expect(last).toBe(RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0) * 1000);
    expect(last).toBeGreaterThan(24 * HOUR);
    expect(sim.deadLetters).toEqual([expect.objectContaining({ deliveryId: id, webhookId: 'crm', attempt: MAX_ATTEMPTS })]);
  });

  it('counts the wait from the failure, so a receiver that hung for 5 s still gets its full pause', async () => {
    let calls = 0;
    const sim = given(() => (++calls === 1 ? { error: 'no answer within 5000 ms', tookMs: 5_000 } : { status: 200 }));
    const id = await sim.publish('crm', event);
    const start = sim.now();
    await sim.run();
    expect(sim.posts.map((p) => p.atMs - start)).toEqual([0, 10_000]);
    expect(sim.deliveries.get(id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('makes an attempt once when SQS hands its message over twice', async () => {
    const sim = given(() => ({ status: 500 }));
    await sim.publish('crm', event);
    sim.duplicateNext();
    await sim.run(sim.now() + 1_000);
    expect(sim.posts).toHaveLength(1);
    expect(sim.results).toContain('duplicate');
  });

  it('queues the next attempt again when a crash lost it after the claim', async () => {
    const sim = given(() => ({ status: 500 }));
    const id = await sim.publish('crm', event);
    // The first attempt claimed, then the function died before queuing the retry: SQS hands the message back.
    await sim.ports.claimAttempt(id, 1, sim.now(), sim.now() + 5_000);
    expect(await deliverMessage(sim.ports, { deliveryId: id, attempt: 1 })).toBe('requeued');
    await sim.run(sim.now() + 6_000);
    expect(sim.deliveries.get(id)).toMatchObject({ attempts: 2, status: 'retrying' });
  });

  it('does not send to a deleted webhook', async () => {
    const sim = simulatedDelivery(() => ({ status: 200 }));
    const id = await sim.publish('gone', event);
    await sim.run();
    expect(sim.posts).toHaveLength(0);
    expect(sim.deliveries.get(id)).toMatchObject({ status: 'failed', lastError: 'webhook deleted' });
  });
});
