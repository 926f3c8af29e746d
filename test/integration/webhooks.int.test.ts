import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookEvent } from '../../functions/core/webhook-events.ts';
import { DELIVERY_TIMEOUT_MS } from '../../functions/core/webhooks.ts';
import { publishWebhookEvent } from '../../functions/data/webhooks.ts';
import { webhookSender } from '../../functions/runtime/webhook-sender.ts';
import { startLocalWebhookQueue, type LocalWebhookQueueHandle } from '../../lib/local/webhook-queue.ts';
import { useApi } from '../support/api.ts';
import { uniqueId } from '../support/factories.ts';
import { useReceivers, verifiesStandardWebhook } from '../support/webhook-receiver.ts';

/**
 * Webhooks end to end on this machine: PUT a webhook at a receiver listening in this test, publish an event as a
 * producer does, and watch the local queue feed the deliverer, which posts, retries and records.
 */

const api = useApi();
let queue: LocalWebhookQueueHandle;
const webhooks: string[] = [];
const { receiver } = useReceivers();

beforeAll(() => {
  // A message the deliverer fails to handle comes back after 1 s here (SQS: the visibility timeout).
  queue = startLocalWebhookQueue({ visibilityTimeoutMs: 1_000 });
});
afterAll(async () => {
  for (const id of webhooks) await api.request('DELETE', `/v1/webhooks/${id}`, { admin: true });
  await queue.stop();
});

async function givenWebhook(url: string, events: string[], format = 'standard') {
  const webhookId = uniqueId('wh');
  webhooks.push(webhookId);
  const res = await api.request('PUT', `/v1/webhooks/${webhookId}`, { admin: true, body: { url, events, format } });
  expect(res.status).toBe(200);
  return { webhookId, secret: res.body.secret as string };
}

const anEvent = (type: WebhookEvent['type'] = 'alert.detractor'): WebhookEvent => ({
  id: uniqueId(`${type}:r`),
  type,
  timestamp: new Date().toISOString(),
  data: { surveyId: 'checkout', customerId: 'c-1', nps: 3, comment: 'Late again' },
});

async function until<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const deliveriesOf = async (webhookId: string, query = '') =>
  (await api.request('GET', `/v1/webhooks/${webhookId}/deliveries${query}`, { admin: true })).body;

