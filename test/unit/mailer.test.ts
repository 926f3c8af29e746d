import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SendBlocked, SendDeferred, SendFailed } from '../../functions/core/mail/ports.ts';
import { backoffDelay, classifySesError, DEFAULT_RETRY, rateLimiter, sesMailer } from '../../functions/data/mailer.ts';

const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

const sesError = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: {} });

/** A clock whose sleeps move time forward instantly. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) };
}

const email = {
  to: 'a@example.com',
  subject: 'Teşekkürler',
  html: '<p>Merhaba</p>',
  text: 'Merhaba',
  headers: {
    'List-Unsubscribe': '<https://x.example/v1/unsubscribe?token=t>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  tags: { campaign: 'birthday', customer: 'YzE' },
};

describe('classifySesError', () => {
  const FROM = 'feedback@mail.shop.example';
  it.each([
    ['TooManyRequestsException', 'Maximum sending rate exceeded.', 'throttled'],
    ['Throttling', 'Rate exceeded', 'throttled'],
    ['LimitExceededException', 'whatever', 'quota'],
    ['Throttling', 'Daily message quota exceeded.', 'quota'],
    // The account's or the deployment's: every send would fail alike.
    ['SendingPausedException', 'Sending is paused for this account.', 'blocked'],
    ['AccountSuspendedException', 'suspended', 'blocked'],
    ['AccessDeniedException', 'User is not authorized to perform ses:SendEmail on resource identity/shop.example', 'blocked'],
    ['NotFoundException', 'Configuration set <cs-1> does not exist.', 'blocked'],
    ['MailFromDomainNotVerifiedException', 'MAIL FROM domain is not verified', 'blocked'],
    [
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region EU-WEST-1: feedback@mail.shop.example',
      'blocked',
    ],
    [
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region EU-WEST-1: shop.example, a@b.example',
      'blocked',
    ],
    // This recipient's only.
    [
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region EU-WEST-1: ayse@shop.example',
      'failed',
    ],
    [
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region EU-WEST-1: customer@example.com',
      'failed',
    ],
    ['BadRequestException', 'Illegal address', 'failed'],
    ['TimeoutError', 'socket hang up', 'failed'], // the outcome is unknown: not retried, so never twice
  ])('%s (%s) → %s', (name, message, expected) => {
    const kind = classifySesError(sesError(name, message), FROM);
    const got =
      kind === 'throttled'
        ? kind
        : kind instanceof SendDeferred
          ? kind.reason
          : kind instanceof SendBlocked
            ? 'blocked'
            : 'failed';
    expect(got).toBe(expected);
    if (kind instanceof SendFailed || kind instanceof SendBlocked) expect(kind.code).toBe(name);
  });
});

describe('rateLimiter', () => {
  it('spaces calls at the maximum rate', async () => {
    const clock = fakeClock();
    const acquire = rateLimiter(4, clock);
    for (let i = 0; i < 9; i++) await acquire();
    expect(clock.now()).toBe(2000); // nine sends at 4 per second: the ninth goes at 2 s
  });

  it('spaces concurrent callers too', async () => {
    const sleeps: number[] = [];
    // Concurrent callers all ask at the same instant; each waits for its own slot.
    const acquire = rateLimiter(10, { now: () => 0, sleep: async (ms) => void sleeps.push(ms) });
    await Promise.all(Array.from({ length: 5 }, acquire));
    expect(sleeps.sort((a, b) => a - b)).toEqual([100, 200, 300, 400]);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    expect(backoffDelay(0, DEFAULT_RETRY, () => 0.999)).toBe(99);
    expect(backoffDelay(3, DEFAULT_RETRY, () => 0.999)).toBe(799);
    expect(backoffDelay(20, DEFAULT_RETRY, () => 0.999)).toBe(9990);
    expect(backoffDelay(5, DEFAULT_RETRY, () => 0)).toBe(0);
  });
});

describe('sesMailer', () => {
  const mailer = (clock = fakeClock()) =>
    sesMailer({
      client: new SESv2Client({ region: 'us-east-1' }),
      from: 'feedback@example.com',
      replyTo: 'support@example.com',
      configurationSet: 'feedback-prod',
      maxSendRate: 10,
      clock,
    });

  it('sends both parts, the unsubscribe headers, the tags and the configuration set', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    expect(await mailer()(email)).toEqual({ messageId: 'm-1' });
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      FromEmailAddress: 'feedback@example.com',
      ReplyToAddresses: ['support@example.com'],
      Destination: { ToAddresses: ['a@example.com'] },
      ConfigurationSetName: 'feedback-prod',
      EmailTags: [
        { Name: 'campaign', Value: 'birthday' },
        { Name: 'customer', Value: 'YzE' },
      ],
    });
    expect(input.Content?.Simple?.Body).toEqual({
      Html: { Data: '<p>Merhaba</p>', Charset: 'UTF-8' },
      Text: { Data: 'Merhaba', Charset: 'UTF-8' },
    });
    expect(input.Content?.Simple?.Headers).toEqual([
      { Name: 'List-Unsubscribe', Value: '<https://x.example/v1/unsubscribe?token=t>' },
      { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('retries throttling with backoff, then sends once', async () => {
    ses
      .on(SendEmailCommand)
      .rejectsOnce(sesError('TooManyRequestsException'))
      .rejectsOnce(sesError('Throttling'))
      .resolves({ MessageId: 'm-2' });
    const clock = fakeClock();
    expect(await mailer(clock)(email)).toEqual({ messageId: 'm-2' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
  });

  it('defers after throttling outlasts its attempts', async () => {
    ses.on(SendEmailCommand).rejects(sesError('TooManyRequestsException'));
    await expect(mailer()(email)).rejects.toMatchObject({ name: 'SendDeferred', reason: 'throttled' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(DEFAULT_RETRY.attempts);
  });

  it("never sleeps past the caller's deadline: throttling that would outlast it defers the send", async () => {
    ses.on(SendEmailCommand).rejects(sesError('TooManyRequestsException'));
    const clock = fakeClock();
    const send = sesMailer({
      client: new SESv2Client({}),
      from: 'feedback@example.com',
      maxSendRate: 10,
      clock,
      random: () => 1,
    });
    await expect(send(email, { deadlineMs: 1_000 })).rejects.toMatchObject({ name: 'SendDeferred', reason: 'throttled' });
    expect(clock.now()).toBeLessThan(1_000);
    expect(ses.commandCalls(SendEmailCommand).length).toBeLessThan(DEFAULT_RETRY.attempts);
  });

  it('does not retry the daily quota: the run pauses', async () => {
    ses.on(SendEmailCommand).rejects(sesError('LimitExceededException', 'Daily message quota exceeded.'));
    await expect(mailer()(email)).rejects.toMatchObject({ name: 'SendDeferred', reason: 'quota' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });
});
