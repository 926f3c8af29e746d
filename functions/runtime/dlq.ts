import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ENV } from './env.ts';

/** A dead-letter port: where records that can never be processed go, for a person to look at. */
export interface DlqMessage {
  eventId?: string;
  sequenceNumber?: string;
  reason: string;
  record?: unknown;
}
export type DlqSender = (message: DlqMessage) => Promise<void>;

/** SQS's body limit is 256 KiB; a record too large to send whole goes without its images. */
const MAX_BODY_CHARS = 200_000;

function body(message: DlqMessage): string {
  const full = JSON.stringify(message);
  if (full.length <= MAX_BODY_CHARS) return full;
  const { record: _omitted, ...rest } = message;
  return JSON.stringify({ ...rest, truncated: true });
}

export function sqsDlq(queueUrl: string, client = new SQSClient({})): DlqSender {
  return async (message) => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body(message),
        // Consumers de-duplicate by eventId: the DLQ is at-least-once, like SQS itself.
        MessageAttributes: message.eventId ? { eventId: { DataType: 'String', StringValue: message.eventId } } : undefined,
      }),
    );
  };
}

/** The local stack's inspectable DLQ: one JSON line per message. */
export function fileDlq(path: string): DlqSender {
  return async (message) => {
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, `${JSON.stringify({ ...message, at: new Date().toISOString() })}\n`);
  };
}

/** SQS when deployed, a JSONL file locally; neither is a configuration error found at cold start. */
export function dlqFromEnv(env: Record<string, string | undefined> = process.env): DlqSender {
  const url = env[ENV.scorerDlqUrl];
  if (url) return sqsDlq(url);
  const path = env[ENV.localDlqPath];
  if (path) return fileDlq(path);
  throw new Error(`Set ${ENV.scorerDlqUrl} (deployed) or ${ENV.localDlqPath} (local) for the scorer's dead-letter queue.`);
}