describe('webhook deliveries', () => {
  it('delivers a signed Standard Webhooks body that a receiver written from the spec verifies', async () => {
    const target = await receiver(() => 204);
    const { webhookId, secret } = await givenWebhook(target.url, ['alert.detractor']);
    const event = anEvent();

    await publishWebhookEvent(event);
    await until(
      () => target.received.length,
      (n) => n > 0,
    );

    const [delivery] = target.received;
    expect(await verifiesStandardWebhook(secret, delivery!.headers, delivery!.body)).toBe(true);
    expect(await verifiesStandardWebhook(secret, delivery!.headers, delivery!.body.replace('Late', 'Early'))).toBe(false);
    expect(JSON.parse(delivery!.body)).toEqual({ type: event.type, timestamp: event.timestamp, data: event.data });
    expect(delivery!.headers['content-type']).toBe('application/json');
    const listed = await until(
      () => deliveriesOf(webhookId),
      (page) => page.items[0]?.status === 'delivered',
    );
    expect(listed.items).toEqual([
      expect.objectContaining({
        deliveryId: delivery!.headers['webhook-id'],
        webhookId,
        eventId: event.id,
        eventType: 'alert.detractor',
        status: 'delivered',
        attempts: 1,
        lastStatus: 204,
      }),
    ]);
  });

  it('delivers only to webhooks subscribed to the type, and an event published twice once', async () => {
    const subscribed = await receiver(() => 200);
    const other = await receiver(() => 200);
    await givenWebhook(subscribed.url, ['response.created']);
    await givenWebhook(other.url, ['alert.score_drop']);
    const event = anEvent('response.created');

    await publishWebhookEvent(event);
    await publishWebhookEvent(event);
    await until(
      () => subscribed.received.length,
      (n) => n > 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(subscribed.received).toHaveLength(1);
    expect(other.received).toHaveLength(0);
  });

  it('retries a receiver that answered 500 with the same webhook-id, and lists the attempts', async () => {
    const target = await receiver((n) => (n === 1 ? 500 : 200));
    const { webhookId, secret } = await givenWebhook(target.url, ['alert.detractor']);

    await publishWebhookEvent(anEvent());
    const failedOnce = await until(
      () => deliveriesOf(webhookId),
      (page) => page.items[0]?.status === 'retrying',
    );
    expect(failedOnce.items[0]).toMatchObject({
      status: 'retrying',
      attempts: 1,
      lastStatus: 500,
      nextAttemptAt: expect.any(String),
    });
    await until(
      () => target.received.length,
      (n) => n >= 2,
    );

    const [first, second] = target.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    // The first retry comes 5 seconds on (the contract: within 10).
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(4_500);
    expect(second!.at - first!.at).toBeLessThan(10_000);
    expect(await verifiesStandardWebhook(secret, second!.headers, second!.body)).toBe(true);
    const done = await until(
      () => deliveriesOf(webhookId),
      (page) => page.items[0]?.status === 'delivered',
    );
    expect(done.items[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200, deliveredAt: expect.any(String) });
  });

  it('does not let a hanging receiver hold up another', async () => {
    const hanging = await receiver(() => undefined);
    const quick = await receiver(() => 200);
    await givenWebhook(hanging.url, ['alert.score_drop']);
    await givenWebhook(quick.url, ['alert.score_drop']);

    const start = Date.now();
    await publishWebhookEvent(anEvent('alert.score_drop'));
    await until(
      () => quick.received.length,
      (n) => n > 0,
    );
    // Before the hanging attempt's 5 s timeout could have freed a deliverer that posts one after the other: beside it.
    // (Usually well under a second; the rest is room for a loaded machine.)
    expect(quick.received[0]!.at - start).toBeLessThan(DELIVERY_TIMEOUT_MS);
    expect(hanging.received.length).toBeLessThanOrEqual(1);
  });

  it('gives up on a hanging receiver after 5 seconds and retries it', async () => {
    const hanging = await receiver(() => undefined);
    const { webhookId } = await givenWebhook(hanging.url, ['invitation.answered']);
    await publishWebhookEvent(anEvent('invitation.answered'));
    const page = await until(
      () => deliveriesOf(webhookId),
      (p) => p.items[0]?.status === 'retrying',
      10_000,
    );
    expect(page.items[0]).toMatchObject({ status: 'retrying', attempts: 1, lastError: 'no answer within 5000 ms' });
    expect(page.items[0]).not.toHaveProperty('lastStatus');
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await receiver(() => 200);
    const redirecting = await receiver((_, __, res) => {
      res.writeHead(302, { location: elsewhere.url }).end();
      return undefined;
    });
    const { webhookId } = await givenWebhook(redirecting.url, ['response.updated']);
    await publishWebhookEvent(anEvent('response.updated'));
    const page = await until(
      () => deliveriesOf(webhookId),
      (p) => p.items[0]?.status === 'retrying',
    );
    expect(page.items[0]).toMatchObject({ status: 'retrying', lastStatus: 302 });
    expect(elsewhere.received).toHaveLength(0);
  });

  it('posts {"text"} to a Slack webhook', async () => {
    const slack = await receiver(() => 200);
    await givenWebhook(slack.url, ['alert.detractor'], 'slack');
    await publishWebhookEvent(anEvent());
    await until(
      () => slack.received.length,
      (n) => n > 0,
    );
    expect(JSON.parse(slack.received[0]!.body)).toEqual({
      text: ':warning: Detractor on checkout: c-1 gave NPS 3 “Late again”',
    });
  });

  it('pages the deliveries newest first', async () => {
    const target = await receiver(() => 200);
    const { webhookId } = await givenWebhook(target.url, ['response.created']);
    const events = [anEvent('response.created'), anEvent('response.created'), anEvent('response.created')];
    for (const event of events) {
      await publishWebhookEvent(event);
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct createdAt
    }
    await until(
      () => target.received.length,
      (n) => n >= 3,
    );
    const first = await deliveriesOf(webhookId, '?limit=2');
    expect(first.items.map((d: { eventId: string }) => d.eventId)).toEqual([events[2]!.id, events[1]!.id]);
    const second = await deliveriesOf(webhookId, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((d: { eventId: string }) => d.eventId)).toEqual([events[0]!.id]);
    expect(second.nextCursor).toBeUndefined();
    // A page that ends with the oldest delivery is the last: no cursor to an empty page.
    const exact = await deliveriesOf(webhookId, '?limit=3');
    expect(exact.items).toHaveLength(3);
    expect(exact.nextCursor).toBeUndefined();
  });
});

describe('sending only to public addresses', () => {
  const post = (url: string) => ({ url, headers: {}, body: '{}', timeoutMs: 2_000 });

  it('refuses loopback when deployed, whether by name, IPv4 or IPv6-mapped literal, without connecting', async () => {
    const target = await receiver(() => 200);
    const port = new URL(target.url).port;
    const deployed = webhookSender({ local: false });
    for (const url of [target.url, `http://localhost:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
      const answer = await deployed(post(url));
      expect(answer.status).toBeUndefined();
      expect(answer.error).toMatch(/non-public address/);
    }
    expect(target.received).toHaveLength(0);
  });

  it('lets the local hosts reach loopback on this machine only', async () => {
    const target = await receiver(() => 200);
    const port = new URL(target.url).port;
    const local = webhookSender({ local: true });
    expect((await local(post(`http://localhost:${port}/hook`))).status).toBe(200);
    expect((await local(post(`http://127.0.0.1:${port}/hook`))).status).toBe(200);
    // Another spelling of loopback is not one of the local hosts.
    expect((await local(post(`http://[::ffff:127.0.0.1]:${port}/hook`))).error).toMatch(/non-public/);
  });
});

describe('publishing again after a lost queue message', () => {
  it('queues a delivery again only while no attempt was made', async () => {
    const target = await receiver(() => 200);
    const { webhookId } = await givenWebhook(target.url, ['response.created']);
    const event = anEvent('response.created');
    const { deliveryIdOf } = await import('../../functions/core/webhooks.ts');
    const { webhookPublisher } = await import('../../functions/data/webhooks.ts');
    const { tableFromEnv } = await import('../../functions/runtime/wiring.ts');
    const sent: unknown[] = [];
    const lost = webhookPublisher(tableFromEnv(), {
      send: async (messages) => {
        sent.push(...messages);
        throw new Error('queue unavailable');
      },
    });
    await expect(lost(event)).rejects.toThrow('queue unavailable');
    // Earlier tests' webhooks on response.created get theirs too.
    expect(sent).toContainEqual({ deliveryId: deliveryIdOf(webhookId, event.id), attempt: 1 });

    // The producer's retry: the delivery is stored already, its message is sent now.
    await publishWebhookEvent(event);
    await until(
      () => target.received.length,
      (n) => n > 0,
    );
    await publishWebhookEvent(event);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(target.received).toHaveLength(1);
  });
});
