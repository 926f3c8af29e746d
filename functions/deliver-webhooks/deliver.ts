import type { WebhookEvent } from '#core/webhook-events.ts';
import {
  DELIVERY_TIMEOUT_MS,
  deliveryBody,
  deliveryHeaders,
  isDelivered,
  MAX_ATTEMPTS,
  queueDelaySeconds,
  retryDelaySeconds,
  type WebhookFormat,
} from '#core/webhooks.ts';
import type { AttemptOutcome, Delivery } from '#data/webhooks.ts';
import type { WebhookDeadLetters, WebhookMessage, WebhookQueue } from '#runtime/webhook-queue.ts';
import type { SendWebhook } from '#runtime/webhook-sender.ts';

/** What delivering one message needs: the store, the queue, the sender and a clock (the bench passes a fake one). */
export interface DeliveryPorts {
  delivery(deliveryId: string): Promise<(Delivery & { event: WebhookEvent }) | undefined>;
  webhook(webhookId: string): Promise<{ url: string; format: WebhookFormat; secret: string } | undefined>;
  claimAttempt(deliveryId: string, attempt: number, nowMs: number, retryAt?: number): Promise<boolean>;
  recordOutcome(deliveryId: string, attempt: number, outcome: AttemptOutcome): Promise<void>;
  queue: WebhookQueue;
  deadLetter: WebhookDeadLetters;
  send: SendWebhook;
  now(): number;
}

export type DeliveryResult = 'delivered' | 'retrying' | 'failed' | 'waiting' | 'duplicate' | 'requeued' | 'gone';

/**
 * Handles one queue message: makes the attempt it names, once, then records it and queues the next attempt (or
 * dead-letters the delivery after the last). Throws only on a storage or queue error: the message then comes back
 * (ReportBatchItemFailures) and is handled again from what was recorded.
 */
export async function deliverMessage(ports: DeliveryPorts, message: WebhookMessage): Promise<DeliveryResult> {
  const delivery = await ports.delivery(message.deliveryId);
  if (!delivery) return 'gone'; // expired, or never written
  if (delivery.status === 'delivered' || delivery.status === 'failed') return 'duplicate';
  const now = ports.now();
  if (delivery.attempts >= message.attempt) {
    // Attempt made already: a duplicate message, or a crash between the claim and queuing the next attempt.
    const next = delivery.attempts + 1;
    if ((delivery.queuedAttempt ?? 1) >= next || delivery.nextAttemptAt === undefined) return 'duplicate';
    await ports.queue.send(
      [{ deliveryId: delivery.deliveryId, attempt: next, notBefore: delivery.nextAttemptAt }],
      queueDelaySeconds(delivery.nextAttemptAt, now),
    );
    return 'requeued';
  }
  if (delivery.attempts < message.attempt - 1) return 'duplicate'; // from a chain that lost its claim: nothing to do
  if (message.notBefore !== undefined && message.notBefore > now) {
    // A wait longer than one queue timer: hop again.
    await ports.queue.send([message], queueDelaySeconds(message.notBefore, now));
    return 'waiting';
  }

  const webhook = await ports.webhook(delivery.webhookId);
  const at = new Date(now).toISOString();
  if (!webhook) {
    if (await ports.claimAttempt(delivery.deliveryId, message.attempt, now)) {
      await ports.recordOutcome(delivery.deliveryId, message.attempt, { status: 'failed', error: 'webhook deleted', at });
    }
    return 'gone';
  }
  const delay = message.attempt < MAX_ATTEMPTS ? retryDelaySeconds(message.attempt) : undefined;
  // Should this run die mid-attempt, the retry is due at the latest this long after it began.
  const retryAt = delay === undefined ? undefined : now + DELIVERY_TIMEOUT_MS + delay * 1000;
  if (!(await ports.claimAttempt(delivery.deliveryId, message.attempt, now, retryAt))) return 'duplicate';

  const body = deliveryBody(webhook.format, delivery.event);
  const answer = await ports.send({
    url: webhook.url,
    headers: deliveryHeaders(webhook.secret, delivery.deliveryId, now, body),
    body,
    timeoutMs: DELIVERY_TIMEOUT_MS,
  });
  const result = { httpStatus: answer.status, error: answer.error, at };
  if (isDelivered(answer.status)) {
    await ports.recordOutcome(delivery.deliveryId, message.attempt, { status: 'delivered', ...result });
    return 'delivered';
  }
  if (delay !== undefined) {
    // The wait counts from the failure: a receiver that hung for 5 s still gets its full pause.
    const failedAt = ports.now();
    const next = { deliveryId: delivery.deliveryId, attempt: message.attempt + 1, notBefore: failedAt + delay * 1000 };
    await ports.queue.send([next], queueDelaySeconds(next.notBefore, failedAt));
    await ports.recordOutcome(delivery.deliveryId, message.attempt, {
      status: 'retrying',
      queuedAttempt: next.attempt,
      nextAttemptAt: next.notBefore,
      ...result,
    });
    return 'retrying';
  }
  await ports.recordOutcome(delivery.deliveryId, message.attempt, { status: 'failed', ...result });
  await ports.deadLetter({ ...message, webhookId: delivery.webhookId, reason: answer.error ?? `HTTP ${answer.status}` });
  return 'failed';
}
