import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { claimAttempt, getDelivery, getStoredWebhook, recordOutcome } from '#data/webhooks.ts';
import { ENV } from '#runtime/env.ts';
import { logger } from '#runtime/logger.ts';
import { emitMetric } from '#runtime/metrics.ts';
import { webhookDeadLettersFromEnv, webhookQueueFromEnv, type WebhookMessage } from '#runtime/webhook-queue.ts';
import { webhookSender } from '#runtime/webhook-sender.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { deliverMessage, type DeliveryPorts } from './deliver.ts';

const db = tableFromEnv();

const ports: DeliveryPorts = {
  delivery: (deliveryId) => getDelivery(db, deliveryId),
  webhook: (webhookId) => getStoredWebhook(db, webhookId),
  claimAttempt: (deliveryId, attempt, nowMs, retryAt) => claimAttempt(db, deliveryId, attempt, nowMs, retryAt),
  recordOutcome: (deliveryId, attempt, outcome) => recordOutcome(db, deliveryId, attempt, outcome),
  queue: webhookQueueFromEnv(),
  deadLetter: webhookDeadLettersFromEnv(),
  // Loopback only on this machine: the stack never sets LOCAL_WEBHOOKS.
  send: webhookSender({ local: process.env[ENV.localWebhooks] === '1' }),
  now: () => Date.now(),
};

/** The metric of each outcome worth an alarm or a graph; the rest (duplicates, hops) are bookkeeping. */
const METRICS: Partial<Record<string, string>> = {
  delivered: 'WebhookDelivered',
  retrying: 'WebhookRetried',
  failed: 'WebhookFailed',
};

/**
 * The webhook queue → one delivery attempt per message. The batch's messages are handled side by side, each with
 * its own 5-second limit, so a hanging receiver holds up no other; a message fails alone (ReportBatchItemFailures).
 */
export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const outcomes = await Promise.allSettled(
      event.Records.map(async (record) => {
        const message = JSON.parse(record.body) as WebhookMessage;
        const result = await deliverMessage(ports, message);
        const metric = METRICS[result];
        if (metric) emitMetric(metric);
        logger.info('WebhookMessageHandled', { deliveryId: message.deliveryId, attempt: message.attempt, result });
      }),
    );
    const batchItemFailures = event.Records.flatMap((record, i) => {
      const outcome = outcomes[i]!;
      if (outcome.status === 'fulfilled') return [];
      logger.error('WebhookMessageFailed', { messageId: record.messageId, error: outcome.reason as Error });
      return [{ itemIdentifier: record.messageId }];
    });
    return { batchItemFailures };
  });
