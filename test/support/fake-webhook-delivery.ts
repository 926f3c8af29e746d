import type { WebhookEvent } from '../../functions/core/webhook-events.ts';
import { deliveryIdOf, type WebhookFormat } from '../../functions/core/webhooks.ts';
import { deliverMessage, type DeliveryPorts, type DeliveryResult } from '../../functions/deliver-webhooks/deliver.ts';
import type { AttemptOutcome, Delivery } from '../../functions/data/webhooks.ts';
import type { WebhookMessage } from '../../functions/runtime/webhook-queue.ts';
import type { WebhookAnswer, WebhookPost } from '../../functions/runtime/webhook-sender.ts';

type StoredDelivery = Delivery & { event: WebhookEvent };

/**
 * The deliverer's use case on a fake clock: an in-memory store with the DynamoDB adapter's conditions (an attempt
 * is claimed once, an outcome recorded only for the attempt claimed last), and a queue that hands messages over
 * when the clock reaches them. `run()` advances time from one due message to the next, so a day of retries takes
 * milliseconds. The receiver is a function of the clock.
 */
export function simulatedDelivery(
  /** How the receiver answers at that time; `tookMs` moves the clock on (a receiver that hangs until the timeout). */
  receiver: (post: WebhookPost, nowMs: number) => WebhookAnswer & { tookMs?: number },
  startMs = Date.UTC(2026, 0, 1),
) {
  let now = startMs;
  const deliveries = new Map<string, StoredDelivery>();
  const webhooks = new Map<string, { url: string; format: WebhookFormat; secret: string }>();
  const queue: Array<{ dueMs: number; message: WebhookMessage }> = [];
  const deadLetters: unknown[] = [];
  const posts: Array<{ atMs: number; post: WebhookPost; answer: WebhookAnswer }> = [];
  const results: DeliveryResult[] = [];
  let messagesSent = 0;

  const ports: DeliveryPorts = {
    delivery: async (id) => structuredClone(deliveries.get(id)),
    webhook: async (id) => webhooks.get(id),
    claimAttempt: async (id, attempt, nowMs, retryAt) => {
      const d = deliveries.get(id);
      if (!d || d.attempts !== attempt - 1 || (d.status !== 'pending' && d.status !== 'retrying')) return false;
      Object.assign(d, { attempts: attempt, lastAttemptAt: new Date(nowMs).toISOString(), nextAttemptAt: retryAt });
      return true;
    },
    recordOutcome: async (id, attempt, outcome: AttemptOutcome) => {
      const d = deliveries.get(id);
      if (!d || d.attempts !== attempt) return;
      Object.assign(d, {
        status: outcome.status,
        lastStatus: outcome.httpStatus,
        lastError: outcome.error,
        ...(outcome.queuedAttempt === undefined ? {} : { queuedAttempt: outcome.queuedAttempt }),
        ...(outcome.status === 'delivered' ? { deliveredAt: outcome.at } : {}),
        nextAttemptAt: outcome.status === 'retrying' ? outcome.nextAttemptAt : undefined,
      });
    },
    queue: {
      async send(messages, delaySeconds = 0) {
        if (delaySeconds > 900) throw new Error('SQS refuses a timer over 900 s');
        for (const message of messages) queue.push({ dueMs: now + delaySeconds * 1000, message: structuredClone(message) });
        messagesSent += messages.length;
      },
    },
    deadLetter: async (message) => {
      deadLetters.push(message);
    },
    send: async (post) => {
      const { tookMs = 0, ...answer } = receiver(post, now);
      posts.push({ atMs: now, post, answer });
      now += tookMs;
      return answer;
    },
    now: () => now,
  };

  return {
    ports,
    deliveries,
    deadLetters,
    posts,
    results,
    messagesSent: () => messagesSent,
    now: () => now,
    addWebhook(webhookId: string, webhook: { url: string; format?: WebhookFormat; secret: string }) {
      webhooks.set(webhookId, { format: 'standard', ...webhook });
    },
    /** What publishEvent does: a pending delivery and its first message. */
    async publish(webhookId: string, event: WebhookEvent) {
      const deliveryId = deliveryIdOf(webhookId, event.id);
      if (deliveries.has(deliveryId)) return deliveryId;
      deliveries.set(deliveryId, {
        deliveryId,
        webhookId,
        eventId: event.id,
        eventType: event.type,
        event,
        status: 'pending',
        attempts: 0,
        createdAt: new Date(now).toISOString(),
      });
      await ports.queue.send([{ deliveryId, attempt: 1 }]);
      return deliveryId;
    },
    /** Hands over due messages, moving the clock to each, until the queue is empty (or `untilMs`). */
    async run(untilMs = Infinity) {
      for (;;) {
        queue.sort((a, b) => a.dueMs - b.dueMs);
        const next = queue[0];
        if (!next || next.dueMs > untilMs) return;
        queue.shift();
        now = Math.max(now, next.dueMs);
        results.push(await deliverMessage(ports, next.message));
      }
    },
    /** Hands over what is due up to `toMs`, then sets the clock there. */
    async advance(toMs: number) {
      await this.run(toMs);
      now = Math.max(now, toMs);
    },
    /** A message SQS delivers twice. */
    duplicateNext() {
      queue.sort((a, b) => a.dueMs - b.dueMs);
      if (queue[0]) queue.push(structuredClone(queue[0]));
    },
  };
}
