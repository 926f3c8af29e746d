import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { SendBlocked, SendDeferred, SendFailed, type Mailer, type SendRate } from '#core/mail/ports.ts';

const THROTTLED = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException']);
/** Errors of the account or the deployment: every send would fail alike, so none may use up a customer's turn. */
const ACCOUNT_ERRORS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'AccountSuspendedException',
  'SendingPausedException',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'NotFoundException', // SES v2: the configuration set does not exist
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
]);
const DAILY_QUOTA = /daily message quota|maximum sending quota|sending quota exceeded/i;
const NOT_VERIFIED = /not verified|failed the check/i;

const HOUR_MS = 3_600_000;
/** A run SES kept throttling (retries used up, or no time left to wait) pauses this long. */
const THROTTLED_PAUSE_MS = 60_000;

const failedIdentities = (message: string) =>
  (message.split(/:\s/).at(-1) ?? '').split(/[\s,]+/).map((identity) => identity.replace(/[.;]+$/, '').toLowerCase());

/** The identities SES checks for a sender: the address and every parent domain (`a@mail.example.com`, …, `example.com`). */
function senderIdentities(from: string): string[] {
  const address = from.toLowerCase();
  const labels = address.slice(address.lastIndexOf('@') + 1).split('.');
  return [address, ...labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'))];
}

/**
 * Sorts an SES error: throttling is retried here; the quota defers the run; an error of the account blocks it; an
 * error of this one recipient (a rejected address, or in the sandbox an unverified one) fails this email only.
 */
export function classifySesError(error: unknown, from: string): 'throttled' | SendDeferred | SendBlocked | SendFailed {
  const name = error instanceof Error ? error.name : 'Unknown';
  const message = error instanceof Error ? error.message : '';
  // SES v2 reports the exhausted 24-hour quota as LimitExceeded; v1-style endpoints as Throttling with this message.
  if (name === 'LimitExceededException' || DAILY_QUOTA.test(message)) return new SendDeferred('quota', HOUR_MS, { cause: error });
  if (THROTTLED.has(name)) return 'throttled';
  if (ACCOUNT_ERRORS.has(name)) return new SendBlocked(name, message, { cause: error });
  // "Email address is not verified. The following identities failed the check in region …: a@b, c.d": when the sender
  // or one of its domains is named, it is the account's problem; a recipient alone (the sandbox) is that email's.
  if (NOT_VERIFIED.test(message) && failedIdentities(message).some((identity) => senderIdentities(from).includes(identity))) {
    return new SendBlocked(name, message, { cause: error });
  }
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
  /** The account-wide rate (`dynamoSendRate`); without it, the rate holds for this mailer only (tests, benches). */
  sendRate?: SendRate;
  retry?: RetryPolicy;
  clock?: Clock;
  random?: () => number;
}

/**
 * The mailer on SES API v2: simple content with both parts and custom headers, rate-limited, throttling retried
 * with backoff, but never past the caller's deadline: a throttled send that would have to wait beyond it is deferred.
 */
export function sesMailer(options: SesMailerOptions): Mailer {
  const clock = options.clock ?? systemClock;
  const retry = options.retry ?? DEFAULT_RETRY;
  const localRate = rateLimiter(options.maxSendRate, clock);
  const sendRate: SendRate = options.sendRate ?? (async () => (await localRate(), true));
  return async (email, { deadlineMs = Infinity } = {}) => {
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
      if (!(await sendRate({ deadlineMs }))) throw new SendDeferred('outOfTime', 0);
      try {
        const { MessageId } = await options.client.send(command);
        return { messageId: MessageId ?? '' };
      } catch (error) {
        const kind = classifySesError(error, options.from);
        if (kind !== 'throttled') throw kind;
        const delay = backoffDelay(attempt, retry, options.random);
        if (attempt + 1 >= retry.attempts || clock.now() + delay >= deadlineMs) {
          throw new SendDeferred('throttled', THROTTLED_PAUSE_MS, { cause: error });
        }
        await clock.sleep(delay);
      }
    }
  };
}
