import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { registerLocalWebhookQueue, type WebhookMessage } from '../../functions/runtime/webhook-queue.ts';
import { FUNCTIONS, type FunctionSpec } from '../manifest.ts';
import { lambdaContext, loadHandler } from './lambda-runtime.ts';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

interface QueuedMessage {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
}

export interface LocalDeadLetter {
  body: unknown;
  reason: string;
  at: string;
}

export interface LocalWebhookQueueHandle {
  /** What was dead-lettered: deliveries that failed every attempt, and messages received maxReceiveCount times. */
  readonly deadLetters: readonly LocalDeadLetter[];
  /** Messages waiting or being handled. */
  pending(): number;
  /** Stops handing messages over, drops what waits, and resolves once the batches being handled are done. */
  stop(): Promise<void>;
}

/**
 * The webhook queue on this machine, standing in for SQS and Lambda's event source mapping: messages wait out their
 * delay, are handed to the manifest's consumer (the deliverer) in SQS events of up to `batchSize` records, and the
 * ones it reports as failed (batchItemFailures) come back after the visibility timeout, until `maxReceiveCount`
 * receives send them to the dead letters. Up to `maxConcurrency` batches run at once, as Lambda scales out (all in
 * this one process, so fewer than Lambda would run: a starved event loop would time deliveries out).
 */
export function startLocalWebhookQueue(
  options: {
    functions?: readonly FunctionSpec[];
    visibilityTimeoutMs?: number;
    /** @default 4 */
    maxConcurrency?: number;
    log?: (line: string) => void;
  } = {},
): LocalWebhookQueueHandle {
  const consumer = (options.functions ?? FUNCTIONS).find((fn) => fn.webhookDeliveries);
  if (!consumer?.webhookDeliveries) throw new Error('No function of the manifest consumes the webhook queue.');
  const { batchSize, maxReceiveCount } = consumer.webhookDeliveries;
  const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 30_000;
  const log = options.log ?? (() => undefined);
  const timers = new Set<NodeJS.Timeout>();
  const ready: QueuedMessage[] = [];
  const deadLetters: LocalDeadLetter[] = [];
  const maxConcurrency = options.maxConcurrency ?? 4;
  const running = new Set<Promise<void>>();
  let inFlight = 0;
  let stopped = false;
  const handler = loadHandler<Handler>(consumer);

  const deadLetter = (body: unknown, reason: string) => {
    deadLetters.push({ body, reason, at: new Date().toISOString() });
    log(`webhook queue: dead-lettered (${reason})`);
  };

  const later = (message: QueuedMessage, delayMs: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      ready.push(message);
      flush();
    }, delayMs);
    timer.unref(); // a test or a stopping server is not kept alive by retries due tomorrow
    timers.add(timer);
  };

  const flush = () => {
    while (!stopped && ready.length && running.size < maxConcurrency) {
      const batch = receive(ready.splice(0, batchSize)).finally(() => {
        running.delete(batch);
        flush();
      });
      running.add(batch);
    }
  };

  const receive = async (batch: QueuedMessage[]) => {
    inFlight += batch.length;
    let failed = new Set(batch.map((m) => m.messageId));
    try {
      for (const message of batch) message.receiveCount++;
      const result = await (await handler)({ Records: batch.map(sqsRecord) }, lambdaContext(consumer));
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      log(`webhook queue: the batch failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      inFlight -= batch.length;
    }
    for (const message of batch.filter((m) => failed.has(m.messageId))) {
      if (message.receiveCount >= maxReceiveCount) deadLetter(JSON.parse(message.body), `received ${maxReceiveCount} times`);
      else later(message, visibilityTimeoutMs);
    }
  };

  registerLocalWebhookQueue({
    async send(messages: readonly WebhookMessage[], delaySeconds = 0) {
      if (delaySeconds < 0 || delaySeconds > 900) throw new Error(`DelaySeconds ${delaySeconds} is outside SQS's 0–900.`);
      for (const message of messages) {
        later(
          { messageId: randomUUID(), body: JSON.stringify(message), sentAt: Date.now(), receiveCount: 0 },
          delaySeconds * 1000,
        );
      }
    },
    async deadLetter(message) {
      deadLetter(message, message.reason);
    },
  });

  return {
    deadLetters,
    pending: () => timers.size + ready.length + inFlight,
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      ready.length = 0;
      registerLocalWebhookQueue(undefined);
      await Promise.allSettled([...running]);
    },
  };
}

const sqsRecord = (message: QueuedMessage): SQSRecord => ({
  messageId: message.messageId,
  receiptHandle: message.messageId,
  body: message.body,
  attributes: {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: createHash('md5').update(message.body).digest('hex'),
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:local:000000000000:webhooks',
  awsRegion: 'local',
});
