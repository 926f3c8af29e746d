import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendEmailCommand, SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { addDays } from '../../functions/core/campaigns.ts';
import { getRun } from '../../functions/data/campaign-runs.ts';
import { queryCustomerPartition } from '../../functions/data/customers.ts';
import { sesMailer } from '../../functions/data/mailer.ts';
import { continueRun, startRun } from '../../functions/send-appreciation/run-campaign.ts';
import { appreciationDb, givenAnswer, givenCustomer, instantClock, testPorts, uniqueDate } from '../support/appreciation.ts';

const db = appreciationDb();
const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

const sesError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: {} });

/** A seeded generator: the same "random" faults on every run of the test. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

async function givenPromoters(count: number, date: string) {
  const customers = await Promise.all(Array.from({ length: count }, () => givenCustomer(db, { locale: 'en' })));
  for (const c of customers) await givenAnswer(db, c.customerId, { nps: 10, submittedAt: `${addDays(date, -1)}T09:00:00.000Z` });
  return customers;
}

const recipientOf = (input: SendEmailCommandInput) => input.Destination!.ToAddresses![0]!;

describe('SES faults', () => {
  it('30 % throttling: retried with backoff, every recipient gets exactly one email', async () => {
    const date = uniqueDate();
    const customers = await givenPromoters(40, date);
    const delivered: string[] = [];
    let throttled = 0;
    const fault = seeded(42);
    ses.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
      if (fault() < 0.3) {
        throttled++;
        throw sesError('TooManyRequestsException', 'Maximum sending rate exceeded.');
      }
      delivered.push(recipientOf(input));
      return { MessageId: `m-${delivered.length}` };
    });
    const sleeps: number[] = [];
    const clock = { now: () => Date.now(), sleep: async (ms: number) => void sleeps.push(ms) };
    const send = sesMailer({ client: new SESv2Client({ region: 'us-east-1' }), from: 'feedback@example.com', maxSendRate: 200, clock });
    const { ports } = testPorts(db, { send });

    const report = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' }, 60_000);

    expect(throttled).toBeGreaterThan(5);
    expect(report).toMatchObject({ status: 'done', selected: 40, sent: 40, failed: 0 });
    expect(delivered.sort()).toEqual(customers.map((c) => c.email).sort());
    expect(sleeps.some((ms) => ms > 5)).toBe(true); // backed off, not hammering
  });

  it('daily quota exhausted mid-run: the run pauses, then resumes without duplicates', async () => {
    const date = uniqueDate();
    const customers = await givenPromoters(20, date);
    const delivered: string[] = [];
    let quotaLeft = 7;
    ses.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
      if (quotaLeft <= 0) throw sesError('LimitExceededException', 'Daily message quota exceeded.');
      quotaLeft--;
      delivered.push(recipientOf(input));
      return { MessageId: `m-${delivered.length}` };
    });
    let now = Date.now();
    const send = sesMailer({ client: new SESv2Client({ region: 'us-east-1' }), from: 'feedback@example.com', maxSendRate: 4, clock: instantClock });
    const { ports } = testPorts(db, { send, now: () => now, settings: { ...testPorts(db).ports.settings, maxSendRate: 4 } });

    const paused = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' }, 60_000);

    expect(paused.status).toBe('paused');
    expect(delivered).toHaveLength(7);
    const early = await continueRun(ports, { campaignId: 'promoter-thanks', runId: paused.runId }, 60_000);
    expect(early.status).toBe('paused'); // not before the pause is over
    expect(delivered).toHaveLength(7);

    quotaLeft = 1000; // a new day's quota
    now += 3_600_001;
    const resumed = await continueRun(ports, { campaignId: 'promoter-thanks', runId: paused.runId }, 60_000);

    expect(resumed.status).toBe('done');
    expect(delivered.sort()).toEqual(customers.map((c) => c.email).sort());
    const run = (await getRun(db, 'promoter-thanks', paused.runId))!;
    expect(run).toMatchObject({ selected: 20, sent: 20, failed: 0, skipped: { alreadySent: 0, unsubscribed: 0, frequencyCap: 0, suppressed: 0 } });
    for (const c of customers) {
      const ledger = await queryCustomerPartition(db, c.customerId, 'EMAIL#');
      expect(ledger.map((e) => e.status)).toEqual(['sent']);
    }

    const replay = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' }, 60_000);
    expect(replay).toMatchObject({ sent: 0, skipped: { alreadySent: 20 } });
    expect(delivered).toHaveLength(20);
  });

  it('a rejected address fails once and is never retried', async () => {
    const date = uniqueDate();
    const [c] = await givenPromoters(1, date);
    ses.on(SendEmailCommand).rejects(sesError('MessageRejected', 'Email address is not verified.'));
    const send = sesMailer({ client: new SESv2Client({ region: 'us-east-1' }), from: 'feedback@example.com', maxSendRate: 200, clock: instantClock });
    const { ports } = testPorts(db, { send });

    const report = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' }, 60_000);

    expect(report).toMatchObject({ status: 'done', selected: 1, sent: 0, failed: 1 });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    const [entry] = await queryCustomerPartition(db, c!.customerId, 'EMAIL#');
    expect(entry).toMatchObject({ status: 'failed', reason: 'MessageRejected' });
  });
});
