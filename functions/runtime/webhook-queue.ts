import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from './env.ts';

/** One delivery attempt waiting in the queue: which delivery, which attempt, and not before when. */
export interface WebhookMessage {
  deliveryId: string;
  /** 1-based: the attempt this message is for. */
  attempt: number;
  /** Epoch ms before which the attempt must not be made (a wait longer than one queue timer takes several hops). */
  notBefore?: number;
}

/** The delivery queue's port: SQS deployed, an in-process queue locally; both feed the deliverer SQS events. */
export interface WebhookQueue {
  /** Enqueues messages, each hidden for `delaySeconds` (0–900, SQS's message timer). */
  send(messages: readonly WebhookMessage[], delaySeconds?: number): Promise<void>;
}

/** Where deliveries that failed their last attempt go, for a person to look at (their status says `failed` too). */
export type WebhookDeadLetters = (message: WebhookMessage & { webhookId: string; reason: string }) => Promise<void>;

export const sqsWebhookQueue = (queueUrl: string, client = new SQSClient({})): WebhookQueue => ({
  async send(messages, delaySeconds = 0) {
    // A few webhooks per event: one SendMessage each, side by side.
    await Promise.all(
      messages.map((message) =>
        client.send(
          new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), DelaySeconds: delaySeconds }),
        ),
      ),
    );
  },
});

/** What lib/local registers: the same queue port, and where local dead letters go. */
export interface LocalWebhookQueue extends WebhookQueue {
  deadLetter: WebhookDeadLetters;
}

/**
 * The local stack's queue is registered here by lib/local/webhook-queue.ts (functions never import lib). A global
 * symbol, so every copy of this module in the process (vitest, tsx) sees the same one.
 */
const LOCAL_QUEUE = Symbol.for('feedback.localWebhookQueue');
type Registry = { [LOCAL_QUEUE]?: LocalWebhookQueue };

export function registerLocalWebhookQueue(queue: LocalWebhookQueue | undefined): void {
  (globalThis as Registry)[LOCAL_QUEUE] = queue;
}

function localQueue(): LocalWebhookQueue {
  const queue = (globalThis as Registry)[LOCAL_QUEUE];
  if (!queue) {
    throw new Error(
      `No webhook queue: set ${ENV.webhookQueueUrl} (deployed) or start lib/local/webhook-queue.ts (npm start and tests).`,
    );
  }
  return queue;
}

/** SQS when deployed, else the local queue, looked up at each send (it may be started after this module loads). */
export function webhookQueueFromEnv(env: Record<string, string | undefined> = process.env): WebhookQueue {
  const url = env[ENV.webhookQueueUrl];
  if (url) return sqsWebhookQueue(url);
  return { send: (messages, delaySeconds) => localQueue().send(messages, delaySeconds) };
}

export function webhookDeadLettersFromEnv(env: Record<string, string | undefined> = process.env): WebhookDeadLetters {
  const url = env[ENV.webhookDeadLettersUrl];
  if (!url) return (message) => localQueue().deadLetter(message);
  const client = new SQSClient({});
  return async (message) => {
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(message) }));
  };
}
