import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { SendDeferred, SendFailed, type Mailer } from '#core/mail/ports.ts';

const THROTTLED = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException']);
const PAUSED = new Set(['SendingPausedException', 'AccountSuspendedException']);
const DAILY_QUOTA = /daily message quota|maximum sending quota|sending quota exceeded/i;

const HOUR_MS = 3_600_000;

/** Sorts an SES error: throttling is retried here; quota and paused sending defer the run; anything else fails. */
export function classifySesError(error: unknown): 'throttled' | SendDeferred | SendFailed {
  const name = error instanceof Error ? error.name : 'Unknown';
  const message = error instanceof Error ? error.message : '';
  // SES v2 reports the exhausted 24-hour quota as LimitExceeded; v1-style endpoints as Throttling with this message.
  if (name === 'LimitExceededException' || DAILY_QUOTA.test(message)) return new SendDeferred('quota', HOUR_MS, { cause: error });
  if (THROTTLED.has(name)) return 'throttled';
  if (PAUSED.has(name)) return new SendDeferred('paused', HOUR_MS, { cause: error });
  return new SendFailed(name, { cause: error });
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Spaces calls at most `perSecond` apart, across every caller sharing it (one per mailer, so per invocation). */
export function rateLimiter(perSecond: number, clock: Clock = systemClock): () => Promise<void> {
  const interval = 1000 / perSecond;
  let nextSlot = 0;
  return async () => {
    const now = clock.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + interval;
    if (slot > now) await clock.sleep(slot - now);
  };
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 100, maxDelayMs: 10_000 };

/** Full jitter: a random delay up to the exponential cap, so throttled senders do not retry in lockstep. */
export const backoffDelay = (attempt: number, policy: RetryPolicy, random: () => number = Math.random): number =>
  Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));

export interface SesMailerOptions {
  client: SESv2Client;
  from: string;
  replyTo?: string;
  configurationSet?: string;
  maxSendRate: number;
  retry?: RetryPolicy;
  clock?: Clock;
  random?: () => number;
}

/** The mailer on SES API v2: simple content with both parts and custom headers, rate-limited, throttling retried. */
export function sesMailer(options: SesMailerOptions): Mailer {
  const clock = options.clock ?? systemClock;
  const retry = options.retry ?? DEFAULT_RETRY;
  const waitForSlot = rateLimiter(options.maxSendRate, clock);
  return async (email) => {
    const command = new SendEmailCommand({
      FromEmailAddress: options.from,
      ReplyToAddresses: options.replyTo ? [options.replyTo] : undefined,
      Destination: { ToAddresses: [email.to] },
      ConfigurationSetName: options.configurationSet,
      EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
          Headers: Object.entries(email.headers).map(([Name, Value]) => ({ Name, Value })),
        },
      },
    });
    for (let attempt = 0; ; attempt++) {
      await waitForSlot();
      try {
        const { MessageId } = await options.client.send(command);
        return { messageId: MessageId ?? '' };
      } catch (error) {
        const kind = classifySesError(error);
        if (kind !== 'throttled') throw kind;
        if (attempt + 1 >= retry.attempts) throw new SendDeferred('throttled', 60_000, { cause: error });
        await clock.sleep(backoffDelay(attempt, retry, options.random));
      }
    }
  };
}
